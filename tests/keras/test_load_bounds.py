"""Loading within bounds: every crafted file is refused with a ValueError naming the path and the problem,
before it can take more than 64 MB + 4 x its size of memory (tracemalloc) or 2 s; nothing is unpickled."""

from __future__ import annotations

import json
import os
import pickle
import time
import tracemalloc

import numpy as np
import pytest
from crafted_files import meta_bytes, npy_bytes, npy_bytes_with_shape, stored, write_zip, zeros_bomb

import tinygrad_seminar as ts
from tinygrad_seminar import nn, saving

MB = 1 << 20
X = np.random.default_rng(0).standard_normal((16, 3)).astype(np.float32)
Y = (X[:, :1] > 0).astype(np.float32)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """(meta, arrays) of a genuine file: two Dense layers and a Dropout, Adam's state, the generator."""
    ts.manual_seed(0)
    model = ts.Sequential([ts.Input(shape=(3,)), nn.Dense(4, activation="relu", name="h"), nn.Dropout(0.2),
                           nn.Dense(1, activation="sigmoid", name="o")], name="m")
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(X, Y, epochs=1, verbose=0)
    path = tmp_path_factory.mktemp("genuine") / "m.keras"
    model.save(path)
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    return json.loads(str(arrays.pop("__meta__"))), arrays


def write(path, meta, arrays) -> None:
    with open(path, "wb") as f:
        np.savez(f, __meta__=np.array(meta if isinstance(meta, str) else json.dumps(meta)), **arrays)


def refused(path, match: str) -> str:
    """Load ``path``; it must be refused with a ValueError naming it and matching ``match``, within the bounds."""
    budget = 64 * MB + 4 * os.path.getsize(path)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ValueError) as info:
            ts.load_model(path)
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    message = str(info.value)
    assert message.startswith(str(path)), message
    assert match in message, message
    assert peak < budget, f"peak {peak / MB:.1f} MB >= {budget / MB:.1f} MB: {message}"
    assert elapsed < 2.0, f"{elapsed:.2f} s: {message}"
    return message


