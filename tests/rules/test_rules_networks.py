"""Dense networks: backpropagation by the slides' rule equals the engine's automatic gradient.

For networks of 1 to 4 layers with hidden activations linear, sigmoid, tanh or relu, and each output /
loss pair of the summary table, on a batch of p columns:

- the update w^[l] <- w^[l] + eta delta^[l] a^[l-1]^T (summed over the samples) is eta * p times the
  engine's *negative* gradient of the mean loss: the slide adds the update, and the sum over p columns
  is p times the mean;
- delta^[l] is -p times the engine's gradient of that mean loss with respect to z^[l].

Per-sample losses, summed over the outputs: 1/2 sum (y - a)^2 (linear, sigmoid, tanh, relu outputs),
BCE from logits (sigmoid), CCE through log_softmax (softmax; targets whose columns sum to 1).
"""

import numpy as np
import pytest
import strategies as S
from helpers import ENGINE_PHI, leaf
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_seminar as ts
from tinygrad_seminar import nn, rules

TOL = {"rtol": 1e-9, "atol": 1e-10}


# ---- the engine's side, built from primitive Tensor ops ----
def engine_mean_loss(z, a, Y, loss):
    """The mean over the p samples of the per-sample loss, summed over the outputs."""
    Y = ts.Tensor(Y)
    p = Y.shape[1]
    if loss == "squared":
        return ((Y - a) ** 2).sum() * (0.5 / p)
    if loss == "bce":
        return (z.softplus() - Y * z).sum() * (1.0 / p)
    return -(Y * z.log_softmax(axis=0)).sum() * (1.0 / p)


def engine_gradients(w, b, X, Y, hidden, output, loss):
    """(dE/dw^[l], dE/db^[l], dE/dz^[l]) lists, index 0 None, E the mean loss."""
    L = len(w) - 1
    ws = [leaf(w[l]) for l in range(1, L + 1)]
    bs = [leaf(b[l]) for l in range(1, L + 1)]
    a, zs = ts.Tensor(X), []
    for l in range(L):
        zs.append(ws[l] @ a + bs[l])
        a = ENGINE_PHI[output if l == L - 1 else hidden](zs[-1])
    grads = ts.grad(engine_mean_loss(zs[-1], a, Y, loss), ws + bs + zs)
    g = [None] + [t.numpy() for t in grads]
    return [None] + g[1:L + 1], [None] + g[L + 1:2 * L + 1], [None] + g[2 * L + 1:]


# ---- backprop against the engine ----
@given(S.dense_networks())
def test_backprop_update_is_eta_p_times_the_negative_gradient_of_the_mean_loss(net):
    """w^[l] <- w^[l] + eta delta^[l] a^[l-1]^T, b^[l] <- b^[l] + eta delta^[l] 1_p, summed over p columns:
    new - old = -(eta * p) * dE/dw^[l], E the mean loss. With p = 1 it is the slides' online rule."""
    dims, w, b, X, Y, eta, hidden, output, loss = net
    gw, gb, _ = engine_gradients(w, b, X, Y, hidden, output, loss)
    new_w, new_b = rules.backprop_update(w, b, X, Y, eta, hidden, output, loss=loss)
    p = X.shape[1]
    assert new_w[0] is None and new_b[0] is None and len(new_w) == len(w)
    for l in range(1, len(w)):
        np.testing.assert_allclose(new_w[l] - w[l], -eta * p * gw[l], **TOL)
        np.testing.assert_allclose(new_b[l] - b[l], -eta * p * gb[l], **TOL)


