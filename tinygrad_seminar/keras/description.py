"""The checks of a saved file's JSON description, all made before anything is built from it.

Each field must have the JSON type the format gives it; a layer's config may not carry arguments that a
saved config never has (a generator, an input width that would build the layer at once). The values of a
layer's arguments are then checked by its own constructor, whatever the class (built in or registered).
A failure is a ``DamagedFileError`` (a ValueError) naming the path and the field.
"""

from __future__ import annotations

import numpy as np

from .archive import DamagedFileError

# constructor arguments that get_config never writes: a live object, or an input width that builds at once
NOT_IN_A_CONFIG = ("rng", "input_dim", "input_shape", "batch_input_shape", "batch_size")
BIT_GENERATORS = ("PCG64", "PCG64DXSM")  # the state of each is four whole numbers
LAYER_LIMIT = 10_000  # each is built, in Python: 10 000 take about 1 s
METRIC_LIMIT = 1_000


def _kind(value) -> str:
    return "null" if value is None else {bool: "true/false", int: "a whole number", float: "a number",
                                         str: "a string", list: "a list", dict: "an object"}.get(type(value), "?")


def expect(path: str, where: str, value, types: tuple, what: str) -> None:
    """Refuse ``value`` unless it is one of ``types`` (bool is not a number here)."""
    if isinstance(value, bool) and bool not in types or not isinstance(value, types):
        raise DamagedFileError(f"{path}: the description's {where} must be {what}, got {_kind(value)} "
                               f"({_short(value)})")


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def whole(path: str, where: str, value, low: int = 0) -> int:
    expect(path, where, value, (int,), f"a whole number >= {low}")
    if value < low:
        raise DamagedFileError(f"{path}: the description's {where} must be a whole number >= {low}, got {value}")
    return value


def limit(path: str, where: str, items: list, most: int) -> None:
    if len(items) > most:
        raise DamagedFileError(f"{path}: the description's {where} has {len(items)} entries, more than the {most} "
                               "allowed")


def check_model(path: str, meta: dict) -> None:
    """Every field of a model's description (kind "model"), before anything is built."""
    expect(path, "class", meta.get("class"), (str,), "the name of a model class")
    expect(path, "name", meta.get("name"), (str, type(None)), "a string (the model's name)")
    if "input_dim" in meta and meta["input_dim"] is not None:
        whole(path, "input_dim", meta["input_dim"], 1)
    if "input_shape" in meta:  # an image model's batch shape, [None, H, W, C]
        shape = meta["input_shape"]
        expect(path, "input_shape", shape, (list,), "a list [null, H, W, C]")
        limit(path, "input_shape", shape, 8)
        if not shape or shape[0] is not None:
            raise DamagedFileError(f"{path}: the description's input_shape must start with null (the batch), "
                                   f"got {shape!r}")
        for k, n in enumerate(shape[1:], start=1):
            whole(path, f"input_shape[{k}]", n, 1)
    if "layers" in meta:
        expect(path, "layers", meta["layers"], (list,), "a list of layer configs")
        limit(path, "layers", meta["layers"], LAYER_LIMIT)
        for i, config in enumerate(meta["layers"]):
            check_layer(path, f"layers[{i}]", config)
    check_compile(path, meta.get("compile"))
    check_training_state(path, meta)


def check_layer(path: str, where: str, config) -> None:
    expect(path, where, config, (dict,), "an object (a layer's config)")
    expect(path, f"{where}.class", config.get("class"), (str,), "the name of a layer class")
    if "trainable" in config:
        expect(path, f"{where}.trainable", config["trainable"], (bool,), "true or false")
    if "name" in config:
        expect(path, f"{where}.name", config["name"], (str, type(None)), "a string (the layer's name)")
    for key in NOT_IN_A_CONFIG:
        if key in config:
            raise DamagedFileError(f"{path}: the description's {where} gives the argument {key!r}, which a saved "
                                   f"layer config never has ({', '.join(NOT_IN_A_CONFIG)} are refused)")


