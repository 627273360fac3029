"""The gradient checker students call: it passes right gradients and names wrong ones precisely."""

from __future__ import annotations

import re

import numpy as np
import pytest

import tinygrad_seminar as ts


class BadSquare(ts.Function):
    """x^2 with a deliberately wrong backward: g * x instead of 2 g x."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * x


class Reverse(ts.Function):
    """x[::-1] whose backward forgets to reverse: right for a sum of the output, wrong for its Jacobian."""

    @staticmethod
    def forward(ctx, x):
        return x[::-1].copy()

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


W = np.array([[1.0, 2.0], [3.0, 0.5]])  # the worst element of BadSquare's gradient is at (1, 0)


def failure(fn, *inputs) -> str:
    with pytest.raises(ts.GradcheckError) as e:
        ts.gradcheck(fn, *inputs)
    return str(e.value)


def test_a_wrong_backward_is_named_with_its_input_and_worst_element():
    w = ts.tensor(W, requires_grad=True, name="w")
    message = failure(lambda w: BadSquare.apply(w), w)
    assert "input 0" in message and "'w'" in message
    assert "d w[1, 0]" in message  # the worst element's index
    assert re.search(r"analytic 3\b", message) and re.search(r"numerical 6\b", message)
    assert re.search(r"abs error 3\b", message) and re.search(r"rel error 0\.5\b", message)
    table = message.split("The worst elements:")[1].splitlines()
    assert "analytic" in table[1] and "numerical" in table[1] and "abs err" in table[1] and "rel err" in table[1]
    assert table[2].split()[-4:] == ["3", "6", "3", "0.5"]  # the worst row first
    assert len([line for line in table if re.search(r"\(\d, \d\)", line)]) >= 4  # a few of the worst rows
    assert "BadSquare" in message  # the op whose backward is wrong


def test_the_wrong_op_is_found_inside_a_larger_graph():
    a = ts.tensor(np.array([0.3, -0.2]), requires_grad=True)
    w = ts.tensor(W, requires_grad=True)  # no name: it is called by its position
    message = failure(lambda a, w: (a * BadSquare.apply(w).exp()).tanh().sum(), a, w)
    assert "input 1" in message and "'input1'" in message
    assert "The op whose backward disagrees with its forward: BadSquare" in message


def test_a_wrong_off_diagonal_is_caught_through_the_full_jacobian():
    x = ts.tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    assert ts.gradcheck(lambda x: Reverse.apply(x).sum(), x)  # a sum hides this bug
    message = failure(lambda x: Reverse.apply(x), x)
    assert "Reverse" in message
    assert re.search(r"d out\[[02]\] / d input0\[[02]\]", message)  # the middle element maps to itself: right


def test_gradcheck_passes_right_gradients():
    x = ts.tensor(np.array([[0.5, -1.0], [2.0, 0.3]]), requires_grad=True)
    y = ts.tensor(np.array([1.5, 0.7]), requires_grad=True)
    assert ts.gradcheck(lambda x, y: (x @ y).sigmoid() * (x.exp() + y).sum(axis=0), x, y) is True


def test_gradcheck_needs_an_input_that_requires_grad():
    with pytest.raises(ValueError, match="requires_grad"):
        ts.gradcheck(lambda x: x * 2, ts.tensor([1.0, 2.0]))


def test_gradcheck_checks_only_inputs_that_require_grad():
    x = ts.tensor(np.array([1.0, 2.0]), requires_grad=True)
    w = ts.tensor(W)  # goes through BadSquare, but needs no gradient
    assert ts.gradcheck(lambda x, w: (BadSquare.apply(w) @ x).sum(), x, w)


def test_gradcheck_works_with_float32_inputs_and_leaves_their_dtype():
    x = ts.tensor([0.5, -1.0, 2.0], requires_grad=True)
    assert x.dtype == np.float32
    assert ts.gradcheck(lambda x: (x * x).tanh(), x)
    assert x.dtype == np.float32
    with pytest.raises(ts.GradcheckError):
        ts.gradcheck(lambda x: BadSquare.apply(x), x)


def test_gradcheck_leaves_the_inputs_unchanged():
    x = ts.tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    y = ts.tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    y.grad = np.array([7.0, 7.0, 7.0])
    data_x, data_y = x.data.copy(), y.data.copy()
    ts.gradcheck(lambda x, y: (x * y).exp(), x, y)
    with pytest.raises(ts.GradcheckError):
        ts.gradcheck(lambda x, y: BadSquare.apply(x) * y, x, y)
    np.testing.assert_array_equal(x.data, data_x)
    np.testing.assert_array_equal(y.data, data_y)
    assert x.grad is None
    np.testing.assert_array_equal(y.grad, [7.0, 7.0, 7.0])


def test_gradgradcheck_catches_a_backward_that_is_right_once_but_not_twice():
    class CubeConstantSlope(ts.Function):
        """x^3 whose backward reads x's numbers: right first derivative, zero second derivative."""

        differentiable_backward = True

        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**3

        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * (3 * np.asarray(x) ** 2)

    class Cube(CubeConstantSlope):
        @staticmethod
        def backward(ctx, grad_output):
            (x,) = ctx.saved_tensors
            return grad_output * 3 * x * x

    x = ts.tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    assert ts.gradcheck(lambda x: CubeConstantSlope.apply(x), x)
    with pytest.raises(ts.GradcheckError):
        ts.gradgradcheck(lambda x: CubeConstantSlope.apply(x), x)
    assert ts.gradgradcheck(lambda x: Cube.apply(x), x)


