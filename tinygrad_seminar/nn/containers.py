"""Sequential: layers applied in order, PyTorch's container (the Keras model extends it with fit)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..autograd import arguments
from .module import Module, dtype_of, unique_name


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
        self.input_dim: int | None = None
        for layer in layers:
            self.add(layer)

    def add(self, layer: Module) -> None:
        """Append a layer; a first layer given its input width builds the model at once."""
        if not isinstance(layer, Module):
            raise TypeError(f"Sequential.add expects a layer (a Module), got {type(layer).__name__}")
        self.layers.append(layer)
        if self.input_dim is None and len(self.layers) == 1 and getattr(layer, "input_dim", None):
            self.input_dim = layer.input_dim
        if self.input_dim is not None:
            self.build(self.input_dim)

    def build(self, input_dim: int) -> None:
        """Create every layer's weights for inputs of width input_dim, passing each layer its input shape."""
        self.input_dim = int(input_dim)
        shape: tuple = (None, self.input_dim)
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
            self.input_dim = x.shape[-1]
        for layer in self.layers:
            x = layer(x)
        return x

    def __getitem__(self, i: int) -> Module:
        return self.layers[i]

    def __len__(self) -> int:
        return len(self.layers)
