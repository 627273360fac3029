"""The reductions of issue 17 in the op table (std, logsumexp, cumsum), and all, any, argmax/argmin(keepdim),
with PyTorch's ``dim=`` / ``keepdim=`` beside numpy's ``axis=`` / ``keepdims=``."""

from __future__ import annotations

import numpy as np
import pytest
import strategies as S
import tinygrad_seminar.functional as F
from hypothesis import strategies as st
from op_table import Case, property_tests

import tinygrad_seminar as ts


@st.composite
def std_inputs(draw):
    """Distinct elements and at least two reduced along each reduced axis: the std is never 0 (a kink)."""
    x = draw(S.distinct_arrays(S.shapes(min_dims=1, min_side=2)))
    return (x,), {"axis": draw(S.axis_choices(x.ndim)), "keepdims": draw(st.booleans()),
                  "ddof": draw(st.sampled_from([0, 1]))}


@st.composite
def cumsum_inputs(draw, elements=None):
    x = draw(S.arrays(S.shapes(min_dims=1), elements))
    return (x,), {"axis": draw(st.integers(-x.ndim, x.ndim - 1))}


def np_logsumexp(x, axis, keepdims):
    return np.log(np.exp(x).sum(axis=axis, keepdims=keepdims))


OPS = [
    Case("std", lambda x, axis, keepdims, ddof: x.std(axis, keepdims, ddof),
         lambda x, axis, keepdims, ddof: np.std(x, axis=axis, keepdims=keepdims, ddof=ddof), std_inputs()),
    Case("logsumexp", lambda x, axis, keepdims: x.logsumexp(axis, keepdims), np_logsumexp, S.reduction_inputs()),
    Case("prod", lambda x, axis, keepdims: x.prod(axis, keepdims), np.prod, S.reduction_inputs()),
    Case("prod with zeros", lambda x, axis, keepdims: x.prod(dim=axis, keepdim=keepdims), np.prod,
         S.reduction_inputs(elements=st.sampled_from([0.0, 0.5, -1.5, 2.0]))),
    Case("norm", lambda x, axis, keepdims: x.norm(2, axis, keepdims),
         lambda x, axis, keepdims: np.sqrt((x * x).sum(axis=axis, keepdims=keepdims)), S.reduction_inputs()),
    Case("norm p=1", lambda x, axis, keepdims: x.norm(1, axis, keepdims),
         lambda x, axis, keepdims: np.abs(x).sum(axis=axis, keepdims=keepdims), S.reduction_inputs()),
    Case("norm p=3", lambda x, axis, keepdims: x.norm(3, axis, keepdims),
         lambda x, axis, keepdims: (np.abs(x) ** 3).sum(axis=axis, keepdims=keepdims) ** (1 / 3),
         S.reduction_inputs()),
    Case("cumsum", lambda x, axis: x.cumsum(axis), lambda x, axis: np.cumsum(x, axis), cumsum_inputs()),
    Case("cumprod", lambda x, axis: x.cumprod(axis), lambda x, axis: np.cumprod(x, axis), cumsum_inputs()),
    Case("cumprod with zeros", lambda x, axis: F.cumprod(x, axis), lambda x, axis: np.cumprod(x, axis),
         cumsum_inputs(elements=st.sampled_from([0.0, 0.5, -1.5, 2.0]))),
    Case("cumsum(dim=)", lambda x, axis: x.cumsum(dim=axis), lambda x, axis: np.cumsum(x, axis), cumsum_inputs()),
]

(test_values_match_numpy, test_gradient_matches_central_differences, test_second_derivatives_match_central_differences,
 test_float32_in_float32_out_and_float32_gradients) = property_tests(OPS)

X = [[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]]


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "var", "std", "logsumexp", "all", "any", "prod"])
def test_dim_and_keepdim_give_what_axis_and_keepdims_give(name):
    x = ts.tensor(X)
    a = getattr(x, name)(axis=1, keepdims=True)
    b = getattr(x, name)(dim=1, keepdim=True)
    assert a.shape == b.shape == (2, 1)
    np.testing.assert_array_equal(a.data, b.data)


def test_logsumexp_is_stable_and_handles_minus_inf():
    x = ts.tensor([[1000.0, 1000.0], [-np.inf, 0.0]], dtype="float64")
    np.testing.assert_allclose(x.logsumexp(dim=1).data, [1000 + np.log(2), 0.0])
    assert ts.tensor([-np.inf, -np.inf]).logsumexp().item() == -np.inf


def test_std_is_numpys_with_ddof_0_by_default():
    x = ts.tensor([1.0, 2.0, 4.0])
    np.testing.assert_allclose(x.std().item(), np.std([1.0, 2.0, 4.0]), rtol=1e-6)
    np.testing.assert_allclose(x.std(ddof=1).item(), np.std([1.0, 2.0, 4.0], ddof=1), rtol=1e-6)


