"""Tensor itself: dtype rules, factories, properties, and what bad input is told."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinygrad_seminar as ts


# ---- dtypes ----
@pytest.mark.parametrize("data", [[1.0, 2.0], [1, 2], [[1, 2], [3, 4]], 3, 2.5, [True, False]],
                         ids=["float list", "int list", "nested list", "int", "float", "bool list"])
def test_python_lists_and_scalars_become_float32(data):
    t = ts.tensor(data)
    assert t.dtype == np.float32
    np.testing.assert_array_equal(t.data, np.array(data, dtype=np.float32))


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_float_arrays_keep_their_dtype(dtype):
    a = np.array([1.5, 2.5], dtype=dtype)
    t = ts.tensor(a)
    assert t.dtype == dtype
    a[0] = 100  # the data is copied, as torch.tensor does
    assert t.data[0] == 1.5


def test_dtype_argument():
    assert ts.tensor([1, 2], dtype="float64").dtype == np.float64
    assert ts.tensor([1, 2], dtype="int64").dtype == np.int64


@pytest.mark.parametrize("scalar", [2, 2.5, np.float64(2.5), np.int64(2)],
                         ids=["int", "float", "np.float64", "np.int64"])
def test_a_scalar_never_changes_a_float32_tensor_s_dtype(scalar):
    t = ts.tensor([1.0, 2.0])
    for result in (t + scalar, scalar + t, t - scalar, scalar - t, t * scalar, scalar * t, t / scalar, scalar / t,
                   t**scalar, scalar**t, t.maximum(scalar), t.minimum(scalar)):
        assert result.dtype == np.float32


def test_two_arrays_follow_numpy_promotion():
    f32 = ts.tensor(np.ones(2, np.float32))
    f64 = np.ones(2, np.float64)
    assert (f32 + f64).dtype == np.float64
    assert (f64 * f32).dtype == np.float64
    assert (f32 + ts.tensor(f64)).dtype == np.float64
    assert (f32 + np.ones(2, np.float32)).dtype == np.float32


def test_float32_gradients_stay_float32_when_mixed_with_float64():
    x = ts.tensor([1.0, 2.0], requires_grad=True)
    (x * np.array([3.0, 4.0])).sum().backward()  # the product is float64
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


def test_integer_data_exists_but_cannot_require_grad():
    t = ts.tensor(np.arange(3))
    assert t.dtype == np.int64 and not t.requires_grad
    with pytest.raises(TypeError, match="floating-point.*int64"):
        ts.tensor(np.arange(3), requires_grad=True)
    with pytest.raises(TypeError, match="floating-point.*bool"):
        ts.tensor(np.array([True, False])).requires_grad_()
    with pytest.raises(TypeError, match="floating-point"):
        ts.zeros(3, dtype="int32", requires_grad=True)


# ---- factories ----
def test_zeros_ones_full_eye_arange():
    z = ts.zeros(2, 3)
    assert z.shape == (2, 3) and z.dtype == np.float32 and not z.data.any()
    assert ts.zeros((2, 3)).shape == (2, 3)
    o = ts.ones(4, dtype="float64", requires_grad=True)
    assert o.dtype == np.float64 and o.requires_grad
    np.testing.assert_array_equal(o.data, np.ones(4))
    f = ts.full((2, 2), 7.5)
    assert f.dtype == np.float32
    np.testing.assert_array_equal(f.data, [[7.5, 7.5], [7.5, 7.5]])
    np.testing.assert_array_equal(ts.full(3, 1.0).data, [1.0, 1.0, 1.0])
    np.testing.assert_array_equal(ts.eye(3).data, np.eye(3))
    assert ts.eye(2, 3).shape == (2, 3) and ts.eye(3).dtype == np.float32
    np.testing.assert_array_equal(ts.arange(4).data, [0, 1, 2, 3])
    np.testing.assert_array_equal(ts.arange(1, 2, 0.25).data, [1.0, 1.25, 1.5, 1.75])
    assert ts.arange(4).dtype == np.int64 and ts.arange(1, 2, 0.25).dtype == np.float32  # as numpy and PyTorch


def test_rand_and_randn():
    r = ts.rand(200, 3)
    assert r.shape == (200, 3) and r.dtype == np.float32
    assert r.data.min() >= 0 and r.data.max() < 1
    n = ts.randn(2000, dtype="float64")
    assert n.dtype == np.float64
    assert abs(n.data.mean()) < 0.15 and 0.85 < n.data.std() < 1.15
    assert ts.randn(3, requires_grad=True).requires_grad


def test_manual_seed_makes_rand_and_randn_reproducible():
    ts.manual_seed(123)
    a, b = ts.rand(5), ts.randn(2, 3)
    ts.manual_seed(123)
    np.testing.assert_array_equal(ts.rand(5).data, a.data)
    np.testing.assert_array_equal(ts.randn(2, 3).data, b.data)
    assert not np.array_equal(ts.rand(5).data, a.data)  # without reseeding the numbers move on
    ts.manual_seed(124)
    assert not np.array_equal(ts.rand(5).data, a.data)


def test_zeros_like_and_ones_like_copy_shape_and_dtype():
    t = ts.tensor(np.ones((2, 3), np.float64))
    z, o = ts.zeros_like(t), ts.ones_like(t, requires_grad=True)
    assert (z.shape, z.dtype, o.shape, o.dtype) == ((2, 3), np.float64, (2, 3), np.float64)
    assert not z.data.any() and o.data.all() and o.requires_grad
    assert ts.zeros_like(t, dtype="float32").dtype == np.float32


# ---- properties ----
def test_shape_ndim_size_dtype_item_numpy():
    t = ts.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], name="w")
    assert (t.shape, t.ndim, t.size, t.dtype, t.name, len(t)) == ((2, 3), 2, 6, np.float32, "w", 2)
    assert isinstance(t.numpy(), np.ndarray)
    np.testing.assert_array_equal(t.numpy(), [[1, 2, 3], [4, 5, 6]])
    s = t.sum()
    assert isinstance(s.item(), float) and s.item() == 21.0
    np.testing.assert_array_equal(np.asarray(t), t.data)


def test_detach_shares_the_data_and_leaves_the_graph():
    x = ts.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None and d.is_leaf
    np.testing.assert_array_equal(d.data, [2.0, 4.0])
    (d * x).sum().backward()  # no gradient flows through d
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])


def test_zero_grad_clears_grad():
    x = ts.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    assert x.grad is not None
    x.zero_grad()
    assert x.grad is None
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 3.0])


def test_requires_grad_underscore():
    x = ts.tensor([1.0])
    assert x.requires_grad_() is x and x.requires_grad
    x.requires_grad_(False)
    assert not x.requires_grad
    with pytest.raises(RuntimeError, match="detach"):
        (ts.tensor([1.0], requires_grad=True) * 2).requires_grad_(False)


def test_repr_is_readable():
    assert repr(ts.tensor([1.0, 2.0])) == "Tensor([1., 2.])"
    assert repr(ts.tensor([1.0, 2.0], requires_grad=True)) == "Tensor([1., 2.], requires_grad=True)"
    assert repr(ts.tensor(np.array([0.5]))) == "Tensor([0.5], dtype=float64)"
    assert repr(ts.tensor([1.0], requires_grad=True) * 2) == "Tensor([2.], grad_fn=<Mul>)"
    assert repr(ts.tensor(3.0, name="w")) == "Tensor(3., name='w')"
    lines = repr(ts.zeros(2, 2)).splitlines()
    assert lines == ["Tensor([[0., 0.],", "        [0., 0.]])"]  # rows aligned under each other


def test_assigning_data_replaces_the_values():
    w = ts.tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    w.data = w.data - 0.25 * w.grad  # an SGD step, PyTorch style
    np.testing.assert_allclose(w.data, [0.5, 1.0])
    assert w.requires_grad and w.dtype == np.float32
    w.zero_grad()
    (w * w).sum().backward()
    np.testing.assert_allclose(w.grad, [1.0, 2.0])  # computed from the new values


# ---- bad input ----
@pytest.mark.parametrize("op, name", [
    (lambda a, b: a + b, "Add"), (lambda a, b: a - b, "Sub"), (lambda a, b: a * b, "Mul"),
    (lambda a, b: a / b, "Div"), (lambda a, b: a**b, "Pow"), (lambda a, b: a @ b, "Matmul"),
    (lambda a, b: a.maximum(b), "Maximum"), (lambda a, b: ts.concatenate([a, b]), "Concatenate"),
    (lambda a, b: a + b.data, "Add"),
])
def test_incompatible_shapes_name_the_op_and_both_shapes(op, name):
    a, b = ts.ones(2, 3), ts.ones(4, 5)
    with pytest.raises(ValueError) as e:
        op(a, b)
    message = str(e.value)
    assert name in message and "(2, 3)" in message and "(4, 5)" in message, message


@pytest.mark.parametrize("op, name", [(lambda a: a.reshape(4, 5), "Reshape"),
                                      (lambda a: a.broadcast_to((4, 5)), "BroadcastTo")])
def test_a_shape_that_does_not_fit_names_the_op_and_both_shapes(op, name):
    with pytest.raises(ValueError) as e:
        op(ts.ones(2, 3))
    message = str(e.value)
    assert name in message and "(2, 3)" in message and "(4, 5)" in message, message


@pytest.mark.parametrize("data, type_name", [("abc", "str"), (["a", "b"], "list"), (None, "NoneType"),
                                             ({"a": 1}, "dict")])
def test_non_numeric_data_is_a_type_error_naming_the_type(data, type_name):
    with pytest.raises(TypeError, match=type_name):
        ts.tensor(data)


def test_a_non_numeric_operand_is_a_type_error_naming_the_type():
    with pytest.raises(TypeError, match="str"):
        ts.ones(2) + "abc"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("fn", ["sigmoid", "softplus", "log_softmax", "softmax", "tanh"])
def test_stable_functions_of_huge_inputs_are_finite_and_silent(fn, dtype):
    x = ts.tensor([1e4, -1e4, 0.0], dtype=dtype, requires_grad=True)
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        y = getattr(x, fn)()
        (y * ts.tensor([1.0, 2.0, 3.0], dtype=dtype)).sum().backward()
    assert np.isfinite(y.data).all() and np.isfinite(x.grad).all()
    assert y.dtype == dtype and x.grad.dtype == dtype
    expected = {"sigmoid": [1.0, 0.0, 0.5], "softplus": [1e4, 0.0, np.log(2)], "log_softmax": [0.0, -2e4, -1e4],
                "softmax": [1.0, 0.0, 0.0], "tanh": [1.0, -1.0, 0.0]}[fn]
    np.testing.assert_allclose(y.data, expected, rtol=1e-6)


def test_np_array_of_a_tensor_is_a_copy_and_asarray_is_a_view():
    t = ts.tensor([1.0, 2.0])
    a = np.array(t)
    a[0] = 99.0
    assert t.data[0] == 1.0
    assert np.shares_memory(np.asarray(t), t.data)


def test_truth_value_of_a_tensor_is_numpy_s():
    assert not ts.tensor(0.0)
    assert ts.tensor([3.0])
    with pytest.raises(ValueError):
        bool(ts.tensor([1.0, 2.0]))


def test_float_of_a_one_element_tensor():
    assert float(ts.tensor([2.5])) == 2.5 and int(ts.tensor(3.0)) == 3
