"""The entry a replayed plan gets (jit_entry.py): a match gives the plan's arrays, anything else the general path."""

from __future__ import annotations

import numpy as np
import pytest
from jit_steps import model_of

import tinygrad_seminar as ts
from tinygrad_seminar.autograd.jit_entry import MISS


def sgd_step(model, opt):
    def step(x, y, w):
        opt.zero_grad()
        loss = ts.losses.sparse_categorical_crossentropy(y, model(x), from_logits=True)
        loss.backward()
        opt.step()
        return loss

    return step


@pytest.fixture
def replayed():
    """(model, jitted step, x, labels) after one replay: the plan has its entry."""
    model = model_of([3, 4, 2], "relu")
    step = ts.jit(sgd_step(model, ts.optim.SGD(model.parameters(), lr=0.1)))
    x, y = ts.Tensor(np.ones((5, 3), np.float32)), np.array([0, 1, 0, 1, 1])
    for _ in range(3):
        step(x, y, None)
    assert step.replays == 1 and step.last is not None
    return model, step, x, y


def test_an_entry_gives_the_arrays_of_its_signature_and_misses_anything_else(replayed):
    model, step, x, y = replayed
    check = step.last.entry
    found = check((x, y, None))
    assert len(found) == 2 and found[0] is x.data and found[1] is y
    other_rows = ts.Tensor(np.ones((4, 3), np.float32))
    as_float64 = ts.Tensor(np.ones((5, 3)))
    needs_grad = ts.Tensor(np.ones((5, 3), np.float32), requires_grad=True)
    for args in [(x, y), (x, y, None, None), (x.data, y, None), (other_rows, y, None), (as_float64, y, None),
                 (needs_grad, y, None), (x, y.astype(np.int32), None), (x, y, y), (x, list(y), None)]:
        assert check(args) is MISS, args
    model.eval()  # the guard, written out: another mode,
    assert check((x, y, None)) is MISS
    model.train()
    assert check((x, y, None)) is not MISS
    model.layers[0].weight.data = model.layers[0].weight.data.copy()  # a parameter's array replaced,
    assert check((x, y, None)) is MISS


def test_a_hook_registered_after_the_entry_was_written_sends_the_call_the_eager_way(replayed):
    model, step, x, y = replayed
    seen, captures = [], step.captures
    model.layers[0].weight.register_hook(lambda g: seen.append(g.shape))
    step(x, y, None)  # run by the step's Python (recorded), which calls the hook: not replayed
    assert seen == [(4, 3)] and step.replays == 1 and step.captures == captures + 1


def test_a_second_signature_and_back_replays_through_the_general_path_then_the_entry(replayed):
    model, step, x, y = replayed
    short = ts.Tensor(np.ones((2, 3), np.float32))
    for _ in range(3):
        step(short, y[:2], None)  # captured twice, then replayed: the entry is the short plan's
    assert step.replays == 2 and step.last.key[1][1][0][1] == (2, 3)
    step(x, y, None)
    assert step.replays == 3 and step.last.key[1][1][0][1] == (5, 3)
    step(x, y, None)
    assert step.replays == 4
    step.reset()
    assert step.last is None


def test_a_replayer_is_the_plan_replayed_last_for_arguments_of_its_signature(replayed):
    model, step, x, y = replayed
    twin = model_of([3, 4, 2], "relu")  # the same weights: its eager step is what the replayer must compute
    twin_step = sgd_step(twin, ts.optim.SGD(twin.parameters(), lr=0.1))
    for _ in range(3):
        twin_step(x, y, None)
    replay = step.replayer(x, y, None)
    assert replay is not None
    for rows in (np.full((5, 3), 0.5, np.float32), np.linspace(-1, 1, 15, dtype=np.float32).reshape(5, 3)):
        assert replay(rows, y).item() == twin_step(ts.Tensor(rows), y, None).item()  # the arrays, nothing checked
    assert all(np.array_equal(a.data, b.data) for a, b in zip(model.parameters(), twin.parameters()))
    assert step.replays == 3  # counted as replays


def test_no_replayer_where_the_call_would_not_replay(replayed):
    model, step, x, y = replayed
    assert step.replayer(ts.Tensor(np.ones((4, 3), np.float32)), y, None) is None  # another signature
    with ts.no_grad():
        assert step.replayer(x, y, None) is None  # another grad mode
    with ts.detect_anomaly():
        assert step.replayer(x, y, None) is None
    model.eval()  # the guard
    assert step.replayer(x, y, None) is None
    model.train()
    assert step.replayer(x, y, None) is not None
    assert ts.jit(sgd_step(model, ts.optim.SGD(model.parameters(), lr=0.1))).replayer(x, y, None) is None  # none yet
