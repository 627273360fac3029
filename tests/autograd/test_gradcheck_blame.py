"""gradcheck's report: the op it blames wherever the wrong op sits, inputs cut from the graph, ops it could not
re-check, and a relative error against a numerical 0."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_seminar as ts
from tests.strategies import two_layer_nets


class GoodSigmoid(ts.Function):
    """sigma(z) in numpy, with its right backward g s (1 - s)."""

    @staticmethod
    def forward(ctx, z):
        s = 1 / (1 + np.exp(-z))
        ctx.save_for_backward(s)
        return s

    @staticmethod
    def backward(ctx, g):
        (s,) = ctx.saved_tensors
        return g * s * (1 - s)


class BadSigmoid(GoodSigmoid):
    """A student's sigmoid whose backward forgets the factor (1 - s)."""

    @staticmethod
    def backward(ctx, g):
        (s,) = ctx.saved_tensors
        return g * s


class BadSoftmax(ts.Function):
    """Softmax along the last axis whose backward forgets the term - s * sum(g s)."""

    @staticmethod
    def forward(ctx, z):
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        s = e / e.sum(axis=-1, keepdims=True)
        ctx.save_for_backward(s)
        return s

    @staticmethod
    def backward(ctx, g):
        (s,) = ctx.saved_tensors
        return g * s


BLAMED = re.compile(r"(\w+) \((?:node \d+ of \d+ in forward order, )?inputs of shape (.*?)\), for its input (\d+)")


def failure(fn, *inputs) -> str:
    with pytest.raises(ts.GradcheckError) as e:
        ts.gradcheck(fn, *inputs)
    return str(e.value)


def blamed(message: str) -> list[tuple[str, str]]:
    """(op, input shapes) of every op the message blames, in its order."""
    return [(op, shapes) for op, shapes, _ in BLAMED.findall(message)]


def leaf(a, name=None):
    return ts.tensor(np.asarray(a, dtype=np.float64), requires_grad=True, name=name)


RNG = np.random.default_rng(7)
X = RNG.uniform(-1, 1, (4, 3))
W = RNG.uniform(-0.8, 0.8, (2, 3))
B = RNG.uniform(-0.5, 0.5, 2)
C = RNG.uniform(-1, 1, (3, 2))  # constants the tests weigh outputs with, so that no gradient is all ones
C8 = RNG.uniform(-1, 1, 8)


# ---- blame at each position ----
class SigmoidLayer(ts.nn.Module):
    """A custom layer that applies a numpy Function."""

    def __init__(self, function):
        self.function = function

    def forward(self, x):
        return self.function.apply(x)


def inside_a_module(op):
    model = ts.nn.containers.Sequential(ts.nn.Dense(2, input_dim=3, dtype="float64"), SigmoidLayer(op),
                                        ts.nn.Dense(1, dtype="float64"))
    return lambda x: model(x).sum(), (leaf(X),)


POSITIONS = {  # name -> (fn, inputs) for an op that is BadSigmoid here, GoodSigmoid when the test wants it right
    "after x @ W.T + b (the README's idiom)": lambda op: (lambda w, b: op.apply(ts.tensor(X) @ w.T + b).sum(),
                                                         (leaf(W), leaf(B))),
    "on W.T": lambda op: (lambda w: (op.apply(w.T) * ts.tensor(C)).sum(), (leaf(W),)),
    "after a reshape": lambda op: (lambda w: (op.apply((ts.tensor(X) @ w.T).reshape(-1)) * ts.tensor(C8)).sum(),
                                   (leaf(W),)),
    "after a reshape of W.T": lambda op: (lambda w: op.apply(w.T.reshape(2, 3)).sum(), (leaf(W),)),
    "after indexing": lambda op: (lambda w: op.apply((ts.tensor(X) @ w.T)[1:, ::-1]).sum(), (leaf(W),)),
    "after indexing W.T": lambda op: (lambda w: op.apply(w.T[1]).sum(), (leaf(W),)),
    "after broadcasting": lambda op: (lambda b: op.apply(ts.tensor(X[:, :2]) + b).sum(), (leaf(B),)),
    "after broadcast_to": lambda op: (lambda b: (op.apply(b.reshape(2, 1).broadcast_to((2, 3))) * ts.tensor(C.T)).sum(),
                                      (leaf(B),)),
    "inside a Module": inside_a_module,
}


