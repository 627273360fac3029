"""A student's own op: subclass ts.Function with static forward and backward on numpy arrays."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_seminar as ts


class Cube(ts.Function):
    """x^3; backward returns a bare array, as PyTorch accepts for one input."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return 3 * x**2 * grad_output


class MulAdd(ts.Function):
    """a * b + c * scale, with scale a plain number; backward returns a tuple, one entry per argument."""

    @staticmethod
    def forward(ctx, a, b, c, scale):
        ctx.save_for_backward(a, b)
        ctx.scale = scale
        return a * b + c * scale

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        return grad_output * b, grad_output * a, grad_output * ctx.scale, None


def test_a_function_with_one_input_works_in_a_graph():
    x = ts.tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True)
    y = Cube.apply(x)
    assert isinstance(y, ts.Tensor) and isinstance(y.grad_fn, Cube)
    np.testing.assert_allclose(y.data, x.data**3)
    (y.tanh() * 2).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * (1 - np.tanh(x.data**3) ** 2) * 3 * x.data**2)


def test_a_function_with_several_inputs_works_in_a_graph():
    a = ts.tensor(np.array([1.0, 2.0]), requires_grad=True)
    b = ts.tensor(np.array([[3.0, -1.0], [0.5, 4.0]]), requires_grad=True)  # broadcasts a
    c = ts.tensor(np.array([1.0, 1.0]), requires_grad=True)
    y = MulAdd.apply(a, b, c, 10.0)
    np.testing.assert_allclose(y.data, a.data * b.data + 10.0 * c.data)
    y.sum().backward()
    np.testing.assert_allclose(a.grad, b.data.sum(axis=0))  # the engine sums over the broadcast axis
    np.testing.assert_allclose(b.grad, np.broadcast_to(a.data, (2, 2)))
    np.testing.assert_allclose(c.grad, [20.0, 20.0])


def test_a_function_takes_arrays_and_constants_next_to_tensors():
    x = ts.tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = MulAdd.apply(x, np.array([5.0, 6.0]), 1.0, 2.0)  # only x is a Tensor
    np.testing.assert_allclose(y.data, [7.0, 14.0])
    y.sum().backward()
    np.testing.assert_allclose(x.grad, [5.0, 6.0])


def test_needs_input_grad_tells_which_inputs_need_a_gradient():
    seen = []

    class Probe(ts.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a * b

        @staticmethod
        def backward(ctx, grad_output):
            seen.append(ctx.needs_input_grad)
            return grad_output, grad_output

    a, b = ts.tensor([1.0], requires_grad=True), ts.tensor([2.0])
    Probe.apply(a, b).sum().backward()
    assert seen == [(True, False)]
    assert b.grad is None


def test_user_functions_pass_gradcheck():
    x = ts.tensor(np.array([[0.5, -1.0], [2.0, 0.3]]), requires_grad=True)
    b = ts.tensor(np.array([0.7, -0.2]), requires_grad=True)
    c = ts.tensor(np.array([[1.5], [0.1]]), requires_grad=True)
    assert ts.gradcheck(lambda x: Cube.apply(x), x)
    assert ts.gradcheck(lambda x, b, c: MulAdd.apply(Cube.apply(x), b, c, 3.0).sigmoid(), x, b, c)


def test_a_function_under_no_grad_records_nothing():
    x = ts.tensor([1.0, 2.0], requires_grad=True)
    with ts.no_grad():
        y = Cube.apply(x)
    assert not y.requires_grad and y.grad_fn is None


def test_first_order_grad_through_a_user_function():
    x = ts.tensor(np.array([1.0, 2.0]), requires_grad=True)
    (g,) = ts.grad(Cube.apply(x).sum(), x)
    np.testing.assert_allclose(g.data, 3 * x.data**2)


def test_second_derivatives_through_a_numpy_function_are_a_clear_error():
    x = ts.tensor(np.array([1.0, 2.0]), requires_grad=True)
    with pytest.raises(RuntimeError, match="first-order") as e:
        ts.grad(Cube.apply(x).sum(), x, create_graph=True)
    assert "Cube" in str(e.value) and "create_graph" in str(e.value)


def test_a_backward_returning_too_few_gradients_is_named():
    class TwoInOneOut(ts.Function):
        @staticmethod
        def forward(ctx, a, b):
            return a + b

        @staticmethod
        def backward(ctx, grad_output):
            return grad_output  # forgot b

    a, b = ts.tensor([1.0], requires_grad=True), ts.tensor([2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"TwoInOneOut.*1 gradients for 2 inputs"):
        TwoInOneOut.apply(a, b).sum().backward()


def test_a_backward_returning_the_wrong_shape_is_named():
    class Bad(ts.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, grad_output):
            return np.ones((5, 7))

    a = ts.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Bad\.backward.*\(5, 7\).*\(2,\)"):
        Bad.apply(a).sum().backward()


class ShiftedSoftmax(ts.Function):
    """softmax written with the numpy habit of shifting in place: a bug in an op, which must not corrupt x."""

    @staticmethod
    def forward(ctx, z):
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    @staticmethod
    def backward(ctx, g):
        raise AssertionError("not reached")


class ZeroFirst(ts.Function):
    @staticmethod
    def forward(ctx, x):
        x[0] = 0
        return x

    @staticmethod
    def backward(ctx, g):
        raise AssertionError("not reached")


class Same(ts.Function):
    @staticmethod
    def forward(ctx, x):
        return x

    @staticmethod
    def backward(ctx, g):
        return g


@pytest.mark.parametrize("op", [ShiftedSoftmax, ZeroFirst])
def test_a_forward_writing_into_its_input_is_refused_and_the_input_is_left_as_it_was(op):
    x = ts.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    h = x * 1.0  # another op reads h too: an in-place change would corrupt its value and its gradient
    with pytest.raises(ValueError, match=rf"^{op.__name__}\.forward writes into one of its inputs \(.*read-only.*\): "
                                         r"an op must leave its inputs as they are.*x = x - m rather than x -= m"):
        op.apply(h)
    assert h.data.tolist() == [[1.0, 2.0, 3.0]] and h.data.flags.writeable


def test_a_forward_returning_its_input_gives_the_tensors_own_writable_array():
    x = ts.tensor([1.0, 2.0], requires_grad=True)
    y = Same.apply(x)
    assert y.data is x.data and y.data.flags.writeable
    (y * y).sum().backward()
    assert x.grad.tolist() == [2.0, 4.0]


def test_built_in_ops_get_the_arrays_themselves():
    x = ts.tensor([1.0, -2.0])
    view = x.reshape(2, 1).data  # a view of x's array, writable as x's is
    assert view.base is x.data and view.flags.writeable


class HeadAndAll(ts.Function):
    """Two outputs, both of the input: a view of it and the input itself."""

    @staticmethod
    def forward(ctx, x):
        return x[:, :2], x

    @staticmethod
    def backward(ctx, g_head, g_all):
        g = g_all.copy()
        g[:, :2] += g_head
        return g


def test_views_of_an_input_that_a_forward_returns_are_writable_as_the_tensors_array_is():
    x = ts.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    head, whole = HeadAndAll.apply(x)
    assert head.data.flags.writeable and whole.data is x.data
    (head.sum() * 2 + whole.sum()).backward()
    assert x.grad.tolist() == [[3.0, 3.0, 1.0]]
