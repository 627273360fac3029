"""Save and load: one file, written atomically, read back without executing anything from it.

The file (archive.py) holds the weights as arrays and, as JSON, the architecture (each layer's
``get_config()`` under its class's registered name), the compile settings and the optimiser's state.
Loading rebuilds classes and functions found by name among the built-in and registered ones
(registry.py) or in ``custom_objects``, so it never imports or runs code named by the file.
"""

from __future__ import annotations

import contextlib
import copy
import math
import os
import warnings

import numpy as np

from ..autograd import use_generator
from ..nn import optim
from ..nn.module import Module
from . import archive, checks, description, registry
from . import losses as losses_mod
from . import metrics as metrics_mod
from .archive import FORMAT, VERSION, DamagedFileError
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
    params = dict(model.named_parameters())
    state = {name: dict(entry) for name, entry in saved["scalars"].items()}
    for key, value in arrays.items():  # "optimizer.0.weight.m": slot m of parameter 0.weight, in its dtype
        name, dot, k = key[len(OPT_PREFIX):].rpartition(".")
        if not dot or name not in params:
            raise ValueError(f"the optimiser state {key!r} names no parameter of the model")
        if value.dtype != params[name].data.dtype:
            raise ValueError(f"the optimiser state {key!r} is {value.dtype}, its parameter {params[name].data.dtype}")
        state.setdefault(name, {})[k] = value
    name_of = {id(p): name for name, p in params.items()}
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


# ---- building from a file without drawing random numbers or allocating more than the file holds ----
WIDTH_FREE = 1 << 16  # an input width that needs no arrays in the file to be believed


@contextlib.contextmanager
def built_from_zeros(model, path: str, budget: int):
    """Within the block, every ``*_initializer`` of the model's layers makes zeros, at most ``budget`` bytes in all.

    Building then draws no random numbers (the weights come from the file), and a description that declares
    more weights than the file's arrays hold is refused before the memory is taken. Put back afterwards.
    """
    used = 0
    swapped = []

    def zeros_within(label: str):
        def zeros(shape, dtype="float32", rng=None, **_options):  # an initialiser's signature, keywords too
            nonlocal used
            used += int(np.prod(shape, dtype=object)) * np.dtype(dtype).itemsize
            if used > budget:
                raise DamagedFileError(f"{path}: the description declares weights of more than the {budget} bytes "
                                       f"of arrays the file holds (refused at layer {label!r}, shape {tuple(shape)})")
            return np.zeros(shape, dtype)
        return zeros

    for m in model.modules():
        for attr, value in list(vars(m).items()):
            if attr.endswith("_initializer") and callable(value):
                swapped.append((m, attr, value))
                setattr(m, attr, zeros_within(getattr(m, "name", type(m).__name__)))
    try:
        yield
    finally:
        for m, attr, value in swapped:
            setattr(m, attr, value)


def _check_width(path: str, width: int, arrays: dict) -> None:
    """An input width no larger than the file's arrays could describe (the layers' own arrays grow with it)."""
    elements = sum(a.size for a in arrays.values())
    if width > max(elements, WIDTH_FREE):
        raise DamagedFileError(f"{path}: the description declares inputs of width {width}, but the file's arrays "
                               f"hold only {elements} numbers")


def _layer(path: str, i: int, config: dict, custom_objects: dict | None) -> Module:
    """Layer i of a checked description, built by its own class from its config (its checks named as its)."""
    try:
        return layer_from_config(config, custom_objects)
    except registry.UnknownNameError as e:
        raise DamagedFileError(f"{path}: {e}") from None
    except (TypeError, ValueError, AttributeError, KeyError, OverflowError) as e:  # from the file's values
        raise DamagedFileError(f"{path}: the description's layers[{i}] ({config['class']}) cannot be made from "
                               f"its config: {type(e).__name__}: {e}") from e


def _model_from(path: str, cls, meta: dict, arrays: dict, custom_objects: dict | None):
    """The model a checked description declares, built with zeros within the file's arrays' bytes."""
    sequential = registry.lookup("Sequential")
    if not (isinstance(sequential, type) and issubclass(cls, sequential) and isinstance(meta.get("layers"), list)):
        return cls.from_config(meta, custom_objects)  # a model class of the user's: its own from_config decides
    model = cls([_layer(path, i, c, custom_objects) for i, c in enumerate(meta["layers"])], name=meta.get("name"))
    shape = meta.get("input_shape") or ([None, meta["input_dim"]] if meta.get("input_dim") is not None else None)
    if shape is not None:
        _check_width(path, math.prod(shape[1:]), arrays)
        with built_from_zeros(model, path, sum(a.nbytes for a in arrays.values())):
            model.build(tuple(shape) if len(shape) > 2 else shape[1])
    return model


# ---- the public operations ----
def save_weights(model, path) -> None:
    path = checks.file_path(path, "save_weights")
    archive.write(path, {"format": FORMAT, "version": VERSION, "kind": "weights"}, model.state_dict())


