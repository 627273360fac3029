"""Edge cases where the engine agrees with PyTorch (or with numpy, where PyTorch has no such op): issue 17.

Each case has its own test. The expected values are PyTorch's documented behaviour, written down here;
the tests at the end compare with PyTorch itself when it is installed, and skip (saying so) when not.
"""

from __future__ import annotations

import gc
import warnings
import weakref

import numpy as np
import pytest

import tinygrad_seminar as ts


# ---- min on integers and booleans: a min, not -max(-x) ----
def test_min_of_uint8_is_exact():
    x = ts.tensor(np.array([0, 128, 255, 64, 32, 16], np.uint8))
    assert x.min().item() == 0 and x.min().dtype == np.uint8


def test_min_of_int32_reaches_the_most_negative_value():
    x = ts.tensor(np.array([0, -(2**31)], np.int32))
    assert x.min().item() == -(2**31)


def test_min_and_max_of_bools():
    x = ts.tensor(np.array([[True, False], [True, True]]))
    np.testing.assert_array_equal(x.min(axis=1).data, [False, True])
    assert x.max().item() is True and x.min().item() is False


def test_min_along_an_axis_still_differentiates():
    x = ts.tensor([[3.0, 1.0], [0.5, 2.0]], requires_grad=True)
    x.min(axis=1).sum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 1], [1, 0]])


# ---- out-of-range axes: IndexError, with PyTorch's message ----
RANGE = r"Dimension out of range \(expected to be in range of \[-2, 1\], but got 5\)"


@pytest.mark.parametrize("call", [
    lambda t: t.transpose(0, 5), lambda t: t.swapaxes(5, 0), lambda t: t.max(axis=5), lambda t: t.min(axis=5),
    lambda t: t.sum(axis=5), lambda t: t.mean(axis=5), lambda t: t.var(axis=5), lambda t: t.sum(axis=(0, 5)),
    lambda t: t.logsumexp(5), lambda t: t.logsumexp(dim=(0, 5)), lambda t: t.argmax(5), lambda t: t.argmin(dim=5),
    lambda t: t.std(5), lambda t: t.all(5), lambda t: t.any(dim=5), lambda t: t.norm(dim=5),
    lambda t: ts.cat([t, t], dim=5), lambda t: ts.concatenate([t, t], axis=5),
    lambda t: ts.functional.softmax(t, 5), lambda t: t.cumsum(5), lambda t: t.prod(5), lambda t: t.flip(5),
], ids=["transpose", "swapaxes", "max", "min", "sum", "mean", "var", "sum tuple", "logsumexp", "logsumexp tuple",
        "argmax", "argmin", "std", "all", "any", "norm", "cat", "concatenate", "softmax", "cumsum", "prod", "flip"])
def test_an_out_of_range_axis_raises_index_error(call):
    with pytest.raises(IndexError, match=RANGE):
        call(ts.ones(2, 3))


def test_stack_and_unsqueeze_count_the_new_axis_in_their_range():
    t = ts.ones(2, 3)
    with pytest.raises(IndexError, match=r"\[-3, 2\], but got 5"):
        ts.stack([t, t], dim=5)
    with pytest.raises(IndexError, match=r"\[-3, 2\], but got -4"):
        t.expand_dims(-4)
    assert ts.stack([t, t], dim=-1).shape == (2, 3, 2) and t.expand_dims(2).shape == (2, 3, 1)


def test_a_0d_tensor_takes_axis_0_and_minus_1_in_argmax():
    t = ts.tensor(3.0)
    assert t.argmax(0).item() == 0 and t.argmin(-1).item() == 0
    with pytest.raises(IndexError, match=r"\[-1, 0\], but got 1"):
        t.argmax(1)


def test_negative_axes_in_range_still_work():
    t = ts.tensor([[1.0, 2.0, 3.0]])
    assert t.transpose(-1, -2).shape == (3, 1) and t.max(axis=-2).shape == (3,)
    with pytest.raises(IndexError, match=r"\[-2, 1\], but got -3"):
        t.sum(axis=-3)


# ---- axes on a 0-d tensor: 0 and -1 are accepted, as in PyTorch, and backward works ----
@pytest.mark.parametrize("axis", [0, -1])
@pytest.mark.parametrize("name", ["sum", "mean", "max", "min"])
def test_reductions_of_a_0d_tensor_along_axis_0_or_minus_1(name, axis):
    x = ts.tensor(2.5, requires_grad=True)
    y = getattr(x, name)(axis=axis)
    assert y.shape == () and y.item() == 2.5
    y.backward()
    assert x.grad == 1.0


def test_a_0d_tensor_refuses_axis_1():
    with pytest.raises(IndexError, match=r"\[-1, 0\], but got 1"):
        ts.tensor(1.0).sum(axis=1)


