"""Normalization (adapt), BatchNormalization and Rescaling against numpy; saved and loaded with their statistics."""

import numpy as np
import pytest

import tinygrad_seminar as ts
import tinygrad_seminar.keras as keras
from tinygrad_seminar.keras import layers

RNG = np.random.default_rng(0)
DATA = (RNG.standard_normal((40, 3)) * [1.0, 10.0, 0.1] + [5.0, -2.0, 0.0]).astype("float32")


def test_normalization_adapt_is_keras():
    norm = layers.Normalization()
    norm.adapt(DATA)
    np.testing.assert_allclose(norm.mean.numpy(), DATA.mean(axis=0), rtol=1e-5)
    np.testing.assert_allclose(norm.variance.numpy(), DATA.var(axis=0), rtol=1e-4)
    want = (DATA - DATA.mean(0)) / np.maximum(np.sqrt(DATA.var(0)), 1e-7)
    np.testing.assert_allclose(norm(ts.tensor(DATA)).numpy(), want, rtol=1e-4, atol=1e-5)


def test_normalization_with_given_mean_and_variance_and_invert():
    norm = layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 1.0, 0.25])
    x = np.ones((2, 3), "float32")
    np.testing.assert_allclose(norm(ts.tensor(x)).numpy(), (x - [1, 2, 3]) / [2, 1, 0.5])
    inv = layers.Normalization(mean=[1.0, 2.0, 3.0], variance=[4.0, 1.0, 0.25], invert=True)
    np.testing.assert_allclose(inv(ts.tensor(x)).numpy(), x * [2, 1, 0.5] + [1, 2, 3])


def test_batch_normalization_trains_on_the_batch_and_infers_with_moving_statistics():
    bn = layers.BatchNormalization(momentum=0.9)
    x = ts.tensor(DATA)
    out = bn(x).numpy()
    mean, var = DATA.mean(0), DATA.var(0)
    np.testing.assert_allclose(out, (DATA - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.1 * mean, rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), 0.9 + 0.1 * var, rtol=1e-5)
    bn.eval()
    want = (DATA - 0.1 * mean) / np.sqrt(0.9 + 0.1 * var + 1e-3)
    np.testing.assert_allclose(bn(x).numpy(), want, rtol=1e-4, atol=1e-4)
    assert [w.shape for w in keras.Sequential([keras.Input(shape=(3,)), layers.BatchNormalization()]).get_weights()] \
        == [(3,)] * 4


def test_batch_normalization_gradient_is_checked():
    bn = layers.BatchNormalization(dtype="float64")
    x = ts.tensor(RNG.standard_normal((6, 2)), dtype="float64", requires_grad=True)
    bn.build(2)
    bn.gamma.data, bn.gamma.requires_grad = np.array([1.5, 0.5]), False
    weights = ts.tensor(RNG.standard_normal((6, 2)), dtype="float64")
    assert ts.gradcheck(lambda x: (bn(x) * weights).sum(), x)


def test_rescaling():
    np.testing.assert_allclose(layers.Rescaling(1 / 255, offset=-1)(ts.tensor(DATA)).numpy(), DATA / 255 - 1,
                               rtol=1e-5)


def test_statistics_are_not_trained_and_are_saved(tmp_path):
    norm = layers.Normalization()
    norm.adapt(DATA)
    model = keras.Sequential([keras.Input(shape=(3,)), norm, layers.Dense(4), layers.BatchNormalization(),
                              layers.Rescaling(2.0), layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    mean = norm.mean.numpy().copy()
    model.fit(DATA, DATA[:, :1], epochs=2, verbose=0)
    np.testing.assert_array_equal(norm.mean.numpy(), mean)
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(loaded.layers[0].mean.numpy(), mean)
    np.testing.assert_array_equal(loaded.layers[2].moving_variance.numpy(), model.layers[2].moving_variance.numpy())
    np.testing.assert_allclose(loaded.predict(DATA, verbose=0), model.predict(DATA, verbose=0), rtol=1e-6)


def test_normalization_needs_both_statistics():
    with pytest.raises(ValueError, match="both"):
        layers.Normalization(mean=[0.0])
