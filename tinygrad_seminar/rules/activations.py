"""The delta rule's table of activations, as data: ``ACTIVATIONS[name] = (phi, dphi)``.

Slide "Delta Rule":

    Function name        Function          Derivative
    Linear or identity   z                 1
    Sigmoid              1 / (1 + e^-z)    y^(1 - y^)
    Hyperbolic tangent   tanh(z)           (1 + y^)(1 - y^)
    ReLU                 max(0, z)         1 if z > 0, 0 if z <= 0

``dphi(z, a)`` is written as the slide writes it: through the output a = phi(z) for the sigmoid and
tanh, through z for ReLU. At ReLU's kink z = 0 the slide takes 0, and so does the engine.
Softmax is not elementwise, so it has no row in the table: with categorical cross-entropy its delta
is y - a and its derivative is never needed (see losses.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def linear(z: np.ndarray) -> np.ndarray:
    """phi(z) = z"""
    return np.asarray(z, dtype=float).copy()


def sigmoid(z: np.ndarray) -> np.ndarray:
    """sigma(z) = 1 / (1 + e^-z), computed as exp(-log(1 + e^-z)) so that no z overflows."""
    return np.exp(-np.logaddexp(0.0, -np.asarray(z, dtype=float)))


def tanh(z: np.ndarray) -> np.ndarray:
    """phi(z) = tanh(z)"""
    return np.tanh(np.asarray(z, dtype=float))


def relu(z: np.ndarray) -> np.ndarray:
    """phi(z) = max(0, z)"""
    return np.maximum(np.asarray(z, dtype=float), 0.0)


def softmax(z: np.ndarray) -> np.ndarray:
    """S(z)_j = e^{z_j} / sum_k e^{z_k} down each column (classes are rows), shifted by the max."""
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def d_linear(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """dphi/dz = 1"""
    return np.ones_like(z, dtype=float)


def d_sigmoid(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """dphi/dz = y^(1 - y^)"""
    return a * (1.0 - a)


def d_tanh(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """dphi/dz = (1 + y^)(1 - y^)"""
    return (1.0 + a) * (1.0 - a)


def d_relu(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """dphi/dz = 1 if z > 0 else 0"""
    return (np.asarray(z) > 0).astype(float)


ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    "linear": (linear, d_linear),
    "sigmoid": (sigmoid, d_sigmoid),
    "tanh": (tanh, d_tanh),
    "relu": (relu, d_relu),
}

OUTPUTS: dict[str, Callable] = {**{k: phi for k, (phi, _) in ACTIVATIONS.items()}, "softmax": softmax}


def phi_of(name: str, allowed: Sequence[str] | None = None) -> Callable:
    """The activation called ``name`` (the table's four, or softmax), or a ValueError listing the names."""
    names = list(OUTPUTS) if allowed is None else list(allowed)
    if name not in names:
        raise ValueError(f"unknown activation {name!r}; choose one of {names}")
    return OUTPUTS[name]


def dphi_of(name: str) -> Callable:
    """dphi(z, a) for an activation of the slide's table, or a ValueError that says why not."""
    if name not in ACTIVATIONS:
        extra = " (softmax is not elementwise: pair it with categorical cross-entropy, whose delta is y - a)" \
            if name == "softmax" else ""
        raise ValueError(f"activation {name!r} has no derivative in the slide's table {list(ACTIVATIONS)}{extra}")
    return ACTIVATIONS[name][1]