@given(S.dense_networks())
def test_deltas_are_minus_p_times_the_gradient_of_the_mean_loss_wrt_z(net):
    """delta^[L] = (y - a^[L]) (.) da^[L] (y - a^[L] alone for sigmoid + BCE and softmax + CCE) and
    delta^[l] = (w^[l+1]^T delta^[l+1]) (.) da^[l] equal -p * dE/dz^[l], E the mean loss."""
    dims, w, b, X, Y, eta, hidden, output, loss = net
    _, _, gz = engine_gradients(w, b, X, Y, hidden, output, loss)
    deltas = rules.backprop(w, b, X, Y, hidden, output, loss=loss)
    assert deltas[0] is None and len(deltas) == len(w)
    for l in range(1, len(w)):
        assert deltas[l].shape == (dims[l], X.shape[1])
        np.testing.assert_allclose(deltas[l], -X.shape[1] * gz[l], **TOL)


@given(S.dense_networks(max_layers=3))
def test_dense_network_backprop_and_predict_are_the_functions(net):
    dims, w, b, X, Y, eta, hidden, output, loss = net
    model = rules.DenseNetwork(dims, hidden, output, loss=loss)
    model.w, model.b = list(w), list(b)
    for ours, theirs in zip(model.backprop(X, Y)[1:], rules.backprop(w, b, X, Y, hidden, output, loss=loss)[1:]):
        np.testing.assert_array_equal(ours, theirs)
    z, a = rules.forward(w, b, X, hidden, output)
    np.testing.assert_array_equal(model.predict(X), a[-1])
    assert z[0] is None and len(z) == len(a) == len(w)
    np.testing.assert_array_equal(a[0], X)


@given(S.dense_networks(max_layers=3, max_p=6), st.sampled_from([None, 1, 2, 4]))
def test_dense_network_fit_is_engine_steps_on_each_batch(net, batch_size):
    """One epoch of DenseNetwork.fit(batch_size=k) is, for each consecutive batch of k columns,
    params <- params - eta * k * grad of that batch's mean loss (None: one batch of all p; 1: online)."""
    dims, w, b, X, Y, eta, hidden, output, loss = net
    model = rules.DenseNetwork(dims, hidden, output, loss=loss)
    model.w, model.b = list(w), list(b)
    model.fit(X, Y, epochs=1, learning_rate=eta, batch_size=batch_size)
    size = X.shape[1] if batch_size is None else batch_size
    for start in range(0, X.shape[1], size):
        cols = slice(start, start + size)
        k = X[:, cols].shape[1]
        gw, gb, _ = engine_gradients(w, b, X[:, cols], Y[:, cols], hidden, output, loss)
        w = [None] + [w[l] - eta * k * gw[l] for l in range(1, len(w))]
        b = [None] + [b[l] - eta * k * gb[l] for l in range(1, len(b))]
    for l in range(1, len(w)):
        np.testing.assert_allclose(model.w[l], w[l], **TOL)
        np.testing.assert_allclose(model.b[l], b[l], **TOL)
    z, a = rules.forward(w, b, X, hidden, output)  # loss_: the mean loss on all of (X, Y) after the epoch
    expected = engine_mean_loss(ts.Tensor(z[-1]), ts.Tensor(a[-1]), Y, loss).item()
    np.testing.assert_allclose(model.loss_, [expected], **TOL)


def test_tanh_output_keeps_its_derivative_in_the_output_delta():
    """tanh pairs with 1/2 squared error: delta^[L] = (y - a)(1 + a)(1 - a), not y - a."""
    w, b = [None, np.array([[0.5, -1.0]])], [None, np.array([[0.2]])]
    X, Y = np.array([[1.0], [0.5]]), np.array([[0.9]])
    a = np.tanh(w[1] @ X + b[1])
    (delta,) = rules.backprop(w, b, X, Y, output_activation="tanh")[1:]
    np.testing.assert_allclose(delta, (Y - a) * (1 + a) * (1 - a))
    assert rules.DenseNetwork([2, 1], output_activation="tanh").loss == "squared"


@pytest.mark.parametrize("output, loss", [("softmax", "squared"), ("tanh", "bce"), ("sigmoid", "cce"),
                                          ("linear", "mse")])
