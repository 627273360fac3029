"""The linear neuron (ADALINE): y^ = w x + b, w in R^{1 x n} (the slides' "for greater comfort" row).

Online (SGD): loss 1/2 (y - y^)^2, gradient -(y - y^) x^T, so w <- w + eta (y - y^) x^T.
Batch (BGD): E2 = 1/(2p) sum_i (y_i - y^_i)^2, so w <- w + eta/p (Y - Y^) X^T, b <- b + eta/p sum (Y - Y^).
Mini-batch (mBGD): BGD on each mini-batch in turn, p being the mini-batch's size.
Both losses carry the 1/2 that Keras' and PyTorch's MSE do not: with the same eta their step is twice this one.
"""

from __future__ import annotations

import numpy as np

from ._common import batches, check_batch, check_params, init_params
from .losses import half_squared_error


def linear_sgd_update(w: np.ndarray, b: np.ndarray, x: np.ndarray, y, eta: float) -> tuple[np.ndarray, np.ndarray]:
    """w <- w + eta (y - y^) x^T, b <- b + eta (y - y^), y^ = w x + b, for one sample x (n, 1).

    The gradient step on 1/2 (y - y^)^2. Returns new (w, b); the arguments are not changed.
    """
    w, b = check_params("linear_sgd_update", w, b, rows=1)
    x, y = check_batch("linear_sgd_update", x, y, n=w.shape[1], m=1, one_sample=True)
    err = y - (w @ x + b)
    return w + eta * err @ x.T, b + eta * err


def linear_bgd_update(w: np.ndarray, b: np.ndarray, X: np.ndarray, Y: np.ndarray,
                      eta: float) -> tuple[np.ndarray, np.ndarray]:
    """w <- w + eta/p (Y - Y^) X^T, b <- b + eta/p sum_i (y_i - y^_i), Y^ = w X + b.

    The gradient step on E2 = 1/(2p) sum_i (y_i - y^_i)^2. Returns new (w, b); the arguments are not changed.
    """
    w, b = check_params("linear_bgd_update", w, b, rows=1)
    X, Y = check_batch("linear_bgd_update", X, Y, n=w.shape[1], m=1)
    p = X.shape[1]
    err = Y - (w @ X + b)
    return w + eta / p * err @ X.T, b + eta / p * err.sum(axis=1, keepdims=True)


class LinearNeuron:
    """``LinearNeuron(n_inputs, seed=None)``: y^ = w x + b, trained by SGD, BGD or mBGD.

    w (1 x n) and b (1 x 1) start uniform in (-1, 1) from ``np.random.default_rng(seed)``, w first.
    ``fit`` continues from the current weights and keeps ``loss_``: E2 on all of (X, Y) after each epoch.
    """

    layout = "columns"  # samples are columns, X in R^{n x p}: how ts.plot passes data to predict

    def __init__(self, n_inputs: int, seed: int | None = None):
        w, b = init_params([n_inputs, 1], seed)
        self.w, self.b = w[1], b[1]
        self.loss_: list[float] = []

    @property
    def n_inputs(self) -> int:
        return self.w.shape[1]

    def predict(self, X) -> np.ndarray:
        """Y^ = w X + b, shape (1, p)."""
        X, _ = check_batch("LinearNeuron.predict", X, n=self.n_inputs)
        return self.w @ X + self.b

    def fit(self, X, Y, epochs: int = 100, learning_rate: float = 0.01, solver: str = "bgd",
            batch_size: int = 32) -> LinearNeuron:
        """``solver``: "sgd" (one sample at a time, in order), "bgd" (all p at once) or "mbgd"
        (consecutive mini-batches of ``batch_size`` columns)."""
        X, Y = check_batch("LinearNeuron.fit", X, Y, n=self.n_inputs, m=1)
        if solver not in ("sgd", "bgd", "mbgd"):
            raise ValueError(f"LinearNeuron.fit: solver must be 'sgd', 'bgd' or 'mbgd'; got {solver!r}")
        size = {"sgd": 1, "bgd": None, "mbgd": batch_size}[solver]
        self.loss_ = []
        for _ in range(epochs):
            for cols in batches(X.shape[1], size):
                if solver == "sgd":
                    self.w, self.b = linear_sgd_update(self.w, self.b, X[:, cols], Y[:, cols], learning_rate)
                else:
                    self.w, self.b = linear_bgd_update(self.w, self.b, X[:, cols], Y[:, cols], learning_rate)
            self.loss_.append(half_squared_error(Y, self.w @ X + self.b))
        return self
