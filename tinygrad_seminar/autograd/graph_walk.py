"""What both of the engine's loops use: the order of the graph, and fitting, seeding and hooking gradients."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from .base import TensorBase, data_of


def toposort(roots: Iterable) -> list:
    """Tensors that came from an op, each after every tensor computed from it (iterative DFS)."""
    order, seen = [], set()
    stack = [(t, False) for t in roots if t.grad_fn is not None]
    while stack:
        t, expanded = stack.pop()
        if expanded:
            order.append(t)
            continue
        if id(t) in seen:
            continue
        seen.add(id(t))
        stack.append((t, True))
        for p in t.grad_fn.inputs:
            if isinstance(p, TensorBase) and p.grad_fn is not None and id(p) not in seen:
                stack.append((p, False))
    order.reverse()
    return order


def fit_gradient(g, inp: TensorBase, ctx):
    """Sum ``g`` over the axes the forward broadcast ``inp`` along; cast to its dtype; else name the op."""
    shape = inp.data.shape
    if g.shape != shape:
        try:
            full = np.broadcast_shapes(g.shape, shape)
        except ValueError:
            full = None
        if full != g.shape:  # smaller than the input, or incompatible: never silently broadcast a wrong gradient
            i = next(k for k, a in enumerate(ctx.inputs) if a is inp)
            raise RuntimeError(
                f"{type(ctx).__name__}.backward returned a gradient of shape {tuple(g.shape)} for input {i}, "
                f"whose shape is {shape}: the backward of {type(ctx).__name__} is wrong"
            )
        lead = g.ndim - len(shape)
        ones = tuple(lead + k for k, n in enumerate(shape) if n == 1 and g.shape[lead + k] != 1)
        axes = tuple(range(lead)) + ones
        g = g.sum(axis=axes, keepdims=True) if axes else g
        g = g.reshape(shape)
    if g.dtype != inp.data.dtype:
        g = g.astype(inp.data.dtype)
    return g


def as_tuple(grads, ctx) -> tuple:
    """A backward's result as one gradient per input (a bare array for one input is allowed)."""
    grads = tuple(grads) if isinstance(grads, (tuple, list)) else (grads,)
    n = len(ctx.inputs)
    if len(grads) > n and all(g is None for g in grads[n:]):
        grads = grads[:n]  # trailing Nones are ignored, as in PyTorch
    if len(grads) != n:
        raise RuntimeError(f"{type(ctx).__name__}.backward returned {len(grads)} gradients for "
                           f"{len(ctx.inputs)} inputs")
    return grads


def seed_roots(roots: Sequence, seeds: Sequence, sink, wanted) -> tuple[dict, dict]:
    """The gradients waiting at the start, by tensor id; roots that are leaves go to the sink at once.

    Returns (pending, hooked): hooked holds the leaves with hooks, whose gradient waits for the end.
    """
    pending: dict[int, object] = {}
    hooked: dict[int, TensorBase] = {}
    for r, g in zip(roots, seeds):
        pending[id(r)] = pending[id(r)] + g if id(r) in pending else g
    for r in roots:
        if r.grad_fn is None and r.requires_grad and id(r) in pending:  # a root given twice is summed once
            if r.hooks and (wanted is None or id(r) in wanted):
                hooked[id(r)] = r
            else:
                sink.deliver(r, pending.pop(id(r)))
    return pending, hooked


def run_hooks(t: TensorBase, g, create_graph: bool):
    """``t``'s hooks in the order they were registered, each given the gradient the one before returned."""
    for fn in list(t.hooks.values()):
        out = fn(g)
        if out is None:
            continue
        if not create_graph:
            out = np.asarray(data_of(out))
        if tuple(out.shape) != t.data.shape:
            raise RuntimeError(f"the hook {getattr(fn, '__name__', fn)!r} returned a gradient of shape "
                               f"{tuple(out.shape)} for a tensor of shape {t.data.shape}")
        g = out if out.dtype == t.data.dtype else out.astype(t.data.dtype)
    return g
