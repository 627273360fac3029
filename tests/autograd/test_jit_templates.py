"""ts.jit's templates (autograd/jit_templates.py): each op written into the plan is its op, bit for bit."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from jit_steps import assert_same, record

import tinygrad_seminar as ts
from tinygrad_seminar.autograd.jit_templates import TEMPLATES


def forward_calls(step) -> int:
    """How many ops the plans replay through their own forward (a template writes none)."""
    return len(re.findall(r"= F\d+\(", step.source()))


def dense_stack(dtype, activation: str, bias: bool, out: int) -> ts.Sequential:
    ts.manual_seed(3)
    return ts.Sequential([ts.nn.Dense(7, activation=activation, use_bias=bias, input_dim=5, dtype=dtype),
                          ts.nn.Dense(out, activation=None, use_bias=bias, input_dim=7, dtype=dtype)])


def data_for(loss, dtype, out: int, n: int = 8) -> list:
    rng = np.random.default_rng(5)
    pairs = []
    for _ in range(n):
        x = rng.standard_normal((6, 5)).astype(dtype)
        x[0] = 0  # without a bias, z = 0 exactly: ReLU's derivative there is 0, as the op takes it
        x = ts.Tensor(x)
        if loss is ts.losses.sparse_categorical_crossentropy:
            y = rng.integers(0, out, 6)
        elif loss is ts.losses.categorical_crossentropy:
            y = rng.random((6, out)).astype(dtype)  # soft targets whose rows do not sum to 1: the sum_j y_j term
        else:
            y = (rng.random((6, out)) < 0.5).astype(dtype)
        pairs.append((x, y))
    return pairs


def both_runs(loss, dtype, activation: str, bias: bool) -> object:
    out = 1 if loss is ts.losses.binary_crossentropy else 4
    runs = []
    for jitted in (False, True):
        model = dense_stack(dtype, activation, bias, out)
        opt = ts.optim.SGD(model.parameters(), lr=0.1)

        def step(x, y, model=model, opt=opt):
            opt.zero_grad()
            value = loss(y, model(x), from_logits=True)
            value.backward()
            opt.step()
            return value

        if jitted:
            step = ts.jit(step, strict=True)
        runs.append(record(step, model, opt, data_for(loss, dtype, out)))
    assert_same(*runs)
    return step


@pytest.mark.parametrize("loss", [ts.losses.binary_crossentropy, ts.losses.categorical_crossentropy,
                                  ts.losses.sparse_categorical_crossentropy], ids=lambda f: f.__name__)
@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no_bias"])
def test_each_template_is_its_op_bit_for_bit(loss, activation, dtype, bias):
    step = both_runs(loss, dtype, activation, bias)
    assert step.replays == 6 and forward_calls(step) == 0  # every op of these steps was written as its template


def test_templates_cover_the_ops_of_the_benchmarked_steps():
    names = {cls.__name__ for cls in TEMPLATES}
    assert names == {"Affine", "Relu", "Tanh", "Sigmoid", "SoftmaxCE", "SparseSoftmaxCE", "SigmoidBCE"}


def extreme_step(w):
    def step(z, y):
        w.zero_grad()
        value = ts.losses.categorical_crossentropy(y, z * w, from_logits=True)
        value.backward()
        return value
    return step


def test_the_softmax_cross_entropy_template_takes_the_ops_nan_branch():
    """Logits at +-3e38: z - max z overflows to -inf, 0 * inf is nan, and the op's second formula gives 0 log 0 = 0."""
    z = ts.Tensor(np.array([[3e38, -3e38, 0.0], [1.0, 2.0, 3.0]], np.float32))
    y = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], np.float32)
    eager_w, jit_w = ts.Tensor(np.ones(3, np.float32), requires_grad=True), ts.Tensor(np.ones(3, np.float32),
                                                                                      requires_grad=True)
    eager, jitted = extreme_step(eager_w), ts.jit(extreme_step(jit_w), strict=True)
    with warnings.catch_warnings():  # neither the op nor its template may warn
        warnings.simplefilter("error")
        for _ in range(4):
            a, b = eager(z, y).item(), jitted(z, y).item()
            assert np.isfinite(a) and a == b
            assert np.array_equal(eager_w.grad, jit_w.grad)
    assert jitted.replays == 2 and "!= R" in jitted.source()  # the nan branch is written out


