"""ts.jit: a replayed training step is the eager step bit for bit, for every workload, optimiser and loss."""

from __future__ import annotations

import numpy as np
import pytest
from jit_steps import OPTIMISERS, WORKLOADS, batches, eager_and_jitted, model_of, record, step_for

import tinygrad_seminar as ts

LOSSES = [ts.losses.binary_crossentropy, ts.losses.categorical_crossentropy, ts.losses.sparse_categorical_crossentropy,
          ts.losses.mse, ts.losses.mae]


@pytest.mark.parametrize("name", ["A", "B", "C"])
@pytest.mark.parametrize("opt", list(OPTIMISERS))
def test_replayed_steps_are_the_eager_steps(name, opt):
    spec = WORKLOADS[name]
    step = eager_and_jitted(spec, OPTIMISERS[opt], spec["loss"])
    assert (step.captures, step.replays, step.eager_calls) == (2, 18, 0)


@pytest.mark.parametrize("loss", LOSSES, ids=lambda f: f.__name__)
@pytest.mark.parametrize("dropout", [0.0, 0.3])
def test_every_built_in_loss_with_and_without_dropout(loss, dropout):
    spec = dict(sizes=[6, 12, 4 if loss is not ts.losses.binary_crossentropy else 1], hidden="relu", batch=16)
    step = eager_and_jitted(spec, OPTIMISERS["adam"], loss, dropout=dropout)
    assert step.replays == 18


def test_the_short_last_batch_gets_its_own_plan():
    spec = WORKLOADS["B"]
    step = eager_and_jitted(spec, OPTIMISERS["sgd_momentum"], spec["loss"], dropout=0.2, short=24)
    assert step.captures == 4 and step.replays == 16 and len(step.plans) == 2


def test_dropout_masks_are_drawn_afresh_on_each_replay():
    model = model_of([4, 64, 1], "relu", dropout=0.5)
    opt = ts.optim.SGD(model.parameters(), lr=0.0)  # lr 0: the same weights, so only the masks change the loss
    step = ts.jit(step_for(model, opt, ts.losses.mse), strict=True)
    x, y = ts.Tensor(np.ones((8, 4), np.float32)), np.zeros((8, 1), np.float32)
    losses = {step(x, y).item() for _ in range(6)}
    assert len(losses) == 6 and step.replays == 4


def test_a_replay_returns_fresh_tensors_that_later_steps_do_not_overwrite():
    model = model_of([3, 5, 1], "tanh")
    step = ts.jit(step_for(model, ts.optim.SGD(model.parameters(), lr=0.1), ts.losses.mse), strict=True)
    x, y = ts.Tensor(np.ones((4, 3), np.float32)), np.zeros((4, 1), np.float32)
    losses = [step(x, y) for _ in range(5)]
    values = [loss.item() for loss in losses]
    assert len(set(values)) == 5 and values == sorted(values, reverse=True)  # kept losses keep their values
    assert isinstance(losses[-1], ts.Tensor) and not losses[-1].requires_grad


def test_recaptures_on_a_train_eval_switch_and_keeps_both_plans():
    model = model_of([4, 8, 1], "tanh", dropout=0.5)
    opt = ts.optim.SGD(model.parameters(), lr=0.1)
    step = ts.jit(step_for(model, opt, ts.losses.mse), strict=True)
    x, y = ts.Tensor(np.ones((8, 4), np.float32)), np.zeros((8, 1), np.float32)
    for mode in (True, False, True, False):
        model.train(mode)
        for _ in range(3):
            step(x, y)
    assert (step.captures, step.replays) == (4, 8)


def test_recaptures_after_load_state_dict_and_set_weights_and_stays_exact():
    spec = WORKLOADS["A"]
    data = batches(spec["sizes"], spec["batch"], spec["loss"], 12)
    runs, steps = [], []
    for jitted in (False, True):
        model = model_of(spec["sizes"], spec["hidden"])
        opt = OPTIMISERS["sgd_momentum"](model.parameters())
        step = step_for(model, opt, spec["loss"])
        step = ts.jit(step, strict=True) if jitted else step
        first = record(step, model, opt, data[:4])
        model.load_state_dict(model_of(spec["sizes"], spec["hidden"], seed=5).state_dict())  # new arrays
        second = record(step, model, opt, data[4:8])
        model.set_weights([w * 0.5 for w in model.get_weights()])
        runs.append(first + second + record(step, model, opt, data[8:]))
        steps.append(step)
    from jit_steps import assert_same

    assert_same(*runs)
    assert (steps[1].captures, steps[1].replays) == (6, 6)


