"""What a report says: which case (shapes, seed), which output, its first differing entry with the expected and
received values, shapes, exceptions and return values that do not fit; per layer for backpropagation; and
ts.gradcheck's op-blaming message for a Function."""

from __future__ import annotations

import json

import numpy as np

import tinygrad_seminar as ts
from tinygrad_seminar.exercises import solutions as S


def backprop_without_hidden_dphi(w, b, X, Y, eta, hidden_activation, output_activation):
    """The reference, except that the hidden layers' delta misses phi': delta^[L] right, the ones below wrong."""
    deltas, _, _ = S.backprop(w, b, X, Y, eta, hidden_activation, output_activation)
    L = len(w) - 1
    for l in range(L - 1, 0, -1):
        deltas[l] = w[l + 1].T @ deltas[l + 1]
    _, a = ts.rules.forward(w, b, X, hidden_activation, output_activation)
    new_w = [None] + [w[l] + eta * deltas[l] @ a[l - 1].T for l in range(1, L + 1)]
    new_b = [None] + [b[l] + eta * deltas[l].sum(axis=1, keepdims=True) for l in range(1, L + 1)]
    return deltas, new_w, new_b


def test_a_network_with_a_wrong_delta1_and_a_right_delta2_is_reported_as_exactly_that():
    report = ts.exercises.check("backprop", backprop_without_hidden_dphi)
    two_layers = report.failures[0]
    assert two_layers.case.index == 0 and "2 layers" in two_layers.case.name
    assert two_layers.outputs["delta^[2]"] is None
    assert two_layers.outputs["delta^[1]"] is not None and two_layers.output == "delta^[1]"
    assert two_layers.outputs["w^[2]"] is None and two_layers.outputs["w^[1]"] is not None
    text = str(report)
    assert "  delta^[2]: right\n  delta^[1]: wrong, first differing entry" in text
    assert text.split("delta^[1]: wrong", 1)[1].splitlines()[0].endswith("<- the first wrong one")
    assert "hint: a missing phi'" in text
    three_layers = next(f for f in report.failures if "3 layers" in f.case.name)
    assert three_layers.outputs["delta^[3]"] is None and three_layers.output == "delta^[2]"
    assert list(three_layers.outputs)[:3] == ["delta^[3]", "delta^[2]", "delta^[1]"]  # the order backprop goes


def test_the_first_differing_entry_with_the_expected_and_received_values_and_the_case():
    def off_by_one_entry(z, a):
        out = a * (1 - a)
        if out.shape[1] > 1:
            out[0, 1] += 0.5
        return out

    report = ts.exercises.check("sigmoid_derivative", off_by_one_entry)
    first = report.failures[0]
    case = ts.exercises.cases("sigmoid_derivative", seed=0)[first.case.index]
    want = case.expected["output"][0, 1]
    assert (first.first.index, first.first.expected) == ((0, 1), want)
    assert first.first.received == want + 0.5
    text = str(report)
    assert f'First failure: case 1 of 6, "random" (seed 0): z {case.args["z"].shape}, a {case.args["z"].shape}' in text
    assert f"first differing entry [0, 1]: expected {want:.8g}, received {want + 0.5:.8g} (1 of" in text
    assert "a batch of one" not in text  # p = 1: no entry [0, 1] to change


def test_a_shape_mismatch_is_reported_as_such_with_the_transposed_hint():
    report = ts.exercises.check("softmax_cce_gradient", lambda Z, Y: S.softmax_cce_gradient(Z, Y).T)
    m, p = report.failures[0].case.args["Z"].shape
    assert report.failures[0].first.kind == "shape"
    assert f"returned shape {(p, m)}, expected {(m, p)}" in str(report)
    assert "the transpose of the expected matrix" in str(report)


def test_an_exception_is_caught_and_reported_with_its_case_and_line():
    def raising(w, b, X, Y, eta):
        return w + eta * (Y - w @ X) @ X  # X, not X.T

    report = ts.exercises.check("linear_bgd_update", raising)
    assert len(report.failures) == report.cases
    first = report.failures[0]
    assert first.error.startswith("raised ValueError: matmul")
    assert "test_exercise_reports.py, line" in first.error and "return w + eta * (Y - w @ X) @ X" in first.error
    assert 'case 1 of 5, "random" (seed 0): w (1, ' in str(report)


def test_none_and_the_wrong_number_of_values_are_reported():
    report = ts.exercises.check("tanh_derivative", lambda z, a: None)
    assert "returned None (a `return` missing?)" in str(report)
    report = ts.exercises.check("perceptron_update", lambda w, b, x, y, eta: w)
    assert "the returned value does not fit: return 2 values, (w, b); the solution returned ndarray" in str(report)
    report = ts.exercises.check("backprop", lambda *args: S.backprop(*args)[0])
    assert "return (deltas, w, b)" in str(report)


def test_backprop_lists_may_leave_out_index_0_but_not_a_layer():
    def without_none(*args):
        return tuple(v[1:] for v in S.backprop(*args))

    assert ts.exercises.check("backprop", without_none).passed
    report = ts.exercises.check("backprop", lambda *args: (*S.backprop(*args)[:2], [None]))
    assert "b must list layers 1..2 after index 0 None" in str(report)


def test_arguments_are_copies_a_solution_may_change_in_place():
    def in_place(w, b, X, Y, eta):
        err = Y - (w @ X + b)
        w += eta / X.shape[1] * err @ X.T
        b += eta / X.shape[1] * err.sum(axis=1, keepdims=True)
        X[...] = 0
        return w, b

    assert ts.exercises.check("linear_bgd_update", in_place).passed


class TanhTwice(ts.Function):
    @staticmethod
    def forward(ctx, x):
        a = np.tanh(x)
        ctx.save_for_backward(a)
        return a

    @staticmethod
    def backward(ctx, grad_output):
        (a,) = ctx.saved_tensors
        return 2 * grad_output * (1 - a * a)


def test_a_function_with_a_wrong_backward_gets_gradchecks_op_blaming_message():
    report = ts.exercises.check("tanh_function", TanhTwice)
    first = report.failures[0]
    assert first.outputs["forward"] is None and first.output == "backward"
    assert "ts.gradcheck (central differences of your forward against your backward) says" in first.notes
    assert "The op whose backward disagrees with its forward: TanhTwice" in str(report)


def test_the_report_as_a_record():
    report = ts.exercises.check("relu_derivative", lambda z, a: (z >= 0).astype(float))
    record = json.loads(json.dumps(report.to_dict()))
    assert record == {"id": "relu_derivative", "passed": False, "message": str(report)}
    assert report.failures[0].case.name == "a zero input" and len(report.failures) == 1
