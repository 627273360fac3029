"""``keras.layers``: Keras' layers, in Keras' layout.

The kernel of ``keras.layers.Dense`` is seen as Keras has it, shape (inputs, units): ``layer.kernel``,
``layer.get_weights()``, ``layer.set_weights()`` and a model's ``get_weights()`` / ``set_weights()``. Inside,
it is the same layer as ``ts.nn.Dense`` and keeps one parameter ``weight`` of shape (units, inputs), the
slides' w^[l] (so ``state_dict()``, ``named_parameters()``, the pictures and saved files show that):
``layer.kernel`` is ``layer.weight.T``. A ``ts.nn.Dense`` put in a Keras model keeps the slides' layout in
``get_weights()``; a ``keras.layers.Dense`` used from ``ts.nn`` code has ``weight`` as every nn layer has.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Tensor, arguments
from ..autograd.tensor import as_tensor
from ..nn import activations as A
from ..nn import conv_layers as C
from ..nn import init as nn_init
from ..nn import layers as L
from ..nn.module import Module, Parameter, attributes, unique_name
from . import regularizers
from .conv_layers import Conv2D
from .preprocessing import BatchNormalization, Normalization, Rescaling

Dropout = L.Dropout
MaxPooling2D, AveragePooling2D, Flatten = C.MaxPooling2D, C.AveragePooling2D, C.Flatten  # no weights: ts.nn's own
Activation, ReLU, Softmax = A.Activation, A.ReLU, A.Softmax


class Input(Module):
    """``keras.Input(shape=(n,))`` or ``(28, 28, 1)`` at the head of a Sequential: the model is built at once."""

    def __init__(self, shape, name: str | None = None):
        shape = arguments.shape(shape, "Input")
        if not shape or min(shape) < 1:
            raise ValueError(f"Input: shape must be one sample's shape, positive ints such as (n,) or (28, 28, 1); "
                             f"got {shape}")
        self.shape, self.name = shape, arguments.optional_name(name, "Input") or unique_name("input_layer")

    def forward(self, x):
        if tuple(x.shape[1:]) != self.shape:
            raise ValueError(f"Input {self.name!r}: expected shape {(None, *self.shape)}, received {x.shape}")
        return x

    def extra_repr(self) -> str:
        return f"shape={self.shape}"


def _slides_layout(initializer) -> bool:
    """Whether ``initializer`` is one of ts.nn.init's, which take the (units, inputs) shape of a weight."""
    return getattr(initializer, "__module__", None) == nn_init.__name__ or getattr(initializer, "slides_layout", False)


def _transposed(init):
    """A Keras-style ``init(shape, dtype=None)``, given Keras' (inputs, units), as an nn initialiser (units, inputs)."""

    def slides(shape, dtype="float32", rng=None):
        return np.ascontiguousarray(np.asarray(init(tuple(shape)[::-1], dtype=dtype), dtype).T)

    slides.slides_layout = True
    return slides


class Dense(regularizers.RegularizedKernel, L.Dense):
    """Keras' Dense: ``a = activation(x @ kernel + bias)``, ``kernel`` of shape (inputs, units).

    ``kernel_regularizer`` / ``bias_regularizer`` (``keras.regularizers``) add their penalty to the model's loss.
    A kernel initializer of Keras' own style, ``init(shape, dtype=None)``, is given the shape (inputs, units).
    """

    keras_transposed = ("weight",)  # the parameters that get_weights shows transposed (model.get_weights too)

    def __init__(self, units: int, activation=None, use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, *,
                 input_dim: int | None = None, input_shape=None, name: str | None = None,
                 rng: np.random.Generator | None = None, dtype="float32"):
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_init_spec = kernel_initializer
        init = nn_init.get(kernel_initializer)
        if not _slides_layout(init):
            kernel_initializer = _transposed(init)
        super().__init__(units, activation, input_dim=input_dim, input_shape=input_shape, use_bias=use_bias,
                         kernel_initializer=kernel_initializer, bias_initializer=bias_initializer, name=name,
                         rng=rng, dtype=dtype)

    @property
    def kernel(self) -> Tensor:
        """The kernel in Keras' layout (inputs, units): ``weight.T``, recorded like any op."""
        if self.weight is None:
            raise AttributeError(f"Dense layer {self.name!r} has no kernel yet: it is built by its first input")
        return self.weight.T

    def get_weights(self) -> list[np.ndarray]:
        """[kernel (inputs, units), bias (units,)], copies, as Keras gives them."""
        if self.weight is None:
            return []
        return [self.weight.data.T.copy()] + ([self.bias.data.copy()] if self.use_bias else [])

    def set_weights(self, weights) -> None:
        """Replace the kernel (inputs, units) and bias; checked in full before anything changes."""
        weights = [np.asarray(w, dtype=self.dtype) for w in weights]
        if self.weight is None:  # unbuilt: the shapes the kernel's rows imply, checked before building
            inputs = weights[0].shape[0] if weights and weights[0].ndim == 2 else 0
            own = [np.empty((inputs, self.units))] + ([np.empty(self.units)] if self.use_bias else [])
        else:
            own = self.get_weights()
        if len(weights) != len(own) or any(w.shape != o.shape for w, o in zip(weights, own)):
            raise ValueError(f"Dense {self.name!r}.set_weights: expected shapes {[o.shape for o in own]}, "
                             f"received {[w.shape for w in weights]}")
        if self.weight is None:
            self.build(weights[0].shape[0])
        self.weight.data = np.ascontiguousarray(weights[0].T, dtype=self.dtype)
        if self.use_bias:
            self.bias.data = np.array(weights[1], dtype=self.dtype)


class LeakyReLU(Module):
    """``x`` where x > 0, else ``negative_slope * x``; Keras 3's default slope 0.3."""

    def __init__(self, negative_slope: float = 0.3, name: str | None = None):
        self.negative_slope = arguments.real(negative_slope, "negative_slope", "LeakyReLU")
        self.name = arguments.optional_name(name, "LeakyReLU") or unique_name("leaky_re_lu")

    def forward(self, x):
        x = as_tensor(x)
        return x.relu() - (-x).relu() * self.negative_slope

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {"negative_slope": self.negative_slope, "name": self.name}

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


def keras_layout(module: Module) -> list[tuple[str, Parameter, bool]]:
    """(name, parameter, whether Keras shows it transposed) for every parameter, in ``named_parameters`` order."""
    flips = {id(p) for m in module.modules() for name, p in attributes(m).items()
             if isinstance(p, Parameter) and name in getattr(m, "keras_transposed", ())}
    return [(name, p, id(p) in flips) for name, p in module.named_parameters()]


__all__ = ["Activation", "AveragePooling2D", "BatchNormalization", "Conv2D", "Dense", "Dropout", "Flatten", "Input",
           "LeakyReLU", "MaxPooling2D", "Normalization", "ReLU", "Rescaling", "Softmax"]
