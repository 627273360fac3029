"""Sequential: layers applied in order, PyTorch's container (the Keras model extends it with fit)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..autograd import arguments
from .module import Module, dtype_of, unique_name


def batch_shape(input_shape) -> tuple:
    """(None, n) for an int n; a tuple as Keras' batch shape, whose first entry (the batch axis) is None."""
    if isinstance(input_shape, (int, np.integer)) and not isinstance(input_shape, bool):
        return (None, int(input_shape))
    shape = tuple(input_shape) if isinstance(input_shape, (tuple, list)) else None
    if not shape or len(shape) < 2 or shape[0] is not None or any(
            not isinstance(n, (int, np.integer)) or n < 1 for n in shape[1:]):
        raise ValueError(f"build: input_shape must be the width of flat inputs (an int) or Keras' batch shape with "
                         f"None first, e.g. (None, 28, 28, 1); got {input_shape!r}")
    return (None, *(int(n) for n in shape[1:]))


class Sequential(Module):
    """Layers applied in order: ``Sequential(Dense(16, activation="tanh", input_dim=2), Dense(1))``, or a list.

    ``ts.nn.Sequential`` is the Keras model, which extends this container; this one is
    ``ts.nn.containers.Sequential``, PyTorch's plain container.

    A first layer that knows its input width (``input_dim=``) builds every layer at once; otherwise
    the layers are built by the first batch they see. ``ts.Sequential`` adds Keras' compile and fit.
    """

    def __init__(self, *layers, name: str | None = None, **keras):
        if len(layers) in (1, 2) and isinstance(layers[0], (list, tuple)):  # Keras' way: one list of layers
            if len(layers) == 2:  # and the name after it, by position, as Sequential(layers, name) allows
                name = layers[1]
            layers = tuple(layers[0])
        elif "layers" in keras:
            layers = tuple(keras.pop("layers") or ())
        if keras:
            raise TypeError(f"Sequential got unexpected keyword arguments {sorted(keras)}")
        self.name = arguments.optional_name(name, "Sequential") or unique_name("sequential")
        self.layers: list[Module] = []
        self.input_dim: int | None = None  # the last axis of the input (the width of flat inputs)
        self.input_shape: tuple | None = None  # Keras' batch shape: (None, width), (None, 28, 28, 1)...
        for layer in layers:
            self.add(layer)

    def add(self, layer: Module) -> None:
        """Append a layer; a first layer given its input width (or ``input_shape=``) builds the model at once."""
        if not isinstance(layer, Module):
            raise TypeError(f"Sequential.add expects a layer (a Module), got {type(layer).__name__}")
        self.layers.append(layer)
        if self.input_dim is None and len(self.layers) == 1:
            declared = getattr(layer, "declared_input_shape", None)  # conv, pooling and Flatten layers' input_shape
            if declared is None and getattr(layer, "input_dim", None):
                declared = (layer.input_dim,)
            if declared is not None:
                self.input_shape, self.input_dim = (None, *declared), declared[-1]
        if self.input_dim is not None:
            self.build(self.input_shape)

    def build(self, input_shape) -> None:
        """Create every layer's weights, passing each layer its input shape.

        ``input_shape``: the width of flat inputs (an int), or Keras' batch shape, e.g. (None, 28, 28, 1).
        """
        shape = batch_shape(input_shape)
        self.input_shape, self.input_dim = shape, shape[-1]
        for layer in self.layers:
            if not getattr(layer, "built", True):
                layer.build(shape[-1])
            shape = layer.compute_output_shape(shape)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        shape = tuple(input_shape)
        for layer in self.layers:
            shape = layer.compute_output_shape(shape)
        return shape

    @property
    def dtype(self) -> np.dtype:
        """The parameters' dtype (float32 unless the layers say otherwise)."""
        return dtype_of(self)

    @property
    def built(self) -> bool:
        return bool(self.layers) and all(getattr(layer, "built", True) for layer in self.layers)

    def named_children(self) -> Iterator[tuple[str, Module]]:
        return ((str(i), layer) for i, layer in enumerate(self.layers))

    def forward(self, x):
        if self.input_dim is None and x.ndim >= 1:
            self.input_dim, self.input_shape = x.shape[-1], (None, *(x.shape[1:] or x.shape[-1:]))
        for layer in self.layers:
            x = layer(x)
        return x

    def __getitem__(self, i: int) -> Module:
        return self.layers[i]

    def __len__(self) -> int:
        return len(self.layers)
