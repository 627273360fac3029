"""The floor of an eager Python engine: the least an autograd on numpy does per step, for bench_jit's "floor" column.

Ops are classes with a forward and a backward over numpy arrays; a step records a graph, sorts it iteratively and
sends the gradients back into ``.grad``; SGD updates in place. Nothing else: no modules or scopes, no checks of
the gradients' shapes and dtypes, no hooks, no anomaly mode, no freed-graph descriptions, no ts.jit capture. Its
ratio to numpy is what Python's dispatch alone costs on the machine at hand, so an eager aim below it cannot be
met by any engine that keeps those features (issue 20).
"""

from __future__ import annotations

import numpy as np


class Node:
    """A tensor: its array, its gradient, the op that made it (None for a leaf), whether it wants a gradient."""

    __slots__ = ("data", "grad", "op", "wants")

    def __init__(self, data: np.ndarray, op=None, wants: bool = False) -> None:
        self.data, self.grad, self.op, self.wants = data, None, op, wants


class Op:
    __slots__ = ("inputs", "saved")

    @classmethod
    def apply(cls, *inputs: Node) -> Node:
        op = object.__new__(cls)
        op.inputs = inputs
        return Node(op.forward(*[n.data for n in inputs]), op, True)


class Affine(Op):
    """x @ W.T + b; dx = g @ W (only where x wants it), dW = g.T @ x, db = g summed over rows."""

    __slots__ = ()

    def forward(self, x, w, b):
        self.saved = (x, w)
        out = x @ w.T
        out += b
        return out

    def backward(self, g):
        x, w = self.saved
        return (g @ w if self.inputs[0].wants else None), g.T @ x, np.add.reduce(g, axis=0)


class Relu(Op):
    __slots__ = ()

    def forward(self, z):
        self.saved = z > 0
        return np.maximum(z, 0)

    def backward(self, g):
        return (g * self.saved,)


class Tanh(Op):
    __slots__ = ()

    def forward(self, z):
        self.saved = a = np.tanh(z)
        return a

    def backward(self, g):
        a = self.saved
        return (g * (1 - a * a),)


class SoftmaxCE(Op):
    """mean over rows of -sum y log S(z), y one-hot; dz = (S(z) - y) / p."""

    __slots__ = ()

    def forward(self, z, y):
        s = z - z.max(axis=1, keepdims=True)
        e = np.exp(s)
        total = e.sum(axis=1, keepdims=True)
        self.saved = (e / total, y)
        return np.asarray(-np.add.reduce(y * (s - np.log(total)), axis=None) / len(z))

    def backward(self, g):
        probs, y = self.saved
        return (probs - y) * (g / len(y)), None


class SigmoidBCE(Op):
    """mean(softplus(z) - y z); dz = (sigma(z) - y) / n."""

    __slots__ = ()

    def forward(self, z, y):
        self.saved = (z, y)
        return np.asarray(np.add.reduce(np.logaddexp(0, z) - y * z, axis=None) / y.size)

    def backward(self, g):
        z, y = self.saved
        return (np.exp(-np.logaddexp(0, -z)) - y) * (g / y.size), None


def backward(root: Node) -> None:
    """d root / d leaf into every wanting leaf's ``.grad``: an iterative depth-first sort, then one pass back."""
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((n, False) for n in node.op.inputs if n.op is not None and id(n) not in seen)
    pending = {id(root): np.ones((), root.data.dtype)}  # the loss's dtype: a float64 seed would promote float32
    for node in reversed(order):
        op = node.op
        for inp, g in zip(op.inputs, op.backward(pending.pop(id(node)))):
            if g is None or not inp.wants:
                continue
            if inp.op is None:
                inp.grad = g if inp.grad is None else inp.grad + g
            else:
                pending[id(inp)] = pending[id(inp)] + g if id(inp) in pending else g
        op.saved = None


def floor_step_factory(spec: dict, weights: list, x: np.ndarray, y: np.ndarray, lr: float):
    """One training step of bench_mlp's model ``spec`` (own copies of ``weights``), as the floor engine runs it."""
    params = [(Node(w.copy(), wants=True), Node(b.copy(), wants=True)) for w, b in weights]
    leaves = [p for pair in params for p in pair]
    activation = Tanh if spec["hidden"] == "tanh" else Relu
    loss_op = SigmoidBCE if spec["target"] == "binary" else SoftmaxCE
    xn, yn = Node(x), Node(y)

    def step() -> Node:
        for p in leaves:
            p.grad = None
        a = xn
        for k, (w, b) in enumerate(params):
            a = Affine.apply(a, w, b)
            if k < len(params) - 1:
                a = activation.apply(a)
        loss = loss_op.apply(a, yn)
        backward(loss)
        for p in leaves:
            p.data -= lr * p.grad
        return loss

    step.weights = params  # to check that it computes numpy's step
    return step
