"""``keras.activations``: the activation functions by Keras' names, each a function of a Tensor."""

from __future__ import annotations

from ..nn.functional import (
    elu,
    get_activation,
    leaky_relu,
    linear,
    log_softmax,
    relu,
    sigmoid,
    softmax,
    softplus,
    tanh,
)

get = get_activation

__all__ = ["elu", "get", "leaky_relu", "linear", "log_softmax", "relu", "sigmoid", "softmax", "softplus", "tanh"]