@pytest.mark.parametrize("position", POSITIONS)
def test_the_wrong_op_is_blamed_wherever_it_sits(position):
    fn, inputs = POSITIONS[position](BadSigmoid)
    message = failure(fn, *inputs)
    ops = [op for op, _ in blamed(message)]
    assert ops and set(ops) == {"BadSigmoid"}, message


@pytest.mark.parametrize("position", POSITIONS)
def test_the_same_graphs_pass_with_a_right_op(position):
    fn, inputs = POSITIONS[position](GoodSigmoid)
    assert ts.gradcheck(fn, *inputs)


def two_layer(net, first, second):
    """x -> first(x @ W1.T + b1) -> second(. @ W2.T + b2), summed; checked w.r.t. W1, b1, W2, b2."""
    x = ts.tensor(net[0])

    def fn(w1, b1, w2, b2):
        return second.apply(first.apply(x @ w1.T + b1) @ w2.T + b2).sum()

    return fn, [leaf(a) for a in net[1:]]


@given(two_layer_nets(), st.sampled_from(["layer 1", "layer 2", "both"]))
def test_a_two_layer_net_blames_the_wrong_sigmoid_in_its_layer(net, wrong):
    first = BadSigmoid if wrong in ("layer 1", "both") else GoodSigmoid
    second = BadSigmoid if wrong in ("layer 2", "both") else GoodSigmoid
    fn, params = two_layer(net, first, second)
    message = failure(fn, *params)
    samples, hidden = net[0].shape[0], net[1].shape[0]
    expected = {"layer 1": [("BadSigmoid", f"({samples}, {hidden})")], "layer 2": [("BadSigmoid", f"({samples}, 1)")]}
    expected["both"] = expected["layer 1"] + expected["layer 2"]
    assert blamed(message) == expected[wrong], message


@given(two_layer_nets())
def test_a_two_layer_net_passes_with_right_sigmoids(net):
    fn, params = two_layer(net, GoodSigmoid, GoodSigmoid)
    assert ts.gradcheck(fn, *params)


def test_a_wrong_softmax_in_the_output_layer_is_blamed():
    weights = ts.tensor(RNG.uniform(-1, 1, (4, 2)))

    def fn(w1, b1, w2, b2):
        h = GoodSigmoid.apply(ts.tensor(X) @ w1.T + b1)
        return (BadSoftmax.apply(h @ w2.T + b2) * weights).sum()

    params = leaf(W), leaf(B), leaf(RNG.uniform(-1, 1, (2, 2))), leaf(RNG.uniform(-1, 1, 2))
    assert blamed(failure(fn, *params)) == [("BadSoftmax", "(4, 2)")]


def test_a_transposed_array_as_input_is_checked_right():
    """np.array(a.T, dtype=float64) keeps a.T's column-major order: perturbing a flat copy of it moved nothing."""
    w = ts.tensor(W.T, requires_grad=True)  # ts.tensor copies, in the order numpy keeps: column-major here
    assert ts.gradcheck(lambda w: (w * w).sum(), w)
    (g,) = ts.numerical_grad(lambda w: (w * w).sum(), w)
    np.testing.assert_allclose(g, 2 * W.T, rtol=1e-6)


# ---- inputs cut from the graph ----
def test_an_input_the_function_ignores_is_an_error_that_names_it():
    w, b = leaf(W, name="w"), leaf(B, name="b")
    message = failure(lambda w, b: (ts.tensor(X) @ w.T).sum(), w, b)
    assert "input 1 ('b'" in message and "does not reach the output" in message
    assert "ignores" in message


