"""After a backward without retain_graph a graph keeps its description, not its arrays (issue: a kept loss)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import tinygrad_seminar as ts
from tinygrad_seminar.autograd.base import KEPT_ELEMENTS, Freed


def mlp_step(model, opt, x, y):
    loss = ts.losses.sparse_categorical_crossentropy(y, model(x), from_logits=True)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss


def test_a_kept_loss_costs_its_description_not_the_forward_pass():
    ts.manual_seed(0)
    model = ts.nn.Sequential([ts.nn.Dense(128, activation="relu", input_dim=64), ts.nn.Dense(10)])
    opt = ts.optim.SGD(model.parameters(), lr=0.01)
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((64, 64)).astype(np.float32), rng.integers(0, 10, 64)
    for _ in range(5):
        mlp_step(model, opt, x, y)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = [mlp_step(model, opt, x, y) for _ in range(200)]
        per_loss = (tracemalloc.get_traced_memory()[0] - before) / len(kept)
    finally:
        tracemalloc.stop()
    # the activations alone are 2 x 64 x 128 float32 = 64 KB a step; the description is a few KB
    assert per_loss < 6_000, f"a kept loss costs {per_loss:.0f} bytes"


def test_tensors_the_user_holds_keep_their_values():
    x = ts.tensor(np.arange(40.0).reshape(20, 2), requires_grad=True)
    h = (x * 2).tanh()
    loss = (h * 3).sum()
    loss.backward()
    np.testing.assert_allclose(h.numpy(), np.tanh(2 * np.arange(40.0).reshape(20, 2)))  # h itself is untouched
    kept = loss.grad_fn.inputs[0]  # the node's own reference to h is freed: shape, dtype and graph stay
    assert isinstance(kept.grad_fn.inputs[0], Freed) and kept.grad_fn.inputs[0].shape == (20, 2)


def test_parameters_small_values_and_tensors_that_retain_grad_are_kept():
    w = ts.tensor(np.ones((30, 1)), requires_grad=True)
    small = ts.tensor([1.0, 2.0])
    big = ts.tensor(np.ones((30, 30)))
    r = (big @ w)
    r.retain_grad()
    loss = (r * small.sum()).sum()
    loss.backward()
    matmul = r.grad_fn
    assert matmul.inputs[1] is w and isinstance(matmul.inputs[0], Freed)
    assert loss.grad_fn.inputs[0].grad_fn.inputs[0] is r and r.grad is not None
    assert small.size <= KEPT_ELEMENTS


def test_a_graph_whose_ops_saved_nothing_can_run_backward_again_as_in_pytorch():
    w = ts.tensor(np.ones(40), requires_grad=True)
    loss = (w + np.arange(40.0)).sum()
    loss.backward()
    loss.backward()
    np.testing.assert_array_equal(w.grad, np.full(40, 2.0))
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: its side is skipped")
    tw = torch.ones(40, requires_grad=True)
    tl = (tw + torch.arange(40.0)).sum()
    tl.backward()
    tl.backward()
    np.testing.assert_array_equal(tw.grad.numpy(), np.full(40, 2.0))


def test_a_graph_whose_ops_saved_values_refuses_a_second_backward():
    w = ts.tensor(np.ones(40), requires_grad=True)
    loss = (w * w).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="a second time"):
        loss.backward()


def test_a_picture_drawn_after_backward_says_which_values_were_freed():
    x = ts.tensor(np.ones((20, 3)), requires_grad=True)
    loss = (x.tanh() * ts.tensor([1.0, 2.0, 3.0])).sum()
    loss.backward()
    source = ts.viz.draw_graph(loss, show_values=True).source
    assert source.count("freed by backward()") == 2  # x and tanh(x) (60 elements); the 3 weights are shown
    assert "[1, 2, 3]" in source
    kept = ts.tensor(np.ones((20, 3)), requires_grad=True)
    loss = (kept.tanh() * 2).sum()
    loss.backward(retain_graph=True)
    assert "freed" not in ts.viz.draw_graph(loss, show_values=True).source


def test_ops_that_saved_nothing_free_their_values_too():
    x = np.random.default_rng(0).standard_normal((512, 64)).astype(np.float32)
    dense = ts.nn.Dense(256, input_dim=64)
    (dense(x).sum()).backward()  # warm up
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = []
        for _ in range(10):
            loss = dense(x).sum()  # affine saves; sum saves nothing but held its input's array
            loss.backward()
            kept.append(loss)
        per_loss = (tracemalloc.get_traced_memory()[0] - before) / len(kept)
    finally:
        tracemalloc.stop()
    assert per_loss < 20_000, f"a kept loss costs {per_loss:.0f} bytes (its output alone is 512 KB)"


def test_one_tensor_read_by_two_ops_stays_one_node_after_the_graph_is_freed():
    x = ts.tensor(np.ones(40), requires_grad=True)
    y = (x * 2).exp()
    loss = (y * y).sum()
    loss.backward()
    mul = loss.grad_fn.inputs[0].grad_fn
    assert mul.inputs[0] is mul.inputs[1]  # one Freed for y, read twice
    assert ts.viz.draw_graph(loss).source.count("<b>exp</b>") == 2  # the op node and y, once each


def test_a_hook_sees_the_whole_gradient_on_a_second_backward_as_in_pytorch():
    x = ts.tensor(np.ones(40), requires_grad=True)
    y = x + 1
    seen = []
    y.register_hook(lambda g: seen.append(float(g.sum())))
    z = (y + y).sum()
    z.backward()
    z.backward()
    assert seen == [80.0, 80.0]
    np.testing.assert_array_equal(x.grad, np.full(40, 4.0))


def test_a_large_array_argument_becomes_a_placeholder_and_a_tensor_read_twice_one_freed():
    w = ts.tensor(np.ones(40, np.float32), requires_grad=True)
    labels = np.arange(40.0, dtype=np.float32)
    h = w * 2.0
    loss = ((h + labels) * h).sum()
    loss.backward()
    mul, add = loss.grad_fn.inputs[0].grad_fn, loss.grad_fn.inputs[0].grad_fn.inputs[0].grad_fn
    kept = add.inputs[1]
    assert type(kept) is np.ndarray and kept is not labels and kept.shape == (40,) and kept.dtype == np.float32
    assert not kept.flags.writeable and kept.base is not None  # a view of one element, not the labels' memory
    freed = add.inputs[0]
    assert type(freed) is Freed and mul.inputs[1] is freed  # h, read by two ops: one Freed
    assert freed.grad_fn is h.grad_fn and freed.requires_grad and freed.grad is None and not freed.retains_grad
    assert freed.shape == (40,) and freed.dtype == np.float32 and freed.name == h.name and freed.hooks is None
