"""The tour's steps 6 to 9: networks, from one softmax layer to backpropagation, Keras and the gradient checker.

Each step prints what it shows, checks what it claims, and hands its pictures to the gallery.
"""

from __future__ import annotations

import os
import tempfile

import numpy as np

import tinygrad_seminar as ts
from tinygrad_seminar import plot, rules, viz

from .gallery import Gallery
from .neurons import GATES_X


def one_layer(gallery: Gallery) -> None:
    gallery.begin(6, "One-layer network: softmax + categorical cross-entropy")
    x, y = ts.datasets.blobs(400, centers=4, rng=np.random.default_rng(3))
    X, Y = x.T.astype(float), ts.datasets.one_hot(y).T.astype(float)
    net = rules.OneLayerNetwork(2, 4, activation="softmax", seed=0).fit(
        X, Y, epochs=50 if gallery.quick else 200, learning_rate=0.5)
    acc = (net.predict(X).argmax(axis=0) == y).mean()
    print(f"  four blobs: CCE {net.loss_[0]:.3f} -> {net.loss_[-1]:.3f}, accuracy {acc:.1%}")
    gallery.figure("softmax_regions.png", "The softmax regions of four blobs (class = argmax y^), with each "
                   "class's one-vs-all line w_k x + b_k = 0.",
                   lambda: plot.decision_boundary(net, X, y, resolution=gallery.resolution))


def dense_backprop(gallery: Gallery) -> None:
    gallery.begin(7, "Dense network: backpropagation by hand equals automatic differentiation")
    Y = np.array([[0, 1, 1, 0]], float)
    net = rules.DenseNetwork([2, 4, 1], hidden_activation="tanh", output_activation="sigmoid", seed=1)
    deltas = net.backprop(GATES_X, Y)
    model = net.to_model()
    with viz.trace(model) as tr:  # records a^[l-1], z^[l], a^[l] and dE/dz^[l] of every Dense layer
        loss = ts.losses.binary_crossentropy(Y.T, model(ts.tensor(GATES_X.T, dtype="float64", name="x")))
        loss.backward(retain_graph=True)  # kept for the pictures of backward below
    same = all(np.allclose(d, a) for d, a in zip(deltas[1:], tr.deltas()[1:]))
    print(f"  every delta^[l] by the slides' rule equals -p dE/dz^[l] from autograd: {same}")
    print("  " + tr.table().replace("\n", "\n  "))
    gallery.graph("graph.svg", "The operator graph of the 2-4-1 network's loss: one box per layer, each tensor's "
                  "value, and the gradient backward left in .grad (the parameters'; the intermediate tensors keep "
                  "none).", lambda: viz.draw_graph(loss, show_values=True))
    gallery.page("backprop.html", "Backpropagation played step by step: each frame shows the op being "
                 "differentiated and the gradient that has just arrived.",
                 lambda path: viz.animate_backward(loss, path))
    net.fit(GATES_X, Y, epochs=300 if gallery.quick else 2000, learning_rate=0.5)
    print(f"  2-4-1 on XOR: y^ = {np.round(net.predict(GATES_X).ravel(), 2)} (target [0 1 1 0])")
    gallery.figure("xor_boundary.png", "The 2-4-1 network's boundary on XOR: two lines bent into one region.",
                   lambda: plot.decision_boundary(net, GATES_X, Y, resolution=gallery.resolution))
    gallery.figure("xor_hidden_lines.png", "Each hidden neuron is a line w_j x + b_j = 0 in the input plane; "
                   "in the hidden layer's space XOR becomes separable.",
                   lambda: plot.hidden_lines(net, GATES_X, Y))


def keras_workflow(gallery: Gallery) -> None:
    gallery.begin(8, "Keras: Sequential, compile, fit, evaluate, summary, save and load")
    ts.manual_seed(0)
    x, y = ts.datasets.moons(400 if gallery.quick else 1000, noise=0.1)
    x_train, x_test, y_train, y_test = ts.datasets.train_test_split(x, y, test_size=0.2)
    model = ts.Sequential([ts.Input(shape=(2,)), ts.nn.Dense(16, activation="tanh", name="hidden_1"),
                           ts.nn.Dense(16, activation="tanh", name="hidden_2"),
                           ts.nn.Dense(1, activation="sigmoid", name="output")], name="moons")
    model.summary()
    model.compile(optimizer=ts.optim.Adam(lr=0.02), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=3 if gallery.quick else 10, batch_size=16, validation_split=0.2,
                        verbose=2)
    loss, acc = model.evaluate(x_test, y_test, verbose=0)
    print(f"  on {len(x_test)} held-out points: loss {loss:.4f}, accuracy {acc:.3f}")
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "moons.keras")
        model.save(path)
        same = np.array_equal(ts.load_model(path).predict(x_test, verbose=0), model.predict(x_test, verbose=0))
    print(f"  saved and loaded again: predictions bit-identical: {same}")
    gallery.figure("keras_curves.png", "The learning curves of fit: loss and accuracy, training against validation.",
                   lambda: plot.learning_curves(history))
    gallery.figure("moons_boundary.png", "The Keras model's boundary on the held-out moons, misclassified points "
                   "ringed.", lambda: plot.decision_boundary(model, x_test, y_test, resolution=gallery.resolution))
    gallery.figure("weights.png", "The weights of each Dense layer, w^[l] as a heatmap centred on 0.",
                   lambda: plot.weights(model))


def gradient_checker(gallery: Gallery) -> None:
    gallery.begin(9, "The gradient checker names the op whose backward is wrong")

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
