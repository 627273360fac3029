"""Save and load: bit-identical round trips at exactly the given path, compile settings kept, atomic writes,
clear errors naming the path for files that are not ours, nothing ever unpickled, failed loads change nothing."""

from __future__ import annotations

import io
import json
import os
import pickle
import re
import zipfile

import numpy as np
import pytest

import tinygrad_seminar as ts
from tinygrad_seminar import nn, optim, saving

RNG = np.random.default_rng(0)
X = RNG.standard_normal((12, 3)).astype(np.float32)
LABELS = np.arange(12) % 3


def classifier(hidden: int = 5, compile_: bool = True) -> ts.Sequential:
    ts.manual_seed(0)
    model = ts.Sequential([ts.Input(shape=(3,)), nn.Dense(hidden, activation="tanh", name="hidden"), nn.Dropout(0.25),
                           nn.Activation("relu"), nn.Dense(3, activation="softmax", name="out")], name="clf")
    if compile_:
        model.compile(optimizer=optim.Adam(lr=0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def files_in(folder) -> list[str]:
    return sorted(os.listdir(folder))


def assert_same_weights(a: dict, b: dict) -> None:
    assert list(a) == list(b)
    for k in a:
        assert a[k].dtype == b[k].dtype
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


# ---- round trips ----
@pytest.mark.parametrize("name", ["model", "model.keras", "model.npz", "model.bin"])  # .h5 is refused
def test_save_load_predict_is_bit_identical_at_exactly_the_path(tmp_path, name):
    model = classifier()
    model.fit(X, LABELS, epochs=2, verbose=0)
    path = tmp_path / name
    model.save(path)
    assert files_in(tmp_path) == [name]  # no ".npz" appended, no temporary file left
    loaded = ts.load_model(path)
    assert type(loaded) is ts.Sequential
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert_same_weights(loaded.state_dict(), model.state_dict())
    assert [type(layer).__name__ for layer in loaded.layers] == ["Dense", "Dropout", "Activation", "Dense"]
    assert [getattr(layer, "name", None) for layer in loaded.layers] == [layer.name for layer in model.layers]
    assert (loaded.name, loaded.input_dim, loaded[1].rate, loaded[0].activation_name) == ("clf", 3, 0.25, "tanh")
    assert loaded.summary_text() == model.summary_text()


def test_save_accepts_a_str_path_and_overwrites(tmp_path):
    path = str(tmp_path / "m")
    first = classifier()
    first.save(path)
    second = classifier(hidden=7)
    second.save(path)
    assert ts.load_model(path)[0].units == 7
    assert files_in(tmp_path) == ["m"]


def test_the_loaded_model_is_compiled_as_it_was_and_can_fit_further(tmp_path):
    model = classifier()
    model.save(tmp_path / "m.keras")
    loaded = ts.load_model(tmp_path / "m.keras")
    assert type(loaded.loss) is ts.losses.SparseCategoricalCrossentropy and not loaded.loss.from_logits
    assert type(loaded.optimizer) is optim.Adam
    assert loaded.optimizer.hyperparameters() == model.optimizer.hyperparameters()
    assert loaded.optimizer.lr == 0.01
    assert [id(p) for p in loaded.optimizer.params] == [id(p) for p in loaded.trainable_parameters()]
    assert [m.name for m in loaded.compiled_metrics] == ["accuracy"]
    history = loaded.fit(X, LABELS, epochs=10, verbose=0)
    assert list(history.history) == ["loss", "accuracy"]
    assert history.history["loss"][-1] < history.history["loss"][0]


@pytest.mark.parametrize("optimizer, loss, metrics", [
    ("sgd", "mse", ["mae", "r2_score", "mse"]),
    (optim.RMSprop(lr=0.02, momentum=0.5, centered=True), "categorical_crossentropy", ["acc", "precision"]),
    (optim.SGD(lr=0.3, momentum=0.9, nesterov=True), ts.losses.CategoricalCrossentropy(from_logits=True),
     ["accuracy", "recall"]),
    ("adagrad", ts.losses.categorical_crossentropy, []),
])
def test_compile_settings_round_trip(tmp_path, optimizer, loss, metrics):
    model = classifier(compile_=False)
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics)
    model.save(tmp_path / "m")
    loaded = ts.load_model(tmp_path / "m")
    assert type(loaded.optimizer) is type(model.optimizer)
    assert loaded.optimizer.hyperparameters() == model.optimizer.hyperparameters()
    assert loaded.loss.name == getattr(model.loss, "name", getattr(model.loss, "__name__", None))
    assert loaded.loss.from_logits == getattr(model.loss, "from_logits", False)
    assert [(type(m), m.name, getattr(m, "threshold", None)) for m in loaded.compiled_metrics] == \
        [(type(m), m.name, getattr(m, "threshold", None)) for m in model.compiled_metrics]
    one_hot = ts.datasets.one_hot(LABELS, 3)
    assert loaded.evaluate(X, one_hot, verbose=0, return_dict=True) == pytest.approx(
        model.evaluate(X, one_hot, verbose=0, return_dict=True))


def test_an_uncompiled_model_loads_uncompiled(tmp_path):
    classifier(compile_=False).save(tmp_path / "m")
    loaded = ts.load_model(tmp_path / "m")
    assert loaded.loss is None and loaded.optimizer is None
    with pytest.raises(RuntimeError, match=r"call model\.compile"):
        loaded.fit(X, LABELS)


def test_a_custom_loss_is_not_saved_and_says_so(tmp_path):
    model = classifier(compile_=False)
    model.compile(optimizer="sgd", loss=lambda y, p: ((p - y) ** 2).mean())
    with pytest.warns(UserWarning, match=r"^an optimiser, loss or metric of your own that is not registered is not "
                                         r"saved; compile the loaded model again"):
        model.save(tmp_path / "m")
    assert ts.load_model(tmp_path / "m").loss is None


def test_a_float64_model_round_trips_as_float64(tmp_path):
    model = ts.Sequential([nn.Dense(4, input_dim=3, activation="relu", dtype="float64"), nn.Dense(1, dtype="float64")])
    model.save(tmp_path / "m")
    loaded = ts.load_model(tmp_path / "m")
    assert loaded.dtype == np.float64
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_save_weights_and_load_weights(tmp_path):
    model = classifier()
    model.fit(X, LABELS, epochs=2, verbose=0)
    model.save_weights(tmp_path / "w")
    assert files_in(tmp_path) == ["w"]
    other = classifier()
    assert not np.array_equal(other.predict(X), model.predict(X))
    other.load_weights(tmp_path / "w")
    np.testing.assert_array_equal(other.predict(X), model.predict(X))
    lazy = ts.Sequential([nn.Dense(5, activation="tanh"), nn.Dropout(0.25), nn.Activation("relu"),
                          nn.Dense(3, activation="softmax")])
    lazy.load_weights(tmp_path / "w")  # builds it from the file's first weight
    np.testing.assert_array_equal(lazy.predict(X), model.predict(X))


def test_load_weights_reads_a_whole_model_file_too(tmp_path):
    model = classifier()
    model.save(tmp_path / "m.keras")
    other = classifier(hidden=5)
    other[0].weight.data[...] = 0
    other.load_weights(tmp_path / "m.keras")
    assert_same_weights(other.state_dict(), model.state_dict())


def test_load_model_refuses_a_weights_file(tmp_path):
    classifier().save_weights(tmp_path / "w")
    with pytest.raises(ValueError, match=rf"^{re.escape(str(tmp_path / 'w'))} is not a tinygrad_seminar model file "
                                         r"\(format 'tinygrad_seminar', kind 'weights'\)$"):
        ts.load_model(tmp_path / "w")


def test_save_needs_a_built_sequential(tmp_path):
    lazy = ts.Sequential([nn.Dense(2)], name="lazy")
    with pytest.raises(ValueError, match=r"^model 'lazy' is not built yet: nothing to save"):
        lazy.save(tmp_path / "m")
    custom = ts.Sequential([nn.Dense(2, input_dim=2, activation=lambda z: z * 2, name="odd")])
    with pytest.raises(ValueError, match=r"cannot store the activation of layer 'odd': it is a lambda, .*"
                                         r"model\.save_weights\(path\)"):
        custom.save(tmp_path / "m")
    assert files_in(tmp_path) == []


# ---- atomic writes ----
def fill_then_fail(exc):
    """A stand-in for np.savez that writes part of an archive, then fails."""
    def savez(file, *args, **kwargs):
        file.write(b"PK\x03\x04 half an archive")
        raise exc
    return savez


def fail(exc):
    def replace(*args, **kwargs):
        raise exc
    return replace


@pytest.mark.parametrize("where", ["np.savez", "os.replace", "os.fsync"])
@pytest.mark.parametrize("exc", [OSError("disk full"), KeyboardInterrupt()])
@pytest.mark.parametrize("method", ["save", "save_weights"])
def test_an_error_mid_save_leaves_the_previous_file_byte_identical(tmp_path, monkeypatch, where, exc, method):
    path = tmp_path / "model.keras"
    model = classifier()
    getattr(model, method)(path)
    before = path.read_bytes()
    model.fit(X, LABELS, epochs=1, verbose=0)  # new weights to save
    module, name = where.split(".")
    monkeypatch.setattr(getattr(saving, module), name, fill_then_fail(exc) if name == "savez" else fail(exc))
    with pytest.raises(type(exc)):
        getattr(model, method)(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert files_in(tmp_path) == ["model.keras"]  # no temporary file left behind
    getattr(model, method)(path)  # and the next save works
    assert path.read_bytes() != before


def test_an_error_on_a_first_save_leaves_no_file_at_all(tmp_path, monkeypatch):
    monkeypatch.setattr(saving.np, "savez", fill_then_fail(OSError("disk full")))
    with pytest.raises(OSError, match="disk full"):
        classifier().save(tmp_path / "m")
    assert files_in(tmp_path) == []


def test_saving_into_a_missing_folder_names_the_problem(tmp_path):
    with pytest.raises(FileNotFoundError):
        classifier().save(tmp_path / "nope" / "m")
    assert files_in(tmp_path) == []


# ---- files that are not ours: a clear error naming the path ----
@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "good.keras"
    model = classifier()
    model.save(path)
    return path, model


def load_error(path, loader=ts.load_model) -> str:
    with pytest.raises(ValueError) as info:
        loader(path)
    message = str(info.value)
    assert message.startswith(str(path)), message
    assert "pickle.load" not in message and "unsafely" not in message  # never advise running the file
    return message


def test_a_truncated_file(saved, tmp_path):
    path, _ = saved
    raw = path.read_bytes()
    for cut in (0, 10, len(raw) // 2, len(raw) - 10):
        bad = tmp_path / f"cut{cut}"
        bad.write_bytes(raw[:cut])
        assert re.search(r"is not a readable tinygrad_seminar file|not a numpy \.npz \(zip\) archive",
                         load_error(bad))


def test_a_corrupted_weight_is_detected_not_loaded(saved, tmp_path):
    path, model = saved
    raw = bytearray(path.read_bytes())
    at = raw.find(model.state_dict()["0.weight"].tobytes())
    assert at > 0
    raw[at + 5] ^= 0xFF
    bad = tmp_path / "flipped"
    bad.write_bytes(bytes(raw))
    assert "Bad CRC-32 for file '0.weight.npy'" in load_error(bad)
    assert "Bad CRC-32" in load_error(bad, classifier().load_weights)


def test_corrupted_json_metadata(saved, tmp_path):
    path, model = saved
    bad = tmp_path / "bad_json"
    with open(bad, "wb") as f:
        np.savez(f, __meta__=np.array('{"format": "tinygrad_seminar", "kind": "model", '), **model.state_dict())
    assert "its __meta__ entry is not valid JSON" in load_error(bad)


def test_a_foreign_npz(tmp_path):
    bad = tmp_path / "foreign.npz"
    np.savez(bad, a=RNG.standard_normal((3, 3)), b=np.arange(4))
    assert load_error(bad) == f"{bad} is not a tinygrad_seminar file (it has no __meta__ entry)"


@pytest.mark.parametrize("meta", ['{"format": "keras", "kind": "model"}', "3.5", '"tinygrad_seminar"', "[1, 2]",
                                  "null"])
def test_a_foreign_npz_with_a_meta_entry(tmp_path, meta):
    bad = tmp_path / "foreign"
    with open(bad, "wb") as f:
        np.savez(f, __meta__=np.array(meta), w=np.zeros(3))
    assert "is not a tinygrad_seminar" in load_error(bad)
    assert "is not a tinygrad_seminar" in load_error(bad, classifier().load_weights)


def test_a_file_from_a_newer_version(tmp_path):
    bad = tmp_path / "newer"
    with open(bad, "wb") as f:
        np.savez(f, __meta__=np.array(json.dumps({"format": "tinygrad_seminar", "kind": "model", "version": 99})))
    assert f"was written by a newer version (format version 99 > {saving.VERSION})" in load_error(bad)


@pytest.mark.parametrize("damage", [
    lambda meta: meta["layers"][0].update({"class": "Lambda"}),
    lambda meta: meta["layers"][0].update({"units": -1}),
    lambda meta: meta["layers"][0].update({"bogus": 1}),
    lambda meta: meta.pop("layers"),
    lambda meta: meta.update({"input_dim": 4}),
    lambda meta: meta["compile"]["optimizer"].update({"class": "os.system"}),
])
def test_a_damaged_model_description_names_the_path(saved, tmp_path, damage):
    path, model = saved
    with np.load(path, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    meta = json.loads(str(arrays.pop("__meta__")))
    damage(meta)
    bad = tmp_path / "damaged"
    with open(bad, "wb") as f:
        np.savez(f, __meta__=np.array(json.dumps(meta)), **arrays)
    load_error(bad)


def test_a_text_file(tmp_path):
    bad = tmp_path / "notes.txt"
    bad.write_text("layer,units\ndense,4\n")
    assert "not a numpy .npz (zip) archive" in load_error(bad)
    assert "not a numpy .npz (zip) archive" in load_error(bad, classifier().load_weights)


def test_a_plain_npy_file(tmp_path):
    bad = tmp_path / "array.npy"
    np.save(bad, np.arange(3))
    load_error(bad)


def test_a_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=rf"^{re.escape(str(tmp_path / 'nope'))}: no such file$"):
        ts.load_model(tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="no such file"):
        classifier().load_weights(tmp_path / "nope")


class _Armed:
    """Unpickling this creates ``marker``: proof that a loader ran code from the file."""

    def __init__(self, marker):
        self.marker = str(marker)

    def __reduce__(self):
        return open, (self.marker, "w")


def test_a_pickle_file_is_never_unpickled(tmp_path):
    armed = pickle.dumps(_Armed(tmp_path / "proof"))
    pickle.loads(armed).close()  # the payload works: unpickling it creates the marker
    assert (tmp_path / "proof").exists()

    marker = tmp_path / "ran"
    bad = tmp_path / "model.pkl"
    bad.write_bytes(pickle.dumps(_Armed(marker)))
    load_error(bad)
    load_error(bad, classifier().load_weights)
    assert not marker.exists()


def test_an_npz_holding_a_pickled_object_array_is_never_unpickled(tmp_path, saved):
    path, model = saved
    marker = tmp_path / "ran"
    bad = tmp_path / "sneaky.keras"
    with np.load(path, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    arrays["0.weight"] = np.array([_Armed(marker)], dtype=object)
    with open(bad, "wb") as f:
        np.savez(f, **arrays)
    with zipfile.ZipFile(bad) as z:
        assert b"ran" in z.read("0.weight.npy")  # the pickle is really in there
    load_error(bad)
    load_error(bad, classifier().load_weights)
    assert not marker.exists()


# ---- a failed load changes nothing ----
@pytest.mark.parametrize("other", [lambda: classifier(hidden=6), lambda: ts.Sequential([nn.Dense(5, input_dim=3)])])
def test_a_failed_load_weights_leaves_the_model_unchanged(tmp_path, other):
    classifier().save_weights(tmp_path / "w")
    model = other()
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"load_state_dict into Sequential failed; nothing was changed"):
        model.load_weights(tmp_path / "w")
    assert_same_weights(model.state_dict(), before)


def test_a_failed_load_weights_leaves_a_model_not_built_yet_unbuilt(tmp_path):
    classifier().save_weights(tmp_path / "w")  # layers 0 and 3 hold weights
    lazy = ts.Sequential([nn.Dense(5), nn.Dense(3)])
    with pytest.raises(ValueError, match=r"nothing was changed:\n  missing key '1\.weight'"):
        lazy.load_weights(tmp_path / "w")
    assert not lazy.built and lazy.input_dim is None and lazy.state_dict() == {}
    lazy.compile(optimizer="sgd", loss="mse")
    lazy.fit(np.zeros((4, 7)), np.zeros((4, 3)), verbose=0)
    assert lazy.input_dim == 7  # still free to be built for other data


def test_a_failed_load_weights_from_a_bad_file_leaves_the_model_unchanged(tmp_path):
    model = classifier()
    before = model.state_dict()
    (tmp_path / "bad").write_bytes(b"garbage")
    load_error(tmp_path / "bad", model.load_weights)
    assert_same_weights(model.state_dict(), before)


def test_load_weights_with_a_wrong_dtype_names_it(tmp_path):
    classifier().save_weights(tmp_path / "w")
    model = ts.Sequential([nn.Dense(5, input_dim=3, dtype="float64")])
    with pytest.raises(ValueError, match=r"'0.weight': expected dtype float64, received float32"):
        model.load_weights(tmp_path / "w")


def test_save_writes_what_a_reader_can_check_without_the_framework(saved):
    path, model = saved
    with zipfile.ZipFile(path) as z:
        assert sorted(z.namelist()) == sorted(["__meta__.npy"] + [f"{k}.npy" for k in model.state_dict()])
        meta = json.loads(str(np.load(io.BytesIO(z.read("__meta__.npy")), allow_pickle=False)))
    assert (meta["format"], meta["kind"], meta["class"], meta["input_dim"]) == ("tinygrad_seminar", "model",
                                                                                 "Sequential", 3)


def test_the_optimizer_state_is_saved_so_training_resumes_where_it_stopped(tmp_path):
    ts.manual_seed(0)
    x, y = ts.datasets.moons(64, rng=np.random.default_rng(0))
    model = ts.Sequential([ts.Input(shape=(2,)), ts.nn.Dense(8, activation="tanh"),
                           ts.nn.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(x, y, epochs=2, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = ts.load_model(tmp_path / "m.keras")
    assert loaded.optimizer.state[0]["step"] == model.optimizer.state[0]["step"] > 0
    for run in (model, loaded):
        ts.manual_seed(1)
        run.fit(x, y, epochs=1, verbose=0)
    assert np.array_equal(model.predict(x), loaded.predict(x))


def test_a_saved_file_gets_the_usual_permissions_not_mkstemps_0600(tmp_path):
    model = ts.Sequential([ts.nn.Dense(1, input_dim=2)])
    model.save_weights(tmp_path / "w")
    umask = os.umask(0)
    os.umask(umask)
    assert os.stat(tmp_path / "w").st_mode & 0o777 == 0o666 & ~umask


def test_saving_into_a_missing_folder_names_the_folder(tmp_path):
    model = ts.Sequential([ts.nn.Dense(1, input_dim=2)])
    with pytest.raises(FileNotFoundError, match="the folder .*missing does not exist"):
        model.save_weights(tmp_path / "missing" / "w")


def test_optimizer_state_follows_parameter_names_with_a_frozen_layer(tmp_path):
    x, y = ts.datasets.moons(64, rng=np.random.default_rng(0))
    model = ts.Sequential([ts.nn.Dense(8, activation="tanh", input_dim=2), ts.nn.Dense(1, activation="sigmoid")])
    model.layers[0].trainable = False
    model.compile(optimizer="adam", loss="binary_crossentropy")
    model.fit(x, y, epochs=2, verbose=0)
    model.save(tmp_path / "frozen.keras")
    loaded = ts.load_model(tmp_path / "frozen.keras")
    assert loaded.layers[0].trainable is False and len(loaded.optimizer.params) == 2
    for run in (model, loaded):
        ts.manual_seed(1)
        run.fit(x, y, epochs=1, verbose=0)
    assert np.array_equal(model.predict(x), loaded.predict(x))


def test_a_numpy_float_learning_rate_is_saved(tmp_path):
    model = ts.Sequential([ts.nn.Dense(1, input_dim=2)])
    model.compile(optimizer="sgd", loss="mse")
    model.optimizer.lr = np.float32(1e-4)
    model.save(tmp_path / "m")
    assert ts.load_model(tmp_path / "m").optimizer.lr == pytest.approx(1e-4)
