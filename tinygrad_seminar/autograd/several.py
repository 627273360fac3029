"""Functions with several outputs: ``forward`` returns a tuple of arrays, ``backward(ctx, *grads)``.

The graph keeps its one-output-per-node shape. The outputs' node is a hidden tensor ``h`` whose
``grad_fn`` is the Function's context; each output ``t_k`` comes from an ``OutputOf`` node reading ``h``.
In backward, ``t_k``'s gradient goes to ``h`` as a ``Part`` of the list of output gradients; ``h`` follows
every ``t_k`` in the topological order, so when its turn comes the list is complete and the Function's
backward runs once, with one gradient per output: zeros for an output that received none, or that the
forward marked non-differentiable (``ctx.mark_non_differentiable``), as PyTorch does.
"""

from __future__ import annotations

import weakref

import numpy as np

from .base import TensorBase


class Part:
    """Output ``index``'s gradient, on its way to the hidden tensor ``node`` of its Function."""

    __slots__ = ("node", "index", "grad", "count")

    def __init__(self, node: TensorBase, index: int, grad, count: int) -> None:
        self.node, self.index, self.grad, self.count = node, index, grad, count

    def collect(self, pending: dict) -> None:
        """Put this gradient in its place in the list waiting at the hidden tensor."""
        grads = pending.get(id(self.node))
        if grads is None:
            grads = pending[id(self.node)] = [None] * self.count
        grads[self.index] = self.grad if grads[self.index] is None else grads[self.index] + self.grad


class OutputOf:
    """The node of output ``index`` of a Function with several outputs; its one input is the hidden tensor."""

    __slots__ = ("inputs", "kwargs", "scope", "__weakref__")  # weakref: compact.py
    label = "output"
    differentiable_backward = True  # it passes the gradient on as it is
    saved = saved_tensors = ()  # nothing to keep, nothing to free

    def __init__(self, node: TensorBase, index: int, count: int, scope: tuple) -> None:
        self.inputs, self.kwargs, self.scope = (node,), {"index": index, "of": count}, scope

    @staticmethod
    def backward(ctx, grad_output) -> Part:
        return Part(ctx.inputs[0], ctx.kwargs["index"], grad_output, ctx.kwargs["of"])

    def backward_recorded(self, out, g) -> Part:
        return self.backward(self, g)

    def release(self, freed: dict) -> None:
        return None  # its one input is the hidden node, which holds no values


def with_several_outputs(cls: type) -> type:
    """The class of ``cls``'s contexts when its forward returns a tuple: same name, same methods, but its
    backward takes the list of output gradients (as the engine collects it) and calls ``cls.backward``."""
    if "several_of" in cls.__dict__:
        return cls  # already one (blame re-runs a recorded node's class)
    found = cls.__dict__.get("_several_outputs_type")
    if found is None:

        def backward(ctx, grads):
            return cls.backward(ctx, *materialized(ctx, grads))

        body = {"backward": staticmethod(backward), "__qualname__": cls.__qualname__, "__module__": cls.__module__,
                "label": cls.label or cls.__name__, "__slots__": (), "several_of": cls}
        found = type(cls.__name__, (cls,), body)
        cls._several_outputs_type = found  # one per class, made once
    return found


def materialized(ctx, grads: list) -> list:
    """The output gradients, zeros where none arrived (a Tensor's zeros under create_graph)."""
    out = []
    for g, (shape, dtype) in zip(grads, ctx.output_specs):
        out.append(np.zeros(shape, dtype) if g is None else g)
    return out


def outputs_by_role(ctx) -> tuple:
    """The output Tensors still alive, by position; a freed one stands as its array (a constant)."""
    return tuple(r() if r() is not None else a for r, a in zip(ctx.output_refs, ctx.arrays[len(ctx.inputs):]))


def make_outputs(ctx, outs: tuple, ref: TensorBase, record: bool, scope: tuple) -> tuple:
    """The Tensors of a forward that returned several arrays; recorded in the graph when ``record``."""
    outs = tuple(np.asarray(o) for o in outs)
    make = ref.result_type.from_array
    skip = ctx.non_differentiable
    if not record:
        return tuple(make(o) for o in outs)
    ctx.output_specs = [(o.shape, o.dtype) for o in outs]
    hidden = make(np.empty(0, outs[0].dtype), ctx)  # the node the outputs share; never seen by the user
    result = []
    for k, o in enumerate(outs):
        if o.dtype.kind not in "fc" or any(o is s for s in skip):
            result.append(make(o))  # an integer result, or one marked non-differentiable: no gradient
        else:
            result.append(make(o, OutputOf(hidden, k, len(outs), scope)))
    ctx.output_refs = [weakref.ref(t) for t in result]
    return tuple(result)
