"""The tour's steps 1 to 5: one neuron, from McCulloch-Pitts to the sigmoid neuron and the delta rule.

Each step prints what it shows, checks what it claims, and hands its pictures to the gallery.
"""

from __future__ import annotations

import numpy as np

import tinygrad_seminar as ts
from tinygrad_seminar import plot, rules

from .gallery import Gallery

GATES_X = np.array([[0, 0, 1, 1], [0, 1, 0, 1]], float)  # the slides' layout: samples are columns


def mcculloch_pitts(gallery: Gallery) -> None:
    gallery.begin(1, "McCulloch-Pitts neuron: y^ = step(w x + b)")
    for gate, b in (("AND", -1.5), ("OR", -0.5)):
        y = rules.McCullochPitts(w=[[1, 1]], b=[[b]]).predict(GATES_X)
        print(f"{gate}: w = [1, 1], b = {b}:  x1 x2 = 00 01 10 11  ->  y^ = {y.ravel().astype(int)}")


def perceptron(gallery: Gallery) -> None:
    gallery.begin(2, "Rosenblatt's perceptron: w <- w + eta (y - y^) x^T")
    for gate, Y in (("OR", [[0, 1, 1, 1]]), ("XOR", [[0, 1, 1, 0]])):
        Y = np.array(Y, float)
        p = rules.Perceptron(2, seed=0).fit(GATES_X, Y, epochs=20, learning_rate=0.1)
        print(f"{gate}: mistakes per epoch {p.errors_[:8]}... -> predicts {p.predict(GATES_X).ravel().astype(int)}"
              f" (target {Y[0].astype(int)})")
        gallery.figure(f"perceptron_{gate.lower()}.png", f"The perceptron's line on {gate}: "
                       + ("it separates the classes." if gate == "OR" else "no line separates XOR's classes."),
                       lambda p=p, Y=Y: plot.decision_boundary(p, GATES_X, Y, resolution=gallery.resolution))
    print("XOR is not linearly separable: the perceptron never stops making mistakes on it.")


def newton(gallery: Gallery) -> None:
    gallery.begin(3, "Optimisation by the derivative: f(x) = x(5 - 2x)^2, f'(x) = 12x^2 - 40x + 25")
    print("Newton's method on f' = 0, with f' and f'' from ts.grad(..., create_graph=True):")
    for start in (0.0, 3.0):
        x = ts.tensor(start, dtype="float64", requires_grad=True)
        for _ in range(30):
            (d1,) = ts.grad(x * (5 - 2 * x) ** 2, x, create_graph=True)
            (d2,) = ts.grad(d1, x)
            x = ts.tensor(x.item() - d1.item() / d2.item(), dtype="float64", requires_grad=True)
        kind = "maximum" if d2.item() < 0 else "minimum"
        print(f"  from x0 = {start}: x* = {x.item():.6f}, f''(x*) = 24x - 40 = {d2.item():+.3f} -> a {kind}")
    gallery.figure("derivative.png", "f(x) = x(5 - 2x)^2 and f'(x) from ts.grad: the maximum at 5/6, the minimum "
                   "at 5/2.", plot.derivative)


