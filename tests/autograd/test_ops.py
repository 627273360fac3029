"""Every built-in op, from one table: values, gradients, second derivatives and float32, on random inputs.

Each row of OPS is an op's name, a function of Tensors (and of constant keyword parameters), the
numpy function that computes the same values, and the strategy for its inputs, which yields
``(arrays, params)``: the float64 arrays become Tensors that require grad, the params are passed as
they are (to numpy too, under the same names). Four property tests run over the whole table.
"""

from __future__ import annotations

import operator

import numpy as np
import pytest
import strategies as S
import tinygrad_seminar.functional as F
from helpers import np_sigmoid, np_softmax
from hypothesis import strategies as st
from op_table import Case, property_tests

import tinygrad_seminar as ts


def np_var(x, axis, keepdims, ddof):
    return np.var(x, axis=axis, keepdims=keepdims, ddof=ddof)


OPS = [
    # arithmetic, with broadcasting pairs
    Case("add", lambda a, b: a + b, np.add, S.binary()),
    Case("sub", lambda a, b: a - b, np.subtract, S.binary()),
    Case("mul", lambda a, b: a * b, np.multiply, S.binary()),
    Case("div", lambda a, b: a / b, np.divide, S.binary(elements_b=S.signed(lo=0.5))),
    Case("tensor ** tensor", lambda a, b: a**b, np.power, S.binary(S.positive(0.5, 2.0), st.floats(-2.0, 2.0))),
    Case("tensor ** 3", lambda x: x**3, lambda x: x**3, S.unary()),
    Case("tensor ** -1.5", lambda x: x**-1.5, lambda x: x**-1.5, S.unary(S.positive(lo=0.5))),
    Case("2.5 ** tensor", lambda x: 2.5**x, lambda x: 2.5**x, S.unary()),
    Case("neg", lambda x: -x, np.negative, S.unary()),
    # matmul, numpy's rules for 1-D operands, batch dims broadcasting
    Case("matmul 1-D @ 1-D", lambda a, b: a @ b, np.matmul, S.matmul_inputs("1d@1d")),
    Case("matmul 1-D @ 2-D", lambda a, b: a @ b, np.matmul, S.matmul_inputs("1d@2d")),
    Case("matmul 2-D @ 1-D", lambda a, b: a @ b, np.matmul, S.matmul_inputs("2d@1d")),
    Case("matmul 2-D @ 2-D", lambda a, b: a @ b, np.matmul, S.matmul_inputs("2d@2d")),
    Case("matmul batched", lambda a, b: a @ b, np.matmul, S.matmul_inputs("batched")),
    Case("matmul 1-D @ batched", lambda a, b: a @ b, np.matmul, S.matmul_inputs("1d@batched")),
    # elementwise
    Case("exp", lambda x: x.exp(), np.exp, S.unary()),
    Case("log", lambda x: x.log(), np.log, S.unary(S.positive())),
    Case("sqrt", lambda x: x.sqrt(), np.sqrt, S.unary(S.positive())),
    Case("abs", lambda x: abs(x), np.abs, S.unary()),
    Case("tanh", lambda x: x.tanh(), np.tanh, S.unary()),
    Case("sigmoid", lambda x: x.sigmoid(), np_sigmoid, S.unary()),
    Case("relu", lambda x: x.relu(), lambda x: np.maximum(x, 0), S.unary()),
    Case("softplus", lambda x: x.softplus(), lambda x: np.log1p(np.exp(x)), S.unary()),
    Case("maximum", lambda a, b: a.maximum(b), np.maximum, S.binary(S.grid(0.25), S.grid(0.75))),
    Case("minimum", lambda a, b: a.minimum(b), np.minimum, S.binary(S.grid(0.25), S.grid(0.75))),
    Case("clip", lambda x, min, max: x.clip(min, max), np.clip, S.clip_inputs()),  # noqa: A006
    Case("where", lambda a, b, cond: ts.where(cond, a, b), lambda a, b, cond: np.where(cond, a, b),
         S.where_inputs()),
    # reductions: axis None, int or tuple; keepdims
    Case("sum", lambda x, axis, keepdims: x.sum(axis, keepdims), np.sum, S.reduction_inputs()),
    Case("mean", lambda x, axis, keepdims: x.mean(axis, keepdims), np.mean, S.reduction_inputs()),
    Case("max", lambda x, axis, keepdims: x.max(axis, keepdims), np.max, S.reduction_inputs(distinct=True)),
    Case("min", lambda x, axis, keepdims: x.min(axis, keepdims), np.min, S.reduction_inputs(distinct=True)),
    Case("var", lambda x, axis, keepdims, ddof: x.var(axis, keepdims, ddof), np_var, S.var_inputs()),
    Case("softmax", lambda x, axis: x.softmax(axis), np_softmax, S.softmax_inputs()),
    Case("log_softmax", lambda x, axis: x.log_softmax(axis), lambda x, axis: np.log(np_softmax(x, axis)),
         S.softmax_inputs()),
    # shapes
    Case("reshape", lambda x, shape: x.reshape(shape), np.reshape, S.reshape_inputs()),
    Case("reshape(*ints)", lambda x, shape: x.reshape(*shape), np.reshape, S.reshape_inputs()),
    Case("transpose", lambda x, axes: x.transpose(axes), np.transpose, S.transpose_inputs()),
    Case(".T", lambda x: x.T, np.transpose, S.unary()),
    Case("swapaxes", lambda x, a, b: x.swapaxes(a, b), lambda x, a, b: np.swapaxes(x, a, b), S.swapaxes_inputs()),
    Case("broadcast_to", lambda x, shape: x.broadcast_to(shape), np.broadcast_to, S.broadcast_to_inputs()),
    Case("getitem basic", lambda x, idx: x[idx], lambda x, idx: x[idx], S.basic_index_inputs()),
    Case("getitem integer arrays", lambda x, idx: x[idx], lambda x, idx: x[idx], S.integer_array_index_inputs()),
    Case("getitem repeated rows", lambda x, idx: x[idx], lambda x, idx: x[idx], S.repeated_index_inputs()),
    Case("concatenate", lambda *xs, axis: ts.concatenate(xs, axis=axis), lambda *xs, axis: np.concatenate(xs, axis),
         S.concatenate_inputs()),
    Case("stack", lambda *xs, axis: ts.stack(xs, axis=axis), lambda *xs, axis: np.stack(xs, axis),
         S.stack_inputs()),
]


