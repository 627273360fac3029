"""``backward()``'s own loop: what the general ``propagate`` does for it, with nothing it cannot meet.

A plain backward (no create_graph, no anomaly mode, gradients into ``.grad``) is every training step's. This loop
pays only for what such a backward can meet: hooks, tensors that retain their grad, ops with several outputs. It
visits each input of an op once, to send its gradient and to free it (the work of ``Function.release``), and walks
a chain without sorting it. tests/autograd/test_plain_backward.py holds it to the general loop, bit for bit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .base import KEPT_ELEMENTS, Freed, TensorBase, placeholder
from .compact import remember
from .function import RELEASED
from .graph_walk import as_tuple, chain, fit_gradient, run_hooks, seed_roots, toposort
from .several import Part
from .state import thread_state


def propagate_plain(roots: Sequence, seeds: Sequence, sink, retain_graph: bool) -> None:
    """``propagate`` for ``backward()`` (sink: an AccumulateGrad) without create_graph or anomaly mode."""
    freed, owned, free = {}, sink.owned, not retain_graph
    prev, thread_state.grad_enabled = thread_state.grad_enabled, False  # a plain backward records nothing
    try:
        pending, hooked = seed_roots(roots, seeds, sink, None)
        order = chain(roots)
        for t in toposort(roots) if order is None else order:
            g = pending.pop(id(t), None)
            if g is None:
                continue
            if t.hooks:
                g = run_hooks(t, g, False)
            if t.retains_grad:
                sink.deliver(t, g)
            ctx = t.grad_fn
            grads = type(ctx).backward(ctx, g)
            if type(grads) is not tuple or len(grads) != len(ctx.inputs):
                if type(grads) is Part:  # one output of a Function with several: it waits for the others
                    grads.collect(pending)
                    continue
                grads = as_tuple(grads, ctx)
            send_and_free(ctx, grads, pending, hooked, owned, freed if free else None)
        for k, leaf in hooked.items():
            sink.deliver(leaf, run_hooks(leaf, pending.pop(k), False))
        remember(() if retain_graph else roots)
    finally:
        thread_state.grad_enabled = prev


def send_and_free(ctx, grads: tuple, pending: dict, hooked: dict, owned: set, freed: dict | None) -> None:
    """Send each input of ``ctx`` its gradient (a leaf's first into ``.grad``, as AccumulateGrad.deliver stores it;
    others wait in ``pending``), then free ``ctx`` as ``Function.release`` does, unless ``freed`` is None."""
    ins, kept, k = ctx.inputs, None, -1  # kept: the inputs as the freed graph keeps them
    for inp, lg in zip(ins, grads):
        k += 1
        if isinstance(inp, TensorBase):
            if lg is not None and inp.requires_grad:
                if type(lg) is not np.ndarray:
                    lg = np.asarray(lg)
                d = inp.data
                if lg.shape != d.shape or (lg.dtype is not d.dtype and lg.dtype != d.dtype):
                    lg = fit_gradient(lg, inp, ctx)
                if inp.grad_fn is not None or inp.hooks:
                    j = id(inp)
                    pending[j] = pending[j] + lg if j in pending else lg
                    if inp.grad_fn is None:
                        hooked[j] = inp
                elif inp.grad is not None:
                    inp.grad = inp.grad + lg
                else:
                    if lg.base is not None or id(lg) in owned or not lg.flags.writeable:
                        lg = lg.copy()  # an op may hand one gradient to two inputs, or a view of one
                    owned.add(id(lg))
                    inp.grad = lg
            if (freed is None or (inp.grad_fn is None and inp.requires_grad) or inp.retains_grad
                    or type(inp) is Freed or inp.data.size <= KEPT_ELEMENTS):
                continue
            found = freed.get(id(inp))
            if found is None:  # inp is held until the backward ends (in order, or here): its id stays its own
                found = freed[id(inp)] = (inp, Freed.of(inp))
            found = found[1]
        elif freed is not None and type(inp) is np.ndarray and inp.size > KEPT_ELEMENTS:
            found = placeholder(inp)
        else:
            continue
        if kept is None:
            kept = list(ins)
        kept[k] = found
    if freed is not None:
        if ctx.saved:
            ctx.saved = RELEASED
        ctx.arrays = ()
        if kept is not None:
            ctx.inputs = tuple(kept)