def test_numerical_grad_returns_one_array_per_input():
    a = ts.tensor(np.array([1.0, 2.0, 3.0]))
    b = ts.tensor(np.array([[0.5], [-1.0]]), requires_grad=True)
    ga, gb = ts.numerical_grad(lambda a, b: (a * b) ** 2, a, b)  # the sum of a non-scalar output
    assert ga.shape == a.shape and gb.shape == b.shape and ga.dtype == gb.dtype == np.float64
    np.testing.assert_allclose(ga, 2 * a.data * (b.data**2).sum(), rtol=1e-6)
    np.testing.assert_allclose(gb, 2 * b.data * (a.data**2).sum(), rtol=1e-6)


def test_numerical_grad_of_float32_inputs_is_computed_in_float64():
    x = ts.tensor([0.1, 0.2])  # float32
    (g,) = ts.numerical_grad(lambda x: x.exp().sum(), x)
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, np.exp(x.data.astype(np.float64)), rtol=1e-8)
    assert x.dtype == np.float32


def test_gradgradcheck_of_a_function_that_ignores_its_input_says_so():
    x, z = ts.tensor([1.0], requires_grad=True), ts.tensor([2.0], requires_grad=True)
    with pytest.raises(ts.GradcheckError, match=r"^gradgradcheck: fn's output does not depend on any input"):
        ts.gradgradcheck(lambda x: (z * z).sum(), x)


@pytest.mark.parametrize("kwargs, message", [
    ({"eps": 0}, r"^gradcheck: eps must be in \(0, 1\], got 0$"),
    ({"eps": -1e-6}, r"^gradcheck: eps must be in \(0, 1\], got -1e-06$"),
    ({"atol": -1.0}, r"^gradcheck: atol must be in \[0, inf\], got -1.0$"),
    ({"rtol": float("nan")}, r"^gradcheck: rtol must be in \[0, inf\], got nan$"),
])
def test_a_step_or_tolerance_out_of_range_is_refused_before_any_work(kwargs, message):
    calls = []
    x = ts.randn(2, 3, requires_grad=True)
    with pytest.raises(ValueError, match=message):
        ts.gradcheck(lambda a: calls.append(1) or a.sum(), x, **kwargs)
    assert calls == []


def test_a_float32_layer_in_the_checked_function_is_reported_with_the_way_to_check_it():
    ts.manual_seed(0)
    dense = ts.nn.Dense(3, input_dim=4)
    x = ts.randn(2, 4, requires_grad=True)
    with pytest.raises(ts.GradcheckError, match=r"computes in float32, too coarse for central differences \(a "
                                                r"float32 layer casts what it is given: check a model with "
                                                r"ts.gradcheck_module.*dtype='float64'\)"):
        ts.gradcheck(lambda a: dense(a).tanh().sum(), x)


def test_gradgradcheck_and_gradcheck_module_check_their_step_and_tolerances_too():
    x = ts.randn(2, 3, requires_grad=True)
    with pytest.raises(ValueError, match=r"^gradgradcheck: eps must be in \(0, 1\], got 0$"):
        ts.gradgradcheck(lambda a: (a * a).sum(), x, eps=0)
    with pytest.raises(ValueError, match=r"^gradcheck_module: atol must be in \[0, inf\], got -1$"):
        ts.gradcheck_module(ts.nn.Dense(1, input_dim=3), ts.losses.mse, ts.randn(2, 3), ts.randn(2, 1), atol=-1)
