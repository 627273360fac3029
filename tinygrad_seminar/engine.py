"""The reverse-mode engine: grad mode, the topological sort, and the backward pass.

Every op returns one local gradient per input. The engine alone fits it to the input: it sums over
the axes the forward broadcast, checks the shape, casts to the input's dtype and accumulates. So no
op can forget to, and a backward that returns a wrong shape is caught and named here.

A plain backward hands each op numpy arrays. With ``create_graph=True`` it hands them Tensors
instead, and the same backward code, written with operators and methods that numpy arrays and
Tensors share, records a graph of its own (see ``Function`` in tensor.py).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence

import numpy as np

from .tensor import _RELEASED, Tensor, _mode  # grad mode lives beside Function.apply, which reads it per op


def is_grad_enabled() -> bool:
    """True when ops record the graph that backward needs."""
    return _mode.enabled


class set_grad_enabled:
    """Context manager and decorator setting grad mode on or off, restored on exit."""

    def __init__(self, mode: bool):
        self.mode, self.prev = bool(mode), []  # a stack, so one instance can be entered twice

    def __enter__(self):
        self.prev.append(_mode.enabled)
        _mode.enabled = self.mode
        return self

    def __exit__(self, *exc):
        _mode.enabled = self.prev.pop()
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self:  # prev is a stack, so recursive and nested calls restore correctly
                return fn(*args, **kwargs)

        return wrapper


class no_grad(set_grad_enabled):
    """``with ts.no_grad():`` (or ``@ts.no_grad()``): ops record nothing, as in PyTorch."""

    def __init__(self):
        super().__init__(False)


class enable_grad(set_grad_enabled):
    """Turn recording back on inside a ``no_grad`` block."""

    def __init__(self):
        super().__init__(True)


def toposort(roots: Iterable) -> list:
    """Tensors that came from an op, each after every tensor computed from it (iterative DFS)."""
    order, seen = [], set()
    stack = [(t, False) for t in roots if t._ctx is not None]
    while stack:
        t, expanded = stack.pop()
        if expanded:
            order.append(t)
            continue
        if id(t) in seen:
            continue
        seen.add(id(t))
        stack.append((t, True))
        for p in t._ctx.inputs:
            if getattr(p, "_ctx", None) is not None and id(p) not in seen:
                stack.append((p, False))
    order.reverse()
    return order


def _fit(g, inp, ctx, i):
    """Sum ``g`` over the axes the forward broadcast ``inp`` along; cast to its dtype; else name the op."""
    shape = inp.data.shape
    if g.shape != shape:
        try:
            full = np.broadcast_shapes(g.shape, shape)
        except ValueError:
            full = None
        if full == g.shape:  # the forward broadcast this input: sum the gradient back down
            lead = g.ndim - len(shape)
            ones = tuple(lead + k for k, n in enumerate(shape) if n == 1 and g.shape[lead + k] != 1)
            axes = tuple(range(lead)) + ones
            g = g.sum(axis=axes, keepdims=True) if axes else g
            g = g.reshape(shape)
        else:  # smaller than the input, or incompatible: never silently broadcast a wrong gradient up
            raise RuntimeError(
                f"{type(ctx).__name__}.backward returned a gradient of shape {tuple(g.shape)} for input {i}, "
                f"whose shape is {shape}: the backward of {type(ctx).__name__} is wrong"
            )
    if g.dtype != inp.data.dtype:
        g = g.astype(inp.data.dtype)
    return g


def _recorded_grads(ctx, out, g):
    """The local gradients as Tensors, recorded so they can be differentiated again."""
    if not getattr(type(ctx), "differentiable_backward", False):
        raise RuntimeError(
            f"{type(ctx).__name__} is a numpy Function and is first-order: its backward cannot be "
            "differentiated, so create_graph=True (second derivatives) cannot pass through it. Write it "
            "from Tensor ops instead, or set differentiable_backward = True if its backward uses only "
            "operators and methods that Tensors share with numpy arrays."
        )
    ctx._out = out
    try:
        return ctx._backward_recorded(g)
    finally:
        ctx._out = None


def _leading_to(order: list, wanted: dict) -> set:
    """ids of the tensors in ``order`` whose backward reaches a wanted tensor (order: outputs first)."""
    through: set[int] = set()
    for t in reversed(order):  # inputs before the tensors computed from them
        for p in t._ctx.inputs:
            if isinstance(p, Tensor) and (id(p) in wanted or id(p) in through):
                through.add(id(t))
                break
    return through


def run_backward(roots: Sequence, root_grads: Sequence, retain_graph: bool = False,
                 create_graph: bool = False, inputs: Sequence | None = None):
    """Propagate ``root_grads`` from ``roots`` through the graph.

    With ``inputs=None`` gradients accumulate into ``.grad`` of leaves (and of tensors marked
    ``retain_grad()``); otherwise a list of the gradients of ``inputs`` is returned and no ``.grad``
    is touched.
    """
    pending: dict[int, object] = {}
    for r, g in zip(roots, root_grads):
        pending[id(r)] = pending[id(r)] + g if id(r) in pending else g
    wanted = None if inputs is None else {id(t): None for t in inputs}
    # ids of arrays already stored in some .grad, or handed to us by the caller: never alias them
    owned = {id(g) for g in root_grads}

    def deliver(t, g):
        if wanted is not None:
            if id(t) in wanted:
                wanted[id(t)] = g if wanted[id(t)] is None else wanted[id(t)] + g
            return
        if not isinstance(g, np.ndarray):  # a Tensor (create_graph), or a numpy scalar from summing 0-d arrays
            g = g.data if isinstance(g, Tensor) else np.asarray(g)
        if t.grad is None:
            # an op may hand one gradient to two inputs (add), or a view of one (reshape, broadcast_to)
            if g.base is not None or id(g) in owned or not g.flags.writeable:
                g = g.copy()
            owned.add(id(g))
            t.grad = g
        else:
            t.grad = t.grad + g

    prev = _mode.enabled
    _mode.enabled = create_graph  # a plain backward records nothing; create_graph records the backward
    try:
        for r in roots:
            if r._ctx is None and r.requires_grad and id(r) in pending:  # a root given twice is summed once
                deliver(r, pending.pop(id(r)))
        order = toposort(roots)
        through = None if wanted is None else _leading_to(order, wanted)
        for t in order:
            g = pending.pop(id(t), None)
            if g is None:
                continue
            if t._retain or (wanted is not None and id(t) in wanted):
                deliver(t, g)
            if through is not None and id(t) not in through:
                continue  # nothing asked for lies below t: don't run (or free) its backward
            ctx = t._ctx
            grads = _recorded_grads(ctx, t, g) if create_graph else type(ctx).backward(ctx, g)
            if type(grads) is not tuple:
                grads = tuple(grads) if isinstance(grads, list) else (grads,)
            if len(grads) != len(ctx.inputs):
                raise RuntimeError(f"{type(ctx).__name__}.backward returned {len(grads)} gradients for "
                                   f"{len(ctx.inputs)} inputs")
            for inp, lg in zip(ctx.inputs, grads):
                if lg is None or not isinstance(inp, Tensor) or not inp.requires_grad:
                    continue
                if not create_graph and type(lg) is not np.ndarray:
                    lg = np.asarray(lg)
                if lg.shape != inp.data.shape or lg.dtype != inp.data.dtype:
                    lg = _fit(lg, inp, ctx, next(i for i, a in enumerate(ctx.inputs) if a is inp))
                if inp._ctx is None:
                    deliver(inp, lg)
                else:
                    k = id(inp)
                    pending[k] = pending[k] + lg if k in pending else lg
            if not retain_graph and ctx._saved:
                ctx._saved = _RELEASED
    finally:
        _mode.enabled = prev
    if wanted is not None:
        return [wanted[id(t)] for t in inputs]
    return None


def grad(outputs, inputs, grad_outputs=None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False) -> tuple:
    """d(outputs)/d(inputs) as a tuple of Tensors, leaving every ``.grad`` alone (torch.autograd.grad).

    With ``create_graph=True`` the results carry a graph of their own, so they can be differentiated
    again (second derivatives, Hessian-vector products).
    """
    single = isinstance(outputs, Tensor)
    outputs = [outputs] if single else list(outputs)
    inputs = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, (Tensor, np.ndarray)) and single:
        grad_outputs = [grad_outputs]
    seeds = []
    for k, (o, g) in enumerate(zip(outputs, grad_outputs)):
        if not o.requires_grad:
            raise RuntimeError(f"grad: output {k} does not require grad, so nothing depends on the inputs")
        if g is None:
            if o.data.size != 1:
                raise RuntimeError(f"grad: output {k} has shape {o.shape}; pass grad_outputs for a non-scalar")
            g = np.ones_like(o.data)
        g = g if isinstance(g, Tensor) else Tensor._wrap(np.asarray(g, dtype=o.dtype))
        if g.shape != o.shape:
            raise ValueError(f"grad: grad_outputs[{k}] has shape {g.shape}, output {k} has shape {o.shape}")
        seeds.append(g if create_graph else g.data)
    for k, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"grad: input {k} does not require grad")
    retain = create_graph if retain_graph is None else retain_graph
    found = run_backward(outputs, seeds, retain_graph=retain, create_graph=create_graph, inputs=inputs)
    result, seen = [], set(map(id, seeds))
    for k, g in enumerate(found):
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"grad: input {k} is not used to compute the outputs (pass allow_unused=True)")
            result.append(None)
        else:
            if not isinstance(g, Tensor):  # as .grad: each result an array of its own, writeable
                g = np.asarray(g)
                if g.base is not None or id(g) in seen or not g.flags.writeable:
                    g = g.copy()
                seen.add(id(g))
                g = Tensor._wrap(g)
            result.append(g)
    return tuple(result)
