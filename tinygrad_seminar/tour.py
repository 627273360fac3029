"""The seminar in one command: each step runs, prints what it shows, and checks what it claims.

Data is made in code; the only file written is a saved model in a temporary folder, removed after.
"""

from __future__ import annotations

import os
import tempfile

import numpy as np

import tinygrad_seminar as ts
from tinygrad_seminar import rules


def _step(n: int, title: str) -> None:
    print(f"\n== {n}. {title} ==")


def mcculloch_pitts() -> None:
    _step(1, "McCulloch-Pitts neuron: y^ = step(w x + b)")
    X = np.array([[0, 0, 1, 1], [0, 1, 0, 1]])  # the slides' layout: samples are columns
    for gate, b in (("AND", -1.5), ("OR", -0.5)):
        y = rules.McCullochPitts(w=[[1, 1]], b=[[b]]).predict(X)
        print(f"{gate}: w = [1, 1], b = {b}:  x1 x2 = 00 01 10 11  ->  y^ = {y.ravel().astype(int)}")


def perceptron() -> None:
    _step(2, "Rosenblatt's perceptron: w <- w + eta (y - y^) x^T")
    X = np.array([[0, 0, 1, 1], [0, 1, 0, 1]], float)
    for gate, Y in (("OR", [[0, 1, 1, 1]]), ("XOR", [[0, 1, 1, 0]])):
        p = rules.Perceptron(2, seed=0).fit(X, np.array(Y, float), epochs=20, learning_rate=0.1)
        print(f"{gate}: mistakes per epoch {p.errors_[:8]}... -> predicts {p.predict(X).ravel().astype(int)}"
              f" (target {Y[0]})")
    print("XOR is not linearly separable: the perceptron never stops making mistakes on it.")


def newton() -> None:
    _step(3, "Optimisation by the derivative: f(x) = x(5 - 2x)^2, f'(x) = 12x^2 - 40x + 25")
    print("Newton's method on f' = 0, with f' and f'' from ts.grad(..., create_graph=True):")
    for start in (0.0, 3.0):
        x = ts.tensor(start, dtype="float64", requires_grad=True)
        for _ in range(30):
            (d1,) = ts.grad(x * (5 - 2 * x) ** 2, x, create_graph=True)
            (d2,) = ts.grad(d1, x)
            x = ts.tensor(x.item() - d1.item() / d2.item(), dtype="float64", requires_grad=True)
        kind = "maximum" if d2.item() < 0 else "minimum"
        print(f"  from x0 = {start}: x* = {x.item():.6f}, f''(x*) = 24x - 40 = {d2.item():+.3f} -> a {kind}")


def linear_neuron() -> None:
    _step(4, "Linear neuron (ADALINE): SGD, BGD and mini-batch on E = 1/(2p) sum (y - y^)^2")
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (2, 200))
    Y = np.array([[2.0, -3.0]]) @ X + 1.0 + 0.05 * rng.standard_normal((1, 200))
    for solver in ("sgd", "bgd", "mbgd"):
        net = rules.LinearNeuron(2, seed=1).fit(X, Y, epochs=200, learning_rate=0.1, solver=solver, batch_size=20)
        print(f"  {solver:4s}: w = {np.round(net.w.ravel(), 2)}, b = {net.b.item():.2f}  (true: [2, -3], 1)")
    # the proof in one line: the slide's BGD step is the engine's gradient step on E
    w, b = rng.standard_normal((1, 2)), rng.standard_normal((1, 1))
    w_rule, _ = rules.linear_bgd_update(w, b, X, Y, 0.1)
    wt, bt = ts.tensor(w, requires_grad=True), ts.tensor(b, requires_grad=True)
    E = (((ts.tensor(Y) - (wt @ ts.tensor(X) + bt)) ** 2).sum()) * (1 / (2 * X.shape[1]))
    E.backward()
    print(f"  one BGD step by the slide's rule equals w - eta dE/dw from autograd: "
          f"{np.allclose(w_rule, w - 0.1 * wt.grad)}")


def sigmoid_and_delta() -> None:
    _step(5, "Sigmoid neuron (BCE) and the delta rule's table of derivatives")
    x, y = ts.datasets.blobs(200, centers=2, rng=np.random.default_rng(2))
    net = rules.SigmoidNeuron(2, seed=0).fit(x.T.astype(float), y[None, :].astype(float), epochs=200,
                                             learning_rate=0.5)
    acc = ((net.predict(x.T) > 0.5).ravel() == y).mean()
    print(f"  sigmoid neuron on two blobs: BCE {net.loss_[0]:.3f} -> {net.loss_[-1]:.3f}, accuracy {acc:.0%}")
    z = np.linspace(-2, 2, 9) + 0.05
    for name, (phi, dphi) in rules.ACTIVATIONS.items():
        if name == "softmax":
            continue
        zt = ts.tensor(z, dtype="float64", requires_grad=True)
        getattr(ts.functional, name)(zt).sum().backward()
        print(f"  {name:8s}: the table's phi'(z) equals autograd's: {np.allclose(dphi(z, phi(z)), zt.grad)}")


