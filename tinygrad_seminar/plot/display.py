"""How a ``History`` shows itself in Jupyter: its learning curves when matplotlib is there, else a table."""

from __future__ import annotations

import html
import io

from .backend import pyplot
from .curves import learning_curves


def history_table(history) -> str:
    """The epoch logs as an HTML table: one row per epoch (from 1), one column per loss or metric."""
    names = list(history.history)
    n = max((len(v) for v in history.history.values()), default=0)
    head = "".join(f"<th>{html.escape(name)}</th>" for name in names)
    rows = []
    for e in range(n):
        cells = "".join(f"<td>{values[e]:.4g}</td>" if e < len(values) else "<td></td>"
                        for values in history.history.values())
        rows.append(f"<tr><th>{e + 1}</th>{cells}</tr>")
    return f"<table><thead><tr><th>epoch</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def history_mimebundle(history, include=None, exclude=None) -> dict:
    """Jupyter's view of ``history``: the learning curves as PNG with matplotlib, else the table of its logs."""
    text = f"<History: {len(history.epoch)} epochs, {', '.join(history.history) or 'nothing recorded'}>"
    if not history.history:
        return {"text/plain": text}
    try:
        fig = learning_curves(history)
    except ImportError:  # no matplotlib: the numbers, as a table
        return {"text/html": history_table(history), "text/plain": text}
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=80, bbox_inches="tight")
    pyplot().close(fig)
    return {"image/png": buffer.getvalue(), "text/plain": text}