# the table's tolerances are tighter than the other tables': these ops are numpy's own formulas
(test_values_match_numpy, test_gradient_matches_central_differences, test_second_derivatives_match_central_differences,
 test_float32_in_float32_out_and_float32_gradients) = property_tests(OPS, value_rtol=1e-12, float32_atol=1e-5)


# ---- astype: float64 copies in gradcheck make it an identity there, so it is checked on its own ----
def test_astype_is_differentiable_and_casts_the_gradient_back():
    x = ts.tensor([0.5, -1.5, 2.0], requires_grad=True)  # float32
    y = x.astype("float64")
    assert y.dtype == np.float64 and y.grad_fn is not None
    (y * y).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_allclose(x.grad, [1.0, -3.0, 4.0])


def test_astype_to_float32_passes_gradcheck_with_a_float32_sized_eps():
    x = ts.Tensor(np.array([[0.5, -1.5], [2.0, 1.25]]), requires_grad=True)
    assert ts.gradcheck(lambda t: (t.astype(np.float32) * 3).tanh(), x, eps=1e-2, atol=1e-3, rtol=1e-2)


def test_astype_passes_second_derivatives_through():
    x = ts.tensor([0.5, -1.5], requires_grad=True)
    (g,) = ts.grad((x.astype("float64") ** 3).sum(), x, create_graph=True)
    assert g.dtype == np.float32
    (h,) = ts.grad(g.sum(), x)
    assert h.dtype == np.float32
    np.testing.assert_allclose(h.data, 6 * x.data)


def test_astype_to_the_same_dtype_is_the_tensor_itself():
    x = ts.tensor([1.0, 2.0], requires_grad=True)
    assert x.astype("float32") is x


# ---- operands: Tensors, numpy arrays and Python scalars, on either side ----
BINARY = [
    ("+", operator.add), ("-", operator.sub), ("*", operator.mul), ("/", operator.truediv),
    ("**", operator.pow), ("@", operator.matmul), ("maximum", F.maximum), ("minimum", F.minimum),
]
X = np.array([[0.5, 1.5], [2.0, 1.25]])
C = np.array([[1.3, 0.75], [2.5, 0.3]])  # no element equal to one of X: no ties in maximum, minimum


