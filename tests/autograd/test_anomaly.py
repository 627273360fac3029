"""detect_anomaly: the first NaN (or inf with check_inf) names the op, the direction and the user's line."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

import tinygrad_seminar as ts

HERE = re.escape(__file__)


def lines_of(fn) -> range:
    code = fn.__code__
    return range(code.co_firstlineno, code.co_firstlineno + 20)


@pytest.fixture(autouse=True)
def quiet_numpy():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def test_a_nan_in_forward_names_the_op_and_this_line():
    with ts.detect_anomaly(), pytest.raises(ts.AnomalyError) as err:
        ts.tensor([-1.0]).log()
    message = str(err.value)
    assert re.match(rf"^Log \(forward\) produced nan in its output; inputs of shape \(1,\); the op was created at "
                    rf"{HERE}:(\d+)$", message)
    assert int(message.rsplit(":", 1)[1]) in lines_of(test_a_nan_in_forward_names_the_op_and_this_line)
    assert isinstance(err.value, RuntimeError)


def test_a_nan_in_backward_names_the_square_root():
    with ts.detect_anomaly(), pytest.raises(ts.AnomalyError,
                                            match=rf"^Sqrt \(backward\) produced nan .* created at {HERE}:\d+$"):
        (ts.tensor([0.0], requires_grad=True).sqrt() * 0).sum().backward()


def test_outside_the_mode_nothing_is_checked():
    out = ts.tensor([-1.0]).log()
    assert np.isnan(out.item())
    x = ts.tensor([0.0], requires_grad=True)
    (x.sqrt() * 0).sum().backward()
    assert np.isnan(x.grad[0])


def test_inf_counts_only_with_check_inf():
    with ts.detect_anomaly():
        assert ts.tensor([0.0]).log().item() == -np.inf  # log(0) is legitimate in masked code
    with ts.detect_anomaly(check_inf=True), pytest.raises(ts.AnomalyError, match=r"^Log \(forward\) produced inf"):
        ts.tensor([0.0]).log()


def test_as_a_decorator_and_a_backward_made_outside_says_its_line_is_unknown():
    @ts.detect_anomaly()
    def backward_only(loss):
        loss.backward()

    loss = (ts.tensor([0.0], requires_grad=True).sqrt() * 0).sum()  # made outside the mode
    with pytest.raises(ts.AnomalyError, match=r"created outside detect_anomaly\(\), so its line is unknown"):
        backward_only(loss)


def test_a_nan_inside_a_model_points_at_the_users_call():
    model = ts.Sequential([ts.Input(shape=(1,)), ts.nn.Dense(1, kernel_initializer="ones"),
                           ts.nn.Activation(ts.functional.log)])
    with ts.detect_anomaly(), pytest.raises(ts.AnomalyError, match=rf"^Log \(forward\).* created at {HERE}:\d+$"):
        model(np.array([[-5.0]], np.float32))


def test_under_create_graph_the_nan_is_named_as_the_backward_that_recorded_it():
    x = ts.tensor([0.0], requires_grad=True)
    with ts.detect_anomaly(), pytest.raises(ts.AnomalyError, match=r"^Sqrt \(backward, recorded for create_graph\)"):
        ts.grad((x.sqrt() * 0).sum(), x, create_graph=True)


def test_the_decorator_without_parentheses_says_to_add_them():
    with pytest.raises(TypeError, match=r"write @ts.detect_anomaly\(\) with parentheses"):
        ts.detect_anomaly(print)


def test_a_nan_that_came_in_is_said_to_have_come_from_before():
    with ts.detect_anomaly(), pytest.raises(ts.AnomalyError, match=r"\(its input 0 already held nan: it came from "
                                                                  r"before\)$"):
        ts.tensor([float("nan")]) * 1
    x = ts.tensor([1.0], requires_grad=True)
    with ts.detect_anomaly(), pytest.raises(ts.AnomalyError, match=r"the gradient arriving at it already held nan"):
        (x * 2).sum().backward(ts.tensor(float("nan")))
