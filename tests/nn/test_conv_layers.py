"""Conv2D, MaxPooling2D, AveragePooling2D, Flatten: Keras' shapes and parameter counts, Keras' layouts, the
workflow (summary, save / load, fit) and the argument errors."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

import tinygrad_seminar as ts
from tinygrad_seminar import keras, nn

L = keras.layers


def keras_out(n: int, k: int, s: int, padding: str) -> int:
    """Keras' documented output length: floor((n - k) / s) + 1 for "valid", ceil(n / s) for "same"."""
    return (n - k) // s + 1 if padding == "valid" else math.ceil(n / s)


@pytest.mark.parametrize("filters, k, s, padding, shape", [
    (4, 3, 1, "valid", (9, 8, 2)), (5, (2, 3), 2, "same", (9, 8, 3)), (2, 3, (2, 3), "valid", (10, 11, 1)),
    (3, 4, 3, "same", (7, 7, 2)),
])
def test_conv2d_shapes_and_parameter_counts_follow_keras_formulas(filters, k, s, padding, shape):
    kh, kw = (k, k) if isinstance(k, int) else k
    sh, sw = (s, s) if isinstance(s, int) else s
    layer = L.Conv2D(filters, k, strides=s, padding=padding, input_shape=shape)
    x = np.random.default_rng(0).standard_normal((2,) + shape).astype(np.float32)
    expected = (2, keras_out(shape[0], kh, sh, padding), keras_out(shape[1], kw, sw, padding), filters)
    assert layer(x).shape == expected
    assert layer.compute_output_shape((None,) + shape) == (None,) + expected[1:]
    assert sum(p.data.size for p in layer.parameters()) == kh * kw * shape[2] * filters + filters
    assert layer.get_weights()[0].shape == (kh, kw, shape[2], filters) and layer.weight.shape == (filters, shape[2],
                                                                                                  kh, kw)


@pytest.mark.parametrize("pool, s, padding", [(2, None, "valid"), (3, 2, "same"), ((2, 3), (1, 2), "valid"),
                                              (2, 3, "same")])
def test_pooling_shapes_follow_keras_formulas(pool, s, padding):
    ph, pw = (pool, pool) if isinstance(pool, int) else pool
    sh, sw = (ph, pw) if s is None else ((s, s) if isinstance(s, int) else s)
    x = np.random.default_rng(1).standard_normal((2, 7, 8, 3)).astype(np.float32)
    for cls in (L.MaxPooling2D, L.AveragePooling2D):
        layer = cls(pool, s, padding)
        expected = (2, keras_out(7, ph, sh, padding), keras_out(8, pw, sw, padding), 3)
        assert layer(x).shape == expected and layer.compute_output_shape((None, 7, 8, 3)) == (None,) + expected[1:]


def test_conv2d_computes_keras_formula_with_the_kernel_in_keras_layout():
    rng = np.random.default_rng(2)
    layer = L.Conv2D(3, (2, 3), strides=(1, 2), activation="relu", input_shape=(5, 7, 2))
    layer.set_weights([rng.standard_normal((2, 3, 2, 3)), rng.standard_normal(3)])
    kernel, bias = layer.get_weights()
    x = rng.standard_normal((2, 5, 7, 2)).astype(np.float32)
    out = layer(x).data
    expected = np.zeros(out.shape)
    for n, i, j, o in itertools.product(range(2), range(out.shape[1]), range(out.shape[2]), range(3)):
        expected[n, i, j, o] = (x[n, i:i + 2, 2 * j:2 * j + 3, :] * kernel[:, :, :, o]).sum() + bias[o]
    np.testing.assert_allclose(out, np.maximum(expected, 0), rtol=1e-5, atol=1e-5)


