"""Dense, the activations (by name, as functions and as layers) and Dropout."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import strategies as S
import tinygrad_seminar.functional as F
from helpers import np_sigmoid, np_softmax
from hypothesis import assume, given

import tinygrad_seminar as ts
from tinygrad_seminar import nn

# the activations computed in numpy, independently of the framework
NUMPY_ACTIVATIONS = {
    "linear": lambda z: z,
    "step": lambda z: (z >= 0).astype(z.dtype),
    "sigmoid": np_sigmoid,
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.2 * z),
    "elu": lambda z: np.where(z > 0, z, np.exp(np.minimum(z, 0)) - 1),
    "softplus": lambda z: np.log1p(np.exp(z)),
    "softmax": np_softmax,
    "log_softmax": lambda z: np.log(np_softmax(z)),
}
NAMES = list(NUMPY_ACTIVATIONS)
KINKED = {"step", "relu", "leaky_relu", "elu"}  # not differentiable (twice, for elu) at 0

LAYERS = {
    "linear": nn.Linear, "step": nn.Step, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU, "elu": nn.ELU, "softplus": nn.Softplus, "softmax": nn.Softmax,
    "log_softmax": nn.LogSoftmax,
}


def z_values():
    """A (2, 5) batch with both signs, small and large, and an exact 0."""
    return np.array([[-3.0, -0.5, 0.0, 0.7, 2.5], [4.0, -1.5, 0.25, -0.1, 1.0]])


def dense_index(name: str) -> int:
    return 0 if name == "dense" else int(name.rsplit("_", 1)[1])


def use_parameters(layer, weight, bias):
    """Put gradcheck's float64 copies in place of the layer's parameters."""
    layer.weight, layer.bias = weight, bias


# ---- the activations ----
def test_every_activation_is_known_by_name():
    assert sorted(F.ACTIVATIONS) == sorted(NAMES)
    assert F.get_activation(None) is F.linear
    with pytest.raises(ValueError, match="unknown activation 'swishy'; known: linear, step, sigmoid"):
        F.get_activation("swishy")


@pytest.mark.parametrize("name", NAMES)
def test_activation_by_name_matches_numpy(name):
    z = z_values()
    expected = NUMPY_ACTIVATIONS[name](z)
    np.testing.assert_allclose(F.get_activation(name)(ts.Tensor(z)).data, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(getattr(F, name)(z).data, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", NAMES)
def test_activation_layer_matches_numpy(name):
    z = z_values()
    layer = LAYERS[name]()
    assert isinstance(layer, nn.Module) and layer.parameters() == []
    np.testing.assert_allclose(layer(z).data, NUMPY_ACTIVATIONS[name](z), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(nn.Activation(name)(z).data, NUMPY_ACTIVATIONS[name](z), rtol=1e-12, atol=1e-15)


def test_step_is_heaviside_with_a_zero_gradient():
    z = ts.tensor([-2.0, -1e-9, 0.0, 3.0], requires_grad=True)
    out = F.step(z)
    np.testing.assert_array_equal(out.data, [0.0, 0.0, 1.0, 1.0])
    (out * ts.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    np.testing.assert_array_equal(z.grad, np.zeros(4, np.float32))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_sigmoid_is_stable_for_huge_inputs(dtype):
    z = ts.tensor(np.array([-1e4, -50.0, 0.0, 50.0, 1e4], dtype), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = F.sigmoid(z)
        out.sum().backward()
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_allclose(out.data, [0.0, 1 / (1 + np.exp(50)), 0.5, 1 / (1 + np.exp(-50)), 1.0], rtol=1e-6)
    # sigma(z)(1 - sigma(z)), as PyTorch computes it: accurate in absolute terms (1 - sigma(50) rounds to 0)
    np.testing.assert_allclose(z.grad, [0.0, np.exp(-50), 0.25, np.exp(-50), 0.0], rtol=1e-5, atol=1e-15)
    assert z.grad[1] > 0  # the negative tail keeps full relative precision


@pytest.mark.parametrize("name", NAMES)
def test_every_activation_is_finite_for_huge_inputs(name):
    z = ts.tensor([[-1e4, 1e4, 0.5]], dtype="float32", requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = F.get_activation(name)(z)
        out.sum().backward()
    assert np.all(np.isfinite(out.data)) and np.all(np.isfinite(z.grad))
    assert out.dtype == np.float32 and z.grad.dtype == np.float32


@pytest.mark.parametrize("name", NAMES)
@given(inputs=S.unary(shape=S.shapes(min_dims=1)))
def test_gradcheck_activation(name, inputs):
    (z,), _ = inputs  # elements are at least 0.1 away from 0, the kink of step, relu, leaky_relu and elu
    assert ts.gradcheck(F.get_activation(name), ts.Tensor(z, requires_grad=True))


@pytest.mark.parametrize("name", NAMES)
@given(inputs=S.unary(shape=S.shapes(min_dims=1)))
def test_gradcheck_activation_layer(name, inputs):
    (z,), _ = inputs
    assert ts.gradcheck(LAYERS[name](), ts.Tensor(z, requires_grad=True))


# ---- Dense ----
def test_dense_weight_is_units_by_inputs():
    layer = nn.Dense(3, input_dim=2)
    assert layer.weight.shape == (3, 2) and layer.bias.shape == (3,)
    assert isinstance(layer.weight, nn.Parameter) and isinstance(layer.bias, nn.Parameter)
    np.testing.assert_array_equal(layer.bias.data, np.zeros(3))  # bias_initializer="zeros"
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]


@pytest.mark.parametrize("name", NAMES)
def test_dense_forward_is_x_times_w_transposed_plus_b_then_the_activation(name):
    rng = np.random.default_rng(1)
    layer = nn.Dense(4, activation=name, input_dim=3, bias_initializer="random_normal", dtype="float64", rng=rng)
    x = rng.standard_normal((5, 3))
    w, b = layer.weight.data, layer.bias.data
    np.testing.assert_allclose(layer(x).data, NUMPY_ACTIVATIONS[name](x @ w.T + b), rtol=1e-10, atol=1e-12)


def test_dense_with_an_activation_layer_as_its_activation():
    layer = nn.Dense(2, activation=nn.ReLU(), input_dim=3, dtype="float64")
    x = np.random.default_rng(2).standard_normal((4, 3))
    expected = np.maximum(x @ layer.weight.data.T + layer.bias.data, 0)
    np.testing.assert_allclose(layer(x).data, expected, rtol=1e-12)


def test_dense_without_bias():
    layer = nn.Dense(2, input_dim=3, use_bias=False)
    assert layer.bias is None
    assert [name for name, _ in layer.named_parameters()] == ["weight"]
    x = np.ones((1, 3), np.float32)
    np.testing.assert_allclose(layer(x).data, x @ layer.weight.data.T, rtol=1e-6)


def test_dense_takes_one_sample_or_more_batch_axes():
    layer = nn.Dense(2, input_dim=3, bias_initializer="ones")
    w, b = layer.weight.data, layer.bias.data
    one = np.array([1.0, -2.0, 0.5], np.float32)
    np.testing.assert_allclose(layer(one).data, w @ one + b, rtol=1e-6)
    many = np.arange(12, dtype=np.float32).reshape(2, 2, 3)
    out = layer(many)
    assert out.shape == (2, 2, 2)
    np.testing.assert_allclose(out.data, many @ w.T + b, rtol=1e-6)


def test_dense_is_built_on_its_first_call():
    layer = nn.Dense(3, activation="tanh")
    assert not layer.built and layer.weight is None and layer.parameters() == []
    layer(np.ones((2, 5), np.float32))
    assert layer.built and layer.input_dim == 5
    assert layer.weight.shape == (3, 5) and layer.bias.shape == (3,)


def test_dense_input_shape_works_like_input_dim():
    assert nn.Dense(3, input_shape=(4,)).weight.shape == (3, 4)
    assert nn.Dense(3, input_shape=[4]).weight.shape == (3, 4)
    with pytest.raises(ValueError, match=r"input_shape must be \(n,\), got \(2, 4\)"):
        nn.Dense(3, input_shape=(2, 4))
    with pytest.raises(ValueError, match="input_dim or input_shape, not both"):
        nn.Dense(3, input_dim=4, input_shape=(4,))


def test_dense_rejects_a_wrong_input_width_naming_layer_and_shapes():
    layer = nn.Dense(3, input_dim=2, name="hidden")
    with pytest.raises(ValueError) as err:
        layer(np.ones((5, 4), np.float32))
    assert str(err.value) == (
        "Input of layer 'hidden' (Dense) is incompatible: expected shape (None, 2), received (5, 4)"
    )
    lazy = nn.Dense(3, name="lazy")
    lazy(np.ones((1, 2), np.float32))
    with pytest.raises(ValueError, match=r"'lazy' .*expected shape \(None, 2\), received \(1, 3\)"):
        lazy(np.ones((1, 3), np.float32))


def test_dense_rejects_bad_units_and_integer_dtypes():
    for units in (0, -1):
        with pytest.raises(ValueError, match=r"units must be a whole number >= 1, got -?\d"):
            nn.Dense(units)
    with pytest.raises(TypeError, match=r"units must be a whole number \(int\), got 2.5 \(float\)"):
        nn.Dense(2.5)
    with pytest.raises(ValueError, match="dtype must be a float type, got int32"):
        nn.Dense(2, dtype="int32")


def test_dense_default_names_count_up_like_keras():
    a, b = nn.Dense(1), nn.Dense(1)
    assert a.name == "dense" or a.name.startswith("dense_")
    assert dense_index(b.name) == dense_index(a.name) + 1
    assert nn.Dense(1, name="output").name == "output"
    c = nn.Dense(1)
    assert dense_index(c.name) == dense_index(b.name) + 1  # a given name does not use up a number
    assert nn.Dense(1, input_dim=2, name="out").weight.name == "out.weight"


def test_dense_is_float32_by_default_and_keeps_float32():
    layer = nn.Dense(3, activation="sigmoid", input_dim=2)
    assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32
    out = layer([[1.0, 2.0]])
    assert out.dtype == np.float32
    assert layer(np.ones((1, 2), np.float64)).dtype == np.float32  # numpy input is cast to the layer's dtype
    out.sum().backward()
    assert layer.weight.grad.dtype == np.float32


def test_dense_respects_dtype_float64():
    layer = nn.Dense(3, input_dim=2, dtype="float64")
    assert layer.weight.dtype == np.float64 and layer.bias.dtype == np.float64
    assert layer([[1.0, 2.0]]).dtype == np.float64
    lazy = nn.Dense(3, dtype="float64")
    lazy(np.ones((1, 2)))
    assert lazy.weight.dtype == np.float64


def test_dense_initialisers_and_rng():
    ones = nn.Dense(2, input_dim=3, kernel_initializer="ones", bias_initializer="ones")
    np.testing.assert_array_equal(ones.weight.data, np.ones((2, 3)))
    np.testing.assert_array_equal(ones.bias.data, np.ones(2))
    a = nn.Dense(4, input_dim=3, rng=np.random.default_rng(7))
    b = nn.Dense(4, input_dim=3, rng=np.random.default_rng(7))
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    ts.manual_seed(3)
    c = nn.Dense(4, input_dim=3)
    ts.manual_seed(3)
    d = nn.Dense(4, input_dim=3)
    np.testing.assert_array_equal(c.weight.data, d.weight.data)
    assert not np.array_equal(a.weight.data, c.weight.data)


@pytest.mark.filterwarnings("ignore:Dense\\(1, activation='softmax'\\)")  # drawn on purpose here
@pytest.mark.parametrize("name", NAMES)
@given(inputs=S.dense_inputs())
def test_gradcheck_dense(name, inputs):
    x, w, b = inputs
    if name in KINKED:  # keep x @ W.T + b away from the kink at 0
        assume(np.abs(x @ w.T + b).min() > 0.01)
    layer = nn.Dense(len(b), activation=name, input_dim=x.shape[1], dtype="float64")

    def dense(x, w, b):
        use_parameters(layer, w, b)
        return layer(x)

    tensors = [ts.Tensor(a, requires_grad=True) for a in (x, w, b)]
    assert ts.gradcheck(dense, *tensors)


@given(inputs=S.dense_inputs())
def test_gradcheck_a_two_layer_network_with_a_loss(inputs):
    x, w, b = inputs
    hidden = nn.Dense(len(b), activation="tanh", input_dim=x.shape[1], dtype="float64")
    out = nn.Dense(1, activation="sigmoid", input_dim=len(b), dtype="float64")
    model = ts.Sequential([hidden, out])
    w2, b2 = np.linspace(-1, 1, len(b))[None, :], np.array([0.3])
    y = (x[:, 0] > 0).astype(np.float64)

    def loss(x, w, b, w2, b2):
        use_parameters(hidden, w, b)
        use_parameters(out, w2, b2)
        return ts.losses.binary_crossentropy(y, model(x))

    tensors = [ts.Tensor(a, requires_grad=True) for a in (x, w, b, w2, b2)]
    assert ts.gradcheck(loss, *tensors)


def test_dense_preactivation_hook_sees_z_once_per_forward_in_both_paths_and_comes_off():
    rng = np.random.default_rng(3)
    layer = nn.Dense(2, activation="tanh", input_dim=3, bias_initializer="random_normal", dtype="float64", rng=rng)
    seen = []
    handle = layer.register_preactivation_hook(lambda m, z: seen.append((m, z)) or "ignored")
    x = rng.standard_normal((4, 3))
    w, b = layer.weight.data, layer.bias.data
    out = layer(ts.tensor(x))  # the fast path: a float64 Tensor of the right width
    np.testing.assert_allclose(out.data, np.tanh(x @ w.T + b), rtol=1e-12)  # the return value is ignored
    layer(x[0].tolist())  # the general path: a list, one sample
    assert len(seen) == 2 and all(m is layer for m, _ in seen)
    np.testing.assert_allclose(seen[0][1].data, x @ w.T + b, rtol=1e-12)
    np.testing.assert_allclose(seen[1][1].data, x[0] @ w.T + b, rtol=1e-12)
    handle.remove()
    layer(x)
    assert len(seen) == 2 and layer.__dict__["_preactivation_hooks"] == {}


def test_dense_preactivation_hook_gets_the_tensor_that_backward_runs_through():
    layer = nn.Dense(1, activation="linear", input_dim=2, kernel_initializer="ones", dtype="float64")
    grads = []
    layer.register_preactivation_hook(lambda m, z: z.register_hook(grads.append))
    out = layer(ts.tensor([[1.0, 2.0], [3.0, 4.0]]))
    (out * 3).sum().backward()  # linear: the output is z itself
    np.testing.assert_array_equal(grads[0], [[3.0], [3.0]])


# ---- Dropout ----
def test_dropout_rate_must_be_in_zero_one():
    for rate in (-0.1, 1.0, 1.5, float("nan")):
        with pytest.raises(ValueError, match=r"rate must be in \[0, 1\)"):
            nn.Dropout(rate)
    assert nn.Dropout(0.0).rate == 0.0


def test_dropout_is_the_identity_in_eval_mode():
    drop = nn.Dropout(0.5, rng=np.random.default_rng(0)).eval()
    x = ts.tensor(np.arange(1.0, 7.0).reshape(2, 3), requires_grad=True)
    out = drop(x)
    np.testing.assert_array_equal(out.data, x.data)
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, np.ones((2, 3)))


@pytest.mark.parametrize("rate", [0.2, 0.5, 0.8])
def test_dropout_in_training_zeroes_about_rate_and_scales_the_rest(rate):
    drop = nn.Dropout(rate, rng=np.random.default_rng(42))
    assert drop.training
    x = ts.ones(200, 500, requires_grad=True)
    out = drop(x)
    zero = out.data == 0
    assert abs(zero.mean() - rate) < 0.01  # 100000 draws: the standard error is below 0.002
    np.testing.assert_allclose(out.data[~zero], np.float32(1 / (1 - rate)), rtol=1e-6)
    assert abs(out.data.mean() - 1.0) < 0.03  # inverted dropout keeps the expected value
    assert out.dtype == np.float32
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, out.data)  # d out / d x is the scaled mask


def test_dropout_draws_a_new_mask_each_call_and_follows_the_seed():
    x = np.ones((10, 10), np.float32)
    drop = nn.Dropout(0.5)
    ts.manual_seed(0)
    first, second = drop(x).data, drop(x).data
    assert not np.array_equal(first, second)
    ts.manual_seed(0)
    np.testing.assert_array_equal(drop(x).data, first)


def test_dropout_with_rate_zero_changes_nothing_in_training():
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(np.asarray(nn.Dropout(0.0)(x)), x)


@given(inputs=S.unary(shape=S.shapes(min_dims=1)))
def test_gradcheck_dropout_with_a_fixed_mask(inputs):
    (x,), _ = inputs
    drop = nn.Dropout(0.5)

    def dropout(x):
        drop.rng = np.random.default_rng(0)  # the same mask at every evaluation
        return drop(x)

    assert ts.gradcheck(dropout, ts.Tensor(x, requires_grad=True))


def test_a_one_unit_softmax_warns_that_it_cannot_learn():
    with pytest.warns(UserWarning, match=r"always outputs 1.*Dense\(1, activation='sigmoid'\)"):
        nn.Dense(1, activation="softmax")


def test_dropout_seed_draws_its_masks_from_a_generator_of_its_own_as_keras():
    def masks(rate=0.5, **kwargs):
        layer = ts.nn.Dropout(rate, **kwargs)
        layer.train()
        return [layer(ts.ones(2, 8)).data.tobytes() for _ in range(3)]

    assert masks(seed=1) == masks(seed=1) != masks(seed=2)
    config = ts.nn.Dropout(0.5, seed=3, name="d").get_config()
    assert config == {"rate": 0.5, "name": "d", "seed": 3} and masks(**config) == masks(seed=3)  # saved with it
    assert ts.nn.Dropout(0.5, name="d").get_config() == {"rate": 0.5, "name": "d"}
    with pytest.raises(ValueError, match=r"^Dropout: give rng or seed, not both$"):
        ts.nn.Dropout(0.5, rng=np.random.default_rng(0), seed=1)
    with pytest.raises(TypeError, match=r"^Dropout: seed must be a whole number \(int\), got 1.5 \(float\)$"):
        ts.nn.Dropout(0.5, seed=1.5)
