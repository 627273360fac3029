"""Per-op cost of the engine against raw numpy, measured in one run.

    python benchmarks/bench_ops.py [--repeat 2000]

For tiny (1x1) and medium (256x256) float32 arrays: a forward op, and a forward + backward of the
same op (summed to a scalar, as a loss would be), each as framework time / numpy time; then the
backward of a 100 000-op chain. The numpy side of forward + backward is the hand-written
equivalent (the op, the sum, and the op's local gradient).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from timing import interleaved_medians

import tinygrad_seminar as ts


def cases(a: np.ndarray, b: np.ndarray):
    """(name, framework forward, framework forward+backward, numpy forward, numpy forward+backward)."""
    ta, tb = ts.Tensor(a, requires_grad=True), ts.Tensor(b)
    one = np.ones_like(a)

    def fb(f):
        def run():
            ta.grad = None
            f().sum().backward()

        return run

    return [
        ("add", lambda: ta + tb, fb(lambda: ta + tb), lambda: a + b, lambda: ((a + b).sum(), one * 1.0)),
        ("mul", lambda: ta * tb, fb(lambda: ta * tb), lambda: a * b, lambda: ((a * b).sum(), one * b)),
        ("tanh", ta.tanh, fb(ta.tanh), lambda: np.tanh(a),
         lambda: (lambda y: (y.sum(), one * (1 - y * y)))(np.tanh(a))),
        ("matmul", lambda: ta @ tb, fb(lambda: ta @ tb), lambda: a @ b,
         lambda: ((a @ b).sum(), np.ones((a.shape[0], b.shape[1]), a.dtype) @ b.T)),
    ]


def chain_backward(n: int = 100_000) -> tuple[float, float]:
    x = ts.tensor(1.0, requires_grad=True)
    t0 = time.perf_counter()
    y = x
    for _ in range(n):
        y = y * 1.0
    t1 = time.perf_counter()
    y.backward()
    t2 = time.perf_counter()
    assert x.grad == 1.0
    return t1 - t0, t2 - t1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"{'op':<8}{'size':>9}{'numpy fwd':>12}{'ratio fwd':>11}{'numpy f+b':>12}{'ratio f+b':>11}")
    for n in (1, 256):
        a = rng.standard_normal((n, n)).astype(np.float32)
        b = rng.standard_normal((n, n)).astype(np.float32)
        for name, f_fw, f_fb, n_fw, n_fb in cases(a, b):
            t_nf, t_ff, t_nb, t_fb = interleaved_medians([n_fw, f_fw, n_fb, f_fb], args.repeat)
            print(f"{name:<8}{f'{n}x{n}':>9}{t_nf * 1e6:10.2f}us{t_ff / t_nf:11.2f}{t_nb * 1e6:10.2f}us"
                  f"{t_fb / t_nb:11.2f}")
    fwd, bwd = chain_backward()
    print(f"100 000-op chain: forward {fwd:.3f} s ({fwd * 10:.2f} us/op), backward {bwd:.3f} s "
          f"({bwd * 10:.2f} us/op)")


if __name__ == "__main__":
    main()