def test_checking_a_model_through_a_function_of_its_closure_is_an_error():
    """The issue's trap: fn uses the model's own parameters, not the copies gradcheck passes it."""
    model = ts.nn.containers.Sequential(ts.nn.Dense(2, input_dim=3, dtype="float64",
                                                    activation=lambda z: BadSigmoid.apply(z)))
    x = ts.tensor(X)
    message = failure(lambda *p: model(x).sum(), *model.parameters())
    assert "does not reach the output" in message and "input 0" in message
    assert "gradcheck_module" in message


@pytest.mark.parametrize("cut", ["detach", "numpy", "data"])
def test_a_detached_input_is_an_error_that_names_it(cut):
    cuts = {"detach": lambda w: w.detach(), "numpy": lambda w: ts.tensor(np.tanh(w.numpy())),
            "data": lambda w: ts.tensor(w.data * 2)}
    w = leaf(W, name="w")
    message = failure(lambda w: (ts.tensor(X) @ cuts[cut](w).T).sum(), w)
    assert "input 0 ('w'" in message and "does not reach the output" in message
    assert "detach()" in message and ".numpy()" in message and ".data" in message


def test_an_input_whose_path_is_cut_fails_as_a_cut_graph():
    """w reaches the output (through w * 0), but the part that matters went through numpy: analytic 0."""
    w = leaf(W, name="w")
    message = failure(lambda w: (w * 0 + ts.tensor(w.numpy() ** 2)).sum(), w)
    assert "'w'" in message and "cut" in message
    assert "zero" in message


def test_a_dead_relu_passes():
    w = leaf(W)
    assert ts.gradcheck(lambda w: (ts.tensor(X) @ w.T - 10).relu().sum(), w)  # both gradients 0: right


# ---- what the report says ----
class Flat(ts.Function):
    """A constant output whose backward claims slope 1: the numerical derivative is exactly 0."""

    @staticmethod
    def forward(ctx, x):
        return np.zeros_like(x)

    @staticmethod
    def backward(ctx, g):
        return g


def test_a_relative_error_against_a_numerical_zero_is_inf_and_explained():
    w = leaf(W[0], name="w")
    message = failure(lambda w: Flat.apply(w).sum(), w)
    assert "1e+30" not in message and "e+299" not in message
    assert re.search(r"rel error inf \(the numerical derivative is 0", message), message
    table = message.split("The worst elements:")[1].splitlines()
    assert table[2].split()[-1] == "inf"


class Float32Sigmoid(BadSigmoid):
    """A wrong sigmoid that computes in float32 whatever it is given: too coarse to be re-checked."""

    @staticmethod
    def forward(ctx, z):
        return BadSigmoid.forward(ctx, z.astype(np.float32))


class InsideItsLayer(BadSigmoid):
    """A wrong sigmoid that runs only while the code around it has set it up."""

    ready = False

    @staticmethod
    def forward(ctx, z):
        if not InsideItsLayer.ready:
            raise RuntimeError("runs only inside its layer")
        return BadSigmoid.forward(ctx, z)


def set_up(op, z):
    InsideItsLayer.ready = True
    try:
        return op.apply(z)
    finally:
        InsideItsLayer.ready = False


@pytest.mark.parametrize("op, reason", [(Float32Sigmoid, "float32"), (InsideItsLayer, "runs only inside its layer")])
def test_an_op_that_cannot_be_rechecked_is_reported_as_unchecked(op, reason):
    w = leaf(W, name="w")
    with pytest.raises(ts.GradcheckError) as e:
        ts.gradcheck(lambda w: set_up(op, ts.tensor(X) @ w.T).sum(), w, atol=1e-3)
    message = str(e.value)
    unchecked = message.split("Not re-checked")[1]
    assert op.__name__ in unchecked and reason in unchecked
    assert not blamed(message)  # Matmul and Transpose are right: nothing is blamed instead
