"""Sequential: the Keras model made of layers in order, which can describe itself for saving (Input: layers.py)."""

from __future__ import annotations

from ..nn import containers
from ..nn.module import Module
from . import registry, saving
from .layers import Input
from .models import Model


class Sequential(Model, containers.Sequential):
    """Layers applied in order, trained the Keras way: ``Sequential([Input(shape=(2,)), Dense(1)])``."""

    def add(self, layer: Module) -> None:
        """Append a layer; an Input (or a first layer given its input width) builds the model at once."""
        if isinstance(layer, Input):
            if self.layers:
                raise ValueError("ts.Input can only be the first layer of a Sequential")
            self.input_shape, self.input_dim = (None, *layer.shape), layer.shape[-1]
            return
        super().add(layer)

    def pop(self) -> Module:
        """Remove the last layer and return it, as Keras' ``pop``."""
        if not self.layers:
            raise IndexError("pop: there are no layers in the model")
        return self.layers.pop()

    def build(self, input_shape) -> None:
        """Create every layer's weights for inputs of ``input_shape`` (a width, or Keras' batch shape (None, ...));
        bind compile's optimiser to them."""
        super().build(input_shape)
        if self.optimizer is not None:
            self._bind_optimizer()

    def _known_output_shape(self, input_shape: tuple) -> tuple | None:
        # a layer of the user's without compute_output_shape would be run to learn its shape: not before a step
        if any(type(layer).compute_output_shape is Module.compute_output_shape for layer in self.layers):
            return None
        return self.compute_output_shape(input_shape)

    def get_config(self) -> dict:
        """The architecture as JSON: the name, the input width (and shape, for images) and each layer's config."""
        config = {"name": self.name, "input_dim": self.input_dim,
                  "layers": [saving.layer_config(layer) for layer in self.layers]}
        if self.input_shape is not None and len(self.input_shape) > 2:
            config["input_shape"] = list(self.input_shape)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Sequential:
        model = cls([saving.layer_from_config(c, custom_objects) for c in config["layers"]], name=config.get("name"))
        model.build(config["input_shape"] if "input_shape" in config else config["input_dim"])
        return model


registry.register_builtin(Sequential)


def clone_model(model: Sequential) -> Sequential:
    """Keras' clone_model: a new model of the same architecture (layers rebuilt from their configs), with fresh
    weights and not compiled. A subclassed Model, whose architecture is code, cannot be cloned this way."""
    if not isinstance(model, Sequential):
        raise TypeError(f"clone_model takes a Sequential model, got {type(model).__name__}; rebuild a subclassed "
                        "Model in code")
    return type(model).from_config(model.get_config())
