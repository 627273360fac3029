"""Save and load: bit-identical round trips at exactly the given path, compile settings kept, atomic writes,
clear errors naming the path for files that are not ours, nothing ever unpickled, failed loads change nothing."""

from __future__ import annotations

import os
import re

import numpy as np
import pytest
from helpers import classifier, load_error

import tinygrad_seminar as ts
from tinygrad_seminar import nn, optim, saving

RNG = np.random.default_rng(0)
X = RNG.standard_normal((12, 3)).astype(np.float32)
LABELS = np.arange(12) % 3


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
