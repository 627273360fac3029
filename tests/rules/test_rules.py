"""ts.rules: the McCulloch-Pitts neuron, the perceptron on its own terms, optimisation by the derivative,
the slides' layout enforced with clear errors, and pure update functions.

The gradient rules are proved against the engine in test_rules_neurons.py and test_rules_networks.py.
"""

import math

import numpy as np
import pytest
import strategies as S
from hypothesis import given

import tinygrad_seminar as ts
from tinygrad_seminar import rules

GATES_X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
AND, OR, XOR = np.array([[0.0, 0, 0, 1]]), np.array([[0.0, 1, 1, 1]]), np.array([[0.0, 1, 1, 0]])


def test_rules_is_reachable_from_the_package():
    assert ts.rules is rules
    assert {"McCullochPitts", "Perceptron", "LinearNeuron", "SigmoidNeuron", "OneLayerNetwork", "DenseNetwork",
            "ACTIVATIONS", "perceptron_update", "linear_sgd_update", "linear_bgd_update", "sigmoid_update",
            "delta_rule_update", "one_layer_update", "backprop_update"} <= set(rules.__all__)


# ---- McCulloch-Pitts ----
def test_step_is_one_at_zero_as_on_the_slide():
    np.testing.assert_array_equal(rules.step(np.array([-1e-12, 0.0, 2.0])), [0.0, 1.0, 1.0])


def test_mcculloch_pitts_gates_with_hand_set_weights():
    np.testing.assert_array_equal(rules.McCullochPitts([1, 1], -1.5).predict(GATES_X), AND)
    np.testing.assert_array_equal(rules.McCullochPitts([[1, 1]], [[-0.5]]).predict(GATES_X), OR)
    np.testing.assert_array_equal(rules.McCullochPitts([-1], 0.5).predict([[0.0, 1.0]]), [[1.0, 0.0]])  # NOT
    np.testing.assert_array_equal(rules.McCullochPitts([1, 1], -2).predict(GATES_X), AND)  # z = 0 fires


# ---- the perceptron, on its own terms ----
def test_perceptron_update_moves_only_on_a_mistake():
    w, b, x = np.array([[0.5, -1.0]]), np.array([[0.0]]), np.array([[1.0], [2.0]])  # z = -1.5: y^ = 0
    w1, b1 = rules.perceptron_update(w, b, x, 1.0, 0.1)  # a mistake: w + eta x^T, b + eta
    np.testing.assert_allclose(w1, [[0.6, -0.8]])
    np.testing.assert_allclose(b1, [[0.1]])
    w2, b2 = rules.perceptron_update(w, b, x, 0.0, 0.1)  # right: no change
    np.testing.assert_array_equal(w2, w)
    np.testing.assert_array_equal(b2, b)
    w3, b3 = rules.perceptron_update(-w, b, x, 0.0, 0.1)  # z = 1.5: y^ = 1 for y = 0: w - eta x^T
    np.testing.assert_allclose(w3, [[-0.6, 0.8]])
    np.testing.assert_allclose(b3, [[-0.1]])


@given(S.separable_points())
def test_perceptron_mistakes_obey_novikoffs_bound_on_the_augmented_points(data):
    """From w = 0, b = 0 the perceptron makes at most (R / gamma)^2 mistakes in all, R = max ||(x_i, 1)||,
    gamma = min (2 y_i - 1) u . (x_i, 1) with u = (w*, b*) / ||(w*, b*)||; so it converges (an epoch without
    a mistake) within (R / gamma)^2 + 1 epochs, for any eta."""
    u, X, Y, eta = data
    aug = np.vstack([X, np.ones((1, X.shape[1]))])
    R = np.linalg.norm(aug, axis=0).max()
    gamma = ((2 * Y - 1) * (u @ aug)).min()
    assert gamma > 0
    bound = (R / gamma) ** 2
    neuron = rules.Perceptron(X.shape[0])
    neuron.w, neuron.b = np.zeros((1, X.shape[0])), np.zeros((1, 1))
    mistakes = []
    while not mistakes or (mistakes[-1] > 0 and len(mistakes) <= math.floor(bound) + 1):
        neuron.fit(X, Y, epochs=1, learning_rate=eta)
        mistakes += neuron.errors_
    assert sum(mistakes) <= bound
    assert mistakes[-1] == 0
    np.testing.assert_array_equal(neuron.predict(X), Y)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("name, Y", [("AND", AND), ("OR", OR)])
def test_perceptron_learns_and_and_or(seed, name, Y):
    neuron = rules.Perceptron(2, seed=seed).fit(GATES_X, Y, epochs=100, learning_rate=0.1)
    np.testing.assert_array_equal(neuron.predict(GATES_X), Y)
    assert neuron.errors_[-1] == 0 and len(neuron.errors_) == 100