def one_layer() -> None:
    _step(6, "One-layer network: softmax + categorical cross-entropy")
    x, y = ts.datasets.blobs(400, centers=4, rng=np.random.default_rng(3))
    X, Y = x.T.astype(float), ts.datasets.one_hot(y).T.astype(float)
    net = rules.OneLayerNetwork(2, 4, activation="softmax", seed=0).fit(X, Y, epochs=200, learning_rate=0.5)
    acc = (net.predict(X).argmax(axis=0) == y).mean()
    print(f"  four blobs: CCE {net.loss_[0]:.3f} -> {net.loss_[-1]:.3f}, accuracy {acc:.0%}")


def dense_backprop() -> None:
    _step(7, "Dense network: backpropagation by hand equals automatic differentiation")
    X = np.array([[0, 0, 1, 1], [0, 1, 0, 1]], float)
    Y = np.array([[0, 1, 1, 0]], float)
    net = rules.DenseNetwork([2, 4, 1], hidden_activation="tanh", output_activation="sigmoid", seed=1)
    deltas = net.backprop(X, Y)
    model = net.to_model()
    with ts.viz.trace(model) as tr:  # records a^[l-1], z^[l], a^[l] and dE/dz^[l] of every Dense layer
        loss = ts.losses.binary_crossentropy(Y.T, model(ts.tensor(X.T, dtype="float64")))
        loss.backward()
    same = all(np.allclose(d, a) for d, a in zip(deltas[1:], tr.deltas()[1:]))
    print(f"  every delta^[l] by the slides' rule equals -p dE/dz^[l] from autograd: {same}")
    print("  " + tr.table().replace("\n", "\n  "))
    print(f"  its graph: {ts.viz.draw_graph(loss)!r}")
    print("  loss.draw().save('graph.svg') draws it; ts.viz.animate_backward(loss, 'backprop.html') plays backward")
    net.fit(X, Y, epochs=2000, learning_rate=0.5)
    print(f"  2-4-1 on XOR after 2000 epochs: y^ = {np.round(net.predict(X).ravel(), 2)} (target [0 1 1 0])")


def keras_workflow() -> None:
    _step(8, "Keras: Sequential, compile, fit, evaluate, summary, save and load")
    ts.manual_seed(0)
    x, y = ts.datasets.moons(1000, noise=0.1)
    x_train, x_test, y_train, y_test = ts.datasets.train_test_split(x, y, test_size=0.2)
    model = ts.Sequential([ts.Input(shape=(2,)), ts.nn.Dense(16, activation="tanh"),
                           ts.nn.Dense(16, activation="tanh"), ts.nn.Dense(1, activation="sigmoid")], name="moons")
    model.summary()
    model.compile(optimizer=ts.optim.Adam(lr=0.02), loss="binary_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=10, batch_size=16, validation_split=0.2, verbose=2)
    loss, acc = model.evaluate(x_test, y_test, verbose=0)
    print(f"  on 200 held-out points: loss {loss:.4f}, accuracy {acc:.3f}")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "moons.keras")
        model.save(path)
        same = np.array_equal(ts.load_model(path).predict(x_test), model.predict(x_test))
    print(f"  saved and loaded again: predictions bit-identical: {same}")


def gradient_checker() -> None:
    _step(9, "The gradient checker names the op whose backward is wrong")

    class BadSquare(ts.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a * a

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            return g * a  # should be 2 * g * a

    w = ts.randn(3, 2, dtype="float64", requires_grad=True, rng=np.random.default_rng(0))
    xb = ts.randn(4, 2, dtype="float64", rng=np.random.default_rng(1))
    print("  d/dw mean(log_softmax(x @ w.T)) passes:", ts.gradcheck(lambda w: (xb @ w.T).log_softmax().mean(), w))
    try:
        ts.gradcheck(lambda w: BadSquare.apply(w.tanh()).sum(), w)
    except ts.GradcheckError as e:
        print("  a student's op with a wrong backward:\n    " + str(e).replace("\n", "\n    "))


def tour() -> None:
    print(f"tinygrad_seminar {ts.__version__}: a tour of the seminar, from one neuron to Keras")
    for step in (mcculloch_pitts, perceptron, newton, linear_neuron, sigmoid_and_delta, one_layer,
                 dense_backprop, keras_workflow, gradient_checker):
        step()
    print("\nEvery rule above is proved equal to autograd by property tests: see docs/seminar.md.")
