"""Which way the samples lie: rows (the framework, Keras, PyTorch) or columns (the slides, ``ts.rules``).

Every picture takes the data in its model's layout: a ``ts.rules`` object says ``layout = "columns"``, so
``X`` of shape (n, p) goes with it as on the slides; ``layout=`` says so for a bare callable.
"""

from __future__ import annotations

from typing import Any

import numpy as np

LAYOUTS = ("rows", "columns")


def resolve_layout(model: Any, layout: str | None, who: str) -> str:
    """"rows" or "columns": ``layout`` if given, else the model's own ``layout`` attribute, else "rows"."""
    if layout not in (*LAYOUTS, None):
        raise ValueError(f"{who}: layout must be 'rows', 'columns' or None (read it from the model); got {layout!r}")
    layout = layout or getattr(model, "layout", "rows")
    if layout not in LAYOUTS:
        raise ValueError(f"{who}: the model's layout attribute must be 'rows' or 'columns'; got {layout!r}")
    return layout


def to_rows(x, y, layout: str) -> tuple[np.ndarray, np.ndarray]:
    """``x`` and ``y`` with the samples in rows: transposed when given in the slides' columns layout."""
    x, y = np.asarray(x), np.asarray(y)
    if layout == "columns":
        x = x.T
        y = y.T if y.ndim == 2 else y
    return x, y
