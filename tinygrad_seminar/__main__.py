"""``python -m tinygrad_seminar tour``: walk the seminar with what the framework has so far."""

from __future__ import annotations

import argparse
import sys

import numpy as np

import tinygrad_seminar as ts


def _step(title: str) -> None:
    print(f"\n== {title} ==")


def tour() -> None:
    """Each step prints what it computes; nothing is written to disk."""
    print(f"tinygrad_seminar {ts.__version__}: a tour of the seminar")

    _step("1. A Tensor records the operator graph; backward() fills .grad")
    x = ts.tensor([1.0, 2.0, 3.0], requires_grad=True, name="x")
    y = (x * x).sum()
    y.backward()
    print(f"y = sum(x^2) = {y.item():g};  dy/dx = 2x = {x.grad}")

    _step("2. Optimisation by the derivative: f(x) = x(5 - 2x)^2")
    print("f'(x) = 12x^2 - 40x + 25 = 0; Newton's method on f' with f'' from ts.grad(create_graph=True)")
    for start in (0.0, 3.0):
        x = ts.tensor(start, dtype="float64", requires_grad=True)
        for _ in range(30):
            (d1,) = ts.grad(x * (5 - 2 * x) ** 2, x, create_graph=True)
            (d2,) = ts.grad(d1, x)
            x = ts.tensor(x.item() - d1.item() / d2.item(), dtype="float64", requires_grad=True)
        kind = "maximum" if d2.item() < 0 else "minimum"
        print(f"from x0 = {start}: x* = {x.item():.6f}, f''(x*) = {d2.item():+.3f} -> a {kind}")

    _step("3. The gradient checker compares backward with central differences")
    w = ts.randn(3, 2, dtype="float64", requires_grad=True, rng=np.random.default_rng(0))
    xb = ts.randn(4, 2, dtype="float64", rng=np.random.default_rng(1))
    print("d/dw mean(log_softmax(x @ w.T)):", ts.gradcheck(lambda w: (xb @ w.T).log_softmax().mean(), w))

    class BadSquare(ts.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            return g * a  # should be 2 * g * a

    try:
        ts.gradcheck(lambda w: BadSquare.apply(w.tanh()).sum(), w)
    except ts.GradcheckError as e:
        print("a student's op with a wrong backward is caught:\n" + str(e))
    print("\nNext steps of the seminar (layers, learning rules, Keras workflow) arrive with later releases.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tinygrad_seminar")
    parser.add_argument("command", choices=["tour"], help="tour: walk the seminar step by step")
    args = parser.parse_args(argv)
    if args.command == "tour":
        tour()
    return 0


if __name__ == "__main__":
    sys.exit(main())
