"""How a tensor shows itself in Jupyter: a small HTML table of what it is, and its values abbreviated."""

from __future__ import annotations

import html

import numpy as np

from .base import TensorBase


def tensor_html(t: TensorBase) -> str:
    """shape, dtype, requires_grad, grad_fn (and name) in a table, then the values as numpy abbreviates them."""
    ctx = t.grad_fn
    rows = [("shape", str(tuple(t.data.shape))), ("dtype", str(t.data.dtype)),
            ("requires_grad", str(bool(t.requires_grad))),
            ("grad_fn", "None (a leaf)" if ctx is None else (type(ctx).label or type(ctx).__name__))]
    if t.name:
        rows.insert(0, ("name", str(t.name)))
    if t.grad is not None:
        rows.append(("grad", "held (.grad)"))
    cells = "".join(f"<tr><th style='text-align:left'>{html.escape(k)}</th><td style='text-align:left'>"
                    f"{html.escape(v)}</td></tr>" for k, v in rows)
    values = np.array2string(t.data, separator=", ", threshold=60, edgeitems=3, precision=4)
    return (f"<div><b>{html.escape(type(t).__name__)}</b><table>{cells}</table>"
            f"<pre style='margin:4px 0'>{html.escape(values)}</pre></div>")
