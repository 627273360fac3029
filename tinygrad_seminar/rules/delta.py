"""The delta rule, for any differentiable phi and the loss 1/2 (y - y^)^2:

    y^ = phi(w x + b);  w <- w + eta (y - y^) phi'(z) x^T;  b <- b + eta (y - y^) phi'(z),

with phi'(z) from the slide's table (activations.py). The linear neuron is the case phi'(z) = 1.
"""

from __future__ import annotations

import numpy as np

from ._common import check_batch, check_params
from .activations import ACTIVATIONS, dphi_of


def delta_rule_update(w: np.ndarray, b: np.ndarray, X: np.ndarray, Y: np.ndarray, eta: float,
                      activation: str) -> tuple[np.ndarray, np.ndarray]:
    """w <- w + eta/p [(Y - Y^) (.) phi'(Z)] X^T, b <- b + eta/p [(Y - Y^) (.) phi'(Z)] 1_p, Y^ = phi(Z), Z = w X + b.

    The gradient step on 1/(2p) sum_i (y_i - y^_i)^2; with p = 1 it is the slide's online rule. w may be
    a single neuron's row (1 x n) or a layer's W (m x n). ``activation`` names a row of ACTIVATIONS.
    Returns new (w, b); the arguments are not changed.
    """
    dphi = dphi_of(activation)
    phi = ACTIVATIONS[activation][0]
    w, b = check_params("delta_rule_update", w, b)
    X, Y = check_batch("delta_rule_update", X, Y, n=w.shape[1], m=w.shape[0])
    p = X.shape[1]
    Z = w @ X + b
    A = phi(Z)
    delta = (Y - A) * dphi(Z, A)
    return w + eta / p * delta @ X.T, b + eta / p * delta.sum(axis=1, keepdims=True)