def check_compile(path: str, cfg) -> None:
    """compile: null, or {optimizer: null or {class, config}, loss, metrics: [...], custom: bool}."""
    if cfg is None:
        return
    expect(path, "compile", cfg, (dict,), "an object or null")
    opt = cfg.get("optimizer")
    if opt is not None:
        check_class_and_config(path, "compile.optimizer", opt)
    if cfg.get("loss") is not None:
        check_compiled(path, "compile.loss", cfg["loss"])
    expect(path, "compile.metrics", cfg.get("metrics", []), (list,), "a list")
    limit(path, "compile.metrics", cfg.get("metrics", []), METRIC_LIMIT)
    for i, m in enumerate(cfg.get("metrics", [])):
        check_compiled(path, f"compile.metrics[{i}]", m)
    expect(path, "compile.custom", cfg.get("custom", False), (bool,), "true or false")


def check_class_and_config(path: str, where: str, value) -> None:
    expect(path, where, value, (dict,), "an object {class, config}")
    expect(path, f"{where}.class", value.get("class"), (str,), "a class name")
    expect(path, f"{where}.config", value.get("config"), (dict,), "an object of arguments")


def check_compiled(path: str, where: str, value) -> None:
    """A loss or metric: a Keras name, {registered_name}, {class, config}, or format 1's {name, from_logits}."""
    expect(path, where, value, (str, dict), "a name or an object")
    if isinstance(value, str):
        return
    if "registered_name" in value:
        expect(path, f"{where}.registered_name", value["registered_name"], (str,), "a name")
    elif "class" in value:
        check_class_and_config(path, where, value)
    else:
        expect(path, f"{where}.name", value.get("name"), (str,), "a loss name")
        if "from_logits" in value:
            expect(path, f"{where}.from_logits", value["from_logits"], (bool,), "true or false")


def check_training_state(path: str, meta: dict) -> None:
    """optimizer_state, generator and next_epoch: what lets training resume bit for bit."""
    state = meta.get("optimizer_state")
    if state is not None:
        expect(path, "optimizer_state", state, (dict,), "an object or null")
        expect(path, "optimizer_state.optimizer", state.get("optimizer"), (str,), "an optimiser's class name")
        expect(path, "optimizer_state.hyperparameters", state.get("hyperparameters"), (dict,), "an object")
        expect(path, "optimizer_state.scalars", state.get("scalars"), (dict,), "an object")
        for name, entry in state["scalars"].items():
            expect(path, f"optimizer_state.scalars[{name!r}]", entry, (dict,), "an object")
    if meta.get("generator") is not None:
        check_generator(path, meta["generator"])
    whole(path, "next_epoch", meta.get("next_epoch", 0))


def check_generator(path: str, state) -> None:
    """A numpy bit generator's state: {bit_generator: "PCG64", state: {state, inc}, has_uint32, uinteger}."""
    expect(path, "generator", state, (dict,), "an object (a generator's state) or null")
    if state.get("bit_generator") not in BIT_GENERATORS:
        raise DamagedFileError(f"{path}: the description's generator.bit_generator must be one of "
                               f"{', '.join(BIT_GENERATORS)}, got {_short(state.get('bit_generator'))}")
    inner = state.get("state")
    expect(path, "generator.state", inner, (dict,), "an object {state, inc}")
    for key in ("state", "inc"):
        whole(path, f"generator.state.{key}", inner.get(key))
    for key in ("has_uint32", "uinteger"):
        whole(path, f"generator.{key}", state.get(key))


def generator_from_state(path: str, state: dict | None) -> np.random.Generator | None:
    """The generator a checked state describes (None for null)."""
    if state is None:
        return None
    bit = getattr(np.random, state["bit_generator"])()
    try:
        bit.state = state
    except (ValueError, TypeError, OverflowError) as e:  # numpy's own checks of the numbers
        raise DamagedFileError(f"{path}: the description's generator state is not valid ({e})") from None
    return np.random.Generator(bit)


def generator_to_state(generator: np.random.Generator | None) -> dict | None:
    """The state of the model's generator as JSON (PCG64's four whole numbers), or None if it has none yet."""
    if generator is None:
        return None
    state = generator.bit_generator.state
    if state.get("bit_generator") not in BIT_GENERATORS:
        raise ValueError(f"model.save stores the model's generator only if it is a {' or '.join(BIT_GENERATORS)} "
                         f"generator (np.random.default_rng(seed)), got {state.get('bit_generator')}")
    return {"bit_generator": state["bit_generator"], "state": {k: int(v) for k, v in state["state"].items()},
            "has_uint32": int(state["has_uint32"]), "uinteger": int(state["uinteger"])}
