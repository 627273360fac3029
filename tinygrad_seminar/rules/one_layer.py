"""The one-layer network: W in R^{m x n}, b in R^{m x 1}, Y^ = phi(W X + b), one neuron per output.

Updated as the sigmoid neuron is: W <- W + eta/p (Y - Y^) X^T, b <- b + eta/p (Y - Y^) 1_p. That is
the gradient step on the loss the summary table pairs with phi, summed over the m outputs and
averaged over the p samples: linear -> 1/(2p) sum (y - y^)^2; sigmoid -> BCE (one-vs-all, or
several labels at once); softmax S(z)_j = e^{z_j} / sum_k e^{z_k} -> categorical cross-entropy
E = -1/p sum_i sum_j y_j^(i) log y^_j^(i), for targets whose columns sum to 1.
"""

from __future__ import annotations

import numpy as np

from ._common import check_batch, check_params, init_params
from .activations import phi_of
from .losses import DEFAULT_LOSS, loss_value

ONE_LAYER_ACTIVATIONS = ("linear", "sigmoid", "softmax")


def _phi(who: str, activation: str):
    if activation not in ONE_LAYER_ACTIVATIONS:
        raise ValueError(f"{who}: activation must be one of {list(ONE_LAYER_ACTIVATIONS)}, whose loss makes the "
                         f"output delta Y - Y^; got {activation!r} (for tanh or relu use delta_rule_update)")
    return phi_of(activation)


def one_layer_update(W: np.ndarray, b: np.ndarray, X: np.ndarray, Y: np.ndarray, eta: float,
                     activation: str = "sigmoid") -> tuple[np.ndarray, np.ndarray]:
    """W <- W + eta/p (Y - Y^) X^T, b <- b + eta/p (Y - Y^) 1_p, Y^ = phi(W X + b).

    The gradient step on the mean loss that goes with ``activation`` ('linear': 1/2 squared error,
    'sigmoid': BCE, 'softmax': CCE). Returns new (W, b); the arguments are not changed.
    """
    phi = _phi("one_layer_update", activation)
    W, b = check_params("one_layer_update", W, b)
    X, Y = check_batch("one_layer_update", X, Y, n=W.shape[1], m=W.shape[0])
    p = X.shape[1]
    err = Y - phi(W @ X + b)
    return W + eta / p * err @ X.T, b + eta / p * err.sum(axis=1, keepdims=True)


class OneLayerNetwork:
    """``OneLayerNetwork(n_inputs, n_outputs, activation="sigmoid", seed=None)``: Y^ = phi(W X + b).

    ``activation``: "sigmoid" (one-vs-all, BCE), "softmax" (one winner, CCE) or "linear" (regression,
    1/2 squared error). W (m x n) and b (m x 1) start uniform in (-1, 1) from
    ``np.random.default_rng(seed)``, W first. ``fit`` trains full batch (eta/p), continues from the
    current weights and keeps ``loss_``: the mean loss after each epoch.
    """

    layout = "columns"  # samples are columns, X in R^{n x p}: how ts.plot passes data to predict

    def __init__(self, n_inputs: int, n_outputs: int, activation: str = "sigmoid", seed: int | None = None):
        self.phi = _phi("OneLayerNetwork", activation)
        self.activation = activation
        w, b = init_params([n_inputs, n_outputs], seed)
        self.W, self.b = w[1], b[1]
        self.loss_: list[float] = []

    @property
    def n_inputs(self) -> int:
        return self.W.shape[1]

    @property
    def n_outputs(self) -> int:
        return self.W.shape[0]

    def predict(self, X) -> np.ndarray:
        """Y^ = phi(W X + b), shape (m, p): probabilities for sigmoid and softmax."""
        X, _ = check_batch("OneLayerNetwork.predict", X, n=self.n_inputs)
        return self.phi(self.W @ X + self.b)

    def fit(self, X, Y, epochs: int = 100, learning_rate: float = 0.1) -> OneLayerNetwork:
        """``epochs`` full-batch steps of one_layer_update."""
        X, Y = check_batch("OneLayerNetwork.fit", X, Y, n=self.n_inputs, m=self.n_outputs)
        loss = DEFAULT_LOSS[self.activation]
        self.loss_ = []
        for _ in range(epochs):
            self.W, self.b = one_layer_update(self.W, self.b, X, Y, learning_rate, self.activation)
            Z = self.W @ X + self.b
            self.loss_.append(loss_value(loss, Y, Z, self.phi(Z)))
        return self
