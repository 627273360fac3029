"""The elementwise ops of issue 17 in the op table: values, gradients, second derivatives, float32.

Inputs stay inside each op's domain and away from its kinks (strategies.py's rules): asin and acos in
(-0.9, 0.9), tan in (-1.2, 1.2), log1p above -0.9, the rounding ops off their steps.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import strategies as S
import tinygrad_seminar.functional as F
from hypothesis import given
from hypothesis import strategies as st
from op_table import Case, property_tests

import tinygrad_seminar as ts


def np_erf(x):
    return np.vectorize(math.erf)(x)


def np_selu(x):
    return 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 * np.expm1(np.minimum(x, 0)))


DIVISORS = st.sampled_from([-2.0, -0.6, 0.6, 2.0])


def inside(lo, hi):
    return S.unary(st.floats(lo, hi))


OPS = [
    Case("sin", lambda x: x.sin(), np.sin, S.unary()),
    Case("cos", lambda x: x.cos(), np.cos, S.unary()),
    Case("tan", lambda x: x.tan(), np.tan, inside(-1.2, 1.2)),
    Case("asin", lambda x: x.asin(), np.arcsin, inside(-0.9, 0.9)),
    Case("acos", lambda x: x.acos(), np.arccos, inside(-0.9, 0.9)),
    Case("atan", lambda x: x.atan(), np.arctan, S.unary()),
    Case("sinh", lambda x: x.sinh(), np.sinh, S.unary()),
    Case("cosh", lambda x: x.cosh(), np.cosh, S.unary()),
    Case("log2", lambda x: x.log2(), np.log2, S.unary(S.positive())),
    Case("log10", lambda x: x.log10(), np.log10, S.unary(S.positive())),
    Case("log1p", lambda x: x.log1p(), np.log1p, inside(-0.9, 3.0)),
    Case("expm1", lambda x: x.expm1(), np.expm1, S.unary()),
    Case("erf", lambda x: x.erf(), np_erf, S.unary()),
    Case("square", lambda x: x.square(), np.square, S.unary()),
    Case("rsqrt", lambda x: x.rsqrt(), lambda x: 1 / np.sqrt(x), S.unary(S.positive())),
    Case("reciprocal", lambda x: x.reciprocal(), np.reciprocal, S.unary()),
    Case("sign", lambda x: x.sign(), np.sign, S.unary()),
    Case("floor", lambda x: x.floor(), np.floor, S.unary(S.grid(0.25))),
    Case("ceil", lambda x: x.ceil(), np.ceil, S.unary(S.grid(0.25))),
    Case("round", lambda x: x.round(), np.round, S.unary(S.grid(0.25))),
    Case("trunc", lambda x: x.trunc(), np.trunc, S.unary(S.grid(0.25))),
    Case("gelu", lambda x: x.gelu(), lambda x: x * (1 + np_erf(x / math.sqrt(2))) / 2, S.unary()),
    Case("silu", lambda x: x.silu(), lambda x: x / (1 + np.exp(-x)), S.unary()),
    Case("selu", lambda x: x.selu(), np_selu, S.unary()),
    Case("elu", lambda x: x.elu(0.5), lambda x: np.where(x > 0, x, 0.5 * np.expm1(np.minimum(x, 0))), S.unary()),
    Case("softsign", lambda x: x.softsign(), lambda x: x / (1 + np.abs(x)), S.unary()),
    Case("hardtanh", lambda x: x.hardtanh(), lambda x: np.clip(x, -1, 1), S.unary(S.grid(0.25))),
    Case("a % b", lambda a, b: a % b, np.mod, S.binary(S.grid(0.25), DIVISORS)),
]

(test_values_match_numpy, test_gradient_matches_central_differences, test_second_derivatives_match_central_differences,
 test_float32_in_float32_out_and_float32_gradients) = property_tests(OPS)


@pytest.mark.parametrize("name", ["sin", "cos", "tan", "atan", "sinh", "cosh", "log1p", "expm1", "square",
                                  "reciprocal", "sign", "floor", "ceil", "round", "trunc", "gelu", "silu", "selu",
                                  "elu", "softsign", "hardtanh", "log2", "log10", "rsqrt"])
def test_functional_matches_the_method(name):
    data = [[0.5, 1.5, 2.0], [1.25, 0.25, 3.0]]
    got = getattr(F, name)(data)
    assert isinstance(got, ts.Tensor) and got.dtype == np.float32
    np.testing.assert_array_equal(got.data, getattr(ts.tensor(data), name)().data)


def test_rounding_gradients_are_zero_and_round_is_half_to_even():
    x = ts.tensor([0.5, 1.5, -2.5, 2.7], requires_grad=True)
    np.testing.assert_array_equal(x.round().data, [0.0, 2.0, -2.0, 3.0])  # as PyTorch's round
    (x.floor() + x.ceil() + x.round() + x.trunc() + x.sign()).sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros(4))


def test_hardtanh_passes_the_gradient_strictly_inside_and_none_at_the_bounds_as_pytorch():
    x = ts.tensor([-1.0, -0.5, 1.0, 2.0, 0.25], requires_grad=True)
    y = x.hardtanh()
    np.testing.assert_array_equal(y.data, [-1.0, -0.5, 1.0, 1.0, 0.25])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, 0.0, 0.0, 1.0])
    z = ts.tensor([0.5, 0.6, 2.0], requires_grad=True)
    F.hardtanh(z, 0.5, 2.0).sum().backward()
    np.testing.assert_array_equal(z.grad, [0.0, 1.0, 0.0])


@given(data=st.data())
def test_floor_division_values_are_numpys(data):
    (a, b), _ = data.draw(S.binary(S.grid(0.25), DIVISORS))
    np.testing.assert_array_equal((ts.Tensor(a) // ts.Tensor(b)).data, np.floor_divide(a, b))
    np.testing.assert_array_equal((a // ts.Tensor(b)).data, np.floor_divide(a, b))


def test_floor_division_has_no_gradient_and_says_what_to_write_as_pytorch():
    a = ts.tensor([3.0, 5.0], requires_grad=True)
    q = a // 2
    assert q.requires_grad  # as PyTorch: the result is recorded, backward through it refuses
    with pytest.raises(RuntimeError, match=r"floor_divide\) is not implemented.*\(a / b\)\.floor\(\)"):
        q.sum().backward()
    (a / 2).floor().sum().backward()
    np.testing.assert_array_equal(a.grad, [0.0, 0.0])


def test_mod_takes_the_sign_of_the_divisor_as_python_and_pytorch():
    a = ts.tensor([5.0, -5.0, 5.0], requires_grad=True)
    np.testing.assert_array_equal((a % ts.tensor([3.0, 3.0, -3.0])).data, [2.0, 1.0, -1.0])
    np.testing.assert_array_equal((a // 3).data, [1.0, -2.0, 1.0])
    (a % 3).sum().backward()
    np.testing.assert_array_equal(a.grad, [1.0, 1.0, 1.0])


def test_isclose_and_allclose():
    x = ts.tensor([1.0, 2.0, np.nan])
    np.testing.assert_array_equal(x.isclose(ts.tensor([1.0, 2.1, np.nan])).data, [True, False, False])
    assert x.isclose([1.0, 2.0, np.nan], equal_nan=True).data.all()
    assert ts.tensor([1.0, 2.0]).allclose([1.0, 2.0 + 1e-9]) and not ts.tensor([1.0]).allclose([1.1])
    assert F.allclose([1.0], [1.0]) and F.isclose([1.0], [2.0]).dtype == np.bool_
