"""ts.viz.trace: the deltas a backward leaves at each Dense layer are ts.rules.backprop's, in the slides' layout."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_seminar as ts
from tinygrad_seminar import nn
from tinygrad_seminar.viz import Trace, trace

RNG = np.random.default_rng(7)
X = RNG.standard_normal((6, 2))  # p = 6 samples in rows, as the framework takes them
Y_BINARY = np.array([[0.0], [1.0], [1.0], [0.0], [1.0], [0.0]])


def half_squared_error(y, y_pred):
    """The slides' E: 1/2 the squared error summed over the outputs, averaged over the batch."""
    return 0.5 * ((y_pred - y) ** 2).sum(axis=1).mean()


def traced(net: ts.rules.DenseNetwork, x, y, loss) -> Trace:
    """One forward and backward of ``net``'s float64 model on (x, y) under a trace."""
    model = net.to_model()
    with trace(model) as tr:
        loss(y, model(x)).backward()
    return tr


def assert_deltas_equal(got: list, expected: list, scale: float = 1.0) -> None:
    assert len(got) == len(expected) and got[0] is None
    for l in range(1, len(expected)):
        assert got[l].shape == expected[l].shape, l
        np.testing.assert_allclose(scale * got[l], expected[l], rtol=0, atol=1e-10, err_msg=f"delta^[{l}]")


# ---- the proof: the same deltas as ts.rules.backprop ----
def test_a_2_3_1_sigmoid_network_on_bce_gives_backprops_deltas():
    net = ts.rules.DenseNetwork([2, 3, 1], hidden_activation="sigmoid", output_activation="sigmoid", seed=0)
    tr = traced(net, X, Y_BINARY, ts.losses.binary_crossentropy)
    expected = ts.rules.backprop(net.w, net.b, X.T, Y_BINARY.T, hidden_activation="sigmoid",
                                 output_activation="sigmoid")
    assert_deltas_equal(tr.deltas(), expected)
    assert tr.deltas()[1].shape == (3, 6) and tr.deltas()[2].shape == (1, 6)  # (n_l, p)


