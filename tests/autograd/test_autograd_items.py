"""Autograd items of issue 17: backward(create_graph=True) and __setitem__."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_seminar as ts


def test_backward_with_create_graph_leaves_a_tensor_that_records_its_graph():
    x = ts.tensor([1.0, 2.0], requires_grad=True)
    (x**3).sum().backward(create_graph=True)
    g = x.grad
    assert isinstance(g, ts.Tensor) and g.requires_grad
    np.testing.assert_allclose(g.data, [3.0, 12.0])
    x.grad = None
    g.sum().backward()
    assert isinstance(x.grad, np.ndarray)
    np.testing.assert_allclose(x.grad, [6.0, 12.0])


def test_backward_without_create_graph_leaves_an_array():
    x = ts.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    assert type(x.grad) is np.ndarray


def test_create_graph_accumulates_into_an_existing_grad():
    x = ts.tensor([1.0], requires_grad=True)
    (x * x).sum().backward(create_graph=True)
    (x * x).sum().backward(create_graph=True)
    np.testing.assert_allclose(x.grad.data, [4.0])


def test_setitem_on_a_tensor_that_does_not_require_grad():
    x = ts.zeros(2, 3)
    x[0, 1] = 5.0
    x[1] = ts.tensor([1.0, 2.0, 3.0])
    x[x.data > 2.5] = -1.0
    np.testing.assert_array_equal(x.data, [[0, -1, 0], [1, 2, -1]])


def test_setitem_on_a_tensor_that_requires_grad_names_the_out_of_place_way():
    x = ts.zeros(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="ts.where"):
        x[0] = 1.0
