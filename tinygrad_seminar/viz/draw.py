"""``draw_graph``: the operator graph behind some tensors, drawn with Graphviz, boxed by layer.

One node per tensor (name, shape, dtype; value and gradient when asked) and one per op as the user
wrote it; a box per Module that made ops, nested as the Modules are. It only reads the graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import graphviz

from ..autograd.base import Freed, TensorBase
from .labels import kind_of, module_label, numbers, op_details, op_label, op_title, tensor_label
from .render import Graph
from .structure import Structure, collect, too_large

TENSOR_STYLE = {  # fill colours by kind; the legend shows them
    "leaf": "#fff2cc",
    "parameter": "#d5e8d4",
    "intermediate": "#ffffff",
    "root": "#f8cecc",
}
LEGEND = {"leaf": "input / leaf", "parameter": "parameter", "intermediate": "intermediate", "root": "output (root)"}
OP_FILL, HIGHLIGHT_FILL, HIGHLIGHT_LINE = "#dae8fc", "#ffd966", "#b00000"
RANKDIRS = ("LR", "TB", "RL", "BT")


@dataclass
class Frame:
    """What one picture of backpropagation adds: gradients so far, the op differentiated, what just arrived."""

    grads: dict[int, object] = field(default_factory=dict)  # tensor id -> its gradient so far
    op: object = None  # the OpNode being differentiated
    arrived: dict[int, object] = field(default_factory=dict)  # tensor id -> the gradient it just received
    note: str = ""


@dataclass
class Options:
    show_values: bool = False
    show_grads: bool = True
    max_elements: int = 4
    cluster_modules: bool = True
    rankdir: str = "LR"
    max_nodes: int = 500


def check_options(roots: tuple, opts: Options, caller: str = "draw_graph") -> None:
    """Refuse bad arguments before any work, naming each (and ``caller``, the function the user called)."""
    if not roots:
        raise TypeError(f"{caller}: give at least one tensor to draw, e.g. {caller}(loss)")
    for k, r in enumerate(roots):
        if not isinstance(r, TensorBase):
            raise TypeError(f"{caller}: root {k} must be a Tensor, got {type(r).__name__}")
    for name in ("show_values", "show_grads", "cluster_modules"):
        if not isinstance(getattr(opts, name), bool):
            raise TypeError(f"{caller}: {name} must be True or False, got {getattr(opts, name)!r}")
    for name in ("max_elements", "max_nodes"):
        v = getattr(opts, name)
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"{caller}: {name} must be a positive int, got {v!r}")
    if opts.rankdir not in RANKDIRS:
        raise ValueError(f"{caller}: rankdir must be one of {', '.join(RANKDIRS)}, got {opts.rankdir!r}")


def draw_graph(*roots: TensorBase, show_values: bool = False, show_grads: bool = True, max_elements: int = 4,
               cluster_modules: bool = True, rankdir: str = "LR", max_nodes: int = 500) -> Graph:
    """The graph that computed ``roots``: tensors (boxes) and ops (ovals), the ops of each layer in its box.

    ``show_values`` writes each tensor's value, ``show_grads`` its ``.grad`` when it has one: the numbers
    when there are at most ``max_elements``, else min / mean / max. Composed functions (``mean``, a loss,
    your own ``@ts.autograd.composite``) are one node each. A graph of more than ``max_nodes`` nodes is
    refused (GraphTooLargeError). Returns a Graph: ``.save("graph.svg")``, ``.source``, shown in Jupyter.
    """
    opts = Options(show_values, show_grads, max_elements, cluster_modules, rankdir, max_nodes)
    check_options(roots, opts)
    return build(collect(list(roots), max_nodes), opts)


def draw_tensor(self: TensorBase, **kwargs) -> Graph:
    """``t.draw(**kwargs)``: ``ts.viz.draw_graph(t, **kwargs)``."""
    return draw_graph(self, **kwargs)


def build(s: Structure, opts: Options, frame: Frame | None = None, caller: str = "draw_graph") -> Graph:
    """The Graphviz picture of a collected graph (and, in a frame of backpropagation, that step's state)."""
    if len(s.tensors) + len(s.ops) > opts.max_nodes:
        raise too_large(opts.max_nodes, f"{len(s.tensors) + len(s.ops)} nodes, more than", caller)
    g = graphviz.Digraph("graph", graph_attr={"rankdir": opts.rankdir, "fontname": "Helvetica", "fontsize": "12"},
                         node_attr={"fontname": "Helvetica", "fontsize": "11"}, edge_attr={"color": "#555555"})
    if frame is not None:  # the step's caption as the picture's title, so no node widens to hold it
        g.attr(label=frame.note, labelloc="t", labeljust="l", fontcolor=HIGHLIGHT_LINE)
    boxes = Boxes(g, opts.cluster_modules, s.paths)
    ids: dict[int, str] = {}
    roots = {id(r) for r in s.roots}
    for n, (k, t) in enumerate(s.tensors.items()):
        ids[k] = f"t{n}"
        made_by = s.producer.get(k)
        kind = kind_of(t, k in roots)
        title = op_title(t, made_by.label if made_by is not None else None, s.paths.get(k))
        attrs = {"shape": "box", "style": "filled", "fillcolor": TENSOR_STYLE[kind]}
        if frame is not None and k in frame.arrived:
            attrs.update(color=HIGHLIGHT_LINE, penwidth="2.5")
        boxes.graph(s.tensor_path[k]).node(ids[k], tensor_label(t, title, tensor_lines(t, opts, frame)), **attrs)
    for n, op in enumerate(s.ops):
        name = f"op{n}"
        on = frame is not None and op is frame.op
        attrs = {"shape": "ellipse", "style": "filled", "fillcolor": HIGHLIGHT_FILL if on else OP_FILL}
        if on:  # its class: the backward page scrolls it into view
            attrs.update({"color": HIGHLIGHT_LINE, "penwidth": "3", "class": "current"})
        label = op_label(op.label, op_details(op.ctxs, op.composite is not None))
        boxes.graph(op.path).node(name, label, **attrs)
        for t in op.inputs:
            g.edge(ids[id(t)], name)
        for t in op.outputs:
            g.edge(name, ids[id(t)])
    boxes.attach()
    add_legend(g)
    return Graph(g, nodes=len(s.tensors) + len(s.ops), edges=s.edges)


def tensor_lines(t: TensorBase, opts: Options, frame: Frame | None) -> list[tuple[str, str]]:
    """The (caption, numbers) lines under a tensor's title: value, gradient, and in a frame what just arrived."""
    lines = []
    if opts.show_values:
        lines.append(("value", numbers(None if isinstance(t, Freed) else t.data, opts.max_elements)))
    if opts.show_grads:
        grad = t.grad if frame is None else frame.grads.get(id(t))
        if grad is not None:
            lines.append(("grad", numbers(getattr(grad, "data", grad), opts.max_elements)))
    if frame is not None and id(t) in frame.arrived:
        lines.append(("just arrived", numbers(frame.arrived[id(t)], opts.max_elements)))
    return lines


class Boxes:
    """One Graphviz cluster per path of Modules, nested as the Modules are; attached to the graph at the end."""

    def __init__(self, top: graphviz.Digraph, enabled: bool, paths: dict[int, str]) -> None:
        self.top, self.enabled, self.paths = top, enabled, paths
        self.clusters: dict[tuple, graphviz.Digraph] = {}

    def graph(self, path: tuple) -> graphviz.Digraph:
        """The cluster of ``path`` (made, with its parents, on first use); the top graph for ()."""
        if not self.enabled or not path:
            return self.top
        key = tuple(id(m) for m in path)
        for depth in range(1, len(path) + 1):
            sub = key[:depth]
            if sub not in self.clusters:
                module = path[depth - 1]
                self.clusters[sub] = graphviz.Digraph(
                    f"cluster_{len(self.clusters)}",
                    graph_attr={"label": module_label(module, self.paths.get(id(module))), "style": "rounded",
                                "color": "#7f7f7f", "fontcolor": "#333333", "labeljust": "l"})
        return self.clusters[key]

    def attach(self) -> None:
        """Put each cluster inside its parent, deepest first (Graphviz copies a subgraph when it is added)."""
        for key in sorted(self.clusters, key=len, reverse=True):
            parent = self.clusters[key[:-1]] if len(key) > 1 else self.top
            parent.subgraph(self.clusters[key])


def add_legend(g: graphviz.Digraph) -> None:
    """A small box naming the node styles."""
    with g.subgraph(name="cluster_legend") as legend:
        legend.attr(label="legend", style="dashed", color="#999999", fontsize="10", fontcolor="#333333")
        names = []
        for kind, text in LEGEND.items():
            names.append(f"legend_{kind}")
            legend.node(names[-1], text, shape="box", style="filled", fillcolor=TENSOR_STYLE[kind], fontsize="9")
        names.append("legend_op")
        legend.node(names[-1], "op", shape="ellipse", style="filled", fillcolor=OP_FILL, fontsize="9")
        for a, b in zip(names, names[1:]):
            legend.edge(a, b, style="invis")
