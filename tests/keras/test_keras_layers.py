"""keras.layers: Keras' layout for Dense (kernel (inputs, units)), the activation layers, Input, regularizers."""

import numpy as np
import pytest

import tinygrad_seminar as ts
import tinygrad_seminar.keras as keras
from tinygrad_seminar.keras.layers import Dense, Dropout, LeakyReLU, ReLU, Softmax


def test_dense_kernel_is_inputs_by_units_and_computes_x_at_kernel_plus_bias():
    layer = Dense(4, input_dim=3)
    kernel, bias = layer.get_weights()
    assert kernel.shape == (3, 4) and bias.shape == (4,)
    assert layer.kernel.shape == (3, 4) and layer.weight.shape == (4, 3)  # the slides' layout inside
    rng = np.random.default_rng(0)
    k, b = rng.standard_normal((3, 4)).astype("float32"), rng.standard_normal(4).astype("float32")
    layer.set_weights([k, b])
    x = rng.standard_normal((5, 3)).astype("float32")
    np.testing.assert_allclose(layer(ts.tensor(x)).numpy(), x @ k + b, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(layer.kernel.numpy(), k)


def test_set_weights_refuses_the_slides_layout():
    layer = Dense(4, input_dim=3)
    with pytest.raises(ValueError, match="expected shapes"):
        layer.set_weights([np.zeros((4, 3)), np.zeros(4)])


def test_model_get_weights_is_in_keras_layout_and_nn_layers_keep_the_slides_layout():
    model = keras.Sequential([keras.Input(shape=(3,)), Dense(5), ts.nn.Dense(2)])
    shapes = [w.shape for w in model.get_weights()]
    assert shapes == [(3, 5), (5,), (2, 5), (2,)]
    weights = [np.full(s, i, "float32") for i, s in enumerate(shapes)]
    model.set_weights(weights)
    np.testing.assert_array_equal(model.layers[0].weight.numpy(), np.zeros((5, 3)))
    for got, want in zip(model.get_weights(), weights):
        np.testing.assert_array_equal(got, want)


def test_use_bias_false_and_initializers():
    layer = Dense(2, use_bias=False, kernel_initializer="ones", input_dim=3)
    assert len(layer.get_weights()) == 1 and layer.bias is None
    np.testing.assert_array_equal(layer.get_weights()[0], np.ones((3, 2)))
    keras_style = Dense(2, kernel_initializer=lambda shape, dtype=None: np.arange(6.0).reshape(shape), input_dim=3)
    np.testing.assert_array_equal(keras_style.get_weights()[0], np.arange(6.0).reshape(3, 2))
    assert Dense(2, bias_initializer="ones", input_dim=1).get_weights()[1].tolist() == [1.0, 1.0]


def test_leaky_relu_default_slope_is_keras_3s_and_the_other_activations():
    x = np.array([[-2.0, -0.5, 0.0, 1.5]], "float32")
    np.testing.assert_allclose(LeakyReLU()(ts.tensor(x)).numpy(), np.where(x > 0, x, 0.3 * x), rtol=1e-6)
    np.testing.assert_allclose(LeakyReLU(negative_slope=0.1)(ts.tensor(x)).numpy(), np.where(x > 0, x, 0.1 * x))
    np.testing.assert_allclose(ReLU()(ts.tensor(x)).numpy(), np.maximum(x, 0))
    e = np.exp(x - x.max())
    np.testing.assert_allclose(Softmax()(ts.tensor(x)).numpy(), e / e.sum(), rtol=1e-5)
    np.testing.assert_allclose(keras.layers.Activation("tanh")(ts.tensor(x)).numpy(), np.tanh(x), rtol=1e-5)
    assert Dropout(0.5).rate == 0.5


def test_l2_penalty_is_added_to_the_loss_fit_and_evaluate_report():
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((8, 3)).astype("float32"), rng.standard_normal((8, 1)).astype("float32")
    model = keras.Sequential([keras.Input(shape=(3,)),
                              Dense(1, kernel_regularizer=keras.regularizers.l1_l2(l1=0.1, l2=0.2))])
    model.compile(optimizer="sgd", loss="mse")
    k, b = model.get_weights()
    want = np.mean((x @ k + b - y) ** 2) + 0.1 * np.abs(k).sum() + 0.2 * (k ** 2).sum()
    assert model.evaluate(x, y, verbose=0, batch_size=8) == pytest.approx(want, rel=1e-5)
    history = model.fit(x, y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    assert history.history["loss"][0] == pytest.approx(want, rel=1e-5)
    assert len(model.losses) == 1


def test_l1_and_l2_defaults_are_keras():
    assert keras.regularizers.l1().l1 == 0.01 and keras.regularizers.l2().l2 == 0.01
    assert keras.regularizers.L1L2().get_config() == {"l1": 0.0, "l2": 0.0}


def test_a_keras_model_saves_and_loads_with_its_layout_and_regularizer(tmp_path):
    model = keras.Sequential([keras.Input(shape=(3,)), Dense(2, kernel_regularizer="l2"), LeakyReLU(0.2)])
    model.compile(optimizer="sgd", loss="mse")
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert isinstance(loaded.layers[0], Dense) and loaded.layers[0].kernel_regularizer.l2 == 0.01
    assert loaded.layers[1].negative_slope == 0.2
    for a, b in zip(loaded.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_clone_model_has_the_architecture_and_fresh_weights():
    model = keras.Sequential([keras.Input(shape=(3,)), Dense(4, activation="relu"), Dense(1)])
    clone = keras.models.clone_model(model)
    assert type(clone) is keras.Sequential and clone is not model
    assert [w.shape for w in clone.get_weights()] == [(3, 4), (4,), (4, 1), (1,)]
    assert not np.array_equal(clone.get_weights()[0], model.get_weights()[0])
    assert clone.optimizer is None


def test_register_keras_serializable_saves_an_activation_of_ones_own(tmp_path):
    @keras.saving.register_keras_serializable(package="MyLayers")
    def cube_for_keras_test(x):
        return x * x * x

    model = keras.Sequential([keras.Input(shape=(2,)), Dense(2, activation=cube_for_keras_test)])
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    x = np.ones((1, 2), "float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
