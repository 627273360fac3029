"""Functions with several outputs and ctx.mark_non_differentiable, as in PyTorch's autograd.Function."""

from __future__ import annotations

import gc

import numpy as np
import pytest

import tinygrad_seminar as ts


class SinCos(ts.Function):
    """(sin x, cos x): one input, two outputs; a numpy backward (first-order)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.sin(x), np.cos(x)

    @staticmethod
    def backward(ctx, g_sin, g_cos):
        (x,) = ctx.saved_tensors
        return g_sin * np.cos(x) - g_cos * np.sin(x)


class Powers(ts.Function):
    """(x^2, x^3), with a backward written in operators, so it can be differentiated again."""

    differentiable_backward = True

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x, x * x * x

    @staticmethod
    def backward(ctx, g2, g3):
        (x,) = ctx.saved_tensors
        return g2 * 2 * x + g3 * 3 * x * x


class MaxWithIndex(ts.Function):
    """(max, argmax as float): the index is marked non-differentiable, as torch.max(dim) returns it."""

    @staticmethod
    def forward(ctx, x):
        i = np.argmax(x, axis=-1)
        where = i.astype(x.dtype)  # a float output, so only the mark keeps it from requiring grad
        ctx.mark_non_differentiable(where)
        ctx.save_for_backward(x, i)
        return np.max(x, axis=-1), where

    @staticmethod
    def backward(ctx, g_max, g_where):
        x, i = ctx.saved_tensors
        assert not g_where.any()  # a non-differentiable output's gradient is zeros, as PyTorch's default
        g = np.zeros_like(x)
        np.put_along_axis(g, i[..., None], g_max[..., None], axis=-1)
        return g


def x64(*values) -> ts.Tensor:
    return ts.tensor(np.array(values, dtype=np.float64), requires_grad=True)


def test_apply_returns_a_tuple_and_backward_gets_one_gradient_per_output():
    x = x64(0.3, 1.2, -2.0)
    s, c = SinCos.apply(x)
    np.testing.assert_allclose(s.numpy(), np.sin(x.data))
    np.testing.assert_allclose(c.numpy(), np.cos(x.data))
    (2 * s + c * c).sum().backward()
    np.testing.assert_allclose(x.grad, 2 * np.cos(x.data) - 2 * np.cos(x.data) * np.sin(x.data))


def test_an_output_that_receives_no_gradient_gets_zeros():
    x = x64(0.3, 1.2)
    s, c = SinCos.apply(x)
    del c
    gc.collect()
    s.sum().backward()
    np.testing.assert_allclose(x.grad, np.cos(x.data))


def test_an_output_used_twice_gets_the_sum_and_the_function_runs_backward_once():
    calls = []

    class Counted(SinCos):
        @staticmethod
        def backward(ctx, g_sin, g_cos):
            calls.append(1)
            return SinCos.backward(ctx, g_sin, g_cos)

    x = x64(0.5)
    s, c = Counted.apply(x)
    (s * c + s + c).sum().backward()
    v = x.data
    expected = np.cos(v) ** 2 - np.sin(v) ** 2 + np.cos(v) - np.sin(v)
    np.testing.assert_allclose(x.grad, expected)
    assert calls == [1]


def test_gradcheck_passes_through_a_function_with_several_outputs():
    assert ts.gradcheck(lambda x: SinCos.apply(x)[0] * SinCos.apply(x)[1] ** 2, x64(0.1, 0.7, 2.5))


def test_second_derivatives_pass_through_a_differentiable_backward():
    x = x64(0.5, 2.0)
    a, b = Powers.apply(x)
    (g,) = ts.grad((a + b).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.numpy(), 2 * x.data + 3 * x.data**2)
    (h,) = ts.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), 2 + 6 * x.data)
    assert ts.gradgradcheck(lambda x: Powers.apply(x)[0] * Powers.apply(x)[1], x64(0.3, -1.1))


def test_a_numpy_function_with_several_outputs_refuses_create_graph():
    x = x64(0.5)
    s, c = SinCos.apply(x)
    with pytest.raises(RuntimeError, match="SinCos is a numpy Function and is first-order"):
        ts.grad((s + c).sum(), x, create_graph=True)


def test_mark_non_differentiable_keeps_an_output_out_of_the_graph():
    x = ts.tensor([[1.0, 3.0, 2.0], [5.0, 4.0, 0.0]], requires_grad=True)
    m, where = MaxWithIndex.apply(x)
    assert m.requires_grad and not where.requires_grad
    np.testing.assert_array_equal(where.numpy(), [1.0, 0.0])
    m.sum().backward()
    np.testing.assert_array_equal(x.grad, [[0, 1, 0], [1, 0, 0]])


def test_mark_non_differentiable_on_the_only_output():
    class Rounded(ts.Function):
        @staticmethod
        def forward(ctx, x):
            out = np.round(x)
            ctx.mark_non_differentiable(out)
            return out

        @staticmethod
        def backward(ctx, g):
            raise AssertionError("never called: the output is not differentiable")

    y = Rounded.apply(ts.tensor([0.4, 1.6], requires_grad=True))
    assert not y.requires_grad and y.grad_fn is None


def test_under_no_grad_the_outputs_record_nothing():
    x = x64(0.5)
    with ts.no_grad():
        s, c = SinCos.apply(x)
    assert not s.requires_grad and not c.requires_grad


def test_retain_graph_and_the_freed_graph_error():
    x = x64(0.5, 1.0)
    s, c = SinCos.apply(x)
    loss = (s + c).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    np.testing.assert_allclose(x.grad, 2 * (np.cos(x.data) - np.sin(x.data)))
    with pytest.raises(RuntimeError, match="SinCos a second time"):
        loss.backward()


def test_hooks_on_an_output_see_its_gradient():
    x = x64(0.5)
    s, c = SinCos.apply(x)
    seen = []
    c.register_hook(lambda g: seen.append(g.copy()) or g * 0)
    (s + 3 * c).sum().backward()
    np.testing.assert_allclose(seen[0], [3.0])
    np.testing.assert_allclose(x.grad, np.cos(x.data))  # the hook zeroed cos's share


def test_anomaly_mode_names_the_function_whose_output_is_nan():
    class Bad(ts.Function):
        @staticmethod
        def forward(ctx, x):
            return x, np.log(x - 10)

        @staticmethod
        def backward(ctx, g1, g2):
            return g1

    with ts.detect_anomaly(), pytest.raises(ts.AnomalyError, match="Bad"), np.errstate(invalid="ignore"):
        Bad.apply(x64(0.5))


def test_the_picture_draws_one_node_with_an_edge_to_each_output():
    x = ts.tensor([0.5, 2.0], requires_grad=True)
    a, b = Powers.apply(x)
    source = ts.viz.draw_graph((a + b).sum()).source
    assert source.count("<b>Powers</b>") == 1  # the op node; the hidden tensor the outputs share is not drawn
    assert "Powers [0]" in source and "Powers [1]" in source
    captions = [s.caption for s in ts.viz.backward_steps((a + b).sum())]
    assert captions == ["step 1 of 3: backward of sum", "step 2 of 3: backward of +",
                        "step 3 of 3: backward of Powers"]


def test_agrees_with_pytorch():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: the comparison is skipped")

    class TorchSinCos(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.sin(), x.cos()

        @staticmethod
        def backward(ctx, g_sin, g_cos):
            (x,) = ctx.saved_tensors
            return g_sin * x.cos() - g_cos * x.sin()

    values = np.array([0.3, -1.2, 2.0])
    tx = torch.tensor(values, requires_grad=True)
    s, _ = TorchSinCos.apply(tx)  # only one output used: the other's gradient is zeros in both
    (s * s).sum().backward()
    x = x64(*values)
    s, _ = SinCos.apply(x)
    (s * s).sum().backward()
    np.testing.assert_allclose(x.grad, tx.grad.numpy())


def test_a_failing_gradcheck_blames_the_function_not_its_outputs():
    class WrongSinCos(SinCos):
        @staticmethod
        def backward(ctx, g_sin, g_cos):
            (x,) = ctx.saved_tensors
            return g_sin * np.cos(x) + g_cos * np.sin(x)  # the sign of cos' is wrong

    with pytest.raises(ts.GradcheckError, match=r"disagrees with its forward: WrongSinCos \(node 1 of 4") as e:
        ts.gradcheck(lambda x: (WrongSinCos.apply(x)[1] * 2).exp(), x64(0.3, 1.0))
    assert "OutputOf" not in str(e.value)


def test_a_saved_scalar_output_is_the_output_under_create_graph():
    class ExpSum(ts.Function):
        """(e^(sum x), x): forward returns a numpy scalar first; its saved value is that output."""

        differentiable_backward = True

        @staticmethod
        def forward(ctx, x):
            e = np.exp(x.sum())
            ctx.save_for_backward(e)
            return e, x * 1

        @staticmethod
        def backward(ctx, g_e, g_x):
            (e,) = ctx.saved_tensors
            return g_e * e + g_x

    assert ts.gradgradcheck(lambda x: ExpSum.apply(x)[0] + ExpSum.apply(x)[1].sum(), x64(0.1, -0.3))


def test_marking_something_else_than_the_output_leaves_the_output_differentiable():
    class Scaled(ts.Function):
        @staticmethod
        def forward(ctx, x):
            mask = x > 0
            ctx.mark_non_differentiable(mask)  # not an output: nothing changes, as in PyTorch
            return x * 2.0

        @staticmethod
        def backward(ctx, g):
            return g * 2.0

    x = x64(0.5, -1.0)
    y = Scaled.apply(x)
    assert y.requires_grad
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, 2.0])
