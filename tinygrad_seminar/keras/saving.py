"""Save and load: one file, written atomically, read back without executing anything from it.

The file (archive.py) holds the weights as arrays and, as JSON, the architecture (each layer's
``get_config()`` under its class's registered name), the compile settings and the optimiser's state.
Loading rebuilds classes and functions found by name among the built-in and registered ones
(registry.py) or in ``custom_objects``, so it never imports or runs code named by the file.
"""

from __future__ import annotations

import copy
import os
import warnings

import numpy as np

from ..nn import init as initializers
from ..nn import optim
from ..nn.module import Module
from . import archive, checks, registry
from . import losses as losses_mod
from . import metrics as metrics_mod
from .archive import FORMAT, VERSION
from .registry import register_serializable

__all__ = ["FORMAT", "VERSION", "layer_config", "layer_from_config", "load_model", "load_weights",
           "register_keras_serializable", "register_serializable", "save_model", "save_weights"]


def register_keras_serializable(package: str = "Custom", name: str | None = None):
    """Keras' decorator: records the class or function under ``name`` (its ``__name__`` by default).

    It is ``register_serializable(name)``; ``package`` is accepted for Keras' sake and not part of the name.
    """
    return register_serializable(name)

OPT_PREFIX = "optimizer."  # archive entries of the optimiser's state; parameters are named "0.weight" ...


def _plain(v):
    """A JSON-able value: numpy scalars as Python numbers, tuples as lists."""
    return v.item() if isinstance(v, np.generic) else v


def _optimizer_state(model) -> tuple[dict | None, dict]:
    """The optimiser's state, keyed by parameter name, so training resumes where it stopped."""
    opt = getattr(model, "optimizer", None)
    if opt is None or not opt.params:
        return None, {}
    name_of = {id(p): name for name, p in model.named_parameters()}
    sd = opt.state_dict()
    arrays, scalars = {}, {}
    for p, entry in zip(opt.params, sd["state"]):
        name = name_of[id(p)]
        scalars[name] = {}
        for k, v in entry.items():
            if isinstance(v, np.ndarray):
                arrays[f"{OPT_PREFIX}{name}.{k}"] = v
            else:
                scalars[name][k] = _plain(v)
    hyper = {k: _plain(v) for k, v in sd["hyperparameters"].items()}
    return {"optimizer": sd["optimizer"], "hyperparameters": hyper, "scalars": scalars}, arrays


def _restore_optimizer(model, saved: dict | None, arrays: dict) -> None:
    """Give each parameter of the rebuilt model's optimiser the state saved under its name."""
    if saved is None or model.optimizer is None:
        return
    state = {name: dict(entry) for name, entry in saved["scalars"].items()}
    for key, value in arrays.items():
        name, k = key[len(OPT_PREFIX):].rsplit(".", 1)
        state.setdefault(name, {})[k] = value
    name_of = {id(p): name for name, p in model.named_parameters()}
    opt = model.optimizer
    hyper = {k: tuple(v) if isinstance(v, list) else v for k, v in saved["hyperparameters"].items()}
    opt.load_state_dict({"optimizer": saved["optimizer"], "hyperparameters": hyper,
                         "state": [state.get(name_of[id(p)], {}) for p in opt.params]})


def _split(arrays: dict) -> tuple[dict, dict]:
    """(parameters, optimiser state) from an archive's entries."""
    opt = {k: v for k, v in arrays.items() if k.startswith(OPT_PREFIX)}
    return {k: v for k, v in arrays.items() if not k.startswith(OPT_PREFIX)}, opt


# ---- configs ----
def layer_config(layer) -> dict:
    """``{"class": its registered name, **get_config(), "trainable": False if frozen}``, as JSON."""
    key = registry.registered_name(type(layer))
    label = getattr(layer, "name", type(layer).__name__)
    if key is None:
        raise ValueError(f"model.save cannot store layer {label!r}: its class {type(layer).__name__} is not "
                         "registered. Decorate the class with @ts.saving.register_serializable() and give it "
                         "get_config() (its constructor's arguments), or use model.save_weights(path).")
    try:
        config = layer.get_config()
    except NotImplementedError as e:
        raise ValueError(f"model.save cannot store layer {label!r}: {e}") from None
    config = {k: registry.activation_to_json(v, label) if callable(v) else _plain(v) for k, v in config.items()}
    if not layer.trainable:
        config["trainable"] = False
    return {"class": key, **config}


def layer_from_config(config: dict, custom_objects: dict | None = None) -> Module:
    """The layer a config describes; its class must be built in, registered, or in ``custom_objects``."""
    config = dict(config)
    key = config.pop("class", None)
    cls = registry.lookup(key, custom_objects) if isinstance(key, str) else None
    if not (isinstance(cls, type) and issubclass(cls, Module)):
        raise registry.unknown("layer class", key)
    trainable = config.pop("trainable", True)
    layer = cls.from_config({k: registry.activation_from_json(v, custom_objects) for k, v in config.items()})
    layer.trainable = trainable
    return layer


def _compiled_to_json(obj):
    """A loss or metric as compile was given it, as JSON; None for a callable of the user's not registered."""
    if isinstance(obj, str):
        return obj
    fn = obj.fn if isinstance(obj, (losses_mod.LossFunctionWrapper, metrics_mod.FunctionMetric)) else obj
    if not isinstance(fn, (losses_mod.Loss, metrics_mod.Metric, type)):
        key = registry.registered_name(fn)
        return None if key is None else {"registered_name": key}
    if isinstance(obj, type):
        obj = obj()
    key = registry.registered_name(type(obj))
    return None if key is None else {"class": key, "config": {k: _plain(v) for k, v in obj.get_config().items()}}


