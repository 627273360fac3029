"""Kept losses share their freed graphs (autograd/compact.py): less memory, and nothing else a user can see."""

from __future__ import annotations

import gc
import tracemalloc
import weakref

import numpy as np
import pytest

import tinygrad_seminar as ts
from tinygrad_seminar.autograd.base import Freed
from tinygrad_seminar.autograd.compact import EVERY, compact, compact_kept


def tiny_classifier():
    ts.manual_seed(0)
    model = ts.nn.Sequential([ts.nn.Dense(8, activation="relu", input_dim=4), ts.nn.Dense(3)])
    rng = np.random.default_rng(0)
    return model, ts.optim.SGD(model.parameters(), lr=0.01), rng.standard_normal((32, 4)).astype(np.float32), \
        rng.integers(0, 3, 32)


def kept_losses(steps: int, loss_fn=None):
    model, opt, x, y = tiny_classifier()
    loss_fn = loss_fn or (lambda p: ts.losses.sparse_categorical_crossentropy(y, p, from_logits=True))
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(x))
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss)
    return model, losses


def dot(loss, **options) -> str:
    return ts.viz.draw_graph(loss, **options).source


def test_a_kept_loss_costs_a_few_hundred_bytes():
    model, opt, x, y = tiny_classifier()

    def step():
        loss = ts.losses.sparse_categorical_crossentropy(y, model(x), from_logits=True)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss

    tracemalloc.start()
    try:
        warm = [step() for _ in range(10)]
        compact_kept()  # the engine compacts every EVERY backwards; here the last ones too, so the count is exact
        gc.collect()  # which also empties Python's free lists, filled as the graphs of earlier steps are dropped
        before = tracemalloc.get_traced_memory()[0]
        kept = [step() for _ in range(300)]
        compact_kept()
        gc.collect()
        per_loss = (tracemalloc.get_traced_memory()[0] - before) / len(kept)
    finally:
        tracemalloc.stop()
    # each step's own chain of freed nodes cost 1 740 bytes; the loss, its 0-d array and its op are 300
    assert per_loss < 400, f"a kept loss costs {per_loss:.0f} bytes"
    assert len(warm) == 10


def test_steps_alike_share_everything_below_the_root_and_the_root_stays_each_loss_own():
    model, losses = kept_losses(2 * EVERY + 1)  # the engine compacts by itself every EVERY backwards
    first, later = losses[0].grad_fn, losses[1].grad_fn
    assert first is not later and type(first) is type(later)
    assert first.inputs is later.inputs  # the root's op takes the canonical inputs
    dense = first.inputs[0].grad_fn
    assert dense.inputs[1] is model.layers[1].weight and isinstance(dense.inputs[0], Freed)


def test_a_picture_of_a_kept_loss_is_unchanged_and_the_same_for_every_step():
    model, losses = kept_losses(100)
    last = losses[-1]  # the last backward's loss: not compacted yet
    before = {k: dot(losses[k], show_values=True) for k in (0, 50, 99)}
    plain = dot(losses[0])
    compact_kept()
    assert compact(last)
    for k, source in before.items():
        assert dot(losses[k], show_values=True) == source
    assert dot(losses[99]) == dot(losses[50]) == plain  # values aside, step 1 and step 100 draw alike
    assert "freed by backward()" in before[0]


def test_a_composite_stays_one_node_and_two_alike_nodes_of_one_graph_stay_two():
    w = ts.tensor(np.ones(40), requires_grad=True)
    losses = []
    for _ in range(3):
        a, b = w * 2, w * 2  # two nodes alike in one graph
        loss = (a.tanh() * b.tanh()).mean()
        loss.backward()
        losses.append(loss)
    pictures = [dot(loss, show_values=True) for loss in losses]
    for loss in losses:
        assert compact(loss)
    mul = losses[2].grad_fn.inputs[0].grad_fn.inputs[0].grad_fn
    assert mul.inputs[0] is not mul.inputs[1]
    assert mul.inputs[0] is losses[0].grad_fn.inputs[0].grad_fn.inputs[0].grad_fn.inputs[0]
    assert [dot(loss, show_values=True) for loss in losses] == pictures
    assert pictures[0].count("<b>mean</b>") == 2  # one op node (Sum and Mul by 1/n) and its output


@ts.autograd.composite("energy")
def energy(x):
    return (x.tanh() * 2).sum()