def linear_neuron(gallery: Gallery) -> None:
    gallery.begin(4, "Linear neuron (ADALINE): SGD, BGD and mini-batch on E = 1/(2p) sum (y - y^)^2")
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (2, 200))
    Y = np.array([[2.0, -3.0]]) @ X + 1.0 + 0.05 * rng.standard_normal((1, 200))
    epochs = 50 if gallery.quick else 200
    losses = {}
    for solver in ("sgd", "bgd", "mbgd"):
        net = rules.LinearNeuron(2, seed=1).fit(X, Y, epochs=epochs, learning_rate=0.1, solver=solver, batch_size=20)
        print(f"  {solver:4s}: w = {np.round(net.w.ravel(), 2)}, b = {net.b.item():.2f}  (true: [2, -3], 1)")
        losses[solver] = net.loss_
    # the proof in one line: the slide's BGD step is the engine's gradient step on E
    w, b = rng.standard_normal((1, 2)), rng.standard_normal((1, 1))
    w_rule, _ = rules.linear_bgd_update(w, b, X, Y, 0.1)
    wt, bt = ts.tensor(w, requires_grad=True), ts.tensor(b, requires_grad=True)
    E = (((ts.tensor(Y) - (wt @ ts.tensor(X) + bt)) ** 2).sum()) * (1 / (2 * X.shape[1]))
    E.backward()
    print(f"  one BGD step by the slide's rule equals w - eta dE/dw from autograd: "
          f"{np.allclose(w_rule, w - 0.1 * wt.grad)}")
    x1 = X[:1]  # one input, so the fit is a line through the points
    y1 = 2.0 * x1 + 1.0 + 0.3 * rng.standard_normal(x1.shape)
    line = rules.LinearNeuron(1, seed=1).fit(x1, y1, epochs=epochs, learning_rate=0.1, solver="bgd")
    gallery.figure("linear_solvers.png", "E per epoch of the three solvers above on the same 200 points: SGD (200 "
                   "steps an epoch) is near its floor after one epoch but keeps jumping a little above it; mini-batch "
                   "(10 steps of 20) takes a few epochs; BGD (one step an epoch) the most.",
                   lambda: solvers_figure(losses))
    gallery.figure("linear_fit.png", "The linear neuron's fitted line y^ = w x1 + b through noisy points of "
                   "y = 2 x1 + 1.", lambda: plot.regression(line, x1, y1))  # the slides' columns, as the rules take


def solvers_figure(losses: dict):
    """E per epoch of each solver, on a log scale (they differ by orders of magnitude)."""
    fig, ax = plot.backend.axes(figsize=(6.0, 4.0))
    names = {"sgd": "SGD, one sample a step", "mbgd": "mini-batch of 20", "bgd": "BGD, all 200 a step"}
    for solver in ("sgd", "mbgd", "bgd"):
        ax.plot(np.arange(1, len(losses[solver]) + 1), losses[solver], label=names[solver])
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("E = 1/(2p) sum (y - y^)^2")
    ax.set_title("Linear neuron: SGD, mini-batch and BGD", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def sigmoid_and_delta(gallery: Gallery) -> None:
    gallery.begin(5, "Sigmoid neuron (BCE) and the delta rule's table of derivatives")
    x, y = ts.datasets.blobs(200, centers=2, rng=np.random.default_rng(2))
    net = rules.SigmoidNeuron(2, seed=0).fit(x.T.astype(float), y[None, :].astype(float),
                                             epochs=50 if gallery.quick else 200, learning_rate=0.5)
    acc = ((net.predict(x.T) > 0.5).ravel() == y).mean()
    print(f"  sigmoid neuron on two blobs: BCE {net.loss_[0]:.3f} -> {net.loss_[-1]:.3f}, accuracy {acc:.1%}")
    z = np.linspace(-2, 2, 9) + 0.05
    for name, (phi, dphi) in rules.ACTIVATIONS.items():
        if name == "softmax":
            continue
        zt = ts.tensor(z, dtype="float64", requires_grad=True)
        getattr(ts.functional, name)(zt).sum().backward()
        print(f"  {name:8s}: the table's phi'(z) equals autograd's: {np.allclose(dphi(z, phi(z)), zt.grad)}")
    gallery.figure("sigmoid_boundary.png", "The sigmoid neuron's boundary y^ = 0.5 between two blobs, y^ shaded.",
                   lambda: plot.decision_boundary(net, x.T, y, resolution=gallery.resolution))
    gallery.figure("activations.png", "The delta rule's table: phi(z) and phi'(z), phi' computed by the engine "
                   "and checked against the table.", plot.activations)
