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

from . import losses as losses_mod
from . import optim
from .nn import layers as L

FORMAT = "tinygrad_seminar"
VERSION = 1
LAYERS = {cls.__name__: cls for cls in (L.Dense, L.Dropout, L.Activation, L.Linear, L.Step, L.Sigmoid, L.Tanh,
                                        L.ReLU, L.LeakyReLU, L.ELU, L.Softplus, L.Softmax, L.LogSoftmax)}


# ---- files ----
def _write(path, meta: dict, arrays: dict) -> None:
    """Write to a temporary file beside ``path``, then rename: an earlier file survives any failure."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(f, __meta__=np.array(json.dumps(meta)), **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


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
    name = type(layer).__name__
    if name not in LAYERS:
        raise ValueError(f"model.save cannot store layer {getattr(layer, 'name', name)!r} of type {name}; "
                         f"it stores {', '.join(LAYERS)}. Use model.save_weights(path) instead.")
    if isinstance(layer, L.Dense):
        if not (layer.activation_name is None or layer.activation_name in L.F.ACTIVATIONS):
            raise ValueError(f"model.save cannot store the custom activation of layer {layer.name!r}; "
                             "use model.save_weights(path)")
        return {"class": name, "units": layer.units, "activation": layer.activation_name,
                "use_bias": layer.use_bias, "name": layer.name, "dtype": str(layer.dtype)}
    if isinstance(layer, L.Dropout):
        return {"class": name, "rate": layer.rate, "name": layer.name}
    if type(layer) is L.Activation:
        if layer.activation_name not in L.F.ACTIVATIONS:
            raise ValueError(f"model.save cannot store the custom activation of layer {layer.name!r}")
        return {"class": name, "activation": layer.activation_name, "name": layer.name}
    return {"class": name, "name": layer.name}


def layer_from_config(config: dict):
    config = dict(config)
    cls = LAYERS.get(config.pop("class", None))
    if cls is None:
        raise ValueError(f"unknown layer class in file: {config}")
    return cls(**config)


def compile_config(optimizer_arg, optimizer, loss_arg, loss, metrics) -> dict:
    """What compile was given, in a form that JSON holds; custom callables are left out (with a warning)."""
    loss_cfg = loss.get_config() if isinstance(loss, losses_mod.Loss) else None
    if loss_cfg is None and getattr(loss_arg, "__name__", None) in losses_mod.ALIASES:
        loss_cfg = {"name": loss_arg.__name__, "from_logits": False}
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
    loss.from_logits = bool(cfg["loss"].get("from_logits", False))
    model.compile(optimizer=opt, loss=loss, metrics=cfg["metrics"])


# ---- the public operations ----
def save_weights(model, path) -> None:
    _write(path, {"format": FORMAT, "version": VERSION, "kind": "weights"}, model.state_dict())


def load_weights(model, path) -> None:
    _, arrays = _read(path, ("weights", "model"))
    if hasattr(model, "build") and not model.built and "0.weight" in arrays:
        trial = copy.deepcopy(model)  # build and load a copy first: a failed load leaves the model unbuilt
        trial.build(arrays["0.weight"].shape[1])
        trial.load_state_dict(arrays)
        model.build(arrays["0.weight"].shape[1])
    model.load_state_dict(arrays)


def save_model(model, path) -> None:
    from .models import Sequential

    if not isinstance(model, Sequential):
        raise NotImplementedError(
            f"{type(model).__name__} is a subclassed Model: its architecture is Python code, which save() does "
            "not store (and loading never runs code). Use model.save_weights(path), rebuild the model in code, "
            "then model.load_weights(path).")
    if not model.built:
        raise ValueError(f"model {model.name!r} is not built yet: nothing to save (fit it or call it on data)")
    cfg = model._compile_config
    if cfg and cfg.get("custom"):
        warnings.warn("a custom loss or metric is not saved; compile the loaded model again", stacklevel=3)
    meta = {"format": FORMAT, "version": VERSION, "kind": "model", "class": "Sequential", "name": model.name,
            "input_dim": model.input_dim, "layers": [layer_config(layer) for layer in model.layers],
            "compile": cfg}
    _write(path, meta, model.state_dict())


def load_model(path):
    """Rebuild a Sequential saved by ``model.save(path)``, compiled as it was; predict is bit-identical."""
    from .models import Sequential

    meta, arrays = _read(path, ("model",))
    try:
        model = Sequential([layer_from_config(c) for c in meta["layers"]], name=meta.get("name"))
        model.build(meta["input_dim"])
        model.load_state_dict(arrays)
        _compile_from_config(model, meta.get("compile"))
    except (KeyError, TypeError, ValueError) as e:
        raise ValueError(f"{os.fspath(path)}: the model description in the file is damaged ({e!r})") from None
    return model