def test_a_and_z_are_the_slides_propagation():
    net = ts.rules.DenseNetwork([2, 3, 1], hidden_activation="sigmoid", output_activation="sigmoid", seed=0)
    tr = traced(net, X, Y_BINARY, ts.losses.binary_crossentropy)
    z, a = ts.rules.forward(net.w, net.b, X.T, hidden_activation="sigmoid", output_activation="sigmoid")
    assert tr.z[0] is None and len(tr.z) == len(tr.a) == 3
    for l in range(3):
        np.testing.assert_allclose(tr.a[l], a[l], rtol=1e-12, atol=1e-14)
        if l:
            np.testing.assert_allclose(tr.z[l], z[l], rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("output", ["linear", "tanh"])
def test_the_slides_half_squared_error_gives_backprops_squared_deltas(output):
    net = ts.rules.DenseNetwork([2, 3, 1], hidden_activation="tanh", output_activation=output, seed=1)
    y = np.sin(X[:, :1])
    tr = traced(net, X, y, half_squared_error)
    expected = ts.rules.backprop(net.w, net.b, X.T, y.T, hidden_activation="tanh", output_activation=output,
                                 loss="squared")
    assert_deltas_equal(tr.deltas(), expected)


@pytest.mark.parametrize("m", [1, 2])
def test_mse_gives_the_slides_deltas_times_2_over_m(m):
    # mse = 1/(p m) sum (y - a)^2 = (2/m) E, so the slides' delta is (m/2) deltas()
    net = ts.rules.DenseNetwork([2, 3, m], hidden_activation="tanh", output_activation="linear", seed=2)
    y = np.cos(X[:, :m] + 1)
    tr = traced(net, X, y, ts.losses.mse)
    expected = ts.rules.backprop(net.w, net.b, X.T, y.T, hidden_activation="tanh", output_activation="linear",
                                 loss="squared")
    assert_deltas_equal(tr.deltas(), expected, scale=m / 2)


def test_bce_over_two_outputs_gives_the_slides_deltas_over_m():
    # ts.losses.binary_crossentropy averages over the m outputs too: E / m
    net = ts.rules.DenseNetwork([2, 3, 2], hidden_activation="sigmoid", output_activation="sigmoid", seed=3)
    y = np.hstack([Y_BINARY, 1 - Y_BINARY[::-1]])
    tr = traced(net, X, y, ts.losses.binary_crossentropy)
    expected = ts.rules.backprop(net.w, net.b, X.T, y.T, hidden_activation="sigmoid", output_activation="sigmoid")
    assert_deltas_equal(tr.deltas(), expected, scale=2)


def test_softmax_and_cce_on_three_classes_give_backprops_deltas():
    net = ts.rules.DenseNetwork([2, 4, 3], hidden_activation="tanh", output_activation="softmax", seed=4)
    y = np.eye(3)[[0, 1, 2, 2, 1, 0]]
    tr = traced(net, X, y, ts.losses.categorical_crossentropy)
    expected = ts.rules.backprop(net.w, net.b, X.T, y.T, hidden_activation="tanh", output_activation="softmax",
                                 loss="cce")
    assert_deltas_equal(tr.deltas(), expected)


# ---- what is recorded, and when ----
def test_the_last_forward_in_the_block_counts():
    net = ts.rules.DenseNetwork([2, 3, 1], hidden_activation="sigmoid", output_activation="sigmoid", seed=0)
    model = net.to_model()
    with trace(model) as tr:
        first = ts.losses.binary_crossentropy(Y_BINARY, model(X))
        last = ts.losses.binary_crossentropy(Y_BINARY[:2], model(X[:2]))
        first.backward()  # the first forward's gradient no longer counts
        with pytest.raises(RuntimeError, match="backward"):
            tr.deltas()
        last.backward()
    expected = ts.rules.backprop(net.w, net.b, X[:2].T, Y_BINARY[:2].T, hidden_activation="sigmoid",
                                 output_activation="sigmoid")
    assert_deltas_equal(tr.deltas(), expected)
    assert tr.a[0].shape == (2, 2)


def test_float32_models_and_layers_between_dense_layers():
    ts.manual_seed(0)
    model = ts.Sequential([nn.Dense(3, activation="relu", input_dim=2, name="hidden"), nn.Dropout(0.5),
                           nn.Dense(1, activation="sigmoid", name="out")])
    with trace(model) as tr:
        ts.losses.binary_crossentropy(Y_BINARY, model(X.astype(np.float32))).backward()
    assert [layer.name for layer in tr.layers] == ["hidden", "out"]
    deltas = tr.deltas()
    assert deltas[1].dtype == np.float32 and deltas[1].shape == (3, 6) and deltas[2].shape == (1, 6)


# ---- the hooks come off ----
def hook_dicts(model) -> list:
    return [(layer.__dict__.get("_preactivation_hooks"), layer.__dict__.get("_forward_hook_dicts"))
            for layer in model.layers]


def test_the_hooks_come_off_after_the_block():
    net = ts.rules.DenseNetwork([2, 3, 1], hidden_activation="sigmoid", output_activation="sigmoid", seed=0)
    model = net.to_model()
    with trace(model) as tr:
        out = model(X)
    assert hook_dicts(model) == [({}, ({}, {}))] * 2
    z_before = [z.copy() for z in tr.z[1:]]
    model(X[:3])  # a later forward changes no record
    for before, after in zip(z_before, tr.z[1:]):
        np.testing.assert_array_equal(before, after)
    ts.losses.binary_crossentropy(Y_BINARY, out).backward()  # nor does a backward after the block
    with pytest.raises(RuntimeError, match="inside the `with"):
        tr.deltas()


def test_the_hooks_come_off_when_the_block_raises():
    model = ts.rules.DenseNetwork([2, 3, 1], seed=0).to_model()
    with pytest.raises(ZeroDivisionError), trace(model):
        model(X)
        1 / 0  # noqa: B018
    assert hook_dicts(model) == [({}, ({}, {}))] * 2


def test_a_trace_cannot_be_entered_twice_at_once_but_can_again_later():
    model = ts.rules.DenseNetwork([2, 3, 1], seed=0).to_model()
    tr = trace(model)
    with tr:
        with pytest.raises(RuntimeError, match="already recording"), tr:
            pass
        model(X)
    with tr:  # a fresh record
        assert tr.z[1] is None
    assert hook_dicts(model) == [({}, ({}, {}))] * 2


# ---- errors ----
def test_a_model_without_dense_layers_is_refused_by_name():
    with pytest.raises(ValueError, match="Tanh.*no Dense"):
        trace(nn.Tanh())


def test_deltas_before_a_backward_say_to_call_backward_in_the_block():
    model = ts.rules.DenseNetwork([2, 3, 1], seed=0).to_model()
    with trace(model) as tr:
        with pytest.raises(RuntimeError, match=r"no forward ran.*loss.backward\(\) inside the `with"):
            tr.deltas()
        model(X)
        with pytest.raises(RuntimeError, match=r"layer\(s\) 1 \(.*\), 2 \(.*\): no gradient reached them"):
            tr.deltas()


def test_a_forward_without_grad_records_z_but_no_delta():
    model = ts.rules.DenseNetwork([2, 3, 1], seed=0).to_model()
    with trace(model) as tr, ts.no_grad():
        model(X)
    assert tr.z[1].shape == (3, 6)
    with pytest.raises(RuntimeError, match="no gradient reached them"):
        tr.deltas()


# ---- the table ----
def test_the_table_shows_each_layer_its_shapes_and_mean_abs_delta():
    ts.manual_seed(0)
    model = ts.Sequential([nn.Dense(3, activation="tanh", input_dim=2, name="hidden", dtype="float64"),
                           nn.Dense(1, activation="sigmoid", name="out", dtype="float64")])
    with trace(model) as tr:
        out = model(X)
        before = tr.table()
        ts.losses.binary_crossentropy(Y_BINARY, out).backward()
    lines = tr.table().splitlines()
    assert len(lines) == 3 and all(word in lines[0] for word in ("a^[l-1]", "z^[l]", "delta^[l]", "mean |delta"))
    assert lines[1].split()[:5] == ["1", "hidden", "(2,", "6)", "(3,"]
    assert "out" in lines[2] and lines[2].count("(1, 6)") == 2 and "(3, 6)" in lines[2]
    assert float(lines[2].split()[-1]) == pytest.approx(np.abs(tr.deltas()[2]).mean(), rel=1e-5)
    assert before.splitlines()[1].endswith("-") and "hidden" in repr(tr)