def _load_parameters(model, path: str, arrays: dict) -> None:
    """Copy the arrays in; an unbuilt model is built for them first (from zeros: nothing drawn), on a trial copy
    first, so that a failed load leaves the model unbuilt."""
    first = next((v for k, v in arrays.items() if k.endswith(".weight") and v.ndim == 2), None)
    if hasattr(model, "build") and not getattr(model, "built", True) and any(v.ndim > 2 for v in arrays.values()):
        raise ValueError(f"{path}: load_weights: model {model.name!r} is not built, and a convolution kernel's "
                         "shape does not say the image size; build it first: keras.Input(shape=(H, W, C)) at "
                         "its head, or model.build((None, H, W, C))")
    if hasattr(model, "build") and not getattr(model, "built", True) and first is not None:
        budget = sum(a.nbytes for a in arrays.values())
        _check_width(path, first.shape[1], arrays)
        trial = copy.deepcopy(model)
        with built_from_zeros(trial, path, budget):
            trial.build(first.shape[1])
        trial.load_state_dict(arrays)
        with built_from_zeros(model, path, budget):
            model.build(first.shape[1])
    model.load_state_dict(arrays)


def load_weights(model, path) -> None:
    path = os.fspath(path)
    arrays, _ = _split(archive.read(path, ("weights", "model", "checkpoint"))[1])
    try:
        with use_generator(np.random.default_rng(0)):  # whatever building draws is not the default generator's
            _load_parameters(model, path, arrays)
    except DamagedFileError:
        raise
    except ValueError as e:  # the arrays do not fit the model: say which file
        raise ValueError(f"{path}: {e}") from e


def _training_state(model) -> dict:
    """What resuming needs besides the weights: the model's generator (if seeded) and fit's next epoch."""
    return {"generator": description.generator_to_state(getattr(model, "_generator", None)),
            "next_epoch": int(getattr(model, "next_epoch", 0))}


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
            "compile": cfg, "optimizer_state": opt_meta, **_training_state(model)}
    archive.write(path, meta, {**model.state_dict(), **opt_arrays})


def load_model(path, custom_objects: dict | None = None):
    """Rebuild a model saved by ``model.save(path)``, compiled as it was; predict is bit-identical.

    Classes and functions the file names are found among the built-in ones, those registered with
    ``@ts.saving.register_serializable()``, and ``custom_objects`` ({name: class or function}). The whole
    description is checked before anything is built, the layers are built from zeros (no random number is
    drawn: ``ts.default_generator()`` is left as it was) and never larger than the file's arrays; the model's
    own generator and fit's next epoch come back, so ``fit(initial_epoch=...)`` continues bit for bit.
    A file that is not a sound model file raises a ValueError naming the path and the problem.
    """
    if custom_objects is not None and not isinstance(custom_objects, dict):
        raise TypeError(f"load_model: custom_objects must be a dict {{name: class or function}}, "
                        f"got {type(custom_objects).__name__}")
    path = os.fspath(path)
    meta, arrays = archive.read(path, ("model",), description.check_model)  # checked before arrays are read
    arrays, opt_arrays = _split(arrays)
    cls = registry.lookup(meta["class"], custom_objects)
    if not (isinstance(cls, type) and hasattr(cls, "from_config") and hasattr(cls, "fit")):
        raise DamagedFileError(f"{path}: {registry.unknown('model class', meta['class'])}") from None
    try:
        with use_generator(np.random.default_rng(0)):  # whatever a class draws while building is not ours to move
            model = _model_from(path, cls, meta, arrays, custom_objects)
            model.load_state_dict(arrays)
            _compile_from_config(model, meta.get("compile"), custom_objects)
            _restore_optimizer(model, meta.get("optimizer_state"), opt_arrays)
    except DamagedFileError:
        raise
    except registry.UnknownNameError as e:
        raise DamagedFileError(f"{path}: {e}") from None
    except (KeyError, TypeError, ValueError) as e:
        raise DamagedFileError(f"{path}: the model description in the file is damaged ({e!r})") from e
    model.generator = description.generator_from_state(path, meta.get("generator"))
    model.next_epoch = meta.get("next_epoch", 0)
    return model


def save_checkpoint(model, path) -> None:
    """What BackupAndRestore writes: the weights, the optimiser's state, the model's generator, the next epoch.

    It needs no architecture, so a subclassed Model is backed up too.
    """
    opt_meta, opt_arrays = _optimizer_state(model) if getattr(model, "optimizer", None) is not None else (None, {})
    meta = {"format": FORMAT, "version": VERSION, "kind": "checkpoint", "optimizer_state": opt_meta,
            **_training_state(model)}
    archive.write(path, meta, {**model.state_dict(), **opt_arrays})


def load_checkpoint(model, path) -> int:
    """Put back what save_checkpoint wrote into the same model (rebuilt in code); return the next epoch."""
    path = os.fspath(path)
    meta, arrays = archive.read(path, ("checkpoint",), description.check_training_state)
    arrays, opt_arrays = _split(arrays)
    generator = description.generator_from_state(path, meta.get("generator"))
    try:
        with use_generator(np.random.default_rng(0)):
            _load_parameters(model, path, arrays)
        if getattr(model, "optimizer", None) is not None:
            _restore_optimizer(model, meta.get("optimizer_state"), opt_arrays)
    except DamagedFileError:
        raise
    except (KeyError, TypeError, ValueError) as e:
        raise DamagedFileError(f"{path}: the checkpoint does not fit this model ({e})") from e
    model.generator = generator
    model.next_epoch = meta.get("next_epoch", 0)
    return model.next_epoch