# ---- pow at base 0 ----
def test_pow_at_base_0_with_a_negative_exponent_gives_minus_inf_gradients():
    a = ts.tensor([0.0, 0.0, 0.0], requires_grad=True)
    b = ts.tensor([-1.0, -2.0, -0.5], requires_grad=True)
    with np.errstate(divide="ignore"):  # the forward's 0 ** -1 = inf is numpy's, with numpy's warning
        y = a**b
    np.testing.assert_array_equal(y.data, [np.inf] * 3)
    with np.errstate(all="raise"):  # the backward's infinities are on purpose: no warning
        y.sum().backward()
    # PyTorch: d/da = b * 0^(b-1) = -inf; d/db = 0^b * log 0 = inf * -inf = -inf
    np.testing.assert_array_equal(a.grad, [-np.inf] * 3)
    np.testing.assert_array_equal(b.grad, [-np.inf] * 3)


def test_pow_at_base_0_with_a_non_negative_exponent_gives_zero_exponent_gradient():
    a = ts.tensor([0.0, 0.0], requires_grad=True)
    b = ts.tensor([0.0, 2.0], requires_grad=True)
    (a**b).sum().backward()
    np.testing.assert_array_equal(a.grad, [0.0, 0.0])
    np.testing.assert_array_equal(b.grad, [0.0, 0.0])


# ---- empty and degenerate inputs ----
def test_var_with_ddof_at_least_n_is_inf_as_numpy():
    x = ts.tensor([1.0, 2.0])
    with warnings.catch_warnings():  # numpy warns "Degrees of freedom <= 0"
        warnings.simplefilter("ignore", RuntimeWarning)
        expected = [np.var([1.0, 2.0], ddof=d) for d in (2, 3)]
    assert expected == [np.inf, np.inf]
    assert x.var(ddof=2).item() == np.inf and x.var(ddof=3).item() == np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # the 0 * inf of a constant: nan, without numpy's warning
        assert np.isnan(ts.tensor([2.0, 2.0]).var(ddof=2).item())
        assert x.var(correction=2).item() == np.inf


def test_logsumexp_of_minus_infs_is_minus_inf_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        assert ts.tensor([-np.inf, -np.inf]).logsumexp().item() == -np.inf
        np.testing.assert_array_equal(ts.tensor([[-np.inf], [0.0]]).logsumexp(dim=1).data, [-np.inf, 0.0])


def test_softmax_along_an_empty_axis_is_empty():
    x = ts.zeros(2, 0, requires_grad=True)
    for y in (x.softmax(axis=1), x.log_softmax(axis=-1), ts.functional.softmax(x, axis=1)):
        assert y.shape == (2, 0)
        y.sum().backward()
    assert x.grad.shape == (2, 0)


def test_indexing_with_an_empty_list_picks_nothing():
    x = ts.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x[[]]
    assert y.shape == (0, 2)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros((2, 2)))


# ---- integer tensors ----
def test_an_int64_index_tensor_indexes():
    x = ts.tensor([10.0, 20.0, 30.0])
    np.testing.assert_array_equal(x[ts.tensor([2, 0], dtype="int64")].data, [30.0, 10.0])


def test_a_float_index_tensor_is_refused_with_a_message_saying_how():
    x = ts.tensor([10.0, 20.0, 30.0])
    with pytest.raises(IndexError, match=r'dtype="int64"') as info:
        x[ts.tensor([0, 1])]  # a list of Python ints becomes float32
    assert "list" in str(info.value)


def test_arange_of_ints_is_int64_and_exact():
    r = ts.arange(2**31, 2**31 + 3)
    assert r.dtype == np.int64
    np.testing.assert_array_equal(r.data, [2**31, 2**31 + 1, 2**31 + 2])
    assert ts.arange(3).dtype == np.int64 and ts.arange(0, 1, 0.5).dtype == np.float32
    assert ts.arange(3, dtype="float32").dtype == np.float32


# ---- custom Functions, broadcasting, casts ----
class Twice(ts.Function):
    @staticmethod
    def forward(ctx, x):
        return 2 * x

    @staticmethod
    def backward(ctx, g):
        return 2 * g, None, None  # extra trailing Nones: ignored, as in PyTorch


def test_a_custom_backward_may_return_extra_trailing_nones():
    x = ts.tensor([1.0, 2.0], requires_grad=True)
    Twice.apply(x).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])


def test_broadcast_to_the_same_shape_under_no_grad_does_not_require_grad():
    x = ts.tensor([1.0, 2.0], requires_grad=True)
    with ts.no_grad():
        y = x.broadcast_to((2,))
        z = x.astype("float32")
    assert not y.requires_grad and not z.requires_grad
    assert x.broadcast_to((2,)) is x  # with grad on, the tensor itself, as before


def test_an_integer_cast_does_not_require_grad_nor_receive_a_gradient():
    x = ts.tensor([1.5, 2.5], requires_grad=True)
    i = x.astype("int64")
    assert i.dtype == np.int64 and not i.requires_grad and i.grad_fn is None
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])


def test_a_function_with_an_integer_result_does_not_require_grad():
    class Floor(ts.Function):
        @staticmethod
        def forward(ctx, x):
            return np.floor(x).astype(np.int64)

    assert not Floor.apply(ts.tensor([1.5], requires_grad=True)).requires_grad


