"""The op table's four property tests, for any table of ``Case``s (test_ops.py's and the files beside it).

A test file makes its table and binds the tests: ``test_values, test_gradient, test_second,
test_float32 = property_tests(OPS)``. Each Case's ``inputs`` strategy yields ``(arrays, params)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_seminar as ts


@dataclass(frozen=True)
class Case:
    name: str
    fn: Callable  # fn(*tensors, **params) -> Tensor
    numpy: Callable  # the same on numpy arrays: the values fn must give
    inputs: st.SearchStrategy  # yields (arrays, params)


def leaves(arrays, dtype=None) -> list:
    return [ts.Tensor(a if dtype is None else a.astype(dtype), requires_grad=True) for a in arrays]


def property_tests(ops: list, value_rtol: float = 1e-10, float32_atol: float = 1e-4) -> tuple:
    """(values, gradient, second derivatives, float32) tests over ``ops``; the tolerances of values against numpy
    (float64) and of float32 gradients against float64 ones."""
    by_name = pytest.mark.parametrize("case", ops, ids=[c.name for c in ops])

    @by_name
    @given(data=st.data())
    def test_values_match_numpy(case, data):
        arrays, params = data.draw(case.inputs, label="arrays, params")
        out = case.fn(*leaves(arrays), **params)
        expected = case.numpy(*arrays, **params)
        assert out.shape == np.shape(expected) and out.dtype == np.float64
        np.testing.assert_allclose(out.data, expected, rtol=value_rtol, atol=1e-12)

    @by_name
    @given(data=st.data())
    def test_gradient_matches_central_differences(case, data):
        arrays, params = data.draw(case.inputs, label="arrays, params")
        assert ts.gradcheck(lambda *xs: case.fn(*xs, **params), *leaves(arrays))

    @by_name
    @given(data=st.data())
    def test_second_derivatives_match_central_differences(case, data):
        arrays, params = data.draw(case.inputs, label="arrays, params")
        assert ts.gradgradcheck(lambda *xs: case.fn(*xs, **params), *leaves(arrays))

    @by_name
    @given(data=st.data())
    def test_float32_in_float32_out_and_float32_gradients(case, data):
        arrays, params = data.draw(case.inputs, label="arrays, params")
        xs = leaves(arrays, np.float32)
        out = case.fn(*xs, **params)
        assert out.dtype == np.float32
        out.backward(np.ones(out.shape, np.float32))
        xs64 = leaves(arrays)
        out64 = case.fn(*xs64, **params)
        out64.backward(np.ones(out64.shape))
        for x, x64 in zip(xs, xs64):
            assert x.grad.dtype == np.float32 and x.grad.shape == x.shape
            np.testing.assert_allclose(x.grad, x64.grad, rtol=1e-4, atol=float32_atol)

    return (test_values_match_numpy, test_gradient_matches_central_differences,
            test_second_derivatives_match_central_differences, test_float32_in_float32_out_and_float32_gradients)
