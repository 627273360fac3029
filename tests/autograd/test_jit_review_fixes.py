"""ts.jit against the eager step where a review found them apart: 0-d activations, an optimiser's list changed in
place, bad targets and labels refused with the eager step's error."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_seminar as ts

F, L = ts.nn.functional, ts.losses


@pytest.mark.parametrize("act", ["relu", "tanh", "sigmoid"])
def test_a_replayed_activation_of_a_0d_tensor_keeps_an_array(act):
    p = ts.Tensor(np.float32(0.3), requires_grad=True)
    opt = ts.optim.SGD([p], lr=0.1)

    @ts.jit(strict=True)
    def step(x):
        opt.zero_grad()
        t = getattr(F, act)(p)
        (t * x).sum().backward()
        opt.step()
        return t

    outs = [step(ts.Tensor(np.float32(2.0))) for _ in range(3)]
    assert step.replays == 1
    assert [type(o.data) for o in outs] == [np.ndarray] * 3  # eager: a 0-d ndarray; replay: np.float32


def params_swap_run(jitted: bool) -> list:
    rng = np.random.default_rng(1)
    w, b, c = (ts.Tensor(rng.standard_normal(s).astype(np.float32), requires_grad=True) for s in [(4, 5), (4,), (4,)])
    opt = ts.optim.SGD([w, b, c], lr=0.1)

    def step(x, y):
        opt.zero_grad()
        v = L.categorical_crossentropy(y, F.affine(x, w, b), from_logits=True)
        v.backward()
        opt.step()
        return v

    step = ts.jit(step) if jitted else step
    out = []
    for k in range(6):
        if k == 4:
            opt.params[1] = c  # the same list, one element replaced: eager zero_grad/step follow it
        step(ts.Tensor(rng.standard_normal((6, 5)).astype(np.float32)), np.eye(4, dtype=np.float32)[[0, 1, 2, 3, 0, 1]])
        out.append([(t.data.copy(), None if t.grad is None else t.grad.copy()) for t in (w, b, c)])
    return out


def test_written_out_zero_grad_and_step_follow_an_element_replaced_in_opt_params():
    eager, jitted = params_swap_run(False), params_swap_run(True)
    for e, j in zip(eager, jitted):
        for (ed, eg), (jd, jg) in zip(e, j):
            assert np.array_equal(ed, jd) and (eg is None) == (jg is None) and (eg is None or np.array_equal(eg, jg))


def loss_step(loss, units: int):
    """A training step of one dense layer of ``units`` on ``loss`` from logits (seeded: two calls, equal models)."""
    ts.manual_seed(3)
    m = ts.Sequential([ts.nn.Dense(units, input_dim=5)])
    opt = ts.optim.SGD(m.parameters(), lr=0.1)

    def step(x, y):
        opt.zero_grad()
        v = loss(y, m(x), from_logits=True)
        v.backward()
        opt.step()
        return v

    return step


@pytest.mark.parametrize("bad", [2.0, np.nan])
def test_a_replayed_bce_refuses_targets_outside_0_1_as_the_eager_step_does(bad):
    x, y = ts.Tensor(np.ones((6, 5), np.float32)), np.zeros((6, 1), np.float32)
    wrong = y.copy()
    wrong[0] = bad
    with pytest.raises(ValueError, match="targets must lie in"):
        loss_step(L.binary_crossentropy, 1)(x, wrong)  # eagerly
    step = ts.jit(loss_step(L.binary_crossentropy, 1))
    for _ in range(3):
        step(x, y)
    with pytest.raises(ValueError, match="targets must lie in"):
        step(x, wrong)


def test_a_replayed_sparse_loss_raises_the_eager_steps_exception_type():
    step = loss_step(L.sparse_categorical_crossentropy, 4)
    x, bad = ts.Tensor(np.ones((6, 5), np.float32)), np.array([0, 1, 9, 0, 0, 0])
    with pytest.raises(ValueError):
        step(x, bad)
    jitted = ts.jit(step)
    for _ in range(3):
        jitted(x, np.zeros(6, np.int64))
    with pytest.raises(ValueError):
        jitted(x, bad)
