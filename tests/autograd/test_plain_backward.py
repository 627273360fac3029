"""backward()'s own loop (plain_backward.propagate_plain: a chain walked, the rest sorted) against the general one.

A plain ``backward()`` (no create_graph, no anomaly mode) runs a loop that sends the gradients and frees the graph
in one visit per input. The general loop does the same work in steps any sink can use; a subclass of
AccumulateGrad takes it. Both must leave the same ``.grad``, bit for bit, and the same freed graph.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_seminar as ts
from tinygrad_seminar.autograd.base import Freed
from tinygrad_seminar.autograd.engine import AccumulateGrad, propagate, toposort
from tinygrad_seminar.autograd.function import RELEASED


class GeneralSink(AccumulateGrad):
    """backward()'s sink, as a class of its own: propagate then takes its general loop."""


OPS = {
    "add": lambda a, b: a + b,
    "mul": lambda a, b: a * b,
    "sub_tanh": lambda a, b: (a - b).tanh(),
    "matmul": lambda a, b: a @ (b.T @ b),  # (4, 5) @ (5, 5): b may be the (1, 5) constant
    "sigmoid": lambda a, b: a.sigmoid(),
}

# each op reads two of the nodes made last (0: the last one), so that graphs branch below a chain as often as not
plans = st.lists(st.tuples(st.sampled_from(sorted(OPS)), st.integers(0, 3), st.integers(0, 3),
                           st.sampled_from(["", "retain", "hook"])), min_size=1, max_size=8)


def build(plan: list, values: list, two_terms: bool) -> tuple[list, ts.Tensor, list]:
    """Leaves (two that want gradients, a large constant, a small constant), the ops of ``plan`` on earlier
    nodes (hooked or retaining their grad as it says; the first op's word also hooks the second leaf), a loss
    summing the last node, and another if ``two_terms``; returns (every node, the loss, the hook calls)."""
    w1, w2 = (ts.Tensor(v.copy(), requires_grad=True) for v in values[:2])
    nodes = [w1, w2, ts.Tensor(values[2].copy()), ts.Tensor(values[3][:1].copy())]
    calls = []

    def hook(k: int):
        return lambda g: calls.append((k, g.copy())) or g * 0.5

    if plan[0][3] == "hook":  # a leaf's hooks run once the whole graph is done
        w2.register_hook(hook(1))
    for op, i, j, extra in plan:
        out = OPS[op](nodes[-1 - i], nodes[-1 - j])
        if out.requires_grad and extra == "retain":
            out.retain_grad()
        elif out.requires_grad and extra == "hook":
            out.register_hook(hook(len(nodes)))
        nodes.append(out)
    loss = nodes[-1].sum() + nodes[len(nodes) // 2].sum() if two_terms else nodes[-1].sum()
    return nodes, loss, calls


def freed_shape(loss: ts.Tensor) -> list:
    """Each op below the loss, in the sort's order: its class, whether its saved values were freed, and each input
    as the freed graph keeps it (Freed, with its shape, or the kept object's identity)."""
    shape = []
    for t in toposort([loss]):
        c = t.grad_fn
        kept = [("freed", a.shape) if type(a) is Freed else ("kept", type(a).__name__) for a in c.inputs]
        shape.append((type(c).__name__, c.saved is RELEASED, kept))
    return shape


@given(plans, st.booleans(), st.booleans())
def test_backward_s_loop_gives_the_general_loop_s_gradients_and_freed_graph(plan, retain, two_terms):
    rng = np.random.default_rng(len(plan))
    values = [rng.uniform(-1, 1, (4, 5)) for _ in range(4)]
    nodes_a, loss_a, calls_a = build(plan, values, two_terms)
    nodes_b, loss_b, calls_b = build(plan, values, two_terms)
    if not loss_a.requires_grad:
        return
    loss_a.backward(retain_graph=retain)  # the plain loop
    seed = np.ones((), loss_b.data.dtype)
    propagate([loss_b], [seed], GeneralSink([seed]), retain_graph=retain)
    for a, b in zip(nodes_a, nodes_b):  # the leaves, and the nodes that retain their grad
        assert (a.grad is None) == (b.grad is None)
        if a.grad is not None:
            np.testing.assert_array_equal(a.grad, b.grad)
            assert a.grad.flags.writeable and a.grad.base is None
    if nodes_a[0].grad is not None and nodes_a[1].grad is not None:
        assert not np.shares_memory(nodes_a[0].grad, nodes_a[1].grad)
    assert len(calls_a) == len(calls_b)
    for (ka, ga), (kb, gb) in zip(calls_a, calls_b):
        assert ka == kb
        np.testing.assert_array_equal(ga, gb)
    assert freed_shape(loss_a) == freed_shape(loss_b)


def test_a_graph_that_branches_below_a_chain_gets_every_gradient():
    w = ts.Tensor(np.linspace(-1, 1, 40).reshape(4, 10), requires_grad=True)
    y = (w * 2).tanh()  # 40 elements: freed by backward, so the walk below must not read the freed inputs
    (y * y.sigmoid()).sum().backward()  # sum and mul: a chain; mul reads y twice: a branch
    s = 1 / (1 + np.exp(-np.tanh(2 * w.data)))
    t = np.tanh(2 * w.data)
    np.testing.assert_allclose(w.grad, (s + t * s * (1 - s)) * (1 - t * t) * 2, rtol=1e-12)


def test_a_diamond_s_gradient_is_complete_before_its_backward_runs():
    w = ts.Tensor(np.array([0.5, -1.0]), requires_grad=True)
    a = w.tanh()
    (a * 3 + a.exp()).sum().backward()
    t = np.tanh(w.data)
    np.testing.assert_allclose(w.grad, (3 + np.exp(t)) * (1 - t * t), rtol=1e-12)