def test_pairs_the_rules_do_not_cover_are_refused(output, loss):
    with pytest.raises(ValueError, match="loss"):
        rules.DenseNetwork([2, 3], output_activation=output, loss=loss)


def test_softmax_is_refused_as_a_hidden_activation():
    with pytest.raises(ValueError, match="softmax"):
        rules.DenseNetwork([2, 3, 1], hidden_activation="softmax")


# ---- seeds and initial weights ----
def test_initial_weights_are_uniform_in_minus_one_one_drawn_w1_b1_w2_b2():
    rng = np.random.default_rng(7)
    expected = []
    for n_prev, n in [(2, 3), (3, 4), (4, 1)]:
        expected += [rng.uniform(-1, 1, size=(n, n_prev)), rng.uniform(-1, 1, size=(n, 1))]
    net = rules.DenseNetwork([2, 3, 4, 1], seed=7)
    assert net.w[0] is None and net.b[0] is None and net.L == 3
    got = [arr for l in range(1, 4) for arr in (net.w[l], net.b[l])]
    for g, e in zip(got, expected):
        np.testing.assert_array_equal(g, e)
    # the same seed is the same network for every model: w^[1] (m x n) then b^[1]
    one = rules.OneLayerNetwork(2, 3, seed=7)
    np.testing.assert_array_equal(one.W, expected[0])
    np.testing.assert_array_equal(one.b, rules.DenseNetwork([2, 3], seed=7).b[1])
    for cls in (rules.Perceptron, rules.LinearNeuron, rules.SigmoidNeuron):
        single, ref = cls(2, seed=11), rules.DenseNetwork([2, 1], seed=11)
        np.testing.assert_array_equal(single.w, ref.w[1])
        np.testing.assert_array_equal(single.b, ref.b[1])
        assert single.w.shape == (1, 2) and single.b.shape == (1, 1)
    big = rules.DenseNetwork([50, 40, 30], seed=0)
    assert all(np.abs(a).max() < 1 and a.min() < -0.9 and a.max() > 0.9 for a in big.w[1:] + big.b[1:])
    assert not np.array_equal(rules.DenseNetwork([2, 3], seed=1).w[1], rules.DenseNetwork([2, 3], seed=2).w[1])


# ---- it learns ----
def test_dense_network_learns_xor_with_the_slides_rule():
    X = np.array([[0.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0]])
    Y = np.array([[0.0, 1.0, 1.0, 0.0]])
    net = rules.DenseNetwork([2, 4, 1], "tanh", "sigmoid", seed=0).fit(X, Y, epochs=2000, learning_rate=0.5)
    np.testing.assert_array_equal(net.predict(X) > 0.5, Y == 1)
    assert len(net.loss_) == 2000 and net.loss_[-1] < 0.05 < net.loss_[0]
    online = rules.DenseNetwork([2, 4, 1], "tanh", "sigmoid", seed=0).fit(X, Y, epochs=2000, learning_rate=0.5,
                                                                          batch_size=1)
    np.testing.assert_array_equal(online.predict(X) > 0.5, Y == 1)


# ---- the bridge to ts.Sequential of ts.nn.Dense ----
BRIDGE_CASES = [([3, 4, 2], "tanh", "linear"), ([2, 5, 3, 1], "relu", "sigmoid"), ([3, 2], "tanh", "softmax"),
                ([2, 3, 3, 2], "sigmoid", "tanh")]


@pytest.mark.parametrize("dims, hidden, output", BRIDGE_CASES)
def test_to_model_has_the_same_weights_and_outputs(dims, hidden, output):
    net = rules.DenseNetwork(dims, hidden, output, seed=4)
    model = net.to_model()
    assert len(model.layers) == net.L
    for l, layer in enumerate(model.layers, start=1):
        assert layer.weight.dtype == np.float64 and layer.weight.shape == (dims[l], dims[l - 1])
        np.testing.assert_array_equal(layer.weight.numpy(), net.w[l])
        np.testing.assert_array_equal(layer.bias.numpy(), net.b[l].ravel())
    X = np.random.default_rng(0).uniform(-1, 1, size=(dims[0], 6))
    np.testing.assert_allclose(model(X.T).numpy(), net.predict(X).T, rtol=1e-12, atol=1e-14)
    assert net.to_model(dtype="float32").layers[0].weight.dtype == np.float32