def test_cumsum_without_an_axis_runs_over_the_flattened_tensor():
    np.testing.assert_array_equal(ts.tensor(X).cumsum().data, np.cumsum(X))


def test_all_and_any_are_boolean_tensors():
    x = ts.tensor([[1.0, 0.0], [2.0, 3.0]])
    assert x.all().item() is False and x.any().item() is True
    np.testing.assert_array_equal(x.all(dim=1).data, [False, True])
    assert x.any(axis=0).dtype == np.bool_ and F.all([1.0, 1.0]).item() is True


def test_argmax_and_argmin_keep_dims():
    x = ts.tensor(X)
    assert x.argmax(1, keepdim=True).shape == (2, 1) and x.argmin(dim=0, keepdims=True).shape == (1, 3)
    np.testing.assert_array_equal(x.argmax(dim=1).data, [1, 0])
    np.testing.assert_array_equal(F.argmin(X, dim=1, keepdim=True).data, [[0], [1]])


def test_argmax_and_argmin_are_int64_tensors_that_never_require_grad():
    x = ts.tensor(X, requires_grad=True)
    for got in (x.argmax(), x.argmax(1), x.argmin(dim=0, keepdim=True), F.argmax(x, axis=-1), ts.tensor(3.0).argmax(0)):
        assert isinstance(got, ts.Tensor) and got.dtype == np.int64 and not got.requires_grad
    assert x.argmax().item() == 3 and int(x.argmin()) == 4


def test_accuracy_written_with_numpy_still_works_on_argmax_tensors():
    scores, labels = ts.tensor(X), np.array([1, 2])
    assert np.mean(scores.argmax(1) == labels) == 0.5  # Tensor == array: a numpy bool array, as before
    assert (labels == scores.argmax(axis=1)).mean() == 0.5


def test_std_and_var_take_pytorchs_correction_and_unbiased_instead_of_ddof():
    x, data = ts.tensor(X, dtype="float64"), np.array(X)
    np.testing.assert_allclose(x.std().data, np.std(data), rtol=1e-12)  # by n, as numpy and Keras
    np.testing.assert_allclose(x.std(dim=1, correction=1).data, np.std(data, axis=1, ddof=1), rtol=1e-12)
    np.testing.assert_allclose(x.var(unbiased=True).data, np.var(data, ddof=1), rtol=1e-12)
    np.testing.assert_allclose(F.std(x, 0, unbiased=False).data, np.std(data, axis=0), rtol=1e-12)
    np.testing.assert_allclose(x.var(1, correction=0).data, np.var(data, axis=1), rtol=1e-12)
    for kwargs in ({"ddof": 1, "correction": 1}, {"ddof": 0, "unbiased": True}, {"correction": 1, "unbiased": True}):
        with pytest.raises(TypeError, match="give the correction once"):
            x.std(**kwargs)
        with pytest.raises(TypeError, match="give the correction once"):
            x.var(**kwargs)
    with pytest.raises(TypeError, match="unbiased must be True"):
        x.var(unbiased=1)


def test_std_of_a_constant_is_0_with_gradient_0_as_pytorch():
    x = ts.tensor([3.0, 3.0, 3.0], requires_grad=True)
    s = x.std()
    assert s.item() == 0.0
    s.backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 0.0])
    y = ts.tensor([[2.0, 2.0], [1.0, 3.0]], requires_grad=True)
    y.std(dim=1).sum().backward()
    np.testing.assert_allclose(y.grad, [[0.0, 0.0], [-0.5, 0.5]])
    one = ts.tensor([3.0], requires_grad=True)
    with np.errstate(invalid="ignore"):
        one.std(correction=1).backward()  # 0 / 0: nan, and so is its gradient (PyTorch: nan too)
    assert np.isnan(one.grad).all()


def test_norm_takes_numpys_axis_and_keepdims():
    x = ts.tensor(X)
    np.testing.assert_array_equal(x.norm(axis=1, keepdims=True).data, x.norm(dim=1, keepdim=True).data)
    assert x.norm(2, axis=0).shape == (3,) and x.norm(1, None, keepdims=True).shape == (1, 1)
    with pytest.raises(TypeError, match="give the axis once"):
        x.norm(dim=0, axis=1)


def test_prod_gradient_at_zeros_is_the_product_of_the_others_as_pytorch():
    x = ts.tensor([2.0, 0.0, 3.0], requires_grad=True)
    x.prod().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 6.0, 0.0])
    y = ts.tensor([0.0, 0.0, 3.0], requires_grad=True)
    y.prod().backward()
    np.testing.assert_array_equal(y.grad, [0.0, 0.0, 0.0])


def test_norm_of_everything_and_inf():
    x = ts.tensor([[3.0, -4.0]])
    assert x.norm().item() == 5.0 and x.norm(float("inf")).item() == 4.0 and F.norm(x, 1).item() == 7.0
