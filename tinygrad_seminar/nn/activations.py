"""One layer per activation, with Keras' names: ``Activation("relu")``, ``ReLU()``, ``Softmax()``..."""

from __future__ import annotations

from ..autograd import arguments
from ..autograd.tensor import as_tensor
from . import functional as F
from .module import Module, unique_name


class Activation(Module):
    """An activation as a layer: ``Activation("relu")``."""

    def __init__(self, activation, name: str | None = None):
        self.activation_name = activation if isinstance(activation, str) else getattr(activation, "__name__", "custom")
        self.fn = F.get_activation(activation)
        default = self.activation_name if isinstance(activation, str) else "activation"
        self.name = arguments.optional_name(name, "Activation") or unique_name(default)

    def forward(self, x):
        return self.fn(as_tensor(x))

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {"activation": self.fn, "name": self.name}

    def extra_repr(self) -> str:
        return self.activation_name


class FixedActivation(Activation):
    """An activation layer whose class says the function: ``ReLU()``, ``Tanh()``..."""

    function = "linear"

    def __init__(self, name: str | None = None):
        super().__init__(self.function, name)

    def get_config(self) -> dict:
        return {"name": self.name}


class Linear(FixedActivation):
    function = "linear"


class Step(FixedActivation):
    function = "step"


class Sigmoid(FixedActivation):
    function = "sigmoid"


class Tanh(FixedActivation):
    function = "tanh"


class ReLU(FixedActivation):
    function = "relu"


class LeakyReLU(FixedActivation):
    function = "leaky_relu"


class ELU(FixedActivation):
    function = "elu"


class Softplus(FixedActivation):
    function = "softplus"


class Softmax(FixedActivation):
    function = "softmax"


class LogSoftmax(FixedActivation):
    function = "log_softmax"
