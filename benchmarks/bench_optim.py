"""One optimiser step, float32, MNIST-sized parameters (784-256-256-10): framework / hand-written numpy.

    python benchmarks/bench_optim.py [--repeat 300]

The numpy side is the same update written inline with in-place operations (the fastest plain-numpy
form), so the ratio is the framework's overhead per step: the Python around the arithmetic.
"""

from __future__ import annotations

import argparse
import math

import numpy as np
from timing import interleaved_medians

import tinygrad_seminar as ts
from tinygrad_seminar import optim

SHAPES = [(256, 784), (256,), (256, 256), (256,), (10, 256), (10,)]


def numpy_sgd(ws, gs, st, lr=0.01, mu=0.9):
    if not st:
        st["b"] = [g.copy() for g in gs]
        bufs = st["b"]
    else:
        bufs = st["b"]
        for b, g in zip(bufs, gs):
            b *= mu
            b += g
    for w, b in zip(ws, bufs):
        w -= lr * b


def numpy_adam(ws, gs, st, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
    if not st:
        st["t"], st["m"], st["v"] = 0, [np.zeros_like(w) for w in ws], [np.zeros_like(w) for w in ws]
    st["t"] += 1
    t = st["t"]
    for w, g, m, v in zip(ws, gs, st["m"], st["v"]):
        m *= b1
        m += (1 - b1) * g
        v *= b2
        v += (1 - b2) * g * g
        w -= (lr / (1 - b1**t)) * m / (np.sqrt(v) / math.sqrt(1 - b2**t) + eps)


def numpy_rmsprop(ws, gs, st, lr=0.01, alpha=0.99, eps=1e-8):
    if not st:
        st["v"] = [np.zeros_like(w) for w in ws]
    for w, g, v in zip(ws, gs, st["v"]):
        v *= alpha
        v += (1 - alpha) * g * g
        w -= lr * g / (np.sqrt(v) + eps)


def numpy_adagrad(ws, gs, st, lr=0.01, eps=1e-10):
    if not st:
        st["s"] = [np.zeros_like(w) for w in ws]
    for w, g, s in zip(ws, gs, st["s"]):
        s += g * g
        w -= lr * g / (np.sqrt(s) + eps)


CASES = {
    "SGD(momentum=0.9)": (lambda ps: optim.SGD(ps, lr=0.01, momentum=0.9), numpy_sgd),
    "Adam": (lambda ps: optim.Adam(ps), numpy_adam),
    "RMSprop": (lambda ps: optim.RMSprop(ps), numpy_rmsprop),
    "Adagrad": (lambda ps: optim.Adagrad(ps), numpy_adagrad),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    grads = [rng.standard_normal(s).astype(np.float32) * 1e-3 for s in SHAPES]
    print(f"{'optimiser':<20}{'numpy us':>10}{'framework us':>14}{'ratio':>8}")
    for name, (make, numpy_step) in CASES.items():
        params = [ts.Tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True) for s in SHAPES]
        for p, g in zip(params, grads):
            p.grad = g
        opt = make(params)
        ws, st = [p.data.copy() for p in params], {}
        t_np, t_fw = interleaved_medians([lambda: numpy_step(ws, grads, st), opt.step], args.repeat)  # noqa: B023
        assert all(p.data.dtype == np.float32 for p in params)
        print(f"{name:<20}{t_np * 1e6:>10.1f}{t_fw * 1e6:>14.1f}{t_fw / t_np:>8.2f}")


if __name__ == "__main__":
    main()
