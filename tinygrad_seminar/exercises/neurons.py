"""Exercises on one neuron, in the slides' layout (samples in columns): the perceptron's update, the linear
neuron's online and batch steps, the sigmoid neuron's gradient. The references: the perceptron's own rule
(it has no gradient), and for the others ``ts.grad`` of the slides' loss on float64 Tensors.
"""

from __future__ import annotations

import numpy as np

from ..rules.neuron import step
from ..rules.perceptron import perceptron_update as perceptron_rule
from . import solutions
from .catalogue import Case, exercise
from .hints import Negated, Variant, factor_p, factor_two, half, sign
from .reference import gradients

__all__ = ["linear_bgd_update", "linear_sgd_update", "perceptron_update", "sigmoid_gradient"]

NEURON_SHAPES = ("Shapes, the slides' layout (samples in columns): w is a row (1, n), b is (1, 1),\n"
                 "    X is (n, p) with one sample per column, Y is (1, p).")


def _neuron(rng, n: int, p: int | None):
    """w (1, n), b (1, 1) uniform in (-1, 1); X (n, p) normal (a column (n, 1) when p is None)."""
    w, b = rng.uniform(-1, 1, (1, n)), rng.uniform(-1, 1, (1, 1))
    return w, b, rng.normal(0, 1.5, (n, 1 if p is None else p))


def _strict_step_update(w, b, x, y, eta):
    """The perceptron's rule with step(0) = 0: what a step written as z > 0 does."""
    y_hat = (w @ x + b > 0).astype(float)
    return w + eta * (y - y_hat) @ x.T, b + eta * (y - y_hat)


def _perceptron_case(title, w, b, x, y, eta):
    new_w, new_b = perceptron_rule(w, b, x, y, eta)
    strict_w, strict_b = _strict_step_update(w, b, x, y, eta)
    return Case(title, {"w": w, "b": b, "x": x, "y": y, "eta": eta}, {"w": new_w, "b": new_b},
                base={"w": w, "b": b}, variants={"strict_step": {"w": strict_w, "b": strict_b}}, info={"p": 1})


def _perceptron_cases(rng):
    n = int(rng.integers(2, 5))
    for title, mistake in (("a mistake", True), ("another mistake", True), ("a right prediction", False)):
        w, b, x = _neuron(rng, n, None)
        y_hat = float(step(w @ x + b).item())
        yield _perceptron_case(title, w, b, x, 1.0 - y_hat if mistake else y_hat, round(rng.uniform(0.1, 1), 3))
    w, _, _ = _neuron(rng, n, None)
    for y in (0.0, 1.0):
        yield _perceptron_case(f"a zero input and b = 0, so z = 0 (y = {y:g})", w, np.zeros((1, 1)),
                               np.zeros((n, 1)), y, 0.5)


perceptron_update = exercise(
    id="perceptron_update", title="The perceptron's update (Rosenblatt)", topic="2. The perceptron",
    reference=solutions.perceptron_update,
    statement=f"""
    One online step of Rosenblatt's perceptron on one sample (x, y):

        y^ = step(w x + b),   step(z) = 1 if z >= 0 else 0   (so step(0) = 1, as on the slide)
        w <- w + eta (y - y^) x^T
        b <- b + eta (y - y^)

    Return the new (w, b); do not change the arguments.
    {NEURON_SHAPES}
    Here x is one sample, a column (n, 1), and y is a number, 0 or 1. The step has no useful derivative,
    so the reference is the slide's rule itself (ts.rules.perceptron_update), not a gradient.
    """,
    slips=(Variant("strict_step", "step(0) = 1 on the slides (phi(z) = 1 if z >= 0): your step gives 0 at z = 0"),
           Negated("the opposite step: the slide adds eta (y - y^) x^T, which moves the line towards a missed "
                   "sample")),
)(_perceptron_cases)


def _linear_sgd_cases(rng):
    n = int(rng.integers(2, 5))
    samples = [("random", *_neuron(rng, n, None)) for _ in range(3)]
    w0, b0, x0 = _neuron(rng, n, None)
    for title, w, b, x in [*samples, ("a zero input (only b moves)", w0, b0, np.zeros_like(x0))]:
        y, eta = float(rng.normal()), round(rng.uniform(0.05, 0.5), 3)
        gw, gb = gradients(lambda w_, b_, x=x, y=y: 0.5 * ((y - (w_ @ x + b_)) ** 2).sum(), w, b)
        yield Case(title, {"w": w, "b": b, "x": x, "y": y, "eta": eta}, {"w": w - eta * gw, "b": b - eta * gb},
                   base={"w": w, "b": b}, info={"p": 1})


linear_sgd_update = exercise(
    id="linear_sgd_update", title="The linear neuron's online (SGD) step", topic="4. The linear neuron",
    reference=solutions.linear_sgd_update,
    statement=f"""
    The linear neuron y^ = w x + b learns online, one sample (x, y) at a time, by a gradient step on

        L = 1/2 (y - y^)^2,   whose gradient is  dL/dw = -(y - y^) x^T,  dL/db = -(y - y^).

    Return the new (w, b) = (w - eta dL/dw, b - eta dL/db); do not change the arguments.
    {NEURON_SHAPES}
    Here x is one sample, a column (n, 1), and y a number. The reference: ts.grad of L.
    """,
    slips=(factor_two("the slides' loss 1/2 (y - y^)^2 carries a 1/2 that cancels the 2 of the square: the step "
                      "is eta (y - y^) x^T"),
           sign("the gradient is -(y - y^) x^T and the step goes against it: w <- w + eta (y - y^) x^T")),
)(_linear_sgd_cases)