def test_same_pooling_is_keras_max_ignores_padding_average_counts_only_real_numbers():
    x = np.arange(9, dtype=np.float32).reshape(1, 3, 3, 1) - 10  # all negative: a zero pad would win a max
    np.testing.assert_array_equal(L.MaxPooling2D(2, padding="same")(x).data[0, :, :, 0], [[-6, -5], [-3, -2]])
    np.testing.assert_allclose(L.AveragePooling2D(2, padding="same")(x).data[0, :, :, 0],
                               [[-8, -6.5], [-3.5, -2]])


def test_flatten_is_keras_order_channels_fastest():
    x = np.random.default_rng(3).standard_normal((2, 3, 4, 5))
    out = L.Flatten()(x).data
    for n, h, w, c in itertools.product(range(2), range(3), range(4), range(5)):
        assert out[n, (h * 4 + w) * 5 + c] == x[n, h, w, c]


def conv_model(**kwargs) -> keras.Sequential:
    ts.manual_seed(0)
    return keras.Sequential([
        keras.Input(shape=(8, 8, 1)), L.Conv2D(4, 3, activation="relu", name="c1"), L.MaxPooling2D(name="p1"),
        L.Conv2D(6, 2, padding="same", name="c2"), L.AveragePooling2D(pool_size=3, strides=1, name="p2"),
        L.Flatten(name="f"), L.Dense(3, activation="softmax", name="d")], **kwargs)


def test_summary_prints_keras_shapes_and_counts():
    text = conv_model().summary_text()
    for row in ["c1 (Conv2D)", "(None, 6, 6, 4)", "40", "(None, 3, 3, 4)", "(None, 3, 3, 6)", "102",
                "(None, 1, 1, 6)", "(None, 6)", "21", "Total params: 163"]:
        assert row in text
    assert ts.Sequential([nn.Flatten(input_shape=(28, 28)), nn.Dense(10)]).summary_text().count("(None, 784)") == 1


def test_model_weights_in_keras_layout_and_save_load_round_trip(tmp_path):
    model = conv_model()
    assert [w.shape for w in model.get_weights()] == [(3, 3, 1, 4), (4,), (2, 2, 4, 6), (6,), (6, 3), (3,)]
    model.set_weights(model.get_weights())
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = np.random.default_rng(4).standard_normal((5, 8, 8, 1)).astype(np.float32)
    path = tmp_path / "conv.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))
    assert loaded.summary_text() == model.summary_text()
    model.save_weights(tmp_path / "conv.weights.npz")
    unbuilt = keras.Sequential([L.Conv2D(4, 3), L.Flatten(), L.Dense(3)])
    with pytest.raises(ValueError, match=r"not built.*model.build\(\(None, H, W, C\)\)"):
        unbuilt.load_weights(tmp_path / "conv.weights.npz")
    assert [type(layer).__name__ for layer in keras.models.clone_model(model).layers] == [
        "Conv2D", "MaxPooling2D", "Conv2D", "AveragePooling2D", "Flatten", "Dense"]


def test_fit_reduces_the_loss_and_lazy_building_from_data_works():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((32, 6, 6, 2)).astype(np.float32)
    y = (x[..., 0].mean(axis=(1, 2)) > 0).astype(np.float32)
    ts.manual_seed(1)
    model = ts.Sequential([nn.Conv2D(4, 3, activation="tanh"), nn.MaxPooling2D(), nn.Flatten(),
                           nn.Dense(1, activation="sigmoid")])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01), loss="binary_crossentropy")
    history = model.fit(x, y, epochs=20, batch_size=8, verbose=0)
    assert history.history["loss"][-1] < 0.7 * history.history["loss"][0]
    assert model.input_shape == (None, 6, 6, 2) and model.layers[0].weight.shape == (4, 2, 3, 3)


