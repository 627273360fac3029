"""Which classes and functions a saved model may name: the built-in ones, and those a user registers.

``@ts.saving.register_serializable()`` on a class (a layer, a loss, a metric) or a function (an activation)
plays the part of Keras' ``keras.saving.register_keras_serializable``: it records the object under a name
(its ``__name__`` unless ``name=`` says otherwise). Saving writes that name; loading looks it up here, or in
the ``custom_objects`` given to ``load_model``. A name is only ever looked up in these tables, so a file
cannot make loading import or run anything.
"""

from __future__ import annotations

from collections.abc import Callable

from ..nn import activations as A
from ..nn import conv_layers as C
from ..nn import functional as F
from ..nn import layers as L
from ..nn import optim
from . import layers as K
from . import losses, metrics
from . import optimizers as O

_LAYERS = (L.Dense, L.Dropout, A.Activation, A.Linear, A.Step, A.Sigmoid, A.Tanh, A.ReLU, A.LeakyReLU, A.ELU,
           A.Softplus, A.Softmax, A.LogSoftmax, C.Conv2D, C.MaxPooling2D, C.AveragePooling2D, C.Flatten)
# keras.layers' and keras.optimizers' own classes, beside ts.nn's
_KERAS_OWN = (K.Dense, K.Conv2D, K.LeakyReLU, K.Normalization, K.BatchNormalization, K.Rescaling,
              O.SGD, O.Adam, O.RMSprop, O.Adagrad)
_LOSSES = (losses.MeanSquaredError, losses.MeanAbsoluteError, losses.BinaryCrossentropy,
           losses.CategoricalCrossentropy, losses.SparseCategoricalCrossentropy, losses.Huber)
_METRICS = (metrics.Mean, metrics.BinaryAccuracy, metrics.CategoricalAccuracy, metrics.SparseCategoricalAccuracy,
            metrics.Accuracy, metrics.InferredAccuracy, metrics.MeanAbsoluteError, metrics.MeanSquaredError,
            metrics.R2Score, metrics.Precision, metrics.Recall, metrics.AUC, metrics.RootMeanSquaredError,
            metrics.MeanAbsolutePercentageError, metrics.BinaryCrossentropy, metrics.CategoricalCrossentropy,
            metrics.SparseCategoricalCrossentropy)
# metrics.MeanSquaredError and losses.MeanSquaredError share a class name: losses are filed under "losses.<name>"
_OPTIMIZERS = (optim.SGD, optim.Adam, optim.RMSprop, optim.Adagrad)
_BUILT_IN: dict[str, object] = {
    **{cls.__name__: cls for cls in _LAYERS + _OPTIMIZERS},
    **{f"keras.{cls.__name__}": cls for cls in _KERAS_OWN}, **{f"losses.{cls.__name__}": cls for cls in _LOSSES},
    **{f"metrics.{cls.__name__}": cls for cls in _METRICS},
}
_REGISTERED: dict[str, object] = {}


class UnknownNameError(ValueError):
    """A saved file names a class or function that is neither built in nor registered here."""


def unknown(what: str, key) -> UnknownNameError:
    """The error for a name not found, with the two ways to make it known."""
    ident = key if isinstance(key, str) and key.isidentifier() else "the_object"
    return UnknownNameError(f"the file names the {what} {key!r}, which is neither built in nor registered here. "
                            f"Either import the code that registers it (@ts.saving.register_serializable()) "
                            f"before loading, or pass it: ts.load_model(path, custom_objects={{{key!r}: {ident}}})")


def register_serializable(name: str | None = None) -> Callable:
    """Decorator: ``save`` may write this class or function by ``name``, and ``load_model`` find it again."""
    if name is not None and (not isinstance(name, str) or not name):
        raise TypeError(f"register_serializable: name must be a non-empty string, got {name!r}")

    def register(obj):
        key = name or getattr(obj, "__name__", None)
        if not key:
            raise TypeError(f"register_serializable: {obj!r} has no __name__; pass name=")
        if _BUILT_IN.get(key, obj) is not obj or key in F.ACTIVATIONS:
            raise ValueError(f"register_serializable: {key!r} is a built-in name; register {obj!r} under another "
                             "name, e.g. register_serializable(name='my_" + key + "')")
        known = _REGISTERED.get(key, obj)
        if known is not obj and _where(known) != _where(obj):  # the same definition run again (a notebook) is fine
            raise ValueError(f"register_serializable: the name {key!r} is already registered to {_where(known)}; "
                             f"register {_where(obj)} under another name (name='...')")
        _REGISTERED[key] = obj
        return obj

    return register


def _where(obj) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', repr(obj))}"


def register_builtin(obj, name: str | None = None) -> None:
    """The package's own classes that live above this module (Sequential) record themselves here."""
    _BUILT_IN[name or obj.__name__] = obj


def registered_name(obj) -> str | None:
    """The name ``obj`` is known by (built in or registered), or None."""
    for table in (_BUILT_IN, _REGISTERED):
        for key, value in table.items():
            if value is obj:
                return key
    return None


def lookup(name: str, custom_objects: dict | None = None):
    """The object saved as ``name``: from ``custom_objects``, the user's registrations, or the built-ins."""
    for table in (custom_objects or {}, _REGISTERED, _BUILT_IN):
        if name in table:
            return table[name]
    return None


def activation_to_json(fn, owner: str):
    """A layer's activation as JSON: Keras' name of a built-in, or ``{"registered_name": name}``."""
    if fn is None or isinstance(fn, str):
        return fn
    builtin = next((key for key, value in F.ACTIVATIONS.items() if value is fn), None)
    if builtin is not None:
        return builtin
    key = registered_name(fn)
    if key is None:
        label = getattr(fn, "__name__", type(fn).__name__)
        if label == "<lambda>":
            raise ValueError(f"model.save cannot store the activation of layer {owner!r}: it is a lambda, which has "
                             "no name to find it by. Define it with def and register it "
                             "(@ts.saving.register_serializable()), or save the weights alone: "
                             "model.save_weights(path)")
        raise ValueError(
            f"model.save cannot store the activation {label!r} of layer {owner!r}: it is not registered, so "
            f"load_model could not find it. Register it in either of two ways: decorate its definition with "
            f"@ts.saving.register_serializable(), or call ts.saving.register_serializable()({label}) once before "
            f"saving. Or save the weights alone: model.save_weights(path)")
    return {"registered_name": key}


def activation_from_json(value, custom_objects: dict | None = None):
    """The activation a config names: a built-in name as it is, a registered name looked up."""
    if isinstance(value, dict):
        key = value.get("registered_name")
        fn = lookup(key, custom_objects) if isinstance(key, str) else None
        if fn is None or not callable(fn):
            raise unknown("function", key)
        return fn
    return value
