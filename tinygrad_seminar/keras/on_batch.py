"""Keras' methods on one batch and look-ups of a model, mixed into ``keras.Model``: ``train_on_batch``,
``test_on_batch``, ``predict_on_batch``, ``get_layer``, ``metrics_names``."""

from __future__ import annotations

from ..autograd import Tensor, arguments, use_generator
from . import checks, weighting


def as_returned(logs: dict, return_dict: bool):
    """Logs as evaluate returns them: the dict, or the loss alone, or [loss, *metrics]."""
    if return_dict:
        return dict(logs)
    values = list(logs.values())
    return values[0] if len(values) == 1 else values


class OnBatch:
    """Keras' one-batch training and evaluation, and its look-ups (see the module docstring)."""

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict: bool = False):
        """One training step on (x, y) taken as one batch; the loss (and metrics) as evaluate returns them.

        As in Keras 3 the metrics run on from call to call (the loss is their mean over the batches so far) until
        ``model.reset_metrics()``. Every call checks its targets as fit's first batch does, so it runs eagerly
        (never a ``jit_compile`` plan): a loop of many small steps is faster through ``fit``.
        """
        self._require_compiled("train_on_batch")
        arguments.flag(return_dict, "return_dict")
        x, y = self._arrays(x, y)
        w = weighting.sample_weights(self.loss, y, sample_weight, class_weight, self.dtype)
        self._bind_optimizer()  # layers may have been added or (un)frozen since compile
        self._unchecked, self._penalized = self._first_checks(x, y, "y"), True
        self.train()
        try:
            data = (Tensor.from_array(x), y) if w is None else (Tensor.from_array(x), y, w)
            with use_generator(self.generator):
                logs = self.make_train_function()(data)
        finally:
            self._unchecked, self._penalized = None, False
        return as_returned(logs, return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict: bool = False):
        """The loss (and metrics) on (x, y) taken as one batch, in eval mode: ``evaluate`` of that batch alone."""
        x = checks.features(x, "x", self.dtype)
        return self.evaluate(x, y, batch_size=max(len(x), 1), sample_weight=sample_weight, verbose=0,
                             return_dict=return_dict)

    def predict_on_batch(self, x):
        """The outputs for x taken as one batch, in eval mode, as a numpy array."""
        x = checks.features(x, "x", self.dtype)
        return self.predict(x, batch_size=max(len(x), 1), verbose=0)

    @property
    def metrics_names(self) -> list[str]:
        """The names of the logs a step returns: "loss", then each compiled metric's."""
        return [m.name for m in self.metrics]

    def get_layer(self, name: str | None = None, index: int | None = None):
        """The layer named ``name``, or at position ``index`` of ``model.layers``, as Keras' ``get_layer``."""
        layers = list(getattr(self, "layers", None) or [m for m in self.children()])
        if (name is None) == (index is None):
            raise ValueError(f"get_layer: give a layer name or an index, not both nor neither; got name={name!r}, "
                             f"index={index!r}")
        if name is not None and not isinstance(name, str):
            hint = f" (for the layer at position {name}, write get_layer(index={name}))" if arguments.is_whole(name) \
                else ""
            raise TypeError(f"get_layer: name must be a string, got {name!r} ({type(name).__name__}){hint}")
        if index is not None:
            arguments.whole(index, "index", "get_layer", minimum=None)
            if not -len(layers) <= index < len(layers):
                raise ValueError(f"get_layer: index {index} is out of range for a model of {len(layers)} layers")
            return layers[index]
        found = next((layer for layer in layers if getattr(layer, "name", None) == name), None)
        if found is None:
            raise ValueError(f"get_layer: no layer named {name!r}; the layers are "
                             f"{[getattr(layer, 'name', type(layer).__name__) for layer in layers]}")
        return found