@pytest.mark.parametrize("seed", range(5))
def test_perceptron_cannot_learn_xor(seed):
    """No line separates XOR: every epoch has a mistake, however long it trains."""
    neuron = rules.Perceptron(2, seed=seed).fit(GATES_X, XOR, epochs=200, learning_rate=0.1)
    assert min(neuron.errors_) > 0
    assert (neuron.predict(GATES_X) != XOR).any()


def test_perceptron_wants_zero_one_targets():
    with pytest.raises(ValueError, match="0 or 1"):
        rules.Perceptron(2).fit(GATES_X, 2 * AND - 1)


# ---- optimisation by the derivative ----
@given(S.finite_floats(-10.0, 10.0))
def test_the_slides_derivative_is_the_engines(x):
    """f(x) = x(5 - 2x)^2, f'(x) = 12x^2 - 40x + 25."""
    xt = ts.Tensor(np.float64(x), requires_grad=True)
    (g,) = ts.grad(rules.f(xt), [xt])
    assert rules.f(x) == pytest.approx(4 * x**3 - 20 * x**2 + 25 * x, rel=1e-12, abs=1e-9)
    assert rules.df(x) == pytest.approx(g.item(), rel=1e-12, abs=1e-9)


def test_critical_points_a_maximum_at_five_sixths_a_minimum_at_five_halves():
    lo, hi = rules.critical_points()
    assert (lo, hi) == pytest.approx((5 / 6, 5 / 2))
    assert rules.df(lo) == pytest.approx(0, abs=1e-12) and rules.df(hi) == pytest.approx(0, abs=1e-12)
    for x0, sign in ((lo, -1), (hi, 1)):  # f'' from the engine: -20 (a maximum), 20 (a minimum)
        xt = ts.Tensor(np.float64(x0), requires_grad=True)
        (d1,) = ts.grad(rules.f(xt), [xt], create_graph=True)
        (d2,) = ts.grad(d1, [xt])
        assert d2.item() == pytest.approx(sign * 20)
    xs = rules.gradient_ascent(rules.df, 0.0, eta=0.01, steps=500)
    assert xs[0] == 0.0 and len(xs) == 501 and xs[-1] == pytest.approx(5 / 6, abs=1e-6)


# ---- the slides' layout: bad shapes say what the slides expect and what they got ----
N, P = 3, 5
W1, B1 = np.full((1, N), 0.1), np.zeros((1, 1))
WM, BM = np.full((2, N), 0.1), np.zeros((2, 1))
XG = np.arange(N * P, dtype=float).reshape(N, P) / 10
Y1, YM = np.zeros((1, P)), np.tile([[1.0], [0.0]], (1, P))
DW, DB = [None, np.full((4, N), 0.1), np.full((2, 4), 0.1)], [None, np.zeros((4, 1)), np.zeros((2, 1))]

BATCH_RULES = {
    "linear_bgd_update": lambda X, Y: rules.linear_bgd_update(W1, B1, X, Y, 0.1),
    "sigmoid_update": lambda X, Y: rules.sigmoid_update(W1, B1, X, Y, 0.1),
    "delta_rule_update": lambda X, Y: rules.delta_rule_update(WM, BM, X, Y, 0.1, "tanh"),
    "one_layer_update": lambda X, Y: rules.one_layer_update(WM, BM, X, Y, 0.1, "softmax"),
    "backprop_update": lambda X, Y: rules.backprop_update(DW, DB, X, Y, 0.1, output_activation="softmax"),
    "backprop": lambda X, Y: rules.backprop(DW, DB, X, Y, output_activation="softmax"),
    "LinearNeuron.fit": lambda X, Y: rules.LinearNeuron(N).fit(X, Y, epochs=1),
    "SigmoidNeuron.fit": lambda X, Y: rules.SigmoidNeuron(N).fit(X, Y, epochs=1),
    "Perceptron.fit": lambda X, Y: rules.Perceptron(N).fit(X, Y, epochs=1),
    "OneLayerNetwork.fit": lambda X, Y: rules.OneLayerNetwork(N, 2, "softmax").fit(X, Y, epochs=1),
    "DenseNetwork.fit": lambda X, Y: rules.DenseNetwork([N, 4, 2], output_activation="softmax").fit(X, Y, epochs=1),
}
HEIGHT = {name: (YM if name.startswith(("delta", "one_layer", "backprop", "OneLayer", "Dense")) else Y1)
          for name in BATCH_RULES}


@pytest.mark.parametrize("name", list(BATCH_RULES))
def test_the_good_layout_is_accepted(name):
    BATCH_RULES[name](XG, HEIGHT[name])