def test_keras_style_initializer_is_given_keras_kernel_shape():
    seen = []

    def init(shape, dtype=None):
        seen.append(shape)
        return np.arange(math.prod(shape), dtype=dtype).reshape(shape)

    layer = L.Conv2D(3, (2, 4), kernel_initializer=init, input_shape=(5, 6, 2))
    assert seen == [(2, 4, 2, 3)]
    np.testing.assert_array_equal(layer.get_weights()[0], np.arange(48).reshape(2, 4, 2, 3))


@pytest.mark.parametrize("call, error, words", [
    (lambda: L.Conv2D(0, 3), ValueError, "filters must be a positive integer"),
    (lambda: L.Conv2D(2, 3, padding="full"), ValueError, "'valid' or 'same'"),
    (lambda: L.Conv2D(2, 3, data_format="channels_first"), ValueError, "channels_last"),
    (lambda: L.Conv2D(2, (3, 3, 3)), ValueError, "kernel_size must be one int or 2 ints"),
    (lambda: L.Conv2D(2, 3, input_shape=(8, 8)), ValueError, r"\(height, width, channels\)"),
    (lambda: L.Conv2D(2, 3)(np.ones((2, 8, 8))), ValueError, "expected a 4-D input"),
    (lambda: L.Conv2D(2, 3, input_shape=(8, 8, 1))(np.ones((2, 8, 8, 3))), ValueError, "expected 1 channels"),
    (lambda: L.Conv2D(2, 5)(np.ones((1, 3, 3, 1))), ValueError, "larger than the padded input"),
    (lambda: L.MaxPooling2D(0), ValueError, "pool_size must be positive"),
    (lambda: keras.Input(shape=(8, 0, 1)), ValueError, "positive ints"),
    (lambda: ts.Sequential([nn.Dense(2)]).build((8, 8)), ValueError, "None first"),
])
def test_bad_arguments_name_the_argument(call, error, words):
    with pytest.raises(error, match=words):
        call()


@pytest.mark.parametrize("layer", [lambda: ts.keras.layers.Conv2D(2, 3, dilation_rate=100, input_shape=(6, 6, 1)),
                                   lambda: ts.keras.layers.MaxPooling2D(4, input_shape=(2, 2, 1))],
                         ids=["dilated kernel", "pool"])
def test_an_input_smaller_than_the_window_is_refused_as_keras_does(layer):
    with pytest.raises(ValueError, match="smaller than the window .* would have size"):
        ts.keras.Sequential([layer(), ts.keras.layers.Flatten(), ts.keras.layers.Dense(2)]).summary()


def test_set_weights_of_the_wrong_shape_leaves_an_unbuilt_layer_unbuilt():
    conv = ts.keras.layers.Conv2D(3, 5)
    with pytest.raises(ValueError, match=r"expected shapes \[\(5, 5, 4, 3\), \(3,\)\]"):
        conv.set_weights([np.ones((5, 5, 4, 2)), np.zeros(2)])
    assert conv.weight is None
    conv.set_weights([np.ones((5, 5, 4, 3)), np.zeros(3)])
    assert conv.get_weights()[0].shape == (5, 5, 4, 3)


def test_padding_is_read_whatever_its_case_as_keras_does():
    assert ts.keras.layers.Conv2D(2, 3, padding="SAME").padding == "same"


def test_batch_normalization_on_images_keeps_one_statistic_per_channel_as_keras():
    x = np.random.default_rng(0).standard_normal((4, 3, 3, 2)).astype(np.float32) * [1.0, 5.0] + [0.0, 10.0]
    bn = ts.keras.layers.BatchNormalization(momentum=0.0)
    out = bn(x, training=True).numpy()
    assert bn.moving_mean.shape == (2,)
    np.testing.assert_allclose(bn.moving_mean.numpy(), x.mean(axis=(0, 1, 2)), rtol=1e-5)
    np.testing.assert_allclose(bn.moving_variance.numpy(), x.var(axis=(0, 1, 2)), rtol=1e-4)
    np.testing.assert_allclose(out.mean(axis=(0, 1, 2)), 0, atol=1e-5)
