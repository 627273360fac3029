"""What the recorded graph holds, read once from the roots: tensors, ops as the user wrote them, layer boxes.

Every op records the scope it was made in (autograd/state.py): the Modules whose ``__call__`` was running
and the ``Composite`` labels of composed functions (``mean``, a loss). Here the ops that share an
outermost ``Composite`` become one op node with its label; the tensors that only pass between them are
hidden. An op's box is the path of Modules around it, keeping only Modules that made some op themselves
(a Sequential that only calls its layers draws no box of its own; its layers do).

The rule the counts follow: one node per tensor shown and one per op node; one edge from each distinct
tensor an op node reads, and one from the op node to each tensor it produces that is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..autograd import Function, toposort
from ..autograd.base import TensorBase
from ..autograd.composites import Composite
from ..autograd.several import OutputOf
from ..nn.module import Parameter


@dataclass
class OpNode:
    """One op as the user wrote it: a primitive ``Function``, or all the primitives of one composite call."""

    label: str
    ctxs: list[Function]
    path: tuple = ()  # the Modules around it, outermost first (after dropping those without ops of their own)
    composite: Composite | None = None  # the call that groups ctxs, or None for a single primitive
    inputs: list[TensorBase] = field(default_factory=list)
    outputs: list[TensorBase] = field(default_factory=list)


@dataclass
class Structure:
    """The graph to draw: tensors shown (by id), op nodes in forward order, and where each tensor sits."""

    roots: list[TensorBase]
    tensors: dict[int, TensorBase]
    ops: list[OpNode]
    producer: dict[int, OpNode]  # tensor id -> the op node that made it
    tensor_path: dict[int, tuple]  # tensor id -> the Modules of the box it sits in
    paths: dict[int, str] = field(default_factory=dict)  # id of a module or parameter -> its dotted path

    @property
    def edges(self) -> int:
        return sum(len(op.inputs) + len(op.outputs) for op in self.ops)


class GraphTooLargeError(ValueError):
    """The graph has more nodes than ``max_nodes`` allows; the message says what to do."""


def collect(roots: list[TensorBase], max_nodes: int, caller: str = "draw_graph", collapse: bool = True) -> Structure:
    """Read the graph behind ``roots``, composites collapsed; refuse more than ``max_nodes`` nodes, quickly.

    ``collapse=False`` draws every primitive, composites or not.
    """
    ctxs, tensors = walk(roots, max_nodes, caller)
    groups: dict[int, OpNode] = {}
    group_of: dict[int, OpNode] = {}  # id(ctx) -> its op node
    for ctx in ctxs:  # forward order
        if isinstance(ctx, OutputOf):  # one output of a Function with several: drawn as that Function's output
            group_of[id(ctx)] = group_of[id(ctx.inputs[0].grad_fn)]
            continue
        scope = getattr(ctx, "scope", ())
        k = next((i for i, e in enumerate(scope) if isinstance(e, Composite)), None) if collapse else None
        entry = ctx if k is None else scope[k]
        node = groups.get(id(entry))
        if node is None:
            label = (type(ctx).label or type(ctx).__name__) if k is None else entry.label
            modules = scope[:k] if k is not None else tuple(e for e in scope if not isinstance(e, Composite))
            node = groups[id(entry)] = OpNode(label, [], modules, None if k is None else entry)
        node.ctxs.append(ctx)
        group_of[id(ctx)] = node
    producer = {id(t): group_of[id(t.grad_fn)] for t in tensors.values() if t.grad_fn is not None}
    consumers: dict[int, list[OpNode]] = {}
    for node in groups.values():
        for ctx in node.ctxs:
            for a in ctx.inputs:
                if isinstance(a, TensorBase) and producer.get(id(a)) is not node:
                    # an op reading one tensor twice (a * a) gets two edges; a composite, one per tensor it reads
                    if node.composite is None or not any(a is b for b in node.inputs):
                        node.inputs.append(a)
                    consumers.setdefault(id(a), []).append(node)
    root_ids = {id(r) for r in roots}
    hidden = {id(ctx.inputs[0]) for ctx in ctxs if isinstance(ctx, OutputOf)}  # the node a tuple's outputs share
    # a composite's inner tensors are hidden: shown are leaves, what primitives make, roots, and what others read
    shown = {k: t for k, t in tensors.items()
             if k not in producer or (producer[k].composite is None and k not in hidden) or k in root_ids
             or k in consumers}
    for k, t in shown.items():
        if k in producer:
            producer[k].outputs.append(t)
    ops = list(groups.values())
    names = dotted_paths({id(node.path[0]): node.path[0] for node in ops if node.path}.values())
    boxed = {id(node.path[-1]) for node in ops if node.path}  # modules that made an op themselves
    for node in ops:
        node.path = tuple(m for m in node.path if id(m) in boxed)
    paths = {k: place(t, producer.get(k), consumers.get(k, ())) for k, t in shown.items()}
    return Structure(list(roots), shown, ops, producer, paths, names)


def dotted_paths(outermost) -> dict[int, str]:
    """id -> dotted path (``block.inner``, ``block.inner.weight``) of every module and parameter below each module.

    A box or a parameter the user did not name is called by its path from the outermost module that ran.
    """
    names: dict[int, str] = {}
    for top in outermost:
        stack = [("", top)]
        while stack:
            prefix, m = stack.pop()
            for name, child in m.named_children():
                names.setdefault(id(child), prefix + name)
                stack.append((f"{prefix}{name}.", child))
        for name, p in top.named_parameters():
            names.setdefault(id(p), name)
    return names


def walk(roots: list[TensorBase], max_nodes: int, caller: str) -> tuple[list[Function], dict[int, TensorBase]]:
    """Every op (in forward order) and tensor behind ``roots``, iteratively; stops once past ``max_nodes``."""
    tensors: dict[int, TensorBase] = {}
    ctxs: dict[int, Function] = {}
    stack = list(roots)
    while stack:
        t = stack.pop()
        if id(t) in tensors:
            continue
        tensors[id(t)] = t
        ctx = t.grad_fn
        if ctx is not None and id(ctx) not in ctxs:
            ctxs[id(ctx)] = ctx
            stack.extend(a for a in ctx.inputs if isinstance(a, TensorBase))
        if len(tensors) + len(ctxs) > 4 * max_nodes:  # composites collapse at most this much in practice
            raise too_large(max_nodes, "more than", caller)
    order, seen = [], set()  # forward order: the engine's topological order, read backwards, each op once
    for t in reversed(toposort(roots)):
        if id(t.grad_fn) not in seen:
            seen.add(id(t.grad_fn))
            order.append(t.grad_fn)
    return order, tensors


def place(t: TensorBase, made_by: OpNode | None, read_by) -> tuple:
    """The box a tensor sits in: its op's; a parameter sits with the ops that read it; other leaves outside."""
    if made_by is not None:
        return made_by.path
    if not isinstance(t, Parameter) or not read_by:
        return ()
    paths = [op.path for op in read_by]
    common = paths[0]
    for p in paths[1:]:
        n = 0
        while n < min(len(common), len(p)) and common[n] is p[n]:
            n += 1
        common = common[:n]
    return common


def too_large(max_nodes: int, how: str, caller: str = "draw_graph") -> GraphTooLargeError:
    """The error for a graph over ``max_nodes``, naming ``caller`` (the function the user called)."""
    return GraphTooLargeError(
        f"{caller}: the graph has {how} max_nodes={max_nodes} nodes, too many to read in one picture. "
        "Draw a smaller part (one layer, the loss of a few samples), or pass a larger max_nodes=")
