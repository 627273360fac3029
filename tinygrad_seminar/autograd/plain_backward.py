"""``backward()``'s own loop: what the general ``propagate`` does for it, with nothing it cannot meet.

A plain backward (no create_graph, no anomaly mode, gradients into ``.grad``) is every training step's. This loop
pays only for what such a backward can meet: hooks, tensors that retain their grad, ops with several outputs. It
visits each input of an op once, to send its gradient and to free it (the work of ``Function.release``), and walks
a chain down without sorting it. tests/autograd/test_plain_backward.py holds it to the general loop, bit for bit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .base import KEPT_ELEMENTS, Freed, TensorBase, placeholder
from .compact import remember
from .function import RELEASED
from .graph_walk import as_tuple, fit_gradient, run_hooks, seed_roots, toposort
from .several import Part
from .state import thread_state

ndarray = np.ndarray  # a global read, not an attribute of one, for each input of each op
BRANCHES = object()  # an op that reads two computed tensors or more: no chain below it


def propagate_plain(roots: Sequence, seeds: Sequence, sink, retain_graph: bool) -> None:
    """``propagate`` for ``backward()`` (sink: an AccumulateGrad) without create_graph or anomaly mode.

    From one root, the graph is walked as a chain while each op reads at most one computed tensor: that tensor's
    gradient is then complete, as no other op reads it. At the first op that reads more, the rest of the graph is
    sorted from that op's inputs (in the order ``toposort`` gives the whole graph: gradients summed alike)."""
    owned, freed = sink.owned, {} if not retain_graph else None  # the arrays the sink holds; the tensors freed
    prev, thread_state.grad_enabled = thread_state.grad_enabled, False  # a plain backward records nothing
    try:
        if len(roots) == 1 and roots[0].grad_fn is not None:  # a loss: its seed waits for its op, no leaf to serve
            pending, hooked, t, rest = {id(roots[0]): seeds[0]}, {}, roots[0], ()
        else:
            (pending, hooked), t = seed_roots(roots, seeds, sink, None), None
            rest = toposort(roots) if len(roots) > 1 else ()
        while t is not None and t.grad_fn is not None:
            after = visit(t, pending, hooked, sink, owned, freed)
            if type(after) is tuple:  # the op's inputs: the rest of the graph lies below them
                rest = toposort([p for p in after if isinstance(p, TensorBase)])
                break
            t = after
        for t in rest:
            visit(t, pending, hooked, sink, owned, freed)
        for k, leaf in hooked.items():
            sink.deliver(leaf, run_hooks(leaf, pending.pop(k), False))
        remember(() if retain_graph else roots)
    finally:
        thread_state.grad_enabled = prev


def visit(t: TensorBase, pending: dict, hooked: dict, sink, owned: set, freed: dict | None):
    """Run the backward of ``t``'s op, send each input its gradient (a leaf's first into ``.grad`` as AccumulateGrad
    stores it, others to ``pending``), free the op as ``Function.release`` does (unless ``freed`` is None). Returns
    the one computed tensor the op reads: None if none, the inputs as they were if several."""
    g = pending.pop(id(t), None)
    if g is None:
        return None
    if t.hooks:
        g = run_hooks(t, g, False)
    if t.retains_grad:
        sink.deliver(t, g)
    ctx = t.grad_fn
    ins, after, kept, k = ctx.inputs, None, None, -1  # kept: the inputs as the freed graph keeps them
    grads = type(ctx).backward(ctx, g)
    if type(grads) is not tuple or len(grads) != len(ins):
        if type(grads) is Part:  # one output of a Function with several: it waits for the others
            grads.collect(pending)
            return ins[0]  # the Function's hidden node
        grads = as_tuple(grads, ctx)
    for inp, lg in zip(ins, grads):
        k += 1
        if isinstance(inp, TensorBase):
            if inp.grad_fn is not None:
                after = inp if after is None else BRANCHES
            if lg is not None and inp.requires_grad:
                if type(lg) is not ndarray:
                    lg = np.asarray(lg)
                d = inp.data
                if lg.shape != d.shape or (lg.dtype is not d.dtype and lg.dtype != d.dtype):
                    lg = fit_gradient(lg, inp, ctx)
                if inp.grad_fn is None and not inp.hooks:  # a leaf that wants a gradient (kept by the freed graph)
                    if inp.grad is not None:
                        inp.grad = inp.grad + lg
                    else:
                        if lg.base is not None or id(lg) in owned or not lg.flags.writeable:
                            lg = lg.copy()  # an op may hand one gradient to two inputs, or a view of one
                        owned.add(id(lg))
                        inp.grad = lg
                    continue
                j = id(inp)
                pending[j] = pending[j] + lg if j in pending else lg
                if inp.grad_fn is None:
                    hooked[j] = inp  # its hooks run once the whole graph is done
                    continue
            if (freed is None or (inp.grad_fn is None and inp.requires_grad) or inp.retains_grad
                    or type(inp) is Freed or inp.data.size <= KEPT_ELEMENTS):
                continue
            found = Freed.of(inp, freed)
        elif freed is not None and type(inp) is ndarray and inp.size > KEPT_ELEMENTS:
            found = placeholder(inp)
        else:
            continue
        if kept is None:
            kept = list(ins)
        kept[k] = found
    if freed is not None:
        ctx.saved, ctx.arrays = RELEASED if ctx.saved else (), ()
        if kept is not None:
            ctx.inputs = tuple(kept)
    return ins if after is BRANCHES else after
