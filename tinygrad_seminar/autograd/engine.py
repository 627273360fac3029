"""The reverse-mode engine: propagation and its two sinks (the order of the graph: graph_walk.py).

Every op returns one local gradient per input. The engine alone fits it to the input: it sums over
the axes the forward broadcast, checks the shape, casts to the input's dtype and accumulates. So no
op can forget to, and a backward that returns a wrong shape is caught and named here.

``propagate`` walks the graph once from the roots to the leaves and hands gradients to a sink:
``AccumulateGrad`` adds them into ``.grad`` (``Tensor.backward``), ``CollectGrads`` returns those of
chosen tensors and touches no ``.grad`` (``ts.grad``). A plain backward hands each op numpy arrays;
with ``create_graph=True`` it hands them Tensors, and the same backward code records a graph of its
own (see function.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .anomaly import check_backward
from .base import TensorBase
from .compact import remember
from .graph_walk import as_tuple, fit_gradient, run_hooks, seed_roots, toposort
from .plain_backward import propagate_plain
from .several import Part
from .state import (
    AnomalyError,
    enable_grad,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
    thread_state,
)

__all__ = ["AccumulateGrad", "CollectGrads", "backward", "enable_grad", "fit_gradient", "grad", "is_grad_enabled",
           "no_grad", "propagate", "set_grad_enabled", "toposort"]  # grad mode too, where 0.1 had it


def recorded_gradients(ctx, out: TensorBase, g) -> tuple:
    """The local gradients as Tensors (create_graph): the backward recorded so it can be differentiated again."""
    if not type(ctx).differentiable_backward:
        raise RuntimeError(
            f"{type(ctx).__name__} is a numpy Function and is first-order: its backward cannot be "
            "differentiated, so create_graph=True (second derivatives) cannot pass through it. Write it "
            "from Tensor ops instead, or set differentiable_backward = True if its backward uses only "
            "operators and methods that Tensors share with numpy arrays."
        )
    try:
        return ctx.backward_recorded(out, g)
    except AnomalyError as e:  # an op recorded by this backward made the NaN: name the backward, not that op
        raise AnomalyError(f"{type(ctx).__name__} (backward, recorded for create_graph): {e}") from None


class AccumulateGrad:
    """The sink of ``backward()``: leaves (and tensors that ``retain_grad()``) add into ``.grad``."""

    step = None  # a sink that watches each step of backward defines step(t, g, arrived) (see propagate)

    def __init__(self, seeds: Sequence, keep_graph: bool = False) -> None:
        self.owned = set(map(id, seeds))  # arrays handed to us or stored in some .grad: never alias them
        self.keep_graph = keep_graph  # backward(create_graph=True): .grad holds the Tensor, with its graph

    def wanted(self) -> None:
        return None  # no tensor is asked for by name: leaves, and those that retain_grad(), get theirs

    def needed(self, order: list) -> None:
        return None  # every backward runs

    def deliver(self, t: TensorBase, g) -> None:
        if not isinstance(g, np.ndarray):  # a Tensor (create_graph), or a numpy scalar from summing 0-d arrays
            if self.keep_graph and isinstance(g, TensorBase):
                t.grad = g if t.grad is None else t.grad + g
                return
            g = g.data if isinstance(g, TensorBase) else np.asarray(g)
        if t.grad is None:
            # an op may hand one gradient to two inputs (add), or a view of one (reshape, broadcast_to)
            if g.base is not None or id(g) in self.owned or not g.flags.writeable:
                g = g.copy()
            self.owned.add(id(g))
            t.grad = g
        else:
            t.grad = t.grad + g


class CollectGrads:
    """The sink of ``ts.grad``: the gradients of ``inputs``, summed; no ``.grad`` is touched."""

    step = None

    def __init__(self, inputs: Sequence) -> None:
        self.inputs = inputs
        self.found: dict[int, object] = {id(t): None for t in inputs}

    def wanted(self) -> dict:
        """ids of the tensors whose gradient is asked for."""
        return self.found

    def needed(self, order: list) -> set:
        """ids of the tensors in ``order`` whose backward reaches a wanted tensor (order: outputs first)."""
        through: set[int] = set()
        for t in reversed(order):  # inputs before the tensors computed from them
            for p in t.grad_fn.inputs:
                if isinstance(p, TensorBase) and (id(p) in self.found or id(p) in through):
                    through.add(id(t))
                    break
        return through

    def deliver(self, t: TensorBase, g) -> None:
        k = id(t)
        if k in self.found:
            self.found[k] = g if self.found[k] is None else self.found[k] + g

    def result(self) -> list:
        return [self.found[id(t)] for t in self.inputs]


def propagate(roots: Sequence, seeds: Sequence, sink, retain_graph: bool = False, create_graph: bool = False) -> None:
    """Send ``seeds`` (one gradient per root) from ``roots`` back through the graph into ``sink``.

    Hooks see a tensor's complete gradient: a non-leaf's in its topological turn, a leaf's after the graph. A sink
    whose ``step`` is not None is told of every op's backward: ``step(t, g, arrived)``, ``t`` the op's output, ``g``
    its gradient, ``arrived`` the (input, gradient) pairs it just sent."""
    if type(sink) is AccumulateGrad and thread_state.anomaly is None and not create_graph:  # a loop of its own
        return propagate_plain(roots, seeds, sink, retain_graph)
    mode, wanted, step, freed, deliver = thread_state.anomaly, sink.wanted(), sink.step, {}, sink.deliver
    prev, thread_state.grad_enabled = thread_state.grad_enabled, bool(create_graph)  # a plain backward records nothing
    try:
        (pending, hooked), order = seed_roots(roots, seeds, sink, wanted), toposort(roots)
        through = sink.needed(order)
        for t in order:
            g = pending.pop(id(t), None)
            if g is None:
                continue
            if t.hooks and (through is None or id(t) in through or id(t) in wanted):  # ts.grad skips the rest
                g = run_hooks(t, g, create_graph)
            if t.retains_grad or (wanted and id(t) in wanted):  # a sink takes only what it keeps
                sink.deliver(t, g)
            if through is not None and id(t) not in through:
                continue  # nothing asked for lies below t: don't run (or free) its backward
            ctx = t.grad_fn
            grads = recorded_gradients(ctx, t, g) if create_graph else type(ctx).backward(ctx, g)
            if type(grads) is not tuple or len(grads) != len(ctx.inputs):
                if type(grads) is Part:  # one output of a Function with several: it waits for the others
                    grads.collect(pending)
                    if step is not None:
                        step(t, g, [])
                    continue
                grads = as_tuple(grads, ctx)
            if mode is not None:
                check_backward(ctx, grads, mode, g)
            arrived = [] if step is not None else None
            for inp, lg in zip(ctx.inputs, grads):
                if lg is None or not isinstance(inp, TensorBase) or not inp.requires_grad:
                    continue
                if not create_graph and type(lg) is not np.ndarray:
                    lg = np.asarray(lg)
                if lg.shape != inp.data.shape or (lg.dtype is not inp.data.dtype and lg.dtype != inp.data.dtype):
                    lg = fit_gradient(lg, inp, ctx)
                if arrived is not None:
                    arrived.append((inp, lg))
                if inp.grad_fn is None and (not inp.hooks or (wanted is not None and id(inp) not in wanted)):
                    deliver(inp, lg)  # a leaf ts.grad does not ask for runs no hooks (the sink drops it)
                else:
                    k = id(inp)
                    pending[k] = pending[k] + lg if k in pending else lg
                    if inp.grad_fn is None:
                        hooked[k] = inp
            if not retain_graph:
                ctx.release(freed)
            if step is not None:
                step(t, g, arrived)
        for k, leaf in hooked.items():
            sink.deliver(leaf, run_hooks(leaf, pending.pop(k), create_graph))
        remember(() if retain_graph else roots)  # freed: kept losses will share their graphs (compact.py)
    finally:
        thread_state.grad_enabled = prev


def backward(roots: Sequence, seeds: Sequence, retain_graph: bool = False, create_graph: bool = False) -> None:
    """Accumulate d(roots)/d(leaf) (times ``seeds``) into every leaf's ``.grad``."""
    if thread_state.jit is not None:  # a ts.jit step being captured records the backward (jit_trace.py)
        return thread_state.jit.backward(roots, seeds, retain_graph, create_graph)
    propagate(roots, seeds, AccumulateGrad(seeds, keep_graph=create_graph), retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = False) -> tuple:
    """d(outputs)/d(inputs) as a tuple of Tensors, leaving every ``.grad`` alone (torch.autograd.grad).

    With ``create_graph=True`` the results carry a graph of their own, so they can be differentiated
    again (second derivatives, Hessian-vector products).
    """
    single = isinstance(outputs, TensorBase)
    outputs = [outputs] if single else list(outputs)
    inputs = [inputs] if isinstance(inputs, TensorBase) else list(inputs)
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif isinstance(grad_outputs, (TensorBase, np.ndarray)) and single:
        grad_outputs = [grad_outputs]
    seeds = [_seed(k, o, g, create_graph) for k, (o, g) in enumerate(zip(outputs, grad_outputs))]
    for k, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"grad: input {k} does not require grad")
    if thread_state.jit is not None:
        thread_state.jit.unsupported("ts.grad inside the step: it runs only eagerly")
    sink = CollectGrads(inputs)
    retain = create_graph if retain_graph is None else retain_graph
    propagate(outputs, seeds, sink, retain_graph=retain, create_graph=create_graph)
    result, seen = [], set(map(id, seeds))
    for k, (t, g) in enumerate(zip(inputs, sink.result())):
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"grad: input {k} is not used to compute the outputs (pass allow_unused=True)")
        elif not isinstance(g, TensorBase):  # as .grad: each result an array of its own, writeable
            g = np.asarray(g)
            if g.base is not None or id(g) in seen or not g.flags.writeable:
                g = g.copy()
            seen.add(id(g))
            g = t.result_type.from_array(g)
        result.append(g)
    return tuple(result)


def _seed(k: int, out: TensorBase, g, create_graph: bool):
    """The gradient that starts ``grad`` at output k: ones for a scalar, else the given grad_outputs[k]."""
    if not out.requires_grad:
        raise RuntimeError(f"grad: output {k} does not require grad, so nothing depends on the inputs")
    if g is None:
        if out.data.size != 1:
            raise RuntimeError(f"grad: output {k} has shape {out.shape}; pass grad_outputs for a non-scalar")
        g = np.ones_like(out.data)
    g = g if isinstance(g, TensorBase) else out.result_type.from_array(np.asarray(g, dtype=out.dtype))
    if g.shape != out.shape:
        raise ValueError(f"grad: grad_outputs[{k}] has shape {g.shape}, output {k} has shape {out.shape}")
    return g if create_graph else g.data
