"""The words and numbers inside the nodes: a tensor's name, shape, dtype, value and gradient; an op's label.

Labels are Graphviz HTML-like labels (``<...>``), so every piece of text is escaped here.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np

from ..autograd.base import TensorBase
from ..autograd.several import OutputOf
from ..nn.module import Parameter


def kind_of(t: TensorBase, is_root: bool) -> str:
    """'root', 'parameter', 'leaf' or 'intermediate': what a tensor is to the graph (its node's style)."""
    if is_root:
        return "root"
    if isinstance(t, Parameter):
        return "parameter"
    return "leaf" if t.grad_fn is None else "intermediate"


def numbers(a, max_elements: int) -> str:
    """Up to ``max_elements`` values as a list; more as min / mean / max."""
    if a is None:
        return "freed by backward()"
    a = np.asarray(a)
    if a.size == 0:
        return "(empty)"
    if a.dtype.kind == "b":
        a = a.astype(np.int8)
    if a.size <= max_elements:
        return "[" + ", ".join(f"{v:.4g}" for v in a.ravel().tolist()) + "]" if a.ndim else f"{a.item():.4g}"
    return f"min {a.min():.3g} · mean {a.mean():.3g} · max {a.max():.3g}"


def op_title(t: TensorBase, op_label: str | None, path: str | None = None) -> str:
    """A tensor's title: its name, else its path in the model (a parameter), else its op, else its role."""
    if t.name:
        return str(t.name)
    if path is not None:
        return path
    if op_label is not None:
        return f"{op_label} [{t.grad_fn.kwargs['index']}]" if isinstance(t.grad_fn, OutputOf) else op_label
    return "leaf (requires grad)" if t.requires_grad else "input"


def tensor_label(t: TensorBase, title: str, lines: Sequence[tuple[str, str]] = ()) -> str:
    """The HTML label of a tensor node: title in bold, shape and dtype, then (caption, text) lines."""
    data = t.data
    shape = "?" if data is None else str(tuple(data.shape))
    dtype = "" if data is None else str(data.dtype)
    rows = [f"<b>{html.escape(title)}</b>", f"{html.escape(shape)} {html.escape(dtype)}"]
    rows += [f'<font point-size="10">{html.escape(caption)} {html.escape(text)}</font>' for caption, text in lines]
    return "<" + "<br/>".join(rows) + ">"


def op_details(ctxs: Sequence, composite: bool) -> str:
    """What an op node says under its name: a primitive's settings (axis=1) and constants; nothing for a composite."""
    if composite or not ctxs:
        return ""
    ctx = ctxs[0]
    parts = [f"{k}={v}" for k, v in ctx.kwargs.items()
             if v is not None and v is not False and isinstance(v, (bool, int, float, str, tuple))]
    for a in ctx.inputs:
        if isinstance(a, TensorBase):
            continue
        if np.ndim(a) == 0 and isinstance(a, (int, float, np.number, np.ndarray)):
            parts.append(f"const {float(a):.4g}")
        elif isinstance(a, np.ndarray):
            parts.append(f"const {a.shape}")
    return ", ".join(parts)


def op_label(title: str, details: str) -> str:
    """The HTML label of an op node: its name in bold, and its settings."""
    rows = [f"<b>{html.escape(title)}</b>"]
    if details:
        rows.append(f'<font point-size="10">{html.escape(details)}</font>')
    return "<" + "<br/>".join(rows) + ">"


def module_label(module, path: str | None = None) -> str:
    """A box's title, as Keras' plot_model writes a layer: ``dense_1 (Dense)``; else its path: ``block (Block)``."""
    name = getattr(module, "name", None)
    name = name if isinstance(name, str) and name else path
    kind = type(module).__name__
    return f"{name} ({kind})" if isinstance(name, str) and name else kind
