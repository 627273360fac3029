"""fit(class_weight=, sample_weight=, validation_freq=) and evaluate(sample_weight=): Keras 3's weighted loss."""

import numpy as np
import pytest

import tinygrad_seminar.keras as keras

RNG = np.random.default_rng(0)
X = RNG.standard_normal((12, 3)).astype("float32")


def model_of(loss, units=1, activation="sigmoid"):
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(units, activation=activation)])
    model.compile(optimizer=keras.optimizers.SGD(0.0), loss=loss)  # learning rate 0: the loss of fixed weights
    return model


def bce(y, p):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p)).mean(axis=1)


def test_sample_weight_is_keras_sum_over_batch_size():
    y = (X[:, :1] > 0).astype("float32")
    w = RNG.random(12)
    model = model_of("binary_crossentropy")
    per = bce(y, model.predict(X))
    want = np.sum(w * per) / 12
    assert model.evaluate(X, y, sample_weight=w, batch_size=12, verbose=0) == pytest.approx(want, rel=1e-5)
    history = model.fit(X, y, sample_weight=w, batch_size=12, epochs=1, verbose=0, shuffle=False)
    assert history.history["loss"][0] == pytest.approx(want, rel=1e-5)
    assert model.evaluate(X, y, sample_weight=np.ones(12), batch_size=12, verbose=0) == pytest.approx(per.mean(),
                                                                                                       rel=1e-5)


def test_class_weight_weighs_each_sample_by_its_class_and_multiplies_sample_weight():
    labels = RNG.integers(0, 3, 12)
    model = model_of("sparse_categorical_crossentropy", units=3, activation="softmax")
    p = model.predict(X)
    per = -np.log(np.clip(p[np.arange(12), labels], 1e-7, 1))
    cw = {0: 1.0, 1: 3.0, 2: 0.5}
    sw = RNG.random(12)
    want = np.sum(np.array([cw[c] for c in labels]) * sw * per) / 12
    history = model.fit(X, labels, class_weight=cw, sample_weight=sw, batch_size=12, epochs=1, verbose=0,
                        shuffle=False)
    assert history.history["loss"][0] == pytest.approx(want, rel=1e-5)


@pytest.mark.parametrize("loss, numpy_loss", [
    ("mse", lambda y, p: ((y - p) ** 2).mean(axis=1)),
    ("mae", lambda y, p: np.abs(y - p).mean(axis=1)),
    ("huber", lambda y, p: np.where(np.abs(y - p) <= 1, 0.5 * (y - p) ** 2, np.abs(y - p) - 0.5).mean(axis=1)),
])
def test_regression_losses_weighted(loss, numpy_loss):
    y = RNG.standard_normal((12, 2)).astype("float32") * 3
    model = model_of(loss, units=2, activation="linear")
    w = RNG.random(12)
    want = np.sum(w * numpy_loss(y, model.predict(X))) / 12
    assert model.evaluate(X, y, sample_weight=w, batch_size=12, verbose=0) == pytest.approx(want, rel=1e-5)


def test_a_loss_of_ones_own_is_weighted_sample_by_sample():
    y = RNG.standard_normal((12, 1)).astype("float32")
    model = model_of(lambda y_true, y_pred: ((y_pred - y_true) ** 2).mean(), activation="linear")
    w = RNG.random(12)
    want = np.sum(w * ((model.predict(X) - y) ** 2)[:, 0]) / 12
    assert model.evaluate(X, y, sample_weight=w, batch_size=12, verbose=0) == pytest.approx(want, rel=1e-5)


def test_validation_data_may_carry_sample_weights_as_in_keras():
    y = (X[:, :1] > 0).astype("float32")
    w = RNG.random(12)
    model = model_of("binary_crossentropy")  # learning rate 0: validation sees the weights evaluate sees
    weighted = model.evaluate(X, y, sample_weight=w, batch_size=4, verbose=0)
    plain = model.evaluate(X, y, batch_size=4, verbose=0)
    assert weighted != pytest.approx(plain)
    history = model.fit(X, y, epochs=2, batch_size=4, validation_data=(X, y, w), verbose=0)
    assert history.history["val_loss"] == [weighted, weighted]
    history = model.fit(X, y, epochs=1, batch_size=4, validation_data=(X, y, None), verbose=0)
    assert history.history["val_loss"] == [plain]


def test_validation_split_splits_the_sample_weights_too_and_leaves_class_weight_to_training():
    labels = RNG.integers(0, 3, 12)
    model = model_of("sparse_categorical_crossentropy", units=3, activation="softmax")
    sw = RNG.random(12)
    want = model.evaluate(X[9:], labels[9:], sample_weight=sw[9:], batch_size=4, verbose=0)  # the last quarter
    assert want != pytest.approx(model.evaluate(X[9:], labels[9:], batch_size=4, verbose=0))
    history = model.fit(X, labels, sample_weight=sw, class_weight={0: 1.0, 1: 3.0, 2: 0.5}, validation_split=0.25,
                        batch_size=4, epochs=1, verbose=0)
    assert history.history["val_loss"] == [want]


def test_validation_freq():
    y = (X[:, :1] > 0).astype("float32")
    model = model_of("binary_crossentropy")
    seen = []
    cb = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append("val_loss" in logs))
    model.fit(X, y, epochs=4, validation_split=0.25, validation_freq=2, verbose=0, callbacks=[cb])
    assert seen == [False, True, False, True]
    seen.clear()
    model.fit(X, y, epochs=3, validation_data=(X, y), validation_freq=[1, 3], verbose=0, callbacks=[cb])
    assert seen == [True, False, True]


def test_save_to_h5_is_refused_with_a_message(tmp_path):
    model = model_of("mse")
    with pytest.raises(ValueError, match=r"does not write HDF5 \(\.h5\).*\.keras"):
        model.save(tmp_path / "m.h5")
    assert not (tmp_path / "m.h5").exists()


def test_predict_verbose_shows_a_progress_bar(capsys):
    model = model_of("mse")
    model.predict(X, batch_size=4, verbose=1)
    out = capsys.readouterr().out
    assert "3/3" in out
    model.predict(X, verbose=0)
    assert capsys.readouterr().out == ""
