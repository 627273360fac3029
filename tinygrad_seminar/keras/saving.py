"""Save and load: one file, written atomically, read back without executing anything from it.

The file is a numpy .npz archive (written to a file object, so no ``.npz`` is appended to the path):
the weights as arrays, and one entry ``__meta__`` holding JSON (the format, the architecture, the
compile settings). It is read with ``allow_pickle=False`` and layers are rebuilt only from a fixed
table of classes, so loading never runs code from the file.
"""

from __future__ import annotations

import copy
import json
import os
import tempfile
import warnings

import numpy as np

from ..nn import activations as A
from ..nn import functional as F
from ..nn import init as initializers
from ..nn import layers as L
from ..nn import optim
from . import losses as losses_mod

FORMAT = "tinygrad_seminar"
VERSION = 1
LAYERS = {cls.__name__: cls for cls in (L.Dense, L.Dropout, A.Activation, A.Linear, A.Step, A.Sigmoid, A.Tanh,
                                        A.ReLU, A.LeakyReLU, A.ELU, A.Softplus, A.Softmax, A.LogSoftmax)}
MODELS: dict[str, type] = {}  # model classes that describe themselves (get_config / from_config)


def register_serializable(name: str | None = None):
    """Class decorator: ``load_model`` may rebuild this model class, found by ``name`` (its class name)."""

    def register(cls: type) -> type:
        MODELS[name or cls.__name__] = cls
        return cls

    return register


# ---- files ----
def _write(path, meta: dict, arrays: dict) -> None:
    """Write to a temporary file beside ``path``, then rename: an earlier file survives any failure."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"{path}: the folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        os.chmod(tmp, _file_mode(path))  # mkstemp makes 0600; keep what open() would give, or the old mode
        with os.fdopen(fd, "wb") as f:
            np.savez(f, __meta__=np.array(json.dumps(meta)), **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _file_mode(path: str) -> int:
    """The old file's mode, or what open() would give a new file (0666 less the umask)."""
    try:
        return os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        pass
    try:  # Linux tells the umask without changing it (os.umask would, for every thread, for a moment)
        with open("/proc/self/status") as f:
            umask = next(int(line.split()[1], 8) for line in f if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError):
        umask = os.umask(0)
        os.umask(umask)
    return 0o666 & ~umask


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


def _read(path, kinds: tuple[str, ...]) -> tuple[dict, dict]:
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such file")
    with open(path, "rb") as f:
        head = f.read(4)
    if head != b"PK\x03\x04":  # else np.load would call a text or pickle file "pickled data" and suggest pickle.load
        raise ValueError(f"{path} is not a {FORMAT} file: it is not a numpy .npz (zip) archive "
                         f"(it starts with {head!r})")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {k: archive[k] for k in archive.files}
    except Exception as e:  # truncated, corrupted, or not an archive at all
        raise ValueError(f"{path} is not a readable {FORMAT} file: {type(e).__name__}: {e}") from None
    if not isinstance(arrays, dict) or "__meta__" not in arrays:
        raise ValueError(f"{path} is not a {FORMAT} file (it has no __meta__ entry)")
    try:
        meta = json.loads(str(arrays.pop("__meta__")))
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: its __meta__ entry is not valid JSON ({e})") from None
    if not isinstance(meta, dict):
        raise ValueError(f"{path} is not a {FORMAT} file (its __meta__ entry is a JSON {type(meta).__name__}, "
                         "not an object)")
    if meta.get("format") != FORMAT or meta.get("kind") not in kinds:
        raise ValueError(f"{path} is not a {FORMAT} {' or '.join(kinds)} file "
                         f"(format {meta.get('format')!r}, kind {meta.get('kind')!r})")
    if meta.get("version", 0) > VERSION:
        raise ValueError(f"{path} was written by a newer version (format version {meta['version']} > {VERSION})")
    return meta, arrays


# ---- configs ----
def layer_config(layer) -> dict:
    """The layer's constructor arguments (and whether it is frozen), as JSON."""
    config = _layer_arguments(layer)
    if not layer.trainable:
        config["trainable"] = False
    return config