def test_a_composite_read_by_an_op_that_is_not_shared_stays_one_node():
    w = ts.tensor(np.ones(40), requires_grad=True)
    losses = []
    for _ in range(3):
        loss = energy(w * 3) * 1.5  # the sum's 0-d result keeps its value, so the sum and the root stay their own
        loss.backward()
        losses.append(loss)
    pictures = [dot(loss, show_values=True) for loss in losses]
    for loss in losses:
        assert compact(loss)
    tanh = losses[2].grad_fn.inputs[0].grad_fn.inputs[0].grad_fn.inputs[0]
    assert tanh is losses[0].grad_fn.inputs[0].grad_fn.inputs[0].grad_fn.inputs[0]  # shared below the sum
    assert [dot(loss, show_values=True) for loss in losses] == pictures
    assert pictures[2].count("<b>energy</b>") == 2  # one op node (tanh, *2 and sum) and its output


def test_a_second_backward_says_the_same_after_sharing():
    _, losses = kept_losses(3)
    with pytest.raises(RuntimeError) as unshared:
        losses[1].backward()
    compact(losses[0])
    assert compact(losses[1])
    with pytest.raises(RuntimeError) as shared:
        losses[1].backward()
    assert str(shared.value) == str(unshared.value) and "a second time" in str(shared.value)


def test_a_graph_that_saved_nothing_runs_backward_again_after_sharing():
    w = ts.tensor(np.ones(40), requires_grad=True)
    losses = []
    for _ in range(3):
        loss = (w + np.arange(40.0)).sum()
        loss.backward()
        losses.append(loss)
    assert all(compact(loss) for loss in losses)
    w.grad = None
    losses[1].backward()
    np.testing.assert_array_equal(w.grad, np.ones(40))


def test_a_tensor_with_hooks_is_not_shared():
    x = ts.tensor(np.ones(40), requires_grad=True)
    seen, losses = [], []
    for k in range(3):
        h = x + 1
        h.register_hook(lambda g, k=k: seen.append(k))
        loss = (h + h).sum()
        loss.backward()
        losses.append(loss)
    for loss in losses:
        compact(loss)
    first, second = (loss.grad_fn.inputs[0].grad_fn.inputs[0] for loss in losses[:2])
    assert first is not second and first.hooks is not second.hooks
    seen.clear()
    losses[1].backward()  # add saved nothing: it runs again, with step 1's hook only
    assert seen == [1]


def test_different_shapes_names_and_small_values_are_not_merged():
    w = ts.tensor(np.ones((1, 3)), requires_grad=True)
    losses = []
    for rows, name, scale in ((20, None, 1.0), (20, None, 1.0), (30, None, 1.0), (20, "h", 1.0), (20, None, 2.0)):
        h = ts.tensor(np.ones((rows, 3))) * w
        h.name = name
        loss = (h.tanh() * ts.tensor([scale, 1.0, 1.0])).sum()
        loss.backward()
        losses.append(loss)
    pictures = [dot(loss, show_values=True) for loss in losses]
    for loss in losses:
        compact(loss)
    tanh = [loss.grad_fn.inputs[0].grad_fn.inputs[0] for loss in losses]
    assert tanh[0] is tanh[1] and tanh[0] is tanh[4]  # alike below the scale
    assert tanh[2] is not tanh[0] and tanh[2].shape == (30, 3)
    assert tanh[3] is not tanh[0]
    assert losses[4].grad_fn.inputs is not losses[0].grad_fn.inputs and "[2, 1, 1]" in dot(losses[4], show_values=True)
    assert [dot(loss, show_values=True) for loss in losses] == pictures


def test_a_graph_kept_with_retain_graph_is_left_alone():
    w = ts.tensor(np.ones(40), requires_grad=True)
    losses = []
    for _ in range(EVERY + 2):
        loss = (w * w).tanh().sum()
        loss.backward(retain_graph=True)
        losses.append(loss)
    inputs = [loss.grad_fn.inputs for loss in losses]
    compact_kept()
    assert not compact(losses[0])
    assert [loss.grad_fn.inputs for loss in losses] == inputs
    assert not any(isinstance(a, Freed) for a in inputs[0])
    losses[0].backward()  # its values are still there


def test_the_shared_graphs_keep_nothing_alive_once_the_losses_are_dropped():
    model, losses = kept_losses(EVERY + 10)
    compact_kept()
    weight = weakref.ref(model.layers[0].weight)
    del model, losses
    gc.collect()
    assert weight() is None
