"""The engine: backward on long chains, accumulation, retain_graph, grad mode, ts.grad, second derivatives."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_seminar as ts


# ---- long graphs ----
def test_a_chain_of_100_000_ops_runs_backward_with_the_right_gradient():
    x = ts.tensor(1.0, dtype="float64", requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0000001
    y.backward()  # a recursive walk would raise RecursionError long before this depth
    np.testing.assert_allclose(x.grad, 1.0000001**100_000, rtol=1e-9)


def test_a_chain_of_100_000_additions_runs_backward():
    x = ts.tensor([1.0, 2.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 1
    y.sum().backward()
    np.testing.assert_array_equal(y.data, [100_001.0, 100_002.0])
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])


def test_a_diamond_sends_the_gradient_down_both_paths():
    x = ts.tensor([2.0, 3.0], requires_grad=True)
    a = x * 3
    y = (a * a + a.exp()).sum()  # a is used three times
    y.backward()
    np.testing.assert_allclose(x.grad, 3 * (2 * 3 * x.data + np.exp(3 * x.data)), rtol=1e-6)


# ---- accumulation, retain_graph, released buffers ----
def test_gradients_accumulate_across_backward_calls():
    x = ts.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad, 2 + 2 * x.data)
    x.zero_grad()
    assert x.grad is None


def test_retain_graph_allows_a_second_backward_and_doubles_the_gradient():
    x = ts.tensor([1.0, -2.0, 0.5], requires_grad=True)
    y = (x * x).tanh().sum()
    y.backward(retain_graph=True)
    first = x.grad.copy()
    y.backward()
    np.testing.assert_allclose(x.grad, 2 * first)
    np.testing.assert_allclose(first, 2 * x.data * (1 - np.tanh(x.data**2) ** 2), rtol=1e-6)


def test_a_second_backward_through_released_buffers_is_a_clear_error():
    x = ts.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph") as e:
        y.backward()
    assert "Mul" in str(e.value)
    np.testing.assert_allclose(x.grad, [2.0, 4.0])  # the failed call left the first gradient alone


def test_backward_keeps_the_graph_structure():
    x = ts.tensor([1.0, 2.0], requires_grad=True)
    h = x * x
    y = h.sum()
    y.backward()
    assert type(y.grad_fn).__name__ == "Sum" and y.grad_fn.inputs[0] is h
    assert type(h.grad_fn).__name__ == "Mul" and h.grad_fn.inputs[0] is x


# ---- backward's arguments ----
def test_backward_on_a_non_scalar_needs_a_gradient():
    x = ts.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 2
    with pytest.raises(RuntimeError, match=r"scalar.*\(3,\)"):
        y.backward()
    y.backward(np.array([1.0, 0.5, -1.0]))
    np.testing.assert_allclose(x.grad, [2.0, 1.0, -2.0])


def test_backward_rejects_a_gradient_of_the_wrong_shape():
    x = ts.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        (x * 2).backward(np.ones(2))


def test_backward_on_a_tensor_that_needs_no_grad_is_a_clear_error():
    with pytest.raises(RuntimeError, match="requires_grad"):
        (ts.tensor([1.0, 2.0]) * 2).sum().backward()


def test_the_caller_s_gradient_array_is_not_aliased():
    x = ts.tensor([1.0, 2.0], requires_grad=True)
    seed = np.array([1.0, 1.0], dtype=np.float32)
    (x + 0).backward(seed)
    seed[0] = 100.0
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])


@pytest.mark.parametrize("after_add", ["sum", "mul"])
def test_leaves_fed_by_one_add_do_not_share_a_grad_array(after_add):
    a = ts.tensor([1.0, 2.0], requires_grad=True)
    b = ts.tensor([3.0, 4.0], requires_grad=True)
    c = ts.tensor([1.0, 1.0])
    # Add hands one array to both inputs: a read-only view after sum, a fresh array after mul
    y = (a + b).sum() if after_add == "sum" else ((a + b) * c).sum()
    y.backward()
    assert not np.shares_memory(a.grad, b.grad)
    a.grad += 10  # in place, as an optimiser might
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])
    np.testing.assert_array_equal(a.grad, [11.0, 11.0])


def test_grad_has_the_data_s_shape_and_dtype():
    a = ts.tensor(np.ones((3, 1), np.float32), requires_grad=True)
    b = ts.tensor(np.ones(4, np.float32), requires_grad=True)
    c = ts.tensor(np.ones((2, 1, 1), np.float64), requires_grad=True)
    ((a + b) * c * np.float64(2.0)).sum().backward()
    assert (a.grad.shape, a.grad.dtype) == ((3, 1), np.float32)
    assert (b.grad.shape, b.grad.dtype) == ((4,), np.float32)
    assert (c.grad.shape, c.grad.dtype) == ((2, 1, 1), np.float64)
    np.testing.assert_allclose(a.grad, np.full((3, 1), 16.0))  # 2 (from c) * 4 (b's width) * 2
    np.testing.assert_allclose(b.grad, np.full(4, 12.0))
    np.testing.assert_allclose(c.grad, np.full((2, 1, 1), 48.0))


def test_retain_grad_keeps_the_gradient_of_an_intermediate():
    x = ts.tensor([1.0, 2.0], requires_grad=True)
    h = (x * 3).retain_grad()
    (h * h).sum().backward()
    np.testing.assert_allclose(h.grad, 2 * h.data)
    np.testing.assert_allclose(x.grad, 18 * x.data)


# ---- grad mode ----
def test_no_grad_records_nothing_and_restores_the_mode():
    x = ts.tensor([1.0, 2.0], requires_grad=True)
    assert ts.is_grad_enabled()
    with ts.no_grad():
        assert not ts.is_grad_enabled()
        y = x * 2
        with ts.enable_grad():
            assert ts.is_grad_enabled()
            z = x * 2
        assert not ts.is_grad_enabled()
    assert ts.is_grad_enabled()
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and z.grad_fn is not None


def test_no_grad_as_a_decorator():
    @ts.no_grad()
    def step(t):
        assert not ts.is_grad_enabled()
        return t * 2

    x = ts.tensor([1.0], requires_grad=True)
    assert not step(x).requires_grad
    assert not step(x).requires_grad  # the decorator works on every call
    assert ts.is_grad_enabled()


def test_grad_mode_is_restored_after_an_exception():
    with pytest.raises(KeyError), ts.no_grad():
        raise KeyError("inside no_grad")
    assert ts.is_grad_enabled()


def test_backward_does_not_record_and_leaves_grad_mode_alone():
    x = ts.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    assert ts.is_grad_enabled()
    assert x.grad is not None and not isinstance(x.grad, ts.Tensor)
    with ts.no_grad():
        y = x * x
    assert not y.requires_grad


# ---- ts.grad ----
def test_grad_returns_tensors_and_leaves_dot_grad_alone():
    x = ts.tensor([1.0, 2.0], requires_grad=True)
    w = ts.tensor([3.0, -1.0], requires_grad=True)
    w.grad = np.array([7.0, 7.0], dtype=np.float32)
    gx, gw = ts.grad((x * w).sum(), [x, w])
    assert isinstance(gx, ts.Tensor) and isinstance(gw, ts.Tensor)
    np.testing.assert_allclose(gx.data, w.data)
    np.testing.assert_allclose(gw.data, x.data)
    assert x.grad is None
    np.testing.assert_array_equal(w.grad, [7.0, 7.0])


def test_grad_with_grad_outputs_for_a_non_scalar():
    x = ts.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (g,) = ts.grad(x * x, x, grad_outputs=np.array([1.0, 0.0, 2.0]))
    np.testing.assert_allclose(g.data, [2.0, 0.0, 12.0])
    with pytest.raises(RuntimeError, match="grad_outputs"):
        ts.grad(x * x, x)


def test_grad_of_an_unused_input_needs_allow_unused():
    x = ts.tensor([1.0, 2.0], requires_grad=True)
    unused = ts.tensor([5.0], requires_grad=True)
    y = (x * x).sum()
    with pytest.raises(RuntimeError, match="allow_unused"):
        ts.grad(y, [x, unused], retain_graph=True)
    gx, gu = ts.grad(y, [x, unused], allow_unused=True)
    np.testing.assert_allclose(gx.data, [2.0, 4.0])
    assert gu is None


def test_grad_with_create_graph_gives_second_derivatives():
    x = ts.tensor([0.5, -1.0, 2.0], dtype="float64", requires_grad=True)
    (g,) = ts.grad((x**3).sum(), x, create_graph=True)
    assert g.requires_grad
    np.testing.assert_allclose(g.data, 3 * x.data**2)
    (h,) = ts.grad(g.sum(), x)
    np.testing.assert_allclose(h.data, 6 * x.data)
    assert x.grad is None


def test_hessian_vector_product():
    # f(x) = sum(tanh(A x)); H = A^T diag(-2 tanh(Ax)(1 - tanh^2(Ax))) A
    a = np.array([[1.0, 2.0], [-0.5, 0.3], [0.7, -1.1]])
    x = ts.tensor(np.array([0.3, -0.2]), requires_grad=True)
    v = np.array([1.0, -2.0])
    (g,) = ts.grad((ts.tensor(a) @ x).tanh().sum(), x, create_graph=True)
    (hv,) = ts.grad(g, x, grad_outputs=v)
    t = np.tanh(a @ x.data)
    hessian = a.T @ np.diag(-2 * t * (1 - t**2)) @ a
    np.testing.assert_allclose(hv.data, hessian @ v, rtol=1e-10)


def test_grad_outputs_may_require_grad_so_two_vjps_give_a_jvp():
    # v -> J^T v is linear, with Jacobian J^T; differentiating it along w gives J w
    a = np.array([[1.0, 2.0, 0.5], [-0.5, 0.3, 1.0]])
    x = ts.tensor(np.array([0.3, -0.2, 0.1]), requires_grad=True)
    w = np.array([1.0, 10.0, 100.0])
    idx = np.array([0, 2, 0, 1, 0])  # repeated indices: the backward of the backward of getitem
    y = (ts.tensor(a) @ x).tanh()[np.array([0, 1, 1])] * 2 + x[idx].sum()
    v = ts.tensor(np.zeros(3), requires_grad=True)
    (vjp,) = ts.grad(y, x, grad_outputs=v, create_graph=True)
    (jvp,) = ts.grad(vjp, v, grad_outputs=w)
    t = np.tanh(a @ x.data)
    jacobian = 2 * ((1 - t**2)[:, None] * a)[[0, 1, 1]] + np.bincount(idx, minlength=3)
    np.testing.assert_allclose(jvp.data, jacobian @ w, rtol=1e-12)


def test_backward_with_create_graph_off_leaves_plain_arrays():
    x = ts.tensor([1.0, 2.0], requires_grad=True)
    (g,) = ts.grad((x * x).sum(), x)
    assert not g.requires_grad and g.grad_fn is None


# ---- found in review ----
def test_grad_runs_only_the_backward_that_leads_to_the_inputs():
    x = ts.tensor([1.0, 2.0], requires_grad=True)
    h = x.exp()
    (g,) = ts.grad((h * h).sum(), h)
    np.testing.assert_allclose(g.data, 2 * np.exp([1.0, 2.0]), rtol=1e-6)
    h.sum().backward()  # Exp's saved output was not freed by the ts.grad above
    np.testing.assert_allclose(x.grad, np.exp([1.0, 2.0]), rtol=1e-6)


def test_create_graph_to_a_non_leaf_does_not_need_the_numpy_function_below_it():
    class Square(ts.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            return 2 * g * a

    x = ts.tensor([1.0, 2.0], requires_grad=True)
    h = Square.apply(x)
    (g,) = ts.grad((h * h).sum(), h, create_graph=True)
    np.testing.assert_allclose(g.data, [2.0, 8.0])


def test_second_derivative_through_a_detached_copy_of_the_same_input_is_zero():
    x = ts.tensor([2.0, 3.0], dtype="float64", requires_grad=True)
    (g,) = ts.grad((x.detach() * x).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.data, [2.0, 3.0])
    assert not g.requires_grad  # d/dx of x.detach() * x is the constant x.detach()


def test_a_backward_returning_a_too_small_gradient_is_named_not_broadcast():
    class Wrong(ts.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return g.sum()  # a scalar for a (3,) input

    x = ts.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"Wrong.backward returned a gradient of shape \(\) for input 0"):
        Wrong.apply(x).sum().backward()


def test_one_no_grad_instance_entered_twice_restores_grad_mode():
    off = ts.no_grad()
    with off:
        with off:
            assert not ts.is_grad_enabled()
        assert not ts.is_grad_enabled()
    assert ts.is_grad_enabled()


def test_the_same_leaf_given_twice_as_an_output_sums_its_seeds():
    a = ts.tensor(1.0, requires_grad=True)
    (g,) = ts.grad([a, a], [a])
    assert g.item() == 2.0


def test_x_to_the_power_zero_has_gradient_zero_even_at_zero():
    x = ts.tensor([0.0, 2.0], requires_grad=True)
    with np.errstate(all="raise"):
        (x**0).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]


def test_var_with_nothing_left_after_ddof_is_nan_as_in_numpy():
    assert np.isnan(ts.tensor([1.0]).var(ddof=1).item())


def test_pow_gradients_at_a_zero_base_are_zero_not_nan():
    x = ts.tensor([0.0, 2.0], requires_grad=True)
    e = ts.tensor([0.0, 3.0], requires_grad=True)
    with np.errstate(all="raise"):
        (x**e).sum().backward()
    np.testing.assert_allclose(x.grad, [0.0, 12.0])
    np.testing.assert_allclose(e.grad, [0.0, 8 * np.log(2.0)], rtol=1e-6)
    w = ts.tensor(2.0, requires_grad=True)
    with np.errstate(all="raise"):
        (0.0**w).backward()
    assert w.grad == 0.0


def test_grad_results_are_arrays_of_their_own():
    x = ts.tensor([1.0, 2.0], requires_grad=True)
    y = ts.tensor([3.0, 4.0], requires_grad=True)
    gx, gy = ts.grad((x + y).sum(), [x, y])
    assert not np.shares_memory(gx.data, gy.data) and gx.data.flags.writeable
    v = np.ones(2, np.float32)
    (g,) = ts.grad(x + 1, [x], grad_outputs=v)
    assert not np.shares_memory(g.data, v)


def test_a_retained_scalar_gradient_summed_from_two_uses_is_an_array():
    x = ts.tensor(2.0, requires_grad=True)
    h = (x * x).retain_grad()
    (h * h + h * 3).backward()  # h's gradient is the sum of two 0-d gradients
    assert isinstance(h.grad, np.ndarray) and h.grad == 2 * 4.0 + 3