@pytest.mark.parametrize("name, op", BINARY, ids=[n for n, _ in BINARY])
@pytest.mark.parametrize("other", [C, 1.75, np.float64(1.75)], ids=["array", "scalar", "np.float64"])
@pytest.mark.parametrize("tensor_side", ["left", "right"])
def test_operands_may_be_arrays_or_scalars_on_either_side(name, op, other, tensor_side):
    if name == "@" and np.ndim(other) == 0:
        pytest.skip("matmul takes no scalars")

    def fn(t):
        return op(t, other) if tensor_side == "left" else op(other, t)

    x = ts.Tensor(X, requires_grad=True)
    out = fn(x)
    assert isinstance(out, ts.Tensor)
    expected = op(X, other) if tensor_side == "left" else op(other, X)
    if name in ("maximum", "minimum"):
        expected = getattr(np, name)(X, other)
    np.testing.assert_allclose(out.data, expected)
    assert ts.gradcheck(fn, x)


def test_where_takes_arrays_and_scalars():
    x = ts.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = ts.where(x.data > 0, x, 0.0)
    ts.where([True, False, True], np.zeros(3), x).sum().backward()
    np.testing.assert_array_equal(y.data, [1.0, 0.0, 3.0])
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, 0.0])


# ---- kinks and ties, exactly on them ----
def test_tied_maxima_share_the_gradient_evenly():
    x = ts.tensor([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]], requires_grad=True)
    x.max(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad, [[0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]])
    x.zero_grad()
    x.max().backward()
    np.testing.assert_allclose(x.grad, [[0, 0.5, 0.5], [0, 0, 0]])


def test_tied_minima_share_the_gradient_evenly():
    x = ts.tensor([[1.0, 3.0, 1.0], [2.0, 0.5, 0.5]], requires_grad=True)
    x.min(axis=-1, keepdims=True).sum().backward()
    np.testing.assert_allclose(x.grad, [[0.5, 0, 0.5], [0, 0.5, 0.5]])


def test_maximum_and_minimum_split_ties_between_the_sides():
    a = ts.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = ts.tensor([1.0, 5.0, 3.0], requires_grad=True)
    (a.maximum(b) + 10 * a.minimum(b)).sum().backward()
    np.testing.assert_allclose(a.grad, [5.5, 10.0, 5.5])
    np.testing.assert_allclose(b.grad, [5.5, 1.0, 5.5])


def test_relu_derivative_is_zero_at_zero():
    x = ts.tensor([-1.0, 0.0, 2.0], requires_grad=True)
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0])


def test_repeated_indices_accumulate():
    x = ts.tensor([10.0, 20.0, 30.0], requires_grad=True)
    y = x[[0, 2, 0, 0]]
    np.testing.assert_array_equal(y.data, [10.0, 30.0, 10.0, 10.0])
    (y * ts.tensor([1.0, 2.0, 3.0, 4.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [8.0, 0.0, 2.0])


# ---- no gradient: argmax, argmin, comparisons ----
def test_argmax_argmin_are_int64_tensors_and_comparisons_plain_numpy():
    x = ts.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]], requires_grad=True)
    y = ts.tensor([[2.0, 5.0, 1.0], [0.0, 1.0, 3.0]])
    np.testing.assert_array_equal(x.argmax(axis=1), [1, 0])
    np.testing.assert_array_equal(x.argmin(axis=0), [0, 1, 0])
    assert x.argmax() == 3 and x.argmin() == 4
    assert isinstance(x.argmax(axis=1), ts.Tensor) and isinstance(F.argmin(x, axis=0), ts.Tensor)
    results = {
        "<": (x < y, [[True, False, False], [False, True, False]]),
        "<=": (x <= y, [[True, True, False], [False, True, True]]),
        ">": (x > y, [[False, False, True], [True, False, False]]),
        ">=": (x >= 2.0, [[False, True, True], [True, False, True]]),
        "==": (x == y, [[False, True, False], [False, False, True]]),
        "array <": (y.data < x, [[False, False, True], [True, False, False]]),
    }
    for name, (got, expected) in results.items():
        assert type(got) is np.ndarray and got.dtype == np.bool_, name
        np.testing.assert_array_equal(got, expected, err_msg=name)


# ---- ts.functional: the same ops as functions that accept lists too ----
@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "abs", "tanh", "sigmoid", "relu", "softplus", "softmax",
                                  "log_softmax", "sum", "mean", "max", "min", "var"])
def test_functional_matches_the_method(name):
    data = [[0.5, 1.5, 2.0], [1.25, 0.25, 3.0]]
    expected = getattr(ts.tensor(data), name)() if name != "abs" else abs(ts.tensor(data))
    got = getattr(F, name)(data)
    assert isinstance(got, ts.Tensor) and got.dtype == np.float32
    np.testing.assert_array_equal(got.data, expected.data)
