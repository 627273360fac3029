"""Single neurons and the one-layer network: each hand-derived step equals the engine's gradient step.

For random sizes, weights and data (float64), the rule's new (w, b) must equal (w, b) - c * eta *
(the engine's gradient of the loss the rule belongs to), with the constant c stated in each test.
The engine-side losses are built here from primitive Tensor ops (BCE from logits is softplus(z) - y z,
CCE goes through log_softmax), so no clipping can hide a gradient.
"""

import numpy as np
import pytest
import strategies as S
from helpers import ENGINE_PHI, leaf
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygrad_seminar as ts
from tinygrad_seminar import rules

TOL = {"rtol": 1e-9, "atol": 1e-10}


# ---- the engine's side ----
def const(a):
    return ts.Tensor(np.asarray(a, dtype=np.float64))


def engine_grads(loss_of, w, b, X, Y):
    """d loss / d w and d loss / d b from the engine, loss_of(z, Y) built from Tensor ops."""
    wt, bt = leaf(w), leaf(b)
    loss = loss_of(wt @ const(X) + bt, const(Y))
    gw, gb = ts.grad(loss, [wt, bt])
    return gw.numpy(), gb.numpy()


def half_squared(phi):
    """E = 1/(2p) sum (y - phi(z))^2."""
    return lambda z, Y: ((Y - phi(z)) ** 2).sum() * (1.0 / (2 * Y.shape[1]))


def bce_from_logits(z, Y):
    """E = 1/p sum [softplus(z) - y z] = -1/p sum [y log sigma(z) + (1 - y) log(1 - sigma(z))], no 1/2."""
    return (z.softplus() - Y * z).sum() * (1.0 / Y.shape[1])


def cce_from_logits(z, Y):
    """E = -1/p sum_i sum_j y_j log S(z)_j, classes down the rows."""
    return -(Y * z.log_softmax(axis=0)).sum() * (1.0 / Y.shape[1])


def assert_step(new, old, grads, c):
    """new = old - c * grad, for w and for b."""
    for n_, o_, g_ in zip(new, old, grads):
        np.testing.assert_allclose(n_, o_ - c * g_, **TOL)


# ---- linear neuron ----
@given(S.neuron_problems())
def test_linear_bgd_is_eta_times_the_gradient_of_E2(prob):
    """w <- w + eta/p (Y - Y^) X^T is w - eta * grad E2 with E2 = 1/(2p) sum (y - y^)^2: the constant is eta."""
    w, b, X, Y, eta = prob
    grads = engine_grads(half_squared(ENGINE_PHI["linear"]), w, b, X, Y)
    assert_step(rules.linear_bgd_update(w, b, X, Y, eta), (w, b), grads, eta)


@given(S.neuron_problems())
def test_linear_bgd_is_half_the_step_on_mse_without_the_half(prob):
    """Keras' and PyTorch's MSE = 1/p sum (y - y^)^2 has no 1/2: the same eta steps twice as far there."""
    w, b, X, Y, eta = prob
    grads = engine_grads(lambda z, Y: ((Y - z) ** 2).mean(), w, b, X, Y)
    assert_step(rules.linear_bgd_update(w, b, X, Y, eta), (w, b), grads, eta / 2)


@given(S.neuron_problems(max_p=1))
def test_linear_sgd_is_eta_times_the_gradient_of_the_online_loss(prob):
    """w <- w + eta (y - y^) x^T is w - eta * grad [1/2 (y - y^)^2] for one sample."""
    w, b, x, y, eta = prob
    grads = engine_grads(half_squared(ENGINE_PHI["linear"]), w, b, x, y)
    assert_step(rules.linear_sgd_update(w, b, x, y, eta), (w, b), grads, eta)
    assert_step(rules.linear_sgd_update(w, b, x[:, 0], y.item(), eta), (w, b), grads, eta)  # 1-D x, scalar y


def _engine_epoch(w, b, X, Y, eta, size):
    """One epoch of engine steps, w <- w - eta * grad E2 on each consecutive mini-batch of ``size`` columns."""
    for start in range(0, X.shape[1], size):
        cols = slice(start, start + size)
        gw, gb = engine_grads(half_squared(ENGINE_PHI["linear"]), w, b, X[:, cols], Y[:, cols])
        w, b = w - eta * gw, b - eta * gb
    return w, b


