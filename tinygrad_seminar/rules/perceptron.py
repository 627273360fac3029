"""Rosenblatt's perceptron (1958), online: y^ = step(w x + b); w <- w + eta (y - y^) x^T; b <- b + eta (y - y^).

The step has no useful derivative, so this rule is no gradient step of a loss the engine can
differentiate; the tests hold it to its own promises instead: Novikoff's mistake bound on separable
data, AND and OR learned, XOR never.
"""

from __future__ import annotations

import numpy as np

from ._common import check_batch, check_params, init_params
from .neuron import McCullochPitts, step


def perceptron_update(w: np.ndarray, b: np.ndarray, x: np.ndarray, y, eta: float) -> tuple[np.ndarray, np.ndarray]:
    """w <- w + eta (y - y^) x^T, b <- b + eta (y - y^), y^ = step(w x + b), for one sample x (n, 1).

    Returns new (w, b); the arguments are not changed. y is 0 or 1.
    """
    w, b = check_params("perceptron_update", w, b, rows=1)
    x, y = check_batch("perceptron_update", x, y, n=w.shape[1], m=1, one_sample=True)
    y_hat = step(w @ x + b)
    return w + eta * (y - y_hat) @ x.T, b + eta * (y - y_hat)


class Perceptron(McCullochPitts):
    """``Perceptron(n_inputs, seed=None)``: a McCulloch-Pitts neuron that learns its w and b online.

    w (1 x n) and b (1 x 1) start uniform in (-1, 1) from ``np.random.default_rng(seed)``, w first.
    ``fit`` continues from the current weights (set ``w`` and ``b`` to start elsewhere) and keeps
    ``errors_``: the number of mistakes (updates) made during each epoch.
    """

    def __init__(self, n_inputs: int, seed: int | None = None):
        w, b = init_params([n_inputs, 1], seed)
        super().__init__(w[1], b[1])
        self.errors_: list[int] = []

    def fit(self, X, Y, epochs: int = 50, learning_rate: float = 0.1) -> Perceptron:
        """For each epoch, for each sample i in order: the update of perceptron_update."""
        X, Y = check_batch("Perceptron.fit", X, Y, n=self.n_inputs, m=1)
        if not np.isin(Y, (0.0, 1.0)).all():
            raise ValueError("Perceptron.fit: the targets y must be 0 or 1")
        self.errors_ = []
        for _ in range(epochs):
            mistakes = 0
            for i in range(X.shape[1]):
                x, y = X[:, i:i + 1], Y[:, i:i + 1]
                w, b = perceptron_update(self.w, self.b, x, y, learning_rate)
                mistakes += int(step(self.w @ x + self.b).item() != y.item())
                self.w, self.b = w, b
            self.errors_.append(mistakes)
        return self
