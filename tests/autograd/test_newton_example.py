"""Second derivatives on the slides' optimisation example: Newton's method on f'(x) = 0 with ts.grad."""

from __future__ import annotations

import pytest

import tinygrad_seminar as ts


# ---- the slides' optimisation example: f(x) = x (5 - 2x)^2 ----
def f(x):
    return x * (5 - 2 * x) ** 2


def newton_on_f_prime(start: float, steps: int = 30):
    """Newton's method on f'(x) = 0, with f' and f'' from ts.grad; returns x, f'(x), f''(x)."""
    x = ts.tensor(start, dtype="float64", requires_grad=True)
    for _ in range(steps):
        (d1,) = ts.grad(f(x), x, create_graph=True)
        (d2,) = ts.grad(d1, x)
        x = ts.tensor(x.data - d1.data / d2.data, requires_grad=True)
    (d1,) = ts.grad(f(x), x, create_graph=True)
    (d2,) = ts.grad(d1, x)
    return x.item(), d1.item(), d2.item()


def test_derivatives_of_the_slides_example_match_the_formulas():
    for value in (-1.0, 0.3, 5 / 6, 2.0, 2.5, 4.0):
        x = ts.tensor(value, dtype="float64", requires_grad=True)
        (d1,) = ts.grad(f(x), x, create_graph=True)
        (d2,) = ts.grad(d1, x)
        assert d1.item() == pytest.approx(12 * value**2 - 40 * value + 25, abs=1e-12)
        assert d2.item() == pytest.approx(24 * value - 40, abs=1e-12)


def test_newton_finds_the_maximum_at_5_6_and_the_minimum_at_5_2():
    x, d1, d2 = newton_on_f_prime(start=0.0)
    assert x == pytest.approx(5 / 6, abs=1e-12) and d1 == pytest.approx(0, abs=1e-10)
    assert d2 < 0  # f'' = 24x - 40 = -20: a maximum
    assert d2 == pytest.approx(-20)

    x, d1, d2 = newton_on_f_prime(start=3.0)
    assert x == pytest.approx(5 / 2, abs=1e-12) and d1 == pytest.approx(0, abs=1e-10)
    assert d2 > 0  # f'' = 20: a minimum
    assert d2 == pytest.approx(20)
