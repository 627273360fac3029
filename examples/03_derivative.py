"""Seminar step 3: optimisation by the derivative, f(x) = x(5 - 2x)^2, f'(x) = 12x^2 - 40x + 25."""

import numpy as np

import tinygrad_seminar as ts
from tinygrad_seminar import rules

lo, hi = rules.critical_points()
print(f"f'(x) = 0 at x = {lo:.4f} (5/6) and x = {hi:.4f} (5/2)")
for x0 in (lo, hi):
    x = ts.Tensor(np.float64(x0), requires_grad=True)
    (d1,) = ts.grad(rules.f(x), [x], create_graph=True)
    (d2,) = ts.grad(d1, [x])
    kind = "maximum" if d2.item() < 0 else "minimum"
    print(f"  f({x0:.4f}) = {rules.f(x0):.4f}; engine: f' = {d1.item():+.1e}, f'' = {d2.item():+.1f} -> a local {kind}")
xs = rules.gradient_ascent(rules.df, 0.0, eta=0.01, steps=200)
print("gradient ascent x <- x + eta f'(x) from 0:", np.round(xs[[0, 1, 2, 5, 10, 50, 200]], 4))
