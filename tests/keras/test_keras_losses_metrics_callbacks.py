"""keras.losses, keras.metrics and keras.callbacks additions, each against numpy written here."""

import numpy as np
import pytest

import tinygrad_seminar as ts
import tinygrad_seminar.keras as keras

RNG = np.random.default_rng(0)
Y = RNG.integers(0, 2, 50).astype("float32")
P = np.clip(Y * 0.4 + RNG.random(50) * 0.6, 0, 1).astype("float32")


def test_huber_is_keras_formula():
    y, p = RNG.standard_normal((6, 2)), RNG.standard_normal((6, 2)) * 2
    e = np.abs(y - p)
    for delta in (1.0, 0.5):
        want = np.mean(np.where(e <= delta, 0.5 * e ** 2, delta * (e - 0.5 * delta)))
        got = keras.losses.Huber(delta)(y, ts.tensor(p, dtype="float64"))
        assert float(got.item()) == pytest.approx(want, rel=1e-10)
    assert type(keras.losses.get("huber")) is keras.losses.Huber
    assert type(keras.losses.get("MeanSquaredError")) is keras.losses.MeanSquaredError


def test_huber_trains_in_fit_and_its_gradient_is_checked():
    p = ts.tensor(RNG.standard_normal((4, 1)) * 3, dtype="float64", requires_grad=True)
    y = RNG.standard_normal((4, 1))
    assert ts.gradcheck(lambda p: keras.losses.Huber()(y, p), p)


def test_auc_is_keras_thresholded_trapezoid_and_close_to_the_exact_area():
    m = keras.metrics.AUC()
    m.update_state(Y, P)
    th = np.array([-1e-7, *[(i + 1) / 199 for i in range(198)], 1 + 1e-7])
    above = P[None, :] > th[:, None]
    pos = Y > 0.5
    tpr = (above & pos).sum(1) / pos.sum()
    fpr = (above & ~pos).sum(1) / (~pos).sum()
    want = np.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2)
    assert m.result() == pytest.approx(want, rel=1e-12)
    pairs = (P[pos][:, None] > P[~pos][None, :]).mean()  # the exact area: P(score of a positive > a negative)
    assert m.result() == pytest.approx(pairs, abs=0.02)


def test_rmse_precision_recall_accuracies():
    y, p = RNG.standard_normal(20), RNG.standard_normal(20)
    rmse = keras.metrics.RootMeanSquaredError()
    rmse.update_state(y[:10], p[:10])
    rmse.update_state(y[10:], p[10:])
    assert rmse.result() == pytest.approx(np.sqrt(np.mean((y - p) ** 2)))
    mae = keras.metrics.MeanAbsoluteError()
    mae.update_state(y, p)
    assert mae.result() == pytest.approx(np.mean(np.abs(y - p)))
    prec, rec, acc = keras.metrics.Precision(), keras.metrics.Recall(), keras.metrics.BinaryAccuracy()
    for m in (prec, rec, acc):
        m.update_state(Y, P)
    tp, fp, fn = np.sum((P > 0.5) & (Y == 1)), np.sum((P > 0.5) & (Y == 0)), np.sum((P <= 0.5) & (Y == 1))
    assert prec.result() == pytest.approx(tp / (tp + fp)) and rec.result() == pytest.approx(tp / (tp + fn))
    assert acc.result() == pytest.approx(np.mean((P > 0.5) == (Y == 1)))
    probs = RNG.random((10, 3))
    labels = RNG.integers(0, 3, 10)
    sparse, cat = keras.metrics.SparseCategoricalAccuracy(), keras.metrics.CategoricalAccuracy()
    sparse.update_state(labels, probs)
    cat.update_state(np.eye(3)[labels], probs)
    assert sparse.result() == cat.result() == pytest.approx(np.mean(probs.argmax(1) == labels))


def test_metric_names_in_keras_spellings_compile():
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile(optimizer="adam", loss="binary_crossentropy",
                  metrics=["accuracy", "auc", keras.metrics.AUC(name="auc2"), "AUC", "Precision",
                           keras.metrics.Recall()])
    x = RNG.standard_normal((16, 2)).astype("float32")
    logs = model.evaluate(x, (x[:, 0] > 0).astype("float32"), verbose=0, return_dict=True)
    assert {"loss", "accuracy", "auc", "auc2", "AUC", "Precision", "recall"} <= set(logs)


class Opt:
    learning_rate = 1.0


class FakeModel:
    def __init__(self):
        self.optimizer = Opt()


def test_reduce_lr_on_plateau_follows_keras_rules():
    cb = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=2, cooldown=1, min_lr=0.2)
    cb.model = FakeModel()
    seen = []
    for epoch, loss in enumerate([1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]):
        logs = {"loss": loss}
        cb.on_epoch_end(epoch, logs)
        seen.append(logs["learning_rate"])
    # the log holds the rate the epoch ran with. Epoch 0 is the best; 1 and 2 gain nothing: 0.5 after 2; epoch 3
    # ends the cooldown and, being out of it, waits 1 (Keras' order); 4 waits 2: 0.25; 5 ends the cooldown, waits
    # 1; 6 waits 2: max(0.125, min_lr 0.2)
    assert seen == [1.0, 1.0, 1.0, 0.5, 0.5, 0.25, 0.25, 0.2]
    assert cb.model.optimizer.learning_rate == 0.2
    with pytest.raises(ValueError, match="factor"):
        keras.callbacks.ReduceLROnPlateau(factor=1.0)


def test_reduce_lr_on_plateau_is_seen_by_the_next_step():
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    x, y = np.ones((4, 2), "float32"), np.full((4, 1), 1e6, "float32")
    cb = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.0 + 1e-9, patience=0, min_delta=1e30)
    history = model.fit(x, y, epochs=3, batch_size=4, verbose=0, callbacks=[cb])
    assert history.history["learning_rate"][0] == pytest.approx(0.1)
    assert float(model.optimizer.learning_rate) < 1e-8


def test_csv_logger_writes_keras_rows(tmp_path):
    path = tmp_path / "log.csv"
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    x, y = np.ones((4, 2), "float32"), np.zeros((4, 1), "float32")
    history = model.fit(x, y, epochs=2, verbose=0, callbacks=[keras.callbacks.CSVLogger(path)])
    lines = path.read_text().splitlines()
    assert lines[0] == "epoch,loss,mae" and len(lines) == 3
    assert float(lines[2].split(",")[1]) == pytest.approx(history.history["loss"][1])
    model.fit(x, y, epochs=1, verbose=0, callbacks=[keras.callbacks.CSVLogger(path, append=True)])
    assert len(path.read_text().splitlines()) == 4


@pytest.mark.parametrize("make, message", [
    (lambda: keras.losses.CategoricalCrossentropy(label_smoothing=0.1),
     r"^CategoricalCrossentropy: unsupported argument label_smoothing; it takes from_logits, name$"),
    (lambda: keras.losses.BinaryCrossentropy(from_logits=True, axis=-1, label_smoothing=0.1),
     r"^BinaryCrossentropy: unsupported arguments axis, label_smoothing; it takes from_logits, name$"),
    (lambda: keras.losses.MeanSquaredError(reduction="sum"),
     r"^MeanSquaredError: unsupported argument reduction; it takes name$"),
])
def test_a_keras_loss_argument_not_supported_here_is_named_with_the_class(make, message):
    with pytest.raises(TypeError, match=message):
        make()
