"""The sigmoid neuron: z = w x + b, y^ = sigma(z) = 1 / (1 + e^-z), trained on binary cross-entropy.

Update: w <- w + eta (y - y^) x^T, b <- b + eta (y - y^); on a batch, the mean: eta/p.
The slide prints the loss as -1/2 [y log y^ + (1 - y) log(1 - y^)], but this update is the gradient
step of the cross-entropy *without* the 1/2: with the 1/2 the step would be half as large.
"""

from __future__ import annotations

import numpy as np

from ._common import check_batch, check_params, init_params
from .activations import sigmoid
from .losses import binary_cross_entropy


def sigmoid_update(w: np.ndarray, b: np.ndarray, X: np.ndarray, Y: np.ndarray,
                   eta: float) -> tuple[np.ndarray, np.ndarray]:
    """w <- w + eta/p (Y - Y^) X^T, b <- b + eta/p sum_i (y_i - y^_i), Y^ = sigma(w X + b).

    The gradient step on the mean BCE -1/p sum [y log y^ + (1 - y) log(1 - y^)] (no 1/2); with p = 1
    it is the slide's online rule. Returns new (w, b); the arguments are not changed.
    """
    w, b = check_params("sigmoid_update", w, b, rows=1)
    X, Y = check_batch("sigmoid_update", X, Y, n=w.shape[1], m=1)
    p = X.shape[1]
    err = Y - sigmoid(w @ X + b)
    return w + eta / p * err @ X.T, b + eta / p * err.sum(axis=1, keepdims=True)


class SigmoidNeuron:
    """``SigmoidNeuron(n_inputs, seed=None)``: y^ = sigma(w x + b), trained full batch on the mean BCE.

    w (1 x n) and b (1 x 1) start uniform in (-1, 1) from ``np.random.default_rng(seed)``, w first.
    ``fit`` continues from the current weights and keeps ``loss_``: the mean BCE after each epoch.
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
        """Y^ = sigma(w X + b): the probability that y = 1, shape (1, p)."""
        X, _ = check_batch("SigmoidNeuron.predict", X, n=self.n_inputs)
        return sigmoid(self.w @ X + self.b)

    def fit(self, X, Y, epochs: int = 100, learning_rate: float = 0.1) -> SigmoidNeuron:
        """``epochs`` full-batch steps of sigmoid_update."""
        X, Y = check_batch("SigmoidNeuron.fit", X, Y, n=self.n_inputs, m=1)
        self.loss_ = []
        for _ in range(epochs):
            self.w, self.b = sigmoid_update(self.w, self.b, X, Y, learning_rate)
            self.loss_.append(binary_cross_entropy(Y, self.w @ X + self.b))
        return self
