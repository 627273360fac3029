"""One layer per activation, with Keras' names: ``Activation("relu")``, ``ReLU()``, ``Softmax()``..."""

from __future__ import annotations

from ..autograd.tensor import as_tensor
from . import functional as F
from .module import Module, unique_name


class Activation(Module):
    """An activation as a layer: ``Activation("relu")``."""

    def __init__(self, activation, name: str | None = None):
        self.activation_name = activation if isinstance(activation, str) else getattr(activation, "__name__", "custom")
        self.fn = F.get_activation(activation)
        self.name = name or unique_name(self.activation_name if isinstance(activation, str) else "activation")

    def forward(self, x):
        return self.fn(as_tensor(x))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def extra_repr(self) -> str:
        return self.activation_name


class Linear(Activation):
    def __init__(self, name: str | None = None):
        super().__init__("linear", name)


class Step(Activation):
    def __init__(self, name: str | None = None):
        super().__init__("step", name)


class Sigmoid(Activation):
    def __init__(self, name: str | None = None):
        super().__init__("sigmoid", name)


class Tanh(Activation):
    def __init__(self, name: str | None = None):
        super().__init__("tanh", name)


class ReLU(Activation):
    def __init__(self, name: str | None = None):
        super().__init__("relu", name)


class LeakyReLU(Activation):
    def __init__(self, name: str | None = None):
        super().__init__("leaky_relu", name)


class ELU(Activation):
    def __init__(self, name: str | None = None):
        super().__init__("elu", name)


class Softplus(Activation):
    def __init__(self, name: str | None = None):
        super().__init__("softplus", name)


class Softmax(Activation):
    def __init__(self, name: str | None = None):
        super().__init__("softmax", name)


class LogSoftmax(Activation):
    def __init__(self, name: str | None = None):
        super().__init__("log_softmax", name)