def _layer_arguments(layer) -> dict:
    name = type(layer).__name__
    if name not in LAYERS:
        raise ValueError(f"model.save cannot store layer {getattr(layer, 'name', name)!r} of type {name}; "
                         f"it stores {', '.join(LAYERS)}. Use model.save_weights(path) instead.")
    if isinstance(layer, L.Dense):
        if not (layer.activation_name is None or layer.activation_name in F.ACTIVATIONS):
            raise ValueError(f"model.save cannot store the custom activation of layer {layer.name!r}; "
                             "use model.save_weights(path)")
        return {"class": name, "units": layer.units, "activation": layer.activation_name,
                "use_bias": layer.use_bias, "name": layer.name, "dtype": str(layer.dtype)}
    if isinstance(layer, L.Dropout):
        return {"class": name, "rate": layer.rate, "name": layer.name}
    if type(layer) is A.Activation:
        if layer.activation_name not in F.ACTIVATIONS:
            raise ValueError(f"model.save cannot store the custom activation of layer {layer.name!r}")
        return {"class": name, "activation": layer.activation_name, "name": layer.name}
    return {"class": name, "name": layer.name}


def layer_from_config(config: dict):
    config = dict(config)
    cls = LAYERS.get(config.pop("class", None))
    if cls is None:
        raise ValueError(f"unknown layer class in file: {config}")
    trainable = config.pop("trainable", True)
    layer = cls(**config)
    layer.trainable = trainable
    return layer


def compile_config(optimizer_arg, optimizer, loss_arg, loss, metrics) -> dict:
    """What compile was given, in a form that JSON holds; custom callables are left out (with a warning)."""
    loss_cfg = None if isinstance(loss, losses_mod.LossFunctionWrapper) else loss.get_config()
    names = [m for m in metrics if isinstance(m, str)]
    return {"optimizer": {"class": type(optimizer).__name__, "config": optimizer.hyperparameters()},
            "loss": loss_cfg, "metrics": names, "custom": loss_cfg is None or len(names) < len(metrics)}


def _compile_from_config(model, cfg: dict) -> None:
    if not cfg or cfg.get("loss") is None:
        return
    opt_cfg = cfg["optimizer"]
    cls = getattr(optim, opt_cfg["class"], None)
    if not (isinstance(cls, type) and issubclass(cls, optim.Optimizer)):
        raise ValueError(f"unknown optimizer class in file: {opt_cfg['class']!r}")
    opt = cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in opt_cfg["config"].items()})
    loss = losses_mod.get(cfg["loss"]["name"])
    if "from_logits" in cfg["loss"]:
        loss.from_logits = bool(cfg["loss"]["from_logits"])
    model.compile(optimizer=opt, loss=loss, metrics=cfg["metrics"])


# ---- the public operations ----
def save_weights(model, path) -> None:
    _write(path, {"format": FORMAT, "version": VERSION, "kind": "weights"}, model.state_dict())


def load_weights(model, path) -> None:
    arrays, _ = _split(_read(path, ("weights", "model"))[1])
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
    config = model.get_config()  # a subclassed Model says why it cannot
    if not model.built:
        raise ValueError(f"model {model.name!r} is not built yet: nothing to save (fit it or call it on data)")
    cfg = model._compile_config
    if cfg and cfg.get("custom"):
        warnings.warn("a custom loss or metric is not saved; compile the loaded model again", stacklevel=3)
    opt_meta, opt_arrays = _optimizer_state(model) if cfg else (None, {})
    meta = {"format": FORMAT, "version": VERSION, "kind": "model", "class": type(model).__name__, **config,
            "compile": cfg, "optimizer_state": opt_meta}
    _write(path, meta, {**model.state_dict(), **opt_arrays})


def load_model(path):
    """Rebuild a Sequential saved by ``model.save(path)``, compiled as it was; predict is bit-identical."""
    meta, arrays = _read(path, ("model",))
    arrays, opt_arrays = _split(arrays)
    cls = MODELS.get(meta.get("class"))
    if cls is None:
        raise ValueError(f"{os.fspath(path)}: the file holds a model of class {meta.get('class')!r}, which "
                         f"load_model does not know (it knows {', '.join(MODELS)})")
    try:
        model = cls.from_config(meta)
        model.load_state_dict(arrays)
        _compile_from_config(model, meta.get("compile"))
        _restore_optimizer(model, meta.get("optimizer_state"), opt_arrays)
    except (KeyError, TypeError, ValueError) as e:
        raise ValueError(f"{os.fspath(path)}: the model description in the file is damaged ({e!r})") from None
    return model
