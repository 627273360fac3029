"""Initialisers: Keras' formulas with fan_in = shape[1] for a (units, inputs) weight."""

import functools
import math

import numpy as np
import pytest

import tinygrad_seminar as ts
from tinygrad_seminar.nn import init

ALL = ["zeros", "ones", "constant", "random_normal", "random_uniform", "truncated_normal", "glorot_uniform",
       "glorot_normal", "he_uniform", "he_normal", "lecun_uniform", "lecun_normal"]
RANDOM = [n for n in ALL if n not in ("zeros", "ones", "constant")]


def _truncated_std():
    """Standard deviation of N(0, 1) conditioned on |z| <= 2: 1 - 2 a phi(a) / (Phi(a) - Phi(-a)), a = 2."""
    a = 2.0
    phi = math.exp(-a * a / 2) / math.sqrt(2 * math.pi)
    mass = math.erf(a / math.sqrt(2))
    return math.sqrt(1 - 2 * a * phi / mass)


# (name, fan_in, fan_out) -> (kind, spread): the uniform limit, or the normal's std after truncation
def expected(name, fan_in, fan_out):
    return {
        "glorot_uniform": ("uniform", math.sqrt(6 / (fan_in + fan_out))),
        "he_uniform": ("uniform", math.sqrt(6 / fan_in)),
        "lecun_uniform": ("uniform", math.sqrt(3 / fan_in)),
        "glorot_normal": ("truncated", math.sqrt(2 / (fan_in + fan_out))),
        "he_normal": ("truncated", math.sqrt(2 / fan_in)),
        "lecun_normal": ("truncated", math.sqrt(1 / fan_in)),
    }[name]


@pytest.mark.parametrize("name", ALL)
@pytest.mark.parametrize("dtype", ["float32", "float64", np.float16])
@pytest.mark.parametrize("shape", [(3, 5), (7,), ()])
def test_shape_and_dtype(name, dtype, shape):
    w = init.get(name)(shape, dtype, np.random.default_rng(0))
    assert isinstance(w, np.ndarray)
    assert w.shape == shape
    assert w.dtype == np.dtype(dtype)


@pytest.mark.parametrize("name", ALL)
def test_defaults_float32_and_int_shape(name):
    ts.manual_seed(0)
    w = init.get(name)(4)
    assert w.shape == (4,) and w.dtype == np.float32


def test_zeros_ones_constant_values():
    np.testing.assert_array_equal(init.zeros((2, 3)), np.zeros((2, 3)))
    np.testing.assert_array_equal(init.ones((2, 3)), np.ones((2, 3)))
    c = init.constant(0.25)
    np.testing.assert_array_equal(c((2, 3), "float64"), np.full((2, 3), 0.25))
    assert c((2,)).dtype == np.float32
    np.testing.assert_array_equal(init.get("constant")((2,)), [0.0, 0.0])  # Keras' Constant() default
    with pytest.raises(TypeError, match="constant: value must be a number"):
        init.constant("1")


@pytest.mark.parametrize("name", ["glorot_uniform", "he_uniform", "lecun_uniform"])
def test_uniform_within_limit_and_fills_it(name):
    shape = (300, 700)  # units, inputs: fan_in = 700, fan_out = 300
    _, limit = expected(name, 700, 300)
    w = init.get(name)(shape, "float64", np.random.default_rng(1))
    assert np.abs(w).max() <= limit
    assert np.abs(w).max() > 0.999 * limit  # not a narrower distribution
    np.testing.assert_allclose(w.std(), limit / math.sqrt(3), rtol=0.01)  # std of U[-l, l]
    assert abs(w.mean()) < 0.01 * limit


@pytest.mark.parametrize("name", ["glorot_normal", "he_normal", "lecun_normal"])
def test_truncated_normal_std_is_the_formula_and_bounded(name):
    shape = (300, 700)
    _, std = expected(name, 700, 300)
    w = init.get(name)(shape, "float64", np.random.default_rng(2))
    np.testing.assert_allclose(w.std(), std, rtol=0.01)
    # truncated at two standard deviations of the underlying normal, std / 0.8796
    bound = 2 * std / _truncated_std()
    assert np.abs(w).max() <= bound
    assert np.abs(w).max() > 0.99 * bound
    assert abs(w.mean()) < 0.01 * std


def test_truncated_std_constant_matches_keras():
    assert _truncated_std() == pytest.approx(0.87962566103423978, rel=1e-12)


