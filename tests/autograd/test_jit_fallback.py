"""ts.jit runs a step eagerly where a replay would differ, says why (explain), and strict=True raises instead."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from jit_steps import model_of, step_for

import tinygrad_seminar as ts


def small():
    model = model_of([3, 5, 1], "tanh")
    x, y = ts.Tensor(np.ones((4, 3), np.float32)), np.zeros((4, 1), np.float32)
    return model, ts.optim.SGD(model.parameters(), lr=0.1), x, y


def same_as_eager(make_step, calls: int = 5):
    """Run make_step()'s step eagerly and jitted (fresh models, same inputs); return the jitted one."""
    runs = []
    for jitted in (False, True):
        model, opt, x, y = small()
        step = make_step(model, opt)
        step = ts.jit(step) if jitted else step
        out = []
        for k in range(calls):
            step(x * (k + 1), y)
            out.append([p.data.copy() for p in model.parameters()])
        runs.append(out)
    for a, b in zip(*runs):
        assert all(np.array_equal(u, v) for u, v in zip(a, b))
    return step


def test_a_parameter_hook_runs_eagerly_with_a_reason_and_strict_raises():
    seen = []

    def make(model, opt):
        model.parameters()[0].register_hook(lambda g: seen.append(1) or g * 0.5)
        return step_for(model, opt, ts.losses.mse)

    step = same_as_eager(make)
    assert len(seen) == 10 and step.replays == 0 and "hook" in step.explain()
    model, opt, x, y = small()
    model.parameters()[0].register_hook(lambda g: g)
    with pytest.raises(ts.JitError, match="hook"):
        ts.jit(step_for(model, opt, ts.losses.mse), strict=True)(x, y)


def test_a_hook_registered_after_the_capture_is_noticed():
    model, opt, x, y = small()
    step = ts.jit(step_for(model, opt, ts.losses.mse))
    for _ in range(3):
        step(x, y)
    calls = []
    handle = model.parameters()[1].register_hook(lambda g: calls.append(1))
    step(x, y)
    assert calls == [1] and "hook" in step.explain()
    handle.remove()
    for _ in range(3):
        step(x, y)
    assert step.replays == 4  # 1 before the hook; the first plan holds again once the hook is gone


def test_a_module_forward_hook_is_noticed():
    model, opt, x, y = small()
    step = ts.jit(step_for(model, opt, ts.losses.mse))
    for _ in range(3):
        step(x, y)
    seen = []
    model.layers[0].register_forward_hook(lambda m, inputs, out: seen.append(out.shape))
    step(x, y)
    step(x, y)
    assert seen == [(4, 5), (4, 5)] and step.replays == 1


def test_anomaly_mode_runs_eagerly_and_says_so():
    model, opt, x, y = small()
    step = ts.jit(step_for(model, opt, ts.losses.mse))
    with ts.detect_anomaly():
        for _ in range(3):
            step(x, y)
    assert step.captures == 0 and step.eager_calls == 3 and "anomaly" in step.explain()
    with ts.detect_anomaly(), pytest.raises(ts.JitError, match="anomaly"):
        ts.jit(step.fn, strict=True)(x, y)


def test_control_flow_on_values_is_noticed_between_the_two_captures():
    def make(model, opt):
        def step(x, y):
            opt.zero_grad()
            h = model(x)
            loss = ts.losses.mse(y, h if x.data[0, 0] < 1.5 else h * 2)  # depends on the data
            loss.backward()
            opt.step()
        return step

    step = same_as_eager(make)
    assert step.replays == 0 and "depend on the data" in step.explain()


def test_plain_python_updates_and_gradient_clipping_are_refused():
    def manual_sgd(model, opt):
        def step(x, y):
            model.zero_grad()
            ts.losses.mse(y, model(x)).backward()
            for p in model.parameters():
                p.data -= 0.1 * p.grad  # numpy on .data: a replay would not do it
        return step

    def clipped(model, opt):
        def step(x, y):
            opt.zero_grad()
            ts.losses.mse(y, model(x)).backward()
            for p in model.parameters():
                np.clip(p.grad, -0.01, 0.01, out=p.grad)
            opt.step()
        return step

    for make, words in ((manual_sgd, "changes the values of parameter"), (clipped, "changes a .grad")):
        step = same_as_eager(make)
        assert step.replays == 0 and words in step.explain()


def test_setting_grad_to_none_by_hand_is_refused():
    def make(model, opt):
        def step(x, y):
            for p in model.parameters():
                p.grad = None
            ts.losses.mse(y, model(x)).backward()
            opt.step()
        return step

    step = same_as_eager(make)
    assert step.replays == 0 and "p.grad = None" in step.explain()


