"""Saved values are known by their role in the forward (input k, the output), not by matching arrays later."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_seminar as ts


def test_detach_is_a_plain_tensor_on_the_same_array():
    x = ts.tensor([1.0, 2.0], requires_grad=True)
    d = x.detach()
    assert d.data is x.data and not d.requires_grad and d.grad_fn is None


@pytest.mark.parametrize("make", [lambda x: x * x.detach(), lambda x: x.detach() * x])
def test_a_detached_copy_of_an_input_stays_a_constant_under_create_graph(make):
    x = ts.tensor([1.5, -2.0], dtype="float64", requires_grad=True)
    (g,) = ts.grad(make(x).sum(), x, create_graph=True)  # d/dx x * c = c, the detached value
    np.testing.assert_array_equal(g.data, x.data)
    assert not g.requires_grad  # c is a constant: no graph leads back to x, the second derivative is zero


def test_the_same_tensor_twice_is_one_input_in_both_places():
    x = ts.tensor([1.5, -2.0], dtype="float64", requires_grad=True)
    (g,) = ts.grad((x * x).sum(), x, create_graph=True)
    np.testing.assert_array_equal(g.data, 2 * x.data)
    (h,) = ts.grad(g.sum(), x)
    np.testing.assert_array_equal(h.data, [2.0, 2.0])


def test_affine_with_a_detached_weight_and_input_on_one_array():
    w = ts.tensor([[0.5, -1.0], [2.0, 0.25]], dtype="float64", requires_grad=True)
    out = ts.ops.Affine.apply(w.detach(), w)  # x and W are one array; only W is differentiated
    (g,) = ts.grad(out.sum(), w, create_graph=True)
    np.testing.assert_allclose(g.data, np.ones((2, 2)) @ w.data)
    assert not g.requires_grad  # d/dW of sum(x @ W.T) is a function of x alone, a constant here


def test_an_op_needs_a_tensor_among_its_inputs_and_says_so_before_running():
    calls = []

    class Probe(ts.Function):
        @staticmethod
        def forward(ctx, a):
            calls.append(a)
            return a

    with pytest.raises(TypeError, match=r"^Probe.apply needs a Tensor among its inputs; got ndarray$"):
        Probe.apply(np.ones(2))
    assert calls == []