def test_a_users_own_function_replays_through_its_own_forward_and_backward():
    class Cube(ts.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 3 * x ** 2 * g

    rng = np.random.default_rng(3)
    xs = [ts.Tensor(rng.standard_normal((5, 3)).astype(np.float32)) for _ in range(6)]
    runs = []
    for jitted in (False, True):
        w = ts.Tensor(np.full((3, 2), 0.3, np.float32), requires_grad=True)
        opt = ts.optim.SGD([w], lr=0.01, momentum=0.5)

        def step(x, w=w, opt=opt):
            opt.zero_grad()
            loss = Cube.apply(x @ w).mean()
            loss.backward()
            opt.step()
            return loss

        step = ts.jit(step, strict=True) if jitted else step
        runs.append([(step(x).item(), w.data.copy(), w.grad.copy()) for x in xs])
    for (la, wa, ga), (lb, wb, gb) in zip(*runs):
        assert la == lb and np.array_equal(wa, wb) and np.array_equal(ga, gb)
    assert step.replays == 4


def test_broadcast_gradients_fan_out_and_casts_replay_exactly():
    rng = np.random.default_rng(4)
    xs = [ts.Tensor(rng.standard_normal((5, 3)).astype(np.float32)) for _ in range(6)]
    scale = ts.Tensor(np.array([2.0], np.float64))  # float64: the float32 input's gradient is cast back
    runs = []
    for jitted in (False, True):
        w = ts.Tensor(np.array([[0.1, -0.2, 0.3]], np.float32), requires_grad=True)  # broadcast over rows
        b = ts.Tensor(np.float32(0.05), requires_grad=True)  # 0-d: summed over everything
        opt = ts.optim.Adam([w, b], lr=0.1)

        def step(x, w=w, b=b, opt=opt):
            opt.zero_grad()
            h = (x * w + b).tanh()
            loss = (h * h + h * scale).mean()  # h feeds three products: gradients add up at h
            loss.backward()
            opt.step()
            return loss, h

        step = ts.jit(step, strict=True) if jitted else step
        out = []
        for x in xs:
            loss, h = step(x)
            out.append((loss.item(), h.data.copy(), w.data.copy(), w.grad.copy(), b.grad.copy()))
        runs.append(out)
    for a, b_ in zip(*runs):
        assert a[0] == b_[0] and all(np.array_equal(u, v) for u, v in zip(a[1:], b_[1:]))
    assert step.replays == 4


def test_gradients_accumulate_across_replays_without_zero_grad():
    runs = []
    for jitted in (False, True):
        w = ts.Tensor(np.array([0.5, -1.0], np.float32), requires_grad=True)

        def step(x, w=w):
            (x * w * w).sum().backward()  # no zero_grad: .grad adds up, call after call

        step = ts.jit(step, strict=True) if jitted else step
        x = ts.Tensor(np.array([2.0, 3.0], np.float32))
        runs.append([(step(x), w.grad.copy())[1] for _ in range(5)])
    assert all(np.array_equal(a, b) for a, b in zip(*runs))
    assert np.array_equal(runs[1][-1], 5 * 2 * np.array([2.0, 3.0], np.float32) * np.array([0.5, -1.0], np.float32))


def test_a_step_under_no_grad_replays_forward_only():
    model = model_of([3, 5, 2], "relu")

    @ts.jit(strict=True)
    def predict(x):
        with ts.no_grad():
            return model(x).softmax(axis=-1)

    rng = np.random.default_rng(0)
    for _ in range(4):
        x = ts.Tensor(rng.standard_normal((7, 3)).astype(np.float32))
        with ts.no_grad():
            want = model(x).softmax(axis=-1).data
        assert np.array_equal(predict(x).data, want)
    assert predict.replays == 2


def test_jit_as_a_decorator_and_its_argument_errors():
    @ts.jit
    def double(x):
        return x * 2

    assert [double(ts.Tensor([1.0])).item() for _ in range(3)] == [2.0] * 3
    assert double.__name__ == "double" and "1 plan(s)" in double.explain() and "def replay" in double.source()
    with pytest.raises(TypeError, match="strict must be True or False"):
        ts.jit(lambda: 0, strict="yes")
    with pytest.raises(TypeError, match="fn must be a function"):
        ts.jit(3)
