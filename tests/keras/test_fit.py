"""Model.fit: it learns (XOR, two moons, a linear regression, softmax, a subclassed Model), its History,
validation, shuffling, batch sizes, initial_epoch, stop_training, callbacks through fit, and its progress output."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import line_data, line_model
from tinygrad_seminar.callbacks import (
    EarlyStopping,
    LambdaCallback,
    LearningRateScheduler,
    ModelCheckpoint,
)

import tinygrad_seminar as ts
from tinygrad_seminar import nn, optim

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
XOR_Y = np.array([0, 1, 1, 0], np.float32)


def two_moons(n: int, noise: float, rng: np.random.Generator):
    """Two interleaving half circles, made here: x of shape (n, 2), labels 0 (upper) and 1 (lower)."""
    t, labels = rng.uniform(0, np.pi, n), rng.integers(0, 2, n)
    upper, lower = np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)]
    x = np.where(labels[:, None] == 0, upper, lower) + noise * rng.standard_normal((n, 2))
    return x, labels


def small_classifier(seed: int = 0) -> ts.Sequential:
    ts.manual_seed(seed)
    model = ts.Sequential([ts.Input(shape=(2,)), nn.Dense(8, activation="tanh"), nn.Dense(1, activation="sigmoid")])
    model.compile(optimizer=optim.Adam(lr=0.05), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def snapshots_of(model, store: list) -> LambdaCallback:
    return LambdaCallback(on_epoch_end=lambda epoch, logs: store.append(model.state_dict()))


def assert_same_weights(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


# ---- it learns ----
def test_xor_with_a_2_4_1_network_reaches_accuracy_1():
    ts.manual_seed(0)
    model = ts.Sequential([nn.Dense(4, activation="tanh", input_dim=2), nn.Dense(1, activation="sigmoid")])
    model.compile(optimizer=optim.Adam(lr=0.1), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(XOR_X, XOR_Y, batch_size=4, epochs=200, verbose=0)
    assert history.history["accuracy"][-1] == 1.0
    assert model.evaluate(XOR_X, XOR_Y, verbose=0) == [pytest.approx(history.history["loss"][-1], rel=0.1), 1.0]
    np.testing.assert_array_equal(model.predict(XOR_X)[:, 0] > 0.5, XOR_Y == 1)


def test_two_moons_with_a_small_mlp_reaches_97_percent_on_fresh_samples():
    rng = np.random.default_rng(1)
    x, y = two_moons(300, 0.1, rng)
    x_test, y_test = two_moons(300, 0.1, rng)
    ts.manual_seed(1)
    model = ts.Sequential([ts.Input(shape=(2,)), nn.Dense(16, activation="tanh"), nn.Dense(16, activation="tanh"),
                           nn.Dense(1, activation="sigmoid")])
    model.compile(optimizer=optim.Adam(lr=0.02), loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x, y, batch_size=32, epochs=40, verbose=0)
    loss, accuracy = model.evaluate(x_test, y_test, verbose=0)
    assert accuracy >= 0.97
    assert np.mean((model.predict(x_test)[:, 0] > 0.5) == y_test) == pytest.approx(accuracy)


def test_two_moons_from_the_datasets_module_too():
    x, y = ts.datasets.moons(400, noise=0.1, rng=np.random.default_rng(2))
    ts.manual_seed(2)
    model = ts.Sequential([nn.Dense(16, activation="relu", input_dim=2), nn.Dense(1, activation="sigmoid")])
    model.compile(optimizer=optim.Adam(lr=0.02), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=40, validation_split=0.25, verbose=0)
    assert history.history["val_accuracy"][-1] >= 0.97


def test_linear_regression_recovers_the_known_weights():
    rng = np.random.default_rng(3)
    w, b = np.array([1.5, -2.0, 0.5]), 0.7
    x = rng.standard_normal((200, 3))
    y = x @ w + b + 0.01 * rng.standard_normal(200)
    ts.manual_seed(3)
    model = ts.Sequential([nn.Dense(1, input_dim=3)])
    model.compile(optimizer=optim.SGD(lr=0.1), loss="mse", metrics=["r2_score"])
    history = model.fit(x, y, batch_size=16, epochs=30, verbose=0)
    layer = model[0]
    np.testing.assert_allclose(layer.weight.data[0], w, atol=0.01)
    np.testing.assert_allclose(layer.bias.data, [b], atol=0.01)
    assert history.history["loss"][-1] < 1e-3
    assert history.history["r2_score"][-1] > 0.999


BLOBS = ts.datasets.blobs(240, centers=3, std=0.5, rng=np.random.default_rng(4))


@pytest.mark.parametrize("activation, loss, targets", [
    ("softmax", "categorical_crossentropy", ts.datasets.one_hot(BLOBS[1], 3)),
    ("softmax", "sparse_categorical_crossentropy", BLOBS[1]),
    (None, ts.losses.SparseCategoricalCrossentropy(from_logits=True), BLOBS[1]),
    (None, ts.losses.CategoricalCrossentropy(from_logits=True), ts.datasets.one_hot(BLOBS[1], 3)),
], ids=["categorical", "sparse", "sparse-from-logits", "categorical-from-logits"])
def test_multi_class_softmax_trains(activation, loss, targets):
    ts.manual_seed(4)
    model = ts.Sequential([nn.Dense(8, activation="tanh", input_dim=2), nn.Dense(3, activation=activation)])
    model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    model.optimizer.lr = 0.05
    history = model.fit(BLOBS[0], targets, batch_size=32, epochs=15, verbose=0)
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert history.history["accuracy"][-1] >= 0.95
    assert np.mean(model.predict(BLOBS[0]).argmax(axis=1) == BLOBS[1]) >= 0.95


class TwoLayer(ts.Model):
    """A subclassed Model: its own layers and forward, nothing declared to the framework."""

    def __init__(self, hidden: int = 8):
        self.hidden = nn.Dense(hidden, activation="tanh")
        self.out = nn.Dense(1, activation="sigmoid")

    def forward(self, x):
        return self.out(self.hidden(x))


def test_a_subclassed_model_trains_with_fit_and_round_trips_its_weights(tmp_path):
    ts.manual_seed(5)
    model = TwoLayer()
    model.compile(optimizer=optim.Adam(lr=0.1), loss="binary_crossentropy", metrics=["accuracy"])
    assert model.optimizer.params == []  # nothing built yet: bound at build, inside fit
    history = model.fit(XOR_X, XOR_Y, batch_size=4, epochs=200, verbose=0)
    assert history.history["accuracy"][-1] == 1.0
    assert [id(p) for p in model.optimizer.params] == [id(p) for p in model.trainable_parameters()]

    path = tmp_path / "two_layer.weights"
    model.save_weights(path)
    fresh = TwoLayer()
    fresh(XOR_X)  # build it by calling it on data
    assert not np.array_equal(fresh.predict(XOR_X), model.predict(XOR_X))
    fresh.load_weights(path)
    np.testing.assert_array_equal(fresh.predict(XOR_X), model.predict(XOR_X))

    with pytest.raises(NotImplementedError, match=r"TwoLayer is a subclassed Model.*model\.save_weights\(path\)"):
        model.save(tmp_path / "two_layer.keras")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["two_layer.weights"]


# ---- History ----
def test_history_holds_per_epoch_lists_of_loss_metrics_and_val_variants():
    model = small_classifier()
    x, y = two_moons(64, 0.1, np.random.default_rng(6))
    xv, yv = two_moons(24, 0.1, np.random.default_rng(7))
    history = model.fit(x, y, batch_size=16, epochs=3, validation_data=(xv, yv), verbose=0)
    assert history.epoch == [0, 1, 2]
    assert list(history.history) == ["loss", "accuracy", "val_loss", "val_accuracy"]
    assert all(len(v) == 3 and all(isinstance(e, float) for e in v) for v in history.history.values())
    assert model.history is history
    # the val_ values are the model's loss and accuracy on the validation data at the epoch's end
    assert model.evaluate(xv, yv, batch_size=16, verbose=0) == pytest.approx(
        [history.history["val_loss"][-1], history.history["val_accuracy"][-1]])


def test_the_epoch_loss_is_the_mean_over_the_epochs_batches():
    model = line_model(lr=0.0)  # nothing moves, so every batch sees the same w
    x, y, _, _ = line_data()
    history = model.fit(x, y, batch_size=5, epochs=1, shuffle=False, verbose=0)  # 32 = 6 * 5 + 2
    assert history.history["loss"] == [pytest.approx(np.mean(y**2))]


# ---- validation ----
class RowRecorder(ts.Model):
    """Remembers which rows (x holds the row number) it saw in training mode and which in eval mode."""

    def __init__(self):
        self.dense = nn.Dense(1, activation="sigmoid", input_dim=1, kernel_initializer="zeros")
        self.rows = {True: set(), False: set()}

    def forward(self, x):
        self.rows[self.training].update(x.data[:, 0].astype(int).tolist())
        return self.dense(x)


def test_validation_split_takes_the_last_fraction_before_shuffling():
    model = RowRecorder()
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    x, y = np.arange(20, dtype=np.float32)[:, None], np.arange(20) % 2
    forget_probes = LambdaCallback(on_train_begin=lambda logs: [s.clear() for s in model.rows.values()])
    history = model.fit(x, y, batch_size=4, epochs=2, validation_split=0.25, shuffle=True, callbacks=[forget_probes],
                        verbose=0)
    assert model.rows[True] == set(range(15))
    assert model.rows[False] == set(range(15, 20))
    assert model.evaluate(x[15:], y[15:], verbose=0)[0] == pytest.approx(history.history["val_loss"][-1])


def test_validation_split_warns_when_the_validation_part_holds_a_single_class():
    model = small_classifier()
    x, y = np.random.default_rng(8).standard_normal((20, 2)), np.repeat([0, 1], 10)  # sorted by class
    with pytest.warns(UserWarning) as record:
        model.fit(x, y, epochs=1, validation_split=0.2, verbose=0)
    (warning,) = record
    message = str(warning.message)
    assert message.startswith("validation_split=0.2: the validation part (the last 4 samples, taken before "
                              "shuffling, as Keras does) holds only class 1, while the training part holds 2 classes")
    assert "shuffle x and y together before fit" in message
    assert warning.filename == __file__  # points at the fit call


@pytest.mark.parametrize("loss, targets", [
    ("sparse_categorical_crossentropy", np.repeat([0, 1, 2], [8, 8, 4])),
    ("categorical_crossentropy", ts.datasets.one_hot(np.repeat([0, 1, 2], [8, 8, 4]), 3)),
])
def test_validation_split_warning_for_multi_class_targets(loss, targets):
    ts.manual_seed(0)
    model = ts.Sequential([nn.Dense(3, activation="softmax", input_dim=2)])
    model.compile(optimizer="sgd", loss=loss)
    with pytest.warns(UserWarning, match=r"holds only class 2, while the training part holds 2 classes"):
        model.fit(np.zeros((20, 2)), targets, epochs=1, validation_split=0.2, verbose=0)


def test_no_validation_split_warning_when_both_parts_hold_both_classes(recwarn):
    model = small_classifier()
    x, y = np.random.default_rng(8).standard_normal((20, 2)), np.arange(20) % 2
    model.fit(x, y, epochs=1, validation_split=0.2, verbose=0)
    assert [str(w.message) for w in recwarn] == []


def test_validation_data_is_evaluated_each_epoch_and_leaves_training_mode_on():
    model = small_classifier()
    model.layers.insert(1, nn.Dropout(0.5))  # between the layers: after the sigmoid it would break [0, 1]
    x, y = two_moons(32, 0.1, np.random.default_rng(9))
    modes = []
    check = LambdaCallback(on_epoch_end=lambda epoch, logs: modes.append([m.training for m in model.modules()]))
    history = model.fit(x, y, batch_size=8, epochs=2, validation_data=(x[:8], y[:8]), callbacks=[check], verbose=0)
    assert len(history.history["val_loss"]) == 2
    assert modes == [[True] * 4, [True] * 4]  # back in training mode after validating


# ---- shuffling, batch sizes, epochs ----
def test_a_seeded_fit_is_reproducible_and_shuffling_uses_the_framework_generator():
    x, y = two_moons(48, 0.2, np.random.default_rng(10))

    def run(seed: int, numpy_seed: int, shuffle: bool = True):
        rng = np.random.default_rng(0)  # the initial weights do not depend on the seeds below
        model = ts.Sequential([nn.Dense(8, activation="tanh", input_dim=2, rng=rng),
                               nn.Dense(1, activation="sigmoid", rng=rng)])
        model.compile(optimizer=optim.SGD(lr=0.5), loss="binary_crossentropy", metrics=["accuracy"])
        ts.manual_seed(seed)
        np.random.seed(numpy_seed)  # noqa: NPY002 -- numpy's legacy global generator must play no part
        history = model.fit(x, y, batch_size=8, epochs=3, shuffle=shuffle, verbose=0)
        return model.state_dict(), history.history

    weights, history = run(11, numpy_seed=1)
    weights_again, history_again = run(11, numpy_seed=2)
    assert_same_weights(weights, weights_again)
    assert history == history_again
    other_weights, other_history = run(12, numpy_seed=1)
    assert other_history != history  # another seed, another order
    assert not np.array_equal(other_weights["0.weight"], weights["0.weight"])
    assert_same_weights(run(11, 1, shuffle=False)[0], run(12, 2, shuffle=False)[0])


def count_batches(store: list) -> LambdaCallback:
    return LambdaCallback(on_epoch_begin=lambda epoch, logs: store.append(0),
                          on_train_batch_end=lambda batch, logs: store.__setitem__(-1, store[-1] + 1))


def test_full_batch_is_one_gradient_descent_step_per_epoch():
    x, y, _, _ = line_data()
    model, steps = line_model(lr=0.1), []
    model.fit(x, y, batch_size=len(x), epochs=3, callbacks=[count_batches(steps)], verbose=0)
    assert steps == [1, 1, 1]
    w, x64, y64 = 0.0, x[:, 0].astype(np.float64), y.astype(np.float64)
    for _ in range(3):  # d/dw mean((w x - y)^2) = 2 mean((w x - y) x)
        w -= 0.1 * 2 * np.mean((w * x64 - y64) * x64)
    assert model[0].weight.data[0, 0] == pytest.approx(w, rel=1e-5)


def test_batch_size_one_is_online_sgd_one_step_per_sample():
    x, y, _, _ = line_data()
    model, steps = line_model(lr=0.05), []
    model.fit(x, y, batch_size=1, epochs=2, shuffle=False, callbacks=[count_batches(steps)], verbose=0)
    assert steps == [32, 32]
    w = 0.0
    for _ in range(2):
        for xi, yi in zip(x[:, 0].astype(np.float64), y.astype(np.float64)):
            w -= 0.05 * 2 * (w * xi - yi) * xi
    assert model[0].weight.data[0, 0] == pytest.approx(w, rel=1e-5)


def test_initial_epoch_resumes_the_epoch_count():
    x, y, _, _ = line_data()
    model, begun = line_model(), []
    history = model.fit(x, y, epochs=5, initial_epoch=3, verbose=0,
                        callbacks=[LambdaCallback(on_epoch_begin=lambda epoch, logs: begun.append(epoch))])
    assert begun == [3, 4]
    assert history.epoch == [3, 4]
    assert len(history.history["loss"]) == 2


@pytest.mark.parametrize("hook, batches", [("on_epoch_begin", 1), ("on_train_batch_end", 1), ("on_epoch_end", 4)])
def test_stop_training_from_a_callback_stops_after_the_current_batch(hook, batches):
    """As Keras 3: fit looks at stop_training after each batch (TerminateOnNaN stops at the batch) and epoch."""
    x, y, _, _ = line_data()
    model, steps = line_model(), []

    def stop(index, logs):
        model.stop_training = True

    history = model.fit(x, y, batch_size=8, epochs=5, verbose=0, callbacks=[count_batches(steps),
                                                                            LambdaCallback(**{hook: stop})])
    assert history.epoch == [0]
    assert steps == [batches]  # the epoch's logs and on_epoch_end still come, as in Keras
    assert model.fit(x, y, batch_size=8, epochs=2, verbose=0).epoch == [0, 1]  # a new fit starts afresh


# ---- callbacks through fit ----
def test_early_stopping_restores_the_best_epochs_weights():
    x, y, xv, yv = line_data()
    model, snapshots = line_model(), []
    stopper = EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True)
    history = model.fit(x, y, batch_size=len(x), epochs=30, validation_data=(xv, yv), shuffle=False, verbose=0,
                        callbacks=[snapshots_of(model, snapshots), stopper])
    best = int(np.argmin(history.history["val_loss"]))
    assert len(history.epoch) == best + 3 < 30  # stopped after patience=2 worse epochs
    assert stopper.best_epoch == best
    assert not np.array_equal(snapshots[-1]["0.weight"], snapshots[best]["0.weight"])
    assert_same_weights(model.state_dict(), snapshots[best])


def test_early_stopping_without_restore_keeps_the_last_weights():
    x, y, xv, yv = line_data()
    model, snapshots = line_model(), []
    model.fit(x, y, batch_size=len(x), epochs=30, validation_data=(xv, yv), shuffle=False, verbose=0,
              callbacks=[snapshots_of(model, snapshots), EarlyStopping(patience=2)])
    assert len(snapshots) < 30
    assert_same_weights(model.state_dict(), snapshots[-1])


@pytest.mark.parametrize("weights_only", [False, True])
def test_model_checkpoint_save_best_only_keeps_the_best_epoch(tmp_path, weights_only):
    x, y, xv, yv = line_data()
    model, snapshots = line_model(), []
    path = tmp_path / ("best.weights" if weights_only else "best.keras")
    checkpoint = ModelCheckpoint(path, monitor="val_loss", save_best_only=True, save_weights_only=weights_only)
    history = model.fit(x, y, batch_size=len(x), epochs=10, validation_data=(xv, yv), shuffle=False, verbose=0,
                        callbacks=[snapshots_of(model, snapshots), checkpoint])
    best = int(np.argmin(history.history["val_loss"]))
    assert best < 9  # later epochs were worse and must not have overwritten the file
    if weights_only:
        restored = line_model()
        restored.load_weights(path)
    else:
        restored = ts.load_model(path)
    assert_same_weights(restored.state_dict(), snapshots[best])
    assert checkpoint.best == history.history["val_loss"][best]
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_learning_rate_scheduler_sets_the_optimisers_lr_each_epoch():
    x, y, _, _ = line_data()
    model, snapshots = line_model(lr=0.5), []
    scheduler = LearningRateScheduler(lambda epoch, lr: 0.05 if epoch < 2 else 0.0)
    history = model.fit(x, y, batch_size=8, epochs=4, verbose=0, callbacks=[scheduler, snapshots_of(model, snapshots)])
    assert history.history["learning_rate"] == [0.05, 0.05, 0.0, 0.0]
    assert model.optimizer.lr == 0.0
    assert not np.array_equal(snapshots[0]["0.weight"], snapshots[1]["0.weight"])
    assert_same_weights(snapshots[1], snapshots[3])  # lr 0: the weights stood still
    assert abs(snapshots[0]["0.weight"][0, 0]) < 1.0  # lr 0.5 would have overshot w = 2 at once
