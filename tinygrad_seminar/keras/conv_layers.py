"""``keras.layers.Conv2D`` in Keras' kernel layout, and the layout maps that ``get_weights`` uses.

The engine keeps a kernel as (out, in, *window): Dense's (units, inputs), Conv2D's (filters, in, kh, kw).
Keras keeps (*window, in, out): (inputs, units), (kh, kw, in, filters). ``to_keras_layout`` and
``from_keras_layout`` move between the two for any number of window axes (for a matrix, both are ``.T``).
The pooling layers and Flatten have no weights: they are ts.nn's (nn/conv_layers.py).
"""

from __future__ import annotations

import numpy as np

from ..autograd import Tensor
from ..nn import conv_layers as C
from ..nn import init as nn_init
from . import regularizers


def to_keras_layout(a):
    """(out, in, *window) -> (*window, in, out); an array or a Tensor (recorded like any transpose)."""
    return a.transpose((*range(2, a.ndim), 1, 0))


def from_keras_layout(a):
    """(*window, in, out) -> (out, in, *window): the inverse of to_keras_layout."""
    return a.transpose((a.ndim - 1, a.ndim - 2, *range(a.ndim - 2)))


def keras_style_initializer(init):
    """``init(shape, dtype=None)`` of Keras' style, given Keras' layout, as an nn initialiser (engine layout)."""

    def engine(shape, dtype="float32", rng=None):
        shape = tuple(shape)
        keras_shape = (*shape[2:], shape[1], shape[0]) if len(shape) >= 2 else shape
        value = np.asarray(init(keras_shape, dtype=dtype), dtype)
        return np.ascontiguousarray(from_keras_layout(value) if value.ndim >= 2 else value)

    engine.slides_layout = True
    return engine


def engine_style(init) -> bool:
    """Whether ``init`` is one of ts.nn.init's (or already adapted), which take the engine's (out, in, ...) shape."""
    return getattr(init, "__module__", None) == nn_init.__name__ or getattr(init, "slides_layout", False)


class Conv2D(regularizers.RegularizedKernel, C.Conv2D):
    """Keras' Conv2D: ``a = activation(conv2d(x, kernel) + bias)``, ``kernel`` of shape (kh, kw, in, filters).

    Inside it is ``ts.nn.Conv2D`` and keeps ``weight`` (filters, in, kh, kw); ``layer.kernel`` is its Keras view.
    ``kernel_regularizer`` / ``bias_regularizer`` add their penalty to the model's loss.
    """

    keras_transposed = ("weight",)  # the parameters get_weights shows in Keras' layout (model.get_weights too)

    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid", *, data_format=None,
                 dilation_rate=1, activation=None, use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", kernel_regularizer=None, bias_regularizer=None, input_shape=None,
                 name: str | None = None, rng: np.random.Generator | None = None, dtype="float32"):
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_init_spec = kernel_initializer
        init = nn_init.get(kernel_initializer)
        if not engine_style(init):
            kernel_initializer = keras_style_initializer(init)
        super().__init__(filters, kernel_size, strides, padding, data_format=data_format, dilation_rate=dilation_rate,
                         activation=activation, use_bias=use_bias, kernel_initializer=kernel_initializer,
                         bias_initializer=bias_initializer, input_shape=input_shape, name=name, rng=rng, dtype=dtype)

    @property
    def kernel(self) -> Tensor:
        """The kernel in Keras' layout (kh, kw, in, filters), recorded like any op."""
        if self.weight is None:
            raise AttributeError(f"Conv2D layer {self.name!r} has no kernel yet: it is built by its first input")
        return to_keras_layout(self.weight)

    def get_weights(self) -> list[np.ndarray]:
        """[kernel (kh, kw, in, filters), bias (filters,)], copies, as Keras gives them."""
        if self.weight is None:
            return []
        return [to_keras_layout(self.weight.data).copy()] + ([self.bias.data.copy()] if self.use_bias else [])

    def set_weights(self, weights) -> None:
        """Replace the kernel (kh, kw, in, filters) and bias; checked in full before anything changes."""
        weights = [np.asarray(w, dtype=self.dtype) for w in weights]
        if self.weight is None:  # unbuilt: the shapes the kernel's input channels imply, checked before building
            channels = weights[0].shape[2] if weights and weights[0].ndim == 4 else None
            own = [np.empty((*self.kernel_size, channels or 0, self.filters))] + (
                [np.empty(self.filters)] if self.use_bias else [])
        else:
            own = self.get_weights()
        if len(weights) != len(own) or any(w.shape != o.shape for w, o in zip(weights, own)):
            raise ValueError(f"Conv2D {self.name!r}.set_weights: expected shapes {[o.shape for o in own]}, "
                             f"received {[w.shape for w in weights]}")
        if self.weight is None:
            self.build(weights[0].shape[2])
        self.weight.data = np.ascontiguousarray(from_keras_layout(weights[0]), dtype=self.dtype)
        if self.use_bias:
            self.bias.data = np.array(weights[1], dtype=self.dtype)
