"""Optimisation by the derivative: f(x) = x(5 - 2x)^2 = 4x^3 - 20x^2 + 25x.

f'(x) = 12x^2 - 40x + 25 = 0 at x = 5/6 (a local maximum, f'' = -20) and x = 5/2 (a local minimum,
f'' = 20). When the equation f' = 0 cannot be solved by hand, follow the derivative instead.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np


def f(x):
    """f(x) = x(5 - 2x)^2"""
    return x * (5 - 2 * x) ** 2


def df(x):
    """f'(x) = 12x^2 - 40x + 25"""
    return 12 * x**2 - 40 * x + 25


def critical_points() -> tuple[float, float]:
    """The roots of 12x^2 - 40x + 25 = 0 by the quadratic formula: (40 -+ sqrt(40^2 - 4*12*25)) / 24."""
    root = math.sqrt(40**2 - 4 * 12 * 25)
    return (40 - root) / 24, (40 + root) / 24


def gradient_ascent(grad: Callable, x0: float, eta: float = 0.01, steps: int = 100) -> np.ndarray:
    """x <- x + eta f'(x), ``steps`` times from x0 (descent: pass the negated derivative).

    Returns every iterate, x0 first, so a student can watch it climb.
    """
    xs = [float(x0)]
    for _ in range(steps):
        xs.append(xs[-1] + eta * grad(xs[-1]))
    return np.array(xs)
