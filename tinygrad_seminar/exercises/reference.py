"""The references: what the engine computes, in float64, and the engine with a slip put in.

Every expected gradient of the catalogue comes from ``ts.grad`` on float64 Tensors, never from a second
hand-written formula. A hint's *variant* is the same computation with one thing changed: an activation
whose backward multiplies by something else than phi'(z) (``SlipActivation``), a statistic detached, a
softmax along the other axis. So a variant is what a student who made that slip would return.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..autograd import Function, Tensor, enable_grad, grad
from ..rules.activations import ACTIVATIONS, dphi_of

__all__ = ["DERIVATIVE_SLIPS", "ENGINE_PHI", "SlipActivation", "activate", "derivative", "gradients", "jacobian",
           "leaf"]

#: The activations of the delta rule's table as the engine's own ops.
ENGINE_PHI: dict[str, Callable] = {"linear": lambda z: z, "sigmoid": lambda z: z.sigmoid(),
                                   "tanh": lambda z: z.tanh(), "relu": lambda z: z.relu()}


def leaf(a, requires_grad: bool = True) -> Tensor:
    """A float64 Tensor copy of ``a``."""
    return Tensor(np.array(a, dtype=np.float64), requires_grad=requires_grad)


def gradients(fn: Callable, *arrays, grad_output=None) -> list[np.ndarray]:
    """d fn(*arrays) / d each array, by ``ts.grad`` (``grad_output``: the upstream gradient of a non-scalar fn)."""
    leaves = [leaf(a) for a in arrays]
    with enable_grad():  # also inside a backward (SlipActivation's), where the engine records nothing
        out = fn(*leaves)
    seed = None if grad_output is None else np.asarray(grad_output, dtype=np.float64)
    return [g.numpy() for g in grad(out, leaves, grad_outputs=seed)]


def derivative(name: str, z: np.ndarray) -> np.ndarray:
    """phi'(z), elementwise, for an activation of the table: the gradient of sum(phi(z))."""
    return gradients(lambda t: ENGINE_PHI[name](t).sum(), z)[0]


def jacobian(fn: Callable, x: np.ndarray) -> np.ndarray:
    """d fn(x)_i / d x_j, of shape fn(x).shape + x.shape: one ``ts.grad`` per output entry."""
    t = leaf(x)
    with enable_grad():
        out = fn(t)
    rows = []
    for k in range(out.data.size):
        probe = np.zeros(out.shape)
        probe.flat[k] = 1.0
        (g,) = grad(out, [t], grad_outputs=probe, retain_graph=True)
        rows.append(g.numpy())
    return np.array(rows).reshape(out.shape + np.shape(x))


class SlipActivation(Function):
    """phi in the forward; in the backward ``grad_output * dphi(z, a)`` with a ``dphi`` of the caller's choosing."""

    @staticmethod
    def forward(ctx, z, phi=None, dphi=None):
        a = phi(z)
        ctx.save_for_backward(z, a)
        ctx.dphi = dphi
        return a

    @staticmethod
    def backward(ctx, grad_output):
        z, a = ctx.saved_tensors
        return grad_output * ctx.dphi(z, a)


def _ones(name: str) -> Callable:
    return lambda z, a: np.ones_like(z)


def _z_for_a(name: str) -> Callable:
    return lambda z, a: dphi_of(name)(a, z)  # the table's formula, written through y^ = a, fed z


def _at_a(name: str) -> Callable:
    return lambda z, a: derivative(name, a)  # phi' evaluated at the output a instead of at z


#: The ways a phi' goes wrong, by the variant's key: name -> (activation name -> dphi(z, a)).
DERIVATIVE_SLIPS: dict[str, Callable[[str], Callable]] = {"missing_dphi": _ones, "z_for_a": _z_for_a,
                                                          "dphi_at_a": _at_a}


def activate(z: Tensor, name: str, wrong_dphi: Callable | None = None) -> Tensor:
    """phi(z) by the engine's op, or with ``wrong_dphi(name)`` (a DERIVATIVE_SLIPS entry) in its backward."""
    if wrong_dphi is None:
        return ENGINE_PHI[name](z)
    return SlipActivation.apply(z, phi=ACTIVATIONS[name][0], dphi=wrong_dphi(name))