@given(S.neuron_problems(max_p=7), st.sampled_from(["sgd", "bgd", "mbgd"]), st.integers(1, 4))
def test_linear_neuron_fit_sgd_bgd_mbgd_is_engine_steps_on_each_batch_E2(prob, solver, batch_size):
    """One epoch of LinearNeuron.fit: SGD is p steps on 1/2 (y - y^)^2; BGD one step on E2; mBGD one step
    on E2 of each mini-batch, p being that mini-batch's size (the last may be shorter)."""
    w, b, X, Y, eta = prob
    neuron = rules.LinearNeuron(X.shape[0])
    neuron.w, neuron.b = w, b
    neuron.fit(X, Y, epochs=1, learning_rate=eta, solver=solver, batch_size=batch_size)
    size = {"sgd": 1, "bgd": X.shape[1], "mbgd": batch_size}[solver]
    w_e, b_e = _engine_epoch(w, b, X, Y, eta, size)
    np.testing.assert_allclose(neuron.w, w_e, **TOL)
    np.testing.assert_allclose(neuron.b, b_e, **TOL)
    np.testing.assert_allclose(neuron.loss_, [0.5 * np.mean((Y - (w_e @ X + b_e)) ** 2)], **TOL)


# ---- sigmoid neuron ----
@given(S.neuron_problems(kind="bce"))
def test_sigmoid_update_is_eta_times_the_gradient_of_mean_bce_without_the_half(prob):
    """w <- w + eta/p (Y - Y^) X^T is w - eta * grad of the mean BCE -1/p sum [y log y^ + (1-y) log(1-y^)].

    The slide prints the loss with a factor 1/2; the engine's gradient of that loss is half as large, so
    the printed 1/2 would halve the step: the rule is 2 * eta times the gradient of the printed loss.
    """
    w, b, X, Y, eta = prob
    new = rules.sigmoid_update(w, b, X, Y, eta)
    assert_step(new, (w, b), engine_grads(bce_from_logits, w, b, X, Y), eta)
    printed = engine_grads(lambda z, Y: bce_from_logits(z, Y) * 0.5, w, b, X, Y)
    assert_step(new, (w, b), printed, 2 * eta)


@given(S.neuron_problems(kind="bce"), st.integers(1, 3))
def test_sigmoid_neuron_fit_is_full_batch_steps_on_mean_bce(prob, epochs):
    w, b, X, Y, eta = prob
    neuron = rules.SigmoidNeuron(X.shape[0])
    neuron.w, neuron.b = w, b
    neuron.fit(X, Y, epochs=epochs, learning_rate=eta)
    losses = []
    for _ in range(epochs):
        gw, gb = engine_grads(bce_from_logits, w, b, X, Y)
        w, b = w - eta * gw, b - eta * gb
        losses.append(bce_from_logits(const(w @ X + b), const(Y)).item())
    np.testing.assert_allclose(neuron.w, w, **TOL)
    np.testing.assert_allclose(neuron.b, b, **TOL)
    np.testing.assert_allclose(neuron.loss_, losses, **TOL)


# ---- the delta rule ----
@pytest.mark.parametrize("name", list(rules.ACTIVATIONS))
@given(prob=S.neuron_problems(m=None))
def test_delta_rule_is_eta_times_the_gradient_of_half_squared_error(name, prob):
    """w <- w + eta/p [(Y - Y^) phi'(Z)] X^T is w - eta * grad of 1/(2p) sum (y - phi(z))^2, for every
    activation of the table (a single neuron, or a layer of m of them); with p = 1 it is the online rule."""
    w, b, X, Y, eta = prob
    grads = engine_grads(half_squared(ENGINE_PHI[name]), w, b, X, Y)
    assert_step(rules.delta_rule_update(w, b, X, Y, eta, name), (w, b), grads, eta)


def test_the_table_is_the_slides_table():
    assert list(rules.ACTIVATIONS) == ["linear", "sigmoid", "tanh", "relu"]
    for phi, dphi in rules.ACTIVATIONS.values():
        assert callable(phi) and callable(dphi)


@pytest.mark.parametrize("name", list(rules.ACTIVATIONS))
@given(data=st.data())
def test_dphi_is_the_engines_derivative_of_phi(name, data):
    """dphi(z, phi(z)), written through the output a as the slide writes it, equals d phi / d z from the engine."""
    z = data.draw(hnp.arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 5)),
                             elements=S.activation_floats(name)))
    phi, dphi = rules.ACTIVATIONS[name]
    zt = leaf(z)
    out = ENGINE_PHI[name](zt)
    (g,) = ts.grad(out.sum(), [zt])
    np.testing.assert_allclose(phi(z), out.numpy(), **TOL)
    np.testing.assert_allclose(dphi(z, phi(z)), g.numpy(), **TOL)


def test_relu_at_its_kink_the_slide_and_the_engine_both_take_zero():
    """The slide's table: 1 if z > 0, 0 if z <= 0. The engine's ReLU backward takes 0 at z = 0 as well."""
    z = np.array([[-1.0, 0.0, 1.0]])
    zt = leaf(z)
    (g,) = ts.grad(zt.relu().sum(), [zt])
    np.testing.assert_array_equal(rules.ACTIVATIONS["relu"][1](z, rules.relu(z)), [[0.0, 0.0, 1.0]])
    np.testing.assert_array_equal(g.numpy(), [[0.0, 0.0, 1.0]])