@pytest.mark.parametrize("name", list(BATCH_RULES))
def test_x_given_as_p_by_n_says_samples_are_columns_and_shows_the_shapes(name):
    with pytest.raises(ValueError) as e:
        BATCH_RULES[name](XG.T, HEIGHT[name])
    msg = str(e.value)
    assert "samples in columns" in msg and "n x p" in msg and "X.T" in msg
    assert f"X of shape {(P, N)}" in msg and f"Y of shape {HEIGHT[name].shape}" in msg


@pytest.mark.parametrize("name", list(BATCH_RULES))
def test_y_of_the_wrong_height_is_refused(name):
    Y = np.zeros((HEIGHT[name].shape[0] + 1, P))
    with pytest.raises(ValueError) as e:
        BATCH_RULES[name](XG, Y)
    assert "m x p" in str(e.value) and f"Y of shape {Y.shape}" in str(e.value)


@pytest.mark.parametrize("name", list(BATCH_RULES))
def test_mismatched_p_is_refused(name):
    Y = HEIGHT[name][:, :-1]
    with pytest.raises(ValueError) as e:
        BATCH_RULES[name](XG, Y)
    assert "number p of columns" in str(e.value) and f"X of shape {XG.shape}, Y of shape {Y.shape}" in str(e.value)


def test_predict_and_one_sample_rules_check_the_layout_too():
    for call in (lambda: rules.LinearNeuron(N).predict(XG.T), lambda: rules.McCullochPitts(W1, 0).predict(XG.T),
                 lambda: rules.DenseNetwork([N, 2]).predict(XG.T), lambda: rules.OneLayerNetwork(N, 2).predict(XG.T)):
        with pytest.raises(ValueError, match="samples in columns"):
            call()
    with pytest.raises(ValueError, match="one sample"):
        rules.linear_sgd_update(W1, B1, XG, Y1, 0.1)
    with pytest.raises(ValueError, match="one sample"):
        rules.perceptron_update(W1, B1, XG, Y1, 0.1)
    with pytest.raises(ValueError, match=r"w in R\^\{1 x n\}"):
        rules.linear_bgd_update(WM, BM, XG, Y1, 0.1)
    with pytest.raises(ValueError, match=r"w\^\[l\] in R\^\(n_l x n_\(l-1\)\)"):
        rules.backprop_update([None, DW[1], DW[1]], DB, XG, YM, 0.1)


# ---- pure functions: new arrays, arguments untouched ----
def _frozen(a):
    a = np.array(a, dtype=float)
    a.flags.writeable = False  # any in-place change raises
    return a


PURE = {
    "perceptron_update": lambda w, b, X, Y: rules.perceptron_update(w, b, X[:, :1], 1 - Y[:, :1], 0.1),  # a mistake
    "linear_sgd_update": lambda w, b, X, Y: rules.linear_sgd_update(w, b, X[:, :1], Y[:, :1], 0.1),
    "linear_bgd_update": lambda w, b, X, Y: rules.linear_bgd_update(w, b, X, Y, 0.1),
    "sigmoid_update": lambda w, b, X, Y: rules.sigmoid_update(w, b, X, Y, 0.1),
    "delta_rule_update": lambda w, b, X, Y: rules.delta_rule_update(w, b, X, Y, 0.1, "relu"),
    "one_layer_update": lambda w, b, X, Y: rules.one_layer_update(w, b, X, Y, 0.1, "sigmoid"),
}


@pytest.mark.parametrize("name", list(PURE))
def test_updates_return_new_arrays_and_leave_their_arguments_alone(name):
    w, b, X, Y = _frozen(W1), _frozen(B1), _frozen(XG), _frozen(Y1 + 1)
    before = [a.copy() for a in (w, b, X, Y)]
    new_w, new_b = PURE[name](w, b, X, Y)
    assert new_w is not w and new_b is not b and new_w.shape == w.shape and new_b.shape == b.shape
    assert not np.array_equal(new_w, w)  # it did step
    for a, a0 in zip((w, b, X, Y), before):
        np.testing.assert_array_equal(a, a0)


def test_backprop_update_returns_new_lists_and_leaves_its_arguments_alone():
    w = [None] + [_frozen(a) for a in DW[1:]]
    b = [None] + [_frozen(a) for a in DB[1:]]
    before = [a.copy() for a in w[1:] + b[1:]]
    new_w, new_b = rules.backprop_update(w, b, _frozen(XG), _frozen(YM), 0.1, output_activation="softmax")
    assert new_w is not w and all(n is not o for n, o in zip(new_w[1:] + new_b[1:], w[1:] + b[1:]))
    assert w[0] is None and len(w) == 3
    for a, a0 in zip(w[1:] + b[1:], before):
        np.testing.assert_array_equal(a, a0)
