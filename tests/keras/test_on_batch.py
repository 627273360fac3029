"""Keras' one-batch methods and look-ups: train_on_batch, test_on_batch, predict_on_batch, get_layer, pop,
metrics_names, keras.backend.clear_session."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_seminar as ts

K = ts.keras
RNG = np.random.default_rng(0)
X = RNG.standard_normal((16, 3)).astype(np.float32)
Y = (X[:, 0] > 0).astype(np.float32)


def model_of(seed: int = 0):
    ts.manual_seed(seed)
    model = K.Sequential([K.Input(shape=(3,)), K.layers.Dense(4, activation="relu", name="hidden"),
                          K.layers.Dense(1, activation="sigmoid", name="out")])
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def test_train_on_batch_is_a_fit_over_that_one_batch():
    a, b = model_of(), model_of()
    loss, accuracy = a.train_on_batch(X, Y)
    history = b.fit(X, Y, batch_size=len(X), epochs=1, shuffle=False, verbose=0).history
    assert [loss, accuracy] == [history["loss"][0], history["accuracy"][0]]
    assert all(p.tobytes() == q.tobytes() for p, q in zip(a.get_weights(), b.get_weights()))


def test_train_on_batch_metrics_run_on_until_reset_as_in_keras_3():
    model = model_of()
    model.compile(optimizer=K.optimizers.SGD(0.0), loss="binary_crossentropy", metrics=["accuracy"])  # fixed weights
    alone = [model.test_on_batch(X[:8], Y[:8]), model.test_on_batch(X[8:], Y[8:])]  # each batch's loss alone
    first = model.train_on_batch(X[:8], Y[:8], return_dict=True)
    second = model.train_on_batch(X[8:], Y[8:], return_dict=True)
    assert set(first) == {"loss", "accuracy"} and model.metrics_names == ["loss", "accuracy"]
    assert first["loss"] == pytest.approx(alone[0][0], rel=1e-6)
    assert second["loss"] == pytest.approx((alone[0][0] + alone[1][0]) / 2, rel=1e-6)  # the mean over both batches
    model.reset_metrics()
    assert model.train_on_batch(X[8:], Y[8:])[0] == pytest.approx(alone[1][0], rel=1e-6)


def test_test_and_predict_on_batch_are_evaluate_and_predict_of_that_batch():
    model = model_of()
    assert model.test_on_batch(X, Y) == model.evaluate(X, Y, batch_size=len(X), verbose=0)
    assert model.test_on_batch(X, Y, return_dict=True) == model.evaluate(X, Y, batch_size=16, verbose=0,
                                                                         return_dict=True)
    assert model.predict_on_batch(X).tobytes() == model.predict(X, verbose=0).tobytes()


def test_get_layer_by_name_or_index_and_its_errors():
    model = model_of()
    assert model.get_layer("out") is model.layers[1] and model.get_layer(index=-2) is model.layers[0]
    with pytest.raises(ValueError, match=r"^get_layer: no layer named 'dense'; the layers are \['hidden', 'out'\]$"):
        model.get_layer("dense")
    with pytest.raises(ValueError, match=r"^get_layer: index 2 is out of range for a model of 2 layers$"):
        model.get_layer(index=2)
    with pytest.raises(ValueError, match=r"^get_layer: give a layer name or an index, not both nor neither"):
        model.get_layer()
    with pytest.raises(TypeError, match=r"^get_layer: name must be a string, got 1 \(int\) \(for the layer at "
                                        r"position 1, write get_layer\(index=1\)\)$"):
        model.get_layer(1)


def test_pop_removes_the_last_layer_and_the_model_trains_without_it():
    model = model_of()
    out = model.pop()
    assert out.name == "out" and [layer.name for layer in model.layers] == ["hidden"]
    model.compile(optimizer="sgd", loss="mse")
    model.fit(X, np.zeros((16, 4), np.float32), epochs=1, verbose=0)
    model.pop()
    with pytest.raises(IndexError, match=r"^pop: there are no layers in the model$"):
        model.pop()


def test_clear_session_starts_the_default_names_again():
    K.backend.clear_session()
    assert [K.layers.Dense(1).name, K.layers.Dense(1).name] == ["dense", "dense_1"]
    K.utils.clear_session()
    assert K.layers.Dense(1).name == "dense"
    assert K.backend.floatx() == "float32" and K.backend.epsilon() == 1e-7