# ---- one-layer network ----
@pytest.mark.parametrize("activation, loss", [("sigmoid", "bce"), ("softmax", "cce"), ("linear", "squared")])
@given(data=st.data())
def test_one_layer_update_is_eta_times_the_gradient_of_its_mean_loss(activation, loss, data):
    """W <- W + eta/p (Y - Y^) X^T is W - eta * grad of the loss the summary table pairs with phi, summed over
    the m outputs and averaged over the p samples: sigmoid + BCE (one-vs-all), softmax + CCE (targets whose
    columns sum to 1), linear + 1/(2p) sum (y - y^)^2."""
    W, b, X, Y, eta = data.draw(S.neuron_problems(m=None, kind=loss))
    engine_loss = {"bce": bce_from_logits, "cce": cce_from_logits, "squared": half_squared(ENGINE_PHI["linear"])}
    grads = engine_grads(engine_loss[loss], W, b, X, Y)
    assert_step(rules.one_layer_update(W, b, X, Y, eta, activation), (W, b), grads, eta)


@pytest.mark.parametrize("activation, loss", [("sigmoid", "bce"), ("softmax", "cce"), ("linear", "squared")])
@given(data=st.data())
def test_rules_losses_equal_the_engine_built_losses(activation, loss, data):
    """The values in loss_ histories: rules' losses equal the same losses built from Tensor ops."""
    W, b, X, Y, _ = data.draw(S.neuron_problems(m=None, kind=loss))
    Z = W @ X + b
    engine_loss = {"bce": bce_from_logits, "cce": cce_from_logits, "squared": half_squared(ENGINE_PHI["linear"])}
    ours = {"bce": lambda: rules.binary_cross_entropy(Y, Z), "cce": lambda: rules.categorical_cross_entropy(Y, Z),
            "squared": lambda: rules.half_squared_error(Y, Z)}[loss]()
    np.testing.assert_allclose(ours, engine_loss[loss](const(Z), const(Y)).item(), **TOL)


@pytest.mark.parametrize("activation", ["sigmoid", "softmax", "linear"])
def test_one_layer_network_fit_is_steps_of_one_layer_update(activation):
    rng = np.random.default_rng(3)
    X = rng.normal(size=(3, 8))
    Y = np.eye(4)[:, rng.integers(0, 4, size=8)]
    net = rules.OneLayerNetwork(3, 4, activation, seed=5)
    W, b = net.W, net.b
    net.fit(X, Y, epochs=3, learning_rate=0.3)
    for _ in range(3):
        W, b = rules.one_layer_update(W, b, X, Y, 0.3, activation)
    np.testing.assert_array_equal(net.W, W)
    np.testing.assert_array_equal(net.b, b)
    assert len(net.loss_) == 3 and net.predict(X).shape == (4, 8)


# ---- the models learn what the slides say they learn ----
def test_linear_neuron_recovers_a_line_with_each_solver():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, size=(2, 40))
    Y = np.array([[2.0, -3.0]]) @ X + 0.5
    for solver in ("sgd", "bgd", "mbgd"):
        neuron = rules.LinearNeuron(2, seed=1).fit(X, Y, epochs=300, learning_rate=0.2, solver=solver, batch_size=8)
        np.testing.assert_allclose(neuron.w, [[2.0, -3.0]], atol=1e-3)
        np.testing.assert_allclose(neuron.b, [[0.5]], atol=1e-3)
        assert neuron.loss_[-1] < neuron.loss_[0] and len(neuron.loss_) == 300


def test_sigmoid_neuron_separates_two_clouds():
    rng = np.random.default_rng(1)
    X = np.hstack([rng.normal(-2, 0.5, size=(2, 20)), rng.normal(2, 0.5, size=(2, 20))])
    Y = np.repeat([[0.0, 1.0]], 20, axis=1)
    neuron = rules.SigmoidNeuron(2, seed=0).fit(X, Y, epochs=100, learning_rate=0.5)
    np.testing.assert_array_equal(neuron.predict(X) > 0.5, Y == 1)
    assert neuron.loss_[-1] < neuron.loss_[0]


def test_softmax_one_layer_network_classifies_three_blobs():
    rng = np.random.default_rng(2)
    centres = np.array([[0.0, 3.0, -3.0], [3.0, -2.0, -2.0]])
    labels = rng.integers(0, 3, size=90)
    X = centres[:, labels] + rng.normal(0, 0.7, size=(2, 90))
    Y = np.eye(3)[:, labels]
    net = rules.OneLayerNetwork(2, 3, "softmax", seed=0).fit(X, Y, epochs=200, learning_rate=0.5)
    probs = net.predict(X)
    np.testing.assert_allclose(probs.sum(axis=0), 1.0)
    assert (probs.argmax(axis=0) == labels).mean() >= 0.95