@pytest.mark.parametrize("bad, shown", [([0, 1, 2, 3, 4, 0], "0 to 4"), ([0, 1, -1, 3, 2, 0], "-1 to 3")])
def test_a_replayed_sparse_loss_refuses_a_label_out_of_range_as_the_op_does(bad, shown):
    model = dense_stack(np.float32, "relu", True, 4)
    opt = ts.optim.SGD(model.parameters(), lr=0.1)

    @ts.jit(strict=True)
    def step(x, labels):
        opt.zero_grad()
        value = ts.losses.sparse_categorical_crossentropy(labels, model(x), from_logits=True)
        value.backward()
        opt.step()
        return value

    x = ts.Tensor(np.ones((6, 5), np.float32))
    good, bad = np.zeros(6, np.intp), np.array(bad, np.intp)
    for _ in range(3):
        step(x, good)
    before = [p.data.copy() for p in model.parameters()]
    with pytest.raises(ValueError, match=rf"labels must lie in \[0, 3\] for 4 classes; got labels from {shown}"):
        step(x, bad)
    assert step.replays == 2 and all(np.array_equal(a, p.data) for a, p in zip(before, model.parameters()))


def test_the_relu_template_takes_the_derivative_at_zero_as_zero_as_the_op_does():
    w = ts.Tensor(np.ones((2, 3), np.float32), requires_grad=True)

    @ts.jit(strict=True)
    def step(x):
        w.zero_grad()
        value = ts.nn.functional.relu(x + w).sum()  # x = -1 where z is exactly 0
        value.backward()
        return value

    x = ts.Tensor(np.array([[-1.0, 2.0, -1.0], [0.5, -1.0, -3.0]], np.float32))
    for _ in range(3):
        step(x)
    assert step.replays == 1 and forward_calls(step) == 2  # add and sum replay through their ops; relu is a template
    assert np.array_equal(w.grad, [[0, 1, 0], [1, 0, 0]])


def sgd_runs(change) -> tuple:
    """Eager and jitted plain-SGD steps; ``change(opt, k)`` alters the optimiser before step k, in both runs."""
    runs, steps = [], []
    for jitted in (False, True):
        model = dense_stack(np.float32, "tanh", True, 4)
        opt = ts.optim.SGD(model.parameters(), lr=0.1)

        def step(x, y, model=model, opt=opt):
            opt.zero_grad()
            value = ts.losses.categorical_crossentropy(y, model(x), from_logits=True)
            value.backward()
            opt.step()
            return value

        if jitted:
            step = ts.jit(step, strict=True)
        out = []
        for k, (x, y) in enumerate(data_for(ts.losses.categorical_crossentropy, np.float32, 4, n=10)):
            change(opt, k)
            out += record(step, model, opt, [(x, y)])
        runs.append(out)
        steps.append(step)
    assert_same(*runs)
    return steps[1]


def test_the_sgd_step_is_written_out_and_reads_the_learning_rate_live():
    def schedule(opt, k):
        opt.lr = 0.1 / (1 + k)

    step = sgd_runs(schedule)
    assert step.replays == 8 and "d -= g0 * lr" in step.source()  # written out, not a call of step()


@pytest.mark.parametrize("hyper", ["momentum", "weight_decay"])
def test_the_written_out_sgd_step_defers_to_step_once_momentum_or_decay_is_set(hyper):
    def switch_on(opt, k):
        if k == 5:
            setattr(opt, hyper, 0.9 if hyper == "momentum" else 0.01)

    step = sgd_runs(switch_on)
    assert step.replays == 8


def test_a_written_out_zero_grad_and_step_follow_a_rebind():
    def rebind(opt, k):
        if k == 5:  # the same parameters in a new list, then without the last layer's bias
            opt.rebind(list(opt.params), keep_state=False)
        if k == 7:
            opt.rebind(opt.params[:-1], keep_state=False)

    step = sgd_runs(rebind)
    assert step.replays == 8