def _batch_data(rng, saturated: bool = False):
    """(title, w, b, X) for the batch exercises: three random batches, then the edge cases."""
    n = int(rng.integers(2, 5))
    for _ in range(3):
        yield ("random", *_neuron(rng, n, int(rng.integers(3, 8))))
    yield ("a batch of one", *_neuron(rng, n, 1))
    w, b, X = _neuron(rng, n, 5)
    yield ("a zero input", w, b, np.zeros_like(X))
    if saturated:  # z = w x + b = +-30: sigma(z) within 1e-13 of 0 or 1
        yield ("a saturated sigmoid (z = +-30)", np.array([[1.0, 0.0]]), np.zeros((1, 1)),
               np.array([[30.0, -30.0, 30.0, -30.0], [1.0, 2.0, 3.0, 4.0]]))


def _linear_bgd_case(rng, title, w, b, X):
    p = X.shape[1]
    Y, eta = rng.normal(size=(1, p)), round(rng.uniform(0.05, 0.5), 3)
    gw, gb = gradients(lambda w_, b_: ((Y - (w_ @ X + b_)) ** 2).sum() / (2 * p), w, b)
    return Case(title, {"w": w, "b": b, "X": X, "Y": Y, "eta": eta}, {"w": w - eta * gw, "b": b - eta * gb},
                base={"w": w, "b": b}, info={"p": p})


linear_bgd_update = exercise(
    id="linear_bgd_update", title="The linear neuron's batch (BGD) step", topic="4. The linear neuron",
    reference=solutions.linear_bgd_update,
    statement=f"""
    Batch gradient descent (BGD) on all p samples at once, Y^ = w X + b, descends

        E2 = 1/(2p) sum_i (y^(i) - y^^(i))^2,
        so  w <- w + eta/p (Y - Y^) X^T,   b <- b + eta/p sum_i (y^(i) - y^^(i)).

    Return the new (w, b); do not change the arguments. The reference: ts.grad of E2.
    {NEURON_SHAPES}
    """,
    slips=(factor_p("E2 = 1/(2p) sum ... is a mean over the p samples: the step is eta/p (Y - Y^) X^T"),
           factor_two("the 1/2 of E2 cancels the 2 of the square"),
           sign("the gradient is -1/p (Y - Y^) X^T and the step goes against it: w <- w + eta/p (Y - Y^) X^T")),
)(lambda rng: [_linear_bgd_case(rng, *data) for data in _batch_data(rng)])


def _bce(w_, b_, X, Y, p):
    z = w_ @ X + b_
    return (z.softplus() - Y * z).sum() / p  # -[y log sigma(z) + (1 - y) log(1 - sigma(z))], exact for any z


def _sigmoid_case(rng, title, w, b, X):
    p = X.shape[1]
    Y = rng.integers(0, 2, (1, p)).astype(float)
    gw, gb = gradients(lambda w_, b_: _bce(w_, b_, X, Y, p), w, b)
    sw, sb = gradients(lambda w_, b_: (0.5 * (Y - (w_ @ X + b_).sigmoid()) ** 2).sum() / p, w, b)
    return Case(title, {"w": w, "b": b, "X": X, "Y": Y}, {"dw": gw, "db": gb},
                variants={"squared_error": {"dw": sw, "db": sb}}, info={"p": p})


sigmoid_gradient = exercise(
    id="sigmoid_gradient", title="The sigmoid neuron's gradient of the mean BCE", topic="5. The sigmoid neuron",
    reference=solutions.sigmoid_gradient,
    statement=f"""
    The sigmoid neuron Y^ = sigma(w X + b), sigma(z) = 1 / (1 + e^-z), on the mean binary cross-entropy

        E = -1/p sum_i [y^(i) log y^^(i) + (1 - y^(i)) log(1 - y^^(i))]

    (without the 1/2 the slide prints: its update w <- w + eta (y - y^) x^T is the gradient step of this E).
    Return the gradient (dw, db) = (dE/dw, dE/db), of the shapes of w and b. The slide's update is then
    w <- w - eta dw. The reference: ts.grad of E (computed from the logits).
    {NEURON_SHAPES}
    """,
    slips=(sign("this is minus the gradient, 1/p (Y - Y^) X^T: the direction the slide's update adds"),
           half("the slide prints -1/2 [y log y^ + ...], but its update w <- w + eta (y - y^) x^T is the gradient "
                "step of the cross-entropy without the 1/2"),
           factor_p("E is a mean over the p samples: dw = -1/p (Y - Y^) X^T"),
           Variant("squared_error", "this is the gradient of the 1/2 squared error through sigma (it keeps "
                   "sigma'(z) = y^(1 - y^)); with the cross-entropy sigma' cancels: dw = -1/p (Y - Y^) X^T")),
)(lambda rng: [_sigmoid_case(rng, *data) for data in _batch_data(rng, saturated=True)])
