"""``plot_model``: the model as Keras' ``plot_model`` draws it, one box per layer with its shapes."""

from __future__ import annotations

import html
import os

import graphviz

from ..nn.module import Module, dtype_of
from .draw import RANKDIRS
from .render import FORMATS, Graph

LAYER_FILL, INPUT_FILL = "#dae8fc", "#fff2cc"


def input_shape(model) -> str:
    """The model's input shape as text, '(None, 2)'; '?' before it is built."""
    width = getattr(model, "input_dim", None)
    return "?" if width is None else str(tuple(getattr(model, "input_shape", None) or (None, width)))


def layer_shapes(model) -> list[tuple[str, str]]:
    """(input shape, output shape) of each layer as text, chained from the model's input; '?' before it is built."""
    layers = list(model.layers)
    width = getattr(model, "input_dim", None)
    if width is None:
        return [("?", "?")] * len(layers)
    shapes, shape = [], tuple(getattr(model, "input_shape", None) or (None, width))
    for layer in layers:
        out = layer.compute_output_shape(shape)
        shapes.append((str(shape), str(tuple(out))))
        shape = tuple(out)
    return shapes


def box_label(title: str, rows: list[tuple[str, str]], fill: str) -> str:
    """A Keras-like box: the title across the top, then one (caption, value) row each."""
    cells = [f'<tr><td colspan="2"><b>{html.escape(title)}</b></td></tr>']
    cells += [f'<tr><td align="left">{html.escape(a)}</td><td align="left">{html.escape(b)}</td></tr>'
              for a, b in rows]
    return (f'<<table border="0" cellborder="1" cellspacing="0" cellpadding="4" bgcolor="{fill}">'
            + "".join(cells) + "</table>>")


def check_arguments(model, to_file, flags: dict, rankdir) -> None:
    """plot_model's arguments, each checked before anything is drawn; the error names the argument."""
    if not isinstance(model, Module) or not hasattr(model, "layers"):
        kind = type(model).__name__
        if isinstance(model, Module) and any(True for _ in model.children()):  # a subclassed Model: its own forward
            raise TypeError(f"plot_model: model must be a Sequential or a Model with layers; {kind} has no list "
                            "of layers (its forward is your code), so there is no chain to draw. Draw its operator "
                            "graph, boxed by layer, with ts.viz.draw_graph(model(x))"
                            + (", or list its layers with .summary()" if hasattr(model, "summary") else ""))
        raise TypeError(f"plot_model: model must be a Sequential or a Model with layers, got {kind}")
    for name, flag in flags.items():
        if not isinstance(flag, bool):
            raise TypeError(f"plot_model: {name} must be True or False, got {flag!r}")
    if rankdir not in RANKDIRS:
        raise ValueError(f"plot_model: rankdir must be one of {', '.join(RANKDIRS)}, got {rankdir!r}")
    if to_file is None:
        return
    path = os.fspath(to_file) if isinstance(to_file, (str, os.PathLike)) else None
    if not isinstance(path, str):
        raise TypeError(f"plot_model: to_file must be a file name such as 'model.png', got {type(to_file).__name__}")
    if os.path.splitext(path)[1].lower() not in FORMATS:
        raise ValueError(f"plot_model: to_file must end with one of {', '.join(FORMATS)} (the format of the "
                         f"picture), got {path!r}")


def plot_model(model, to_file=None, show_shapes: bool = True, show_dtype: bool = False,
               show_layer_names: bool = True, rankdir: str = "TB") -> Graph:
    """The layers of ``model`` in order, one box each: ``dense_1 (Dense)``, its activation, input and output shape.

    ``to_file`` (optional) also writes the picture, its format from the extension (.svg, .png, .pdf, .dot).
    Returns a Graph (shown in Jupyter). Before the model is built its shapes are '?'.
    """
    flags = {"show_shapes": show_shapes, "show_dtype": show_dtype, "show_layer_names": show_layer_names}
    check_arguments(model, to_file, flags, rankdir)
    g = graphviz.Digraph("model", graph_attr={"rankdir": rankdir, "fontname": "Helvetica"},
                         node_attr={"shape": "plaintext", "fontname": "Helvetica", "fontsize": "11"})
    layers, shapes = list(model.layers), layer_shapes(model)
    dtype = str(dtype_of(model))
    first = [("output", input_shape(model))] if show_shapes else []
    g.node("input", box_label("input (InputLayer)" if show_layer_names else "InputLayer", first, INPUT_FILL))
    previous = "input"
    for k, (layer, (shape_in, shape_out)) in enumerate(zip(layers, shapes)):
        kind = type(layer).__name__
        name = getattr(layer, "name", None) or f"layer_{k}"
        rows = []
        activation = getattr(layer, "activation_name", None)
        if activation:
            rows.append(("activation", str(activation)))
        if show_shapes:
            rows += [("input", shape_in), ("output", shape_out)]
        if show_dtype:
            rows.append(("dtype", str(getattr(layer, "dtype", dtype))))
        node = f"layer{k}"
        g.node(node, box_label(f"{name} ({kind})" if show_layer_names else kind, rows, LAYER_FILL))
        g.edge(previous, node)
        previous = node
    graph = Graph(g, nodes=len(layers) + 1, edges=len(layers), title=str(getattr(model, "name", "")))
    if to_file is not None:
        graph.save(to_file)
    return graph
