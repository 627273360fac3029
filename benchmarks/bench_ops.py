"""Per-op cost of the engine against raw numpy, measured in one run.

    python benchmarks/bench_ops.py [--repeat 2000]

For tiny (1x1) and medium (256x256) float32 arrays: a forward op, and a forward + backward of the
same op (summed to a scalar, as a loss would be), each as framework time / numpy time; then the
backward of a 100 000-op chain. The numpy side of forward + backward is the hand-written
equivalent (the op, the sum, and the op's local gradient). Last, conv2d forward + backward (32 images
1x28x28, 8 filters 3x3, bias) against a hand-written numpy im2col, and PyTorch (one thread) if installed.
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


def numpy_conv(x: np.ndarray, w: np.ndarray, b: np.ndarray):
    """conv2d + bias, summed, and its three gradients, by hand: im2col, one matmul, col2im by kernel offset."""
    n, c, h, wd = x.shape
    o, _, kh, kw = w.shape
    ho, wo = h - kh + 1, wd - kw + 1
    cols = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(2, 3))  # (n, c, ho, wo, kh, kw)
    cols = cols.transpose(0, 2, 3, 1, 4, 5).reshape(n * ho * wo, c * kh * kw)
    y = (cols @ w.reshape(o, -1).T + b).reshape(n, ho, wo, o).transpose(0, 3, 1, 2)
    g = np.ones((n * ho * wo, o), x.dtype)  # d sum(y) / dy, as rows
    dw = (g.T @ cols).reshape(w.shape)
    db = g.sum(axis=0)
    dcols = (g @ w.reshape(o, -1)).reshape(n, ho, wo, c, kh, kw)
    dx = np.zeros_like(x)
    for p in range(kh):
        for q in range(kw):
            dx[:, :, p:p + ho, q:q + wo] += dcols[:, :, :, :, p, q].transpose(0, 3, 1, 2)
    return y.sum(), dx, dw, db


def torch_conv(x: np.ndarray, w: np.ndarray, b: np.ndarray):
    """PyTorch's conv2d forward + backward on one thread, or None if torch is not installed."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, w, b))

    def run():
        tx.grad = tw.grad = tb.grad = None
        torch.nn.functional.conv2d(tx, tw, tb).sum().backward()

    return run


def conv_line(repeat: int, rng: np.random.Generator) -> None:
    x = rng.standard_normal((32, 1, 28, 28)).astype(np.float32)
    w = rng.standard_normal((8, 1, 3, 3)).astype(np.float32)
    b = rng.standard_normal(8).astype(np.float32)
    tx, tw, tb = (ts.Tensor(a, requires_grad=True) for a in (x, w, b))

    def framework():
        tx.grad = tw.grad = tb.grad = None
        ts.functional.conv2d(tx, tw, tb).sum().backward()

    framework()
    expected = numpy_conv(x, w, b)
    for got, want in zip((tx.grad, tw.grad, tb.grad), expected[1:]):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-3)
    th = torch_conv(x, w, b)
    times = interleaved_medians([lambda: numpy_conv(x, w, b), framework] + ([th] if th else []), repeat)
    torch_text = f", PyTorch {times[2] * 1e3:.2f} ms (ratio {times[2] / times[0]:.2f})" if th else ", PyTorch -"
    print(f"conv2d 32x1x28x28, 8 filters 3x3, forward + backward: numpy im2col {times[0] * 1e3:.2f} ms, "
          f"framework {times[1] * 1e3:.2f} ms (ratio {times[1] / times[0]:.2f}, aim 1.5){torch_text}")


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
    conv_line(max(args.repeat // 10, 30), rng)


if __name__ == "__main__":
    main()