@pytest.mark.parametrize("name", ["glorot_uniform", "he_uniform", "he_normal", "lecun_normal", "glorot_normal"])
def test_fan_in_is_the_number_of_inputs_shape_1(name):
    # a non-square weight where fan_in = shape[1] (ours) and shape[0] (Keras' transposed kernel) differ a lot
    units, inputs = 20, 2000
    kind, spread = expected(name, fan_in=inputs, fan_out=units)
    _, keras_spread = expected(name, fan_in=units, fan_out=inputs)
    w = init.get(name)((units, inputs), "float64", np.random.default_rng(3))
    measured = w.std() * (math.sqrt(3) if kind == "uniform" else 1.0)
    np.testing.assert_allclose(measured, spread, rtol=0.03)
    if name.startswith("glorot"):  # symmetric in the fans: both conventions agree
        assert spread == keras_spread
    else:
        assert abs(measured - keras_spread) > 0.5 * keras_spread


def test_compute_fans():
    assert init.compute_fans((3, 5)) == (5, 3)  # (units, inputs): fan_in = inputs
    assert init.compute_fans((7,)) == (7, 7)
    assert init.compute_fans(()) == (1, 1)
    assert init.compute_fans((8, 4, 3, 3)) == (36, 72)  # (out, in, kh, kw) as in PyTorch


def test_bias_fans_are_its_length():
    w = init.he_uniform((5000,), "float64", np.random.default_rng(4))
    limit = math.sqrt(6 / 5000)
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.99 * limit


def test_random_normal_and_uniform_keras_defaults_and_options():
    rng = np.random.default_rng(5)
    w = init.random_normal((400, 500), "float64", rng)
    np.testing.assert_allclose([w.mean(), w.std()], [0.0, 0.05], atol=5e-4)
    assert np.abs(w).max() > 2.5 * 0.05  # not truncated
    u = init.random_uniform((400, 500), "float64", rng)
    assert u.min() >= -0.05 and u.max() < 0.05 and u.max() > 0.0499 and u.min() < -0.0499
    custom = functools.partial(init.random_normal, mean=1.0, stddev=0.5)
    w = custom((400, 500), "float64", rng)
    np.testing.assert_allclose([w.mean(), w.std()], [1.0, 0.5], atol=5e-3)
    u = init.random_uniform((1000,), "float64", rng, minval=2.0, maxval=3.0)
    assert u.min() >= 2.0 and u.max() < 3.0
    t = init.truncated_normal((400, 500), "float64", rng, stddev=0.1)
    assert np.abs(t).max() <= 0.2 and np.abs(t).max() > 0.199


@pytest.mark.parametrize("name", RANDOM)
def test_manual_seed_reproduces_and_rng_defaults_to_the_framework_generator(name):
    f = init.get(name)
    ts.manual_seed(123)
    a = f((6, 4))
    b = f((6, 4))
    ts.manual_seed(123)
    np.testing.assert_array_equal(f((6, 4)), a)
    assert not np.array_equal(a, b)  # the generator moved on
    ts.manual_seed(123)
    np.testing.assert_array_equal(f((6, 4), "float32", ts.default_generator()), a)
    np.testing.assert_array_equal(f((6, 4), "float32", np.random.default_rng(7)),
                                  f((6, 4), "float32", np.random.default_rng(7)))


def test_float32_and_float64_draw_the_same_values():
    a = init.glorot_normal((5, 3), "float32", np.random.default_rng(8))
    b = init.glorot_normal((5, 3), "float64", np.random.default_rng(8))
    np.testing.assert_array_equal(a, b.astype(np.float32))


def test_get_resolves_keras_spellings():
    assert init.get("glorot_uniform") is init.glorot_uniform
    assert init.get("GlorotUniform") is init.glorot_uniform
    assert init.get("he_normal") is init.he_normal
    assert init.get("HeNormal") is init.he_normal
    assert init.get("zeros") is init.zeros and init.get("zero") is init.zeros
    assert init.get("normal") is init.random_normal and init.get("uniform") is init.random_uniform
    f = init.constant(3.0)
    assert init.get(f) is f
    assert init.get(None) is None


def test_get_unknown_name_lists_known_ones():
    with pytest.raises(ValueError) as e:
        init.get("xavier_uniformm")
    msg = str(e.value)
    assert "unknown initializer 'xavier_uniformm'" in msg
    for name in ["glorot_uniform", "he_normal", "zeros", "random_uniform"]:
        assert name in msg
    with pytest.raises(TypeError, match="must be a name or a callable"):
        init.get(3)


def test_errors():
    with pytest.raises(ValueError, match="glorot_uniform: dtype must be a floating-point type, got int32"):
        init.glorot_uniform((2, 2), "int32")
    with pytest.raises(ValueError, match="shape must be non-negative integers"):
        init.zeros((2, -1))
    with pytest.raises(ValueError, match="random_normal: stddev must be >= 0, got -1"):
        init.random_normal((2,), stddev=-1)
    with pytest.raises(ValueError, match="need minval <= maxval"):
        init.random_uniform((2,), minval=1.0, maxval=0.0)