def test_a_genuine_file_loads_within_the_bounds(tmp_path):
    ts.manual_seed(1)
    model = ts.Sequential([ts.Input(shape=(400,)), nn.Dense(600), nn.Dense(400)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(X[:, :1].repeat(400, 1), X[:, :1].repeat(400, 1), epochs=1, verbose=0)
    model.save(tmp_path / "big")
    size = os.path.getsize(tmp_path / "big")
    assert size > 5 * MB  # weights and Adam's two moments
    tracemalloc.start()
    try:
        loaded = ts.load_model(tmp_path / "big")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * MB + 4 * size
    np.testing.assert_array_equal(loaded.predict(X[:, :1].repeat(400, 1)), model.predict(X[:, :1].repeat(400, 1)))


@pytest.mark.parametrize("units, width", [(12000, 12000), (40000, 40000), (1, 60000)])
def test_a_huge_declared_layer_is_refused_before_its_memory_is_taken(tmp_path, saved, units, width):
    meta, arrays = saved
    meta = {**meta, "input_dim": width, "layers": [{**meta["layers"][0], "units": units}, *meta["layers"][1:]]}
    write(tmp_path / "huge", meta, arrays)
    refused(tmp_path / "huge", "declares weights of more than")


def test_a_huge_declared_input_width_is_refused(tmp_path, saved):
    meta, arrays = saved
    write(tmp_path / "wide", {**meta, "input_dim": 10**9}, arrays)
    refused(tmp_path / "wide", "declares inputs of width 1000000000")


def test_a_huge_declared_image_is_refused(tmp_path, saved):
    meta, arrays = saved
    write(tmp_path / "image", {**meta, "input_shape": [None, 10**5, 10**5, 3]}, arrays)
    refused(tmp_path / "image", "declares inputs of width 30000000000")


def test_a_zip_bomb_of_a_few_megabytes_is_refused_before_it_is_inflated(tmp_path, saved):
    meta, _ = saved
    bomb = zeros_bomb("0.weight.npy", 3900)  # 3.9 GB of zeros in about 4 MB
    write_zip(tmp_path / "bomb", [stored("__meta__.npy", meta_bytes(meta)), bomb])
    assert 3 * MB < os.path.getsize(tmp_path / "bomb") < 6 * MB
    refused(tmp_path / "bomb", "refused as a zip bomb")


def test_a_bomb_that_understates_its_size_is_cut_at_the_size_it_declares(tmp_path, saved):
    meta, _ = saved
    name, data, method, crc, _ = zeros_bomb("0.weight.npy", 400)
    declared = len(npy_bytes_with_shape(400 * MB // 4))  # the header alone: then 1.6 GB of data undeclared
    write_zip(tmp_path / "liar", [stored("__meta__.npy", meta_bytes(meta)), (name, data, method, crc, declared)])
    refused(tmp_path / "liar", "Bad CRC-32")  # zipfile stops at the declared size, where the checksum fails


def test_a_member_whose_data_is_shorter_than_its_header_declares_is_refused(tmp_path, saved):
    meta, _ = saved
    data = npy_bytes_with_shape(10**9) + bytes(64)  # declares 4 GB of float32, holds 64 bytes
    write_zip(tmp_path / "short", [stored("__meta__.npy", meta_bytes(meta)), stored("0.weight.npy", data)])
    refused(tmp_path / "short", "declares shape (1000000000,) of float32, 4000000000 bytes, but holds 64 bytes")


@pytest.mark.parametrize("depth", [100_000, 40])
def test_deeply_nested_json_is_refused(tmp_path, saved, depth):
    meta, arrays = saved
    text = json.dumps(meta)[:-1] + ', "extra": ' + "[" * depth + "]" * depth + "}"
    write(tmp_path / "deep", text, arrays)
    refused(tmp_path / "deep", "nested too deeply" if depth > 1000 else "deeper than the 32 levels allowed")


@pytest.mark.parametrize("text, match", [('"units": ' + "9" * 5000, "not valid JSON"),
                                         ('"units": Infinity', "cannot be made from its config"),
                                         ('"units": NaN', "cannot be made from its config")])
def test_numbers_json_allows_but_python_or_the_layer_refuses(tmp_path, saved, text, match):
    meta, arrays = saved
    write(tmp_path / "n", json.dumps(meta).replace('"units": 4', text, 1), arrays)
    refused(tmp_path / "n", match)


def test_a_description_too_long_to_be_ours_is_refused(tmp_path, saved):
    meta, arrays = saved
    write(tmp_path / "long", {**meta, "padding": "x" * (2 * MB)}, arrays)
    refused(tmp_path / "long", "more than the 4194304 allowed")


def test_too_many_layers_are_refused_and_the_most_allowed_load_in_time(tmp_path, saved):
    meta, arrays = saved
    many = [{"class": "ReLU"}] * 10_001
    write(tmp_path / "many", {**meta, "layers": many + meta["layers"]}, arrays)
    refused(tmp_path / "many", "layers has 10004 entries, more than the 10000 allowed")
    renamed = {k.replace("0.", "9997.", 1).replace("2.", "9999.", 1) if k[0] in "02" else k: v
               for k, v in arrays.items()}
    write(tmp_path / "most", {**meta, "layers": many[:9997] + meta["layers"], "compile": None,
                              "optimizer_state": None}, renamed)
    start = time.perf_counter()
    assert len(ts.load_model(tmp_path / "most").layers) == 10_000
    assert time.perf_counter() - start < 2.0


def test_an_array_that_needs_pickle_is_refused_and_never_unpickled(tmp_path, saved):
    meta, _ = saved
    marker = tmp_path / "ran"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    data = npy_bytes_with_shape(1).replace(b"'<f4'", b"'|O' ") + pickle.dumps(np.array([Payload()], object))
    write_zip(tmp_path / "pickled", [stored("__meta__.npy", meta_bytes(meta)), stored("0.weight.npy", data)])
    refused(tmp_path / "pickled", "arrays that need pickle are never read")
    assert not marker.exists()


def test_an_array_of_strings_is_refused(tmp_path, saved):
    meta, arrays = saved
    write(tmp_path / "text", meta, {**arrays, "0.weight": np.array(["a", "b"])})
    refused(tmp_path / "text", "which is not a plain number array")


def test_a_member_that_is_not_an_array_is_refused(tmp_path, saved):
    meta, _ = saved
    write_zip(tmp_path / "odd", [stored("__meta__.npy", meta_bytes(meta)), stored("run.py", b"print(1)")])
    refused(tmp_path / "odd", "'run.py' is not one array")


def test_arrays_that_do_not_match_the_description_are_refused(tmp_path, saved):
    meta, arrays = saved
    write(tmp_path / "shape", meta, {**arrays, "0.weight": np.zeros((4, 5), np.float32)})
    refused(tmp_path / "shape", "expected shape (4, 3), received (4, 5)")
    write(tmp_path / "less", meta, {**arrays, "0.weight": np.zeros((4, 2), np.float32)})
    refused(tmp_path / "less", "declares weights of more than the 68 bytes of arrays the file holds")


def _set(meta: dict, where: str, value) -> dict:
    """A copy of ``meta`` with the field at ``where`` (dotted, [i] for list items) set to ``value``."""
    meta = json.loads(json.dumps(meta))
    keys = [int(k) if k.isdigit() else k for k in where.replace("[", ".").replace("]", "").split(".")]
    target = meta
    for k in keys[:-1]:
        target = target[k]
    target[keys[-1]] = value
    return meta


WRONG = [  # (field, crafted value, what the message says)
    ("class", 5, "class must be the name of a model class"),
    ("name", 5, "name must be a string"),
    ("name", ["m"], "name must be a string"),
    ("version", "3", "format version must be a whole number"),
    ("input_dim", "3", "input_dim must be a whole number >= 1"),
    ("input_dim", 2.5, "input_dim must be a whole number >= 1"),
    ("input_dim", True, "input_dim must be a whole number >= 1"),
    ("input_dim", 0, "input_dim must be a whole number >= 1"),
    ("input_shape", "28", "input_shape must be a list"),
    ("input_shape", [28, 28, 1], "input_shape must start with null"),
    ("input_shape", [None, 28, 0, 1], "input_shape[2] must be a whole number >= 1"),
    ("input_shape", [None] + [2] * 9, "input_shape has 10 entries, more than the 8 allowed"),
    ("layers", {"0": 1}, "layers must be a list"),
    ("layers[0]", "Dense", "layers[0] must be an object"),
    ("layers[0].class", 5, "layers[0].class must be the name of a layer class"),
    ("layers[0].class", "os.system", "the layer class 'os.system', which is neither built in nor registered"),
    ("layers[0].trainable", "yes", "layers[0].trainable must be true or false"),
    ("layers[0].name", 7, "layers[0].name must be a string"),
    ("layers[0].units", "many", "layers[0] (Dense) cannot be made from its config"),
    ("layers[0].units", [4], "layers[0] (Dense) cannot be made from its config"),
    ("layers[0].units", -4, "layers[0] (Dense) cannot be made from its config"),
    ("layers[0].activation", 5, "layers[0] (Dense) cannot be made from its config"),
    ("layers[0].activation", "rm -rf", "layers[0] (Dense) cannot be made from its config"),
    ("layers[0].dtype", "object", "layers[0] (Dense) cannot be made from its config"),
    ("layers[0].rng", 5, "gives the argument 'rng', which a saved layer config never has"),
    ("layers[0].input_dim", 3, "gives the argument 'input_dim'"),
    ("layers[0].surprise", 1, "layers[0] (Dense) cannot be made from its config"),
    ("layers[1].rate", "half", "layers[1] (Dropout) cannot be made from its config"),
    ("compile", 5, "compile must be an object or null"),
    ("compile.optimizer", "adam", "compile.optimizer must be an object {class, config}"),
    ("compile.optimizer.class", 5, "compile.optimizer.class must be a class name"),
    ("compile.optimizer.config", [], "compile.optimizer.config must be an object"),
    ("compile.optimizer.config.lr", "fast", "damaged"),
    ("compile.loss", 5, "compile.loss must be a name or an object"),
    ("compile.metrics", "accuracy", "compile.metrics must be a list"),
    ("compile.metrics[0]", 5, "compile.metrics[0] must be a name or an object"),
    ("compile.custom", "no", "compile.custom must be true or false"),
    ("optimizer_state", 5, "optimizer_state must be an object or null"),
    ("optimizer_state.optimizer", 5, "optimizer_state.optimizer must be an optimiser's class name"),
    ("optimizer_state.optimizer", "SGD", "damaged"),
    ("optimizer_state.hyperparameters", 5, "optimizer_state.hyperparameters must be an object"),
    ("optimizer_state.scalars", [], "optimizer_state.scalars must be an object"),
    ("optimizer_state.scalars", {"0.weight": 5}, "optimizer_state.scalars['0.weight'] must be an object"),
    ("generator", 5, "generator must be an object"),
    ("generator.bit_generator", "MT19937", "generator.bit_generator must be one of PCG64"),
    ("generator.state", [], "generator.state must be an object"),
    ("generator.state.state", "x", "generator.state.state must be a whole number"),
    ("generator.state.inc", -1, "generator.state.inc must be a whole number >= 0"),
    ("generator.has_uint32", None, "generator.has_uint32 must be a whole number"),
    ("next_epoch", -1, "next_epoch must be a whole number >= 0"),
    ("next_epoch", "2", "next_epoch must be a whole number >= 0"),
]


@pytest.mark.parametrize("where, value, match", WRONG, ids=[f"{w}={v!r}" for w, v, _ in WRONG])
def test_a_wrong_value_in_each_field_of_the_description_is_refused(tmp_path, saved, where, value, match):
    meta, arrays = saved
    write(tmp_path / "bad", _set(meta, where, value), arrays)
    refused(tmp_path / "bad", match)


def test_a_refused_file_leaves_the_default_generator_as_it_was(tmp_path, saved):
    meta, arrays = saved
    write(tmp_path / "huge", _set(meta, "layers[0].units", 40000), arrays)
    before = ts.default_generator().bit_generator.state
    refused(tmp_path / "huge", "declares weights of more than")
    assert ts.default_generator().bit_generator.state == before


def test_load_weights_into_an_unbuilt_model_is_bounded_too(tmp_path):
    ts.manual_seed(0)
    nn_model = ts.Sequential([nn.Dense(40000), nn.Dense(1)])
    write(tmp_path / "w", {"format": "tinygrad_seminar", "version": 3, "kind": "weights"},
          {"0.weight": np.zeros((4, 40000), np.float32)})  # 640 KB declaring 40000 inputs to a Dense(40000)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="declares weights of more than"):
            nn_model.load_weights(tmp_path / "w")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 * MB
    assert not nn_model.built


def test_the_crafted_files_helper_writes_what_numpy_reads(tmp_path):
    """The hand-made archives are real: a stored member round-trips through np.load."""
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    write_zip(tmp_path / "ok.npz", [stored("a.npy", npy_bytes(a))])
    with np.load(tmp_path / "ok.npz") as f:
        np.testing.assert_array_equal(f["a"], a)
    assert saving.VERSION >= 3


def test_weights_that_do_not_fit_the_model_are_refused_naming_the_file(tmp_path):
    ts.Sequential([ts.Input(shape=(3,)), nn.Dense(2)]).save_weights(tmp_path / "w")
    other = ts.Sequential([ts.Input(shape=(4,)), nn.Dense(2)])
    with pytest.raises(ValueError, match=rf"^{tmp_path}/w: load_state_dict into Sequential failed"):
        other.load_weights(tmp_path / "w")


@pytest.mark.parametrize("change, match", [
    (lambda a: {**a, "optimizer.junk": np.zeros(1, np.float32)}, "names no parameter of the model"),
    (lambda a: {**a, "optimizer.9.weight.m": np.zeros(1, np.float32)}, "names no parameter of the model"),
    (lambda a: {k: (v.astype(np.float64) if k.startswith("optimizer.") and v.dtype == np.float32 else v)
                for k, v in a.items()}, "is float64, its parameter float32"),
], ids=["no parameter name", "a parameter the model lacks", "moments in another dtype"])
def test_optimiser_state_for_no_parameter_or_in_another_dtype_is_refused(tmp_path, saved, change, match):
    meta, arrays = saved
    assert any(k.startswith("optimizer.") for k in arrays)
    write(tmp_path / "opt", meta, change(arrays))
    refused(tmp_path / "opt", match)