def test_a_float_computed_in_python_cannot_be_returned():
    model, opt, x, y = small()

    def step(x, y):
        opt.zero_grad()
        loss = ts.losses.mse(y, model(x))
        loss.backward()
        opt.step()
        return loss.item()

    jitted = ts.jit(step)
    values = [jitted(x, y) for _ in range(3)]
    assert len(set(values)) == 3 and jitted.replays == 0 and ".item() outside the step" in jitted.explain()


def test_an_array_made_from_the_inputs_in_numpy_is_noticed():
    def make(model, opt):
        def step(x, y):
            opt.zero_grad()
            scaled = ts.Tensor(x.data / 2 + 3)  # numpy outside the ops: a constant to a replay
            ts.losses.mse(y, model(scaled)).backward()
            opt.step()
        return step

    step = same_as_eager(make)
    assert step.replays == 0 and "made in the step outside Tensor ops" in step.explain()


def test_create_graph_retain_graph_and_ts_grad_run_eagerly():
    w = ts.Tensor(np.array([0.5, -1.0], np.float32), requires_grad=True)
    x = ts.Tensor(np.array([2.0, 3.0], np.float32))

    def with_kwargs(**kwargs):
        def step(x):
            w.grad = None
            (x * w * w).sum().backward(**kwargs)
        return step

    def with_grad(x):
        return ts.grad((x * w).tanh().sum(), [w])[0]

    for fn, word in ((with_kwargs(retain_graph=True), "retain_graph"), (with_kwargs(create_graph=True), "create_graph"),
                     (with_grad, "ts.grad")):
        jitted = ts.jit(fn)
        for _ in range(3):
            jitted(x)
        assert jitted.replays == 0 and word in jitted.explain()


def test_a_function_with_several_outputs_runs_eagerly():
    class SplitHalves(ts.Function):
        @staticmethod
        def forward(ctx, x):
            return x[:1] * 1.0, x[1:] * 1.0

        @staticmethod
        def backward(ctx, ga, gb):
            return np.concatenate([ga, gb])

    w = ts.Tensor(np.array([0.5, -1.0, 2.0], np.float32), requires_grad=True)

    def step(x):
        w.grad = None
        a, b = SplitHalves.apply(x * w)
        (a.sum() + (b * b).sum()).backward()

    jitted = ts.jit(step)
    for _ in range(3):
        jitted(ts.Tensor(np.ones(3, np.float32)))
    assert np.array_equal(w.grad, [1.0, -2.0, 4.0]) and "several outputs" in jitted.explain()


def test_calls_from_two_threads_are_serialised_and_exact():
    model, opt, x, y = small()
    step = ts.jit(step_for(model, opt, ts.losses.mse))
    errors = []

    def run():
        try:
            for _ in range(20):
                step(x, y)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    eager_model, eager_opt, _, _ = small()
    eager = step_for(eager_model, eager_opt, ts.losses.mse)
    for _ in range(40):
        eager(x, y)
    assert not errors and step.replays == 38
    assert all(np.array_equal(a.data, b.data) for a, b in zip(model.parameters(), eager_model.parameters()))


def test_arrays_changed_in_place_are_noticed():
    def output_changed(model, opt):
        def step(x, y):
            opt.zero_grad()
            h = model(x)
            h.data[h.data > 0.5] = 0.5  # numpy, in place, between ops
            ts.losses.mse(y, h * 2.0).backward()
            opt.step()
        return step

    def argument_changed(model, opt):
        def step(x, y):
            opt.zero_grad()
            x.data *= 1.0001  # the caller's array, in place
            ts.losses.mse(y, model(x)).backward()
            opt.step()
        return step

    for make, words in ((output_changed, "changes an array in place"), (argument_changed, "in place")):
        step = same_as_eager(make)
        assert step.replays == 0 and words in step.explain()


def test_a_replay_still_refuses_labels_out_of_range():
    model = model_of([3, 5, 4], "relu")
    opt = ts.optim.SGD(model.parameters(), lr=0.1)
    step = ts.jit(step_for(model, opt, ts.losses.sparse_categorical_crossentropy), strict=True)
    x = ts.Tensor(np.ones((4, 3), np.float32))
    for _ in range(3):
        step(x, np.array([0, 1, 2, 3]))
    for bad in ([0, 1, 2, 4], [0, -1, 2, 3]):  # the loss's own checks do not run in a replay; the op's do
        with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\] for 4 classes"):  # as eagerly
            step(x, np.array(bad))
    assert step.replays == 3
