"""The losses the rules descend, and the slides' summary table that pairs each with an activation.

Slide "Summary": regression -> linear + MSE; multi-label classification -> sigmoid + BCE; one-winner
classification -> softmax + CCE. Each loss here is summed over the outputs (rows) and averaged over
the p samples (columns). With the pair from the table the output delta is y - a for all three
(the 1/2 of the squared error cancels the 2 of the square); tanh and ReLU outputs go with the squared
error and keep their derivative: delta = (y - a) phi'(z).
"""

from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS, OUTPUTS


def half_squared_error(Y: np.ndarray, A: np.ndarray) -> float:
    """E = 1/(2p) sum_i sum_j (y_j^(i) - a_j^(i))^2, the slides' E2."""
    return float(0.5 * np.sum((Y - A) ** 2) / Y.shape[1])


def binary_cross_entropy(Y: np.ndarray, Z: np.ndarray) -> float:
    """E = -1/p sum_i sum_j [y log a + (1 - y) log(1 - a)], a = sigma(z), computed from the logits z.

    Without the 1/2 the slide prints: this is the loss whose gradient step is the sigmoid neuron's rule.
    From logits, -[y log sigma(z) + (1 - y) log(1 - sigma(z))] = log(1 + e^z) - y z, exact for any z.
    """
    return float(np.sum(np.logaddexp(0.0, Z) - Y * Z) / Y.shape[1])


def categorical_cross_entropy(Y: np.ndarray, Z: np.ndarray) -> float:
    """E = -1/p sum_i sum_j y_j^(i) log S(z^(i))_j, computed from the logits z (log-sum-exp)."""
    zmax = Z.max(axis=0, keepdims=True)
    log_s = Z - zmax - np.log(np.exp(Z - zmax).sum(axis=0, keepdims=True))
    return float(-np.sum(Y * log_s) / Y.shape[1])


#: The losses by name: 1/2 squared error, binary and categorical cross-entropy.
LOSSES = ("squared", "bce", "cce")

#: The summary table: the loss that goes with each output activation.
DEFAULT_LOSS = {"linear": "squared", "tanh": "squared", "relu": "squared", "sigmoid": "bce", "softmax": "cce"}


def check_pair(output_activation: str, loss: str | None) -> str:
    """The loss for this output activation (the table's pair when None), or a ValueError for a pair
    whose output delta is not y - a or (y - a) phi'(z)."""
    if output_activation not in OUTPUTS:
        raise ValueError(f"unknown output activation {output_activation!r}; choose one of {list(OUTPUTS)}")
    loss = DEFAULT_LOSS[output_activation] if loss is None else loss
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose one of {list(LOSSES)}")
    ok = (loss == "squared" and output_activation in ACTIVATIONS) or \
         (loss == "bce" and output_activation == "sigmoid") or (loss == "cce" and output_activation == "softmax")
    if not ok:
        raise ValueError(f"output activation {output_activation!r} with loss {loss!r} is not a pair the rules "
                         "cover: squared goes with linear, sigmoid, tanh or relu; bce with sigmoid; cce with "
                         "softmax")
    return loss


def loss_value(loss: str, Y: np.ndarray, Z: np.ndarray, A: np.ndarray) -> float:
    """The value of ``loss`` ('squared', 'bce' or 'cce') for targets Y, logits Z and outputs A."""
    if loss == "squared":
        return half_squared_error(Y, A)
    if loss == "bce":
        return binary_cross_entropy(Y, Z)
    return categorical_cross_entropy(Y, Z)
