"""keras.utils, keras.activations, keras.initializers: Keras' names, shapes and defaults."""

import random

import numpy as np
import pytest

import tinygrad_seminar as ts
import tinygrad_seminar.keras as keras


def test_to_categorical_is_keras():
    out = keras.utils.to_categorical([0, 2, 1])
    np.testing.assert_array_equal(out, np.eye(3)[[0, 2, 1]])
    assert keras.utils.to_categorical(np.array([[1], [0]]), num_classes=4).shape == (2, 4)
    with pytest.raises(ValueError, match="0..1"):
        keras.utils.to_categorical([0, 2], num_classes=2)


def test_set_random_seed_seeds_python_numpy_and_the_framework():
    keras.utils.set_random_seed(3)
    a = (random.random(), np.random.rand(), ts.rand(2).numpy())  # noqa: NPY002 - the global generator is seeded
    keras.utils.set_random_seed(3)
    b = (random.random(), np.random.rand(), ts.rand(2).numpy())  # noqa: NPY002
    assert a[:2] == b[:2]
    np.testing.assert_array_equal(a[2], b[2])


def test_plot_model_has_keras_defaults_and_draws_with_viz(tmp_path):
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(3, activation="relu")])
    graph = keras.utils.plot_model(model, to_file=str(tmp_path / "m.dot"))
    assert (tmp_path / "m.dot").exists()
    assert "dense" not in graph.source.split("Dense")[0].split("layer0")[-1]  # show_layer_names=False by default
    assert "(None, 3)" not in graph.source  # show_shapes=False by default
    assert "(None, 3)" in keras.utils.plot_model(model, to_file=str(tmp_path / "s.dot"), show_shapes=True).source


def test_activations_are_functions_of_tensors():
    x = ts.tensor([[-1.0, 0.5]])
    np.testing.assert_allclose(keras.activations.relu(x).numpy(), [[0.0, 0.5]])
    np.testing.assert_allclose(keras.activations.sigmoid(x).numpy(), 1 / (1 + np.exp([[1.0, -0.5]])), rtol=1e-6)
    assert keras.activations.get("tanh") is keras.activations.tanh


def test_initializers_take_keras_shapes_and_fans():
    kernel = keras.initializers.HeNormal(seed=0)((400, 300))
    assert kernel.shape == (400, 300)
    assert kernel.std() == pytest.approx(np.sqrt(2 / 400), rel=0.05)  # fan_in = shape[0] in Keras' layout
    a = keras.initializers.GlorotUniform(seed=1)((3, 2))
    np.testing.assert_array_equal(a, keras.initializers.GlorotUniform(seed=1)((3, 2)))
    assert np.abs(a).max() <= np.sqrt(6 / 5)
    np.testing.assert_array_equal(keras.initializers.Constant(0.5)((2,)), [0.5, 0.5])
    assert keras.initializers.RandomNormal(stddev=0.0)((2, 2)).tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert type(keras.initializers.get("he_normal")) is keras.initializers.HeNormal
    layer = keras.layers.Dense(300, kernel_initializer=keras.initializers.HeNormal(seed=0), input_dim=400)
    assert layer.get_weights()[0].std() == pytest.approx(np.sqrt(2 / 400), rel=0.05)