@pytest.mark.parametrize("dims, hidden, output", BRIDGE_CASES)
def test_from_model_round_trip(dims, hidden, output):
    net = rules.DenseNetwork(dims, hidden, output, seed=9)
    back = rules.DenseNetwork.from_model(net.to_model())
    assert back.layers_dims == dims and back.output_activation == output and back.loss == net.loss
    assert net.L == 1 or back.hidden_activation == hidden
    for l in range(1, net.L + 1):
        np.testing.assert_array_equal(back.w[l], net.w[l])
        np.testing.assert_array_equal(back.b[l], net.b[l])


def test_from_model_reads_a_keras_style_model():
    model = ts.Sequential([nn.Dense(4, activation="tanh", input_dim=3, dtype="float64"),
                           nn.Dense(2, activation="softmax", dtype="float64")])
    x = np.random.default_rng(1).normal(size=(5, 3))
    rows = model(x).numpy()  # builds the second layer
    net = rules.DenseNetwork.from_model(model)
    assert net.layers_dims == [3, 4, 2] and net.loss == "cce"
    np.testing.assert_array_equal(net.w[1], model.layers[0].weight.numpy())
    np.testing.assert_allclose(net.predict(x.T), rows.T, rtol=1e-12)
    mixed = ts.Sequential([nn.Dense(4, activation="tanh", input_dim=3), nn.Dense(4, activation="relu"),
                           nn.Dense(1, activation="sigmoid")])
    mixed(np.zeros((1, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="hidden activation"):
        rules.DenseNetwork.from_model(mixed)


@pytest.mark.parametrize("hidden, output", [("tanh", "linear"), ("tanh", "sigmoid"), ("relu", "softmax")])
def test_one_network_trained_by_the_slide_rule_and_by_autograd_side_by_side(hidden, output):
    """The same network, two ways: the rule's fit (summed over p) and gradient steps of eta * p on the mean
    loss of the model's output, computed by the engine through ts.nn.Dense."""
    rng = np.random.default_rng(5)
    dims, p, eta = [3, 4, 2], 6, 0.1
    X = rng.uniform(-1, 1, size=(dims[0], p))
    Y = {"linear": rng.normal(size=(2, p)), "sigmoid": rng.uniform(0, 1, size=(2, p)),
         "softmax": np.eye(2)[:, rng.integers(0, 2, size=p)]}[output]
    net = rules.DenseNetwork(dims, hidden, output, seed=3)
    model = net.to_model()
    net.fit(X, Y, epochs=3, learning_rate=eta)
    y_rows = ts.Tensor(Y.T)
    for _ in range(3):
        a = model(X.T)  # probabilities kept well inside (0, 1): no clipping anywhere
        if output == "linear":
            loss = ((y_rows - a) ** 2).sum() * (0.5 / p)
        elif output == "sigmoid":
            loss = -(y_rows * a.log() + (1 - y_rows) * (1 - a).log()).sum() * (1.0 / p)
        else:
            loss = -(y_rows * a.log()).sum() * (1.0 / p)
        params = [t for layer in model.layers for t in (layer.weight, layer.bias)]
        grads = ts.grad(loss, params)
        for t, g in zip(params, grads):
            t.data = t.data - eta * p * g.numpy()
    back = rules.DenseNetwork.from_model(model)
    for l in range(1, net.L + 1):
        np.testing.assert_allclose(back.w[l], net.w[l], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(back.b[l], net.b[l], rtol=1e-9, atol=1e-12)