def test_tensors_can_be_weakly_referenced():
    t = ts.tensor([1.0])
    r = weakref.ref(t)
    assert r() is t
    del t
    gc.collect()
    assert r() is None
    p = ts.nn.Parameter(ts.zeros(2))
    assert weakref.ref(p)() is p


# ---- against PyTorch itself, when it is installed ----
def test_the_edge_cases_agree_with_pytorch():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: the comparison with it is skipped")
    assert torch.tensor([0, 128, 255, 64, 32, 16], dtype=torch.uint8).min().item() == 0
    a = torch.zeros(1, requires_grad=True)
    b = torch.full((1,), -1.0, requires_grad=True)
    (a**b).sum().backward()
    assert a.grad.item() == -np.inf and b.grad.item() == -np.inf
    with pytest.warns(UserWarning, match="degrees of freedom"):  # PyTorch warns where it gives inf
        assert torch.tensor([1.0, 2.0]).var(correction=2).item() == np.inf
    assert torch.zeros(2, 0).softmax(1).shape == (2, 0)
    assert torch.arange(3).dtype == torch.int64
    with pytest.raises(IndexError, match=r"\[-2, 1\], but got 5"):
        torch.ones(2, 3).transpose(0, 5)


# ---- dtype rules: float32 with an integer operand stays float32, as PyTorch's promotion ----
@pytest.mark.parametrize("other", [np.array([1, 2], np.int64), np.array([1, 2], np.int32),
                                   ts.tensor([1, 2], dtype="int64"), np.array([True, False])],
                         ids=["int64 array", "int32 array", "int64 tensor", "bool array"])
def test_float32_with_an_integer_operand_stays_float32(other):
    x = ts.tensor([0.5, 1.5], requires_grad=True)
    results = [x + other, x * other, x / (other + 1), x.maximum(other), ts.where([1, 0], x, other),
               other + x, other - x, other * x, other / x, other ** x]
    for y in results:
        assert y.dtype == np.float32 and y.requires_grad
    (x * other).sum().backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize("make", [lambda i: i / 2, lambda i: 2 / i, lambda i: i / i, lambda i: i * 2.5,
                                  lambda i: 2.5 - i, lambda i: i / (i + 1)],
                         ids=["i / 2", "2 / i", "i / i", "i * 2.5", "2.5 - i", "i / (i + 1)"])
def test_integer_tensors_give_float32_where_pytorch_does(make):
    """True division of integers and a Python float beside integers give float32, PyTorch's default dtype."""
    y = make(ts.tensor([1, 2], dtype="int64"))
    assert y.dtype == np.float32
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: its side of the comparison is skipped")
    assert make(torch.tensor([1, 2])).dtype == torch.float32


def test_integer_tensor_divided_by_an_integer_array_is_float32():
    assert (ts.tensor([1, 2], dtype="int64") / np.array([2, 4])).dtype == np.float32
    assert (np.array([2, 4]) / ts.tensor([1, 2], dtype="int32")).dtype == np.float32


def test_integer_results_never_require_grad():
    x = ts.tensor([0.5, 1.5], requires_grad=True)
    assert not x.astype("int32").requires_grad and not x.astype(bool).requires_grad
    assert not (ts.tensor([1, 2], dtype="int64") + np.array([3, 4])).requires_grad


def test_softmax_takes_pytorchs_dim():
    z = ts.Tensor(np.arange(6.0).reshape(2, 3))
    np.testing.assert_allclose(z.softmax(dim=0).numpy(), z.softmax(axis=0).numpy())
    np.testing.assert_allclose(ts.functional.log_softmax(z, dim=0).numpy(), z.log_softmax(0).numpy())


def test_two_different_axes_are_refused_and_flip_needs_its_dims():
    x = ts.Tensor(np.ones((2, 3)))
    with pytest.raises(TypeError, match="give the axis once"):
        x.sum(axis=0, dim=1)
    assert x.sum(axis=1, dim=1).shape == (2,)  # the same axis twice is fine
    with pytest.raises(TypeError, match="flip needs the dims"):
        x.flip()


@pytest.mark.parametrize("make", [lambda i: i // 1, lambda i: i // 2, lambda i: i % 3, lambda i: 5 // i,
                                  lambda i: i % (i - 20)], ids=["i // 1", "i // 2", "i % 3", "5 // i", "i % j"])
def test_integer_floor_division_stays_integer_as_pytorch(make):
    values = [16777217, -7, 7]
    y = make(ts.tensor(values, dtype="int64"))
    assert y.dtype == np.int64
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: its side is skipped")
    np.testing.assert_array_equal(y.numpy(), make(torch.tensor(values)).numpy())


def test_integer_division_by_zero_is_an_error_as_pytorch():
    for divide in (lambda i: i // 0, lambda i: i % 0):
        with pytest.raises(ZeroDivisionError):
            divide(ts.tensor([7], dtype="int64"))