def _compiled_from_json(value, custom_objects: dict | None):
    if isinstance(value, str):
        return value
    if "registered_name" in value:
        return registry.activation_from_json(value, custom_objects)
    if "class" not in value:  # format 1: a built-in loss by Keras' name
        loss = losses_mod.get(value["name"])
        if "from_logits" in value:
            loss.from_logits = bool(value["from_logits"])
        return loss
    cls = registry.lookup(value["class"], custom_objects)
    if not (isinstance(cls, type) and issubclass(cls, (losses_mod.Loss, metrics_mod.Metric))):
        raise registry.unknown("loss or metric class", value["class"])
    return cls.from_config(value["config"])


def compile_config(optimizer, loss, metrics) -> dict:
    """What compile was given, in a form that JSON holds; objects of the user's not registered are left out."""
    opt_key = registry.registered_name(type(optimizer))
    opt_cfg = None if opt_key is None else {"class": opt_key, "config": optimizer.hyperparameters()}
    loss_cfg = _compiled_to_json(loss)
    saved = [_compiled_to_json(m) for m in metrics]
    return {"optimizer": opt_cfg, "loss": loss_cfg, "metrics": [m for m in saved if m is not None],
            "custom": opt_cfg is None or loss_cfg is None or None in saved}


def _compile_from_config(model, cfg: dict, custom_objects: dict | None) -> None:
    if not cfg or cfg.get("loss") is None or cfg.get("optimizer") is None:
        return
    opt_cfg = cfg["optimizer"]
    cls = registry.lookup(opt_cfg["class"], custom_objects)
    if not (isinstance(cls, type) and issubclass(cls, optim.Optimizer)):
        raise registry.unknown("optimizer class", opt_cfg["class"])
    opt = cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in opt_cfg["config"].items()})
    model.compile(optimizer=opt, loss=_compiled_from_json(cfg["loss"], custom_objects),
                  metrics=[_compiled_from_json(m, custom_objects) for m in cfg["metrics"]])


# ---- the public operations ----
def save_weights(model, path) -> None:
    path = checks.file_path(path, "save_weights")
    archive.write(path, {"format": FORMAT, "version": VERSION, "kind": "weights"}, model.state_dict())


def load_weights(model, path) -> None:
    arrays, _ = _split(archive.read(path, ("weights", "model"))[1])
    first = next((v for k, v in arrays.items() if k.endswith(".weight") and v.ndim == 2), None)
    if hasattr(model, "build") and not model.built and first is not None:
        trial = copy.deepcopy(model)  # build and load a copy first: a failed load leaves the model unbuilt
        for layer in trial.modules():
            if hasattr(layer, "kernel_initializer"):  # the copy draws nothing from the random generator
                layer.kernel_initializer = layer.bias_initializer = initializers.zeros
        trial.build(first.shape[1])
        trial.load_state_dict(arrays)
        model.build(first.shape[1])
    model.load_state_dict(arrays)


def save_model(model, path) -> None:
    path = checks.file_path(path, "save")
    config = model.get_config()  # a subclassed Model says why it cannot
    key = registry.registered_name(type(model))
    if key is None:
        raise ValueError(f"model.save cannot store a {type(model).__name__}: the class is not registered, so "
                         "load_model could not rebuild it. Decorate it with @ts.saving.register_serializable().")
    if not model.built:
        raise ValueError(f"model {model.name!r} is not built yet: nothing to save (fit it or call it on data)")
    cfg = model.get_compile_config()
    if cfg and cfg.get("custom"):
        warnings.warn("an optimiser, loss or metric of your own that is not registered is not saved; compile the "
                      "loaded model again (or register it with @ts.saving.register_serializable())", stacklevel=3)
    opt_meta, opt_arrays = _optimizer_state(model) if cfg else (None, {})
    meta = {"format": FORMAT, "version": VERSION, "kind": "model", "class": key, **config,
            "compile": cfg, "optimizer_state": opt_meta}
    archive.write(path, meta, {**model.state_dict(), **opt_arrays})


def load_model(path, custom_objects: dict | None = None):
    """Rebuild a model saved by ``model.save(path)``, compiled as it was; predict is bit-identical.

    Classes and functions the file names are found among the built-in ones, those registered with
    ``@ts.saving.register_serializable()``, and ``custom_objects`` ({name: class or function}).
    """
    if custom_objects is not None and not isinstance(custom_objects, dict):
        raise TypeError(f"load_model: custom_objects must be a dict {{name: class or function}}, "
                        f"got {type(custom_objects).__name__}")
    meta, arrays = archive.read(path, ("model",))
    arrays, opt_arrays = _split(arrays)
    key = meta.get("class")
    cls = registry.lookup(key, custom_objects) if isinstance(key, str) else None
    if not (isinstance(cls, type) and hasattr(cls, "from_config") and hasattr(cls, "fit")):
        raise ValueError(f"{os.fspath(path)}: {registry.unknown('model class', key)}") from None
    try:
        model = cls.from_config(meta, custom_objects)
        model.load_state_dict(arrays)
        _compile_from_config(model, meta.get("compile"), custom_objects)
        _restore_optimizer(model, meta.get("optimizer_state"), opt_arrays)
    except registry.UnknownNameError as e:
        raise ValueError(f"{os.fspath(path)}: {e}") from None
    except (KeyError, TypeError, ValueError) as e:
        raise ValueError(f"{os.fspath(path)}: the model description in the file is damaged ({e!r})") from None
    return model
