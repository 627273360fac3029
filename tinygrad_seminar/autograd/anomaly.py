"""Anomaly detection's checks: where an op was created, and whether what it produced holds NaN (or inf).

Used by ``Function.apply`` (forward) and the engine (backward) only while ``detect_anomaly()`` is on, so
outside it they cost nothing.
"""

from __future__ import annotations

import os
import sys

import numpy as np

from .base import data_of
from .state import AnomalyError

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # tinygrad_seminar/


def user_line() -> str:
    """``file:line`` of the innermost caller outside this package: the user's code that made the op."""
    frame = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE + os.sep):
        frame = frame.f_back
    return "an unknown place" if frame is None else f"{frame.f_code.co_filename}:{frame.f_lineno}"


def _bad(values, check_inf: bool) -> str | None:
    """'nan' or 'inf' if the array holds one (inf only with check_inf), else None."""
    a = np.asarray(data_of(values))
    if a.dtype.kind not in "fc":
        return None
    if np.isnan(a).any():
        return "nan"
    if check_inf and np.isinf(a).any():
        return "inf"
    return None


def check_forward(ctx, raw: list, out: np.ndarray, mode) -> None:
    """Raise AnomalyError if the op's output is bad; else remember where the op was made, for its backward."""
    ctx.created_at = user_line()
    bad = _bad(out, mode.check_inf)
    if bad is not None:
        given = [k for k, r in enumerate(raw) if isinstance(r, np.ndarray) and _bad(r, mode.check_inf)]
        arrived = f" (its input {', '.join(map(str, given))} already held {bad}: it came from before)" if given else ""
        raise AnomalyError(_message(ctx, "forward", bad, raw, "its output") + arrived)


def check_backward(ctx, grads: tuple, mode, incoming) -> None:
    """Raise AnomalyError if a gradient the op's backward returned is bad."""
    for k, g in enumerate(grads):
        bad = None if g is None else _bad(g, mode.check_inf)
        if bad is not None:
            raw = [data_of(a) for a in ctx.inputs]
            arrived = (f" (the gradient arriving at it already held {bad}: from a hook, or the gradient given to "
                       "backward)") if _bad(incoming, mode.check_inf) else ""
            raise AnomalyError(_message(ctx, "backward", bad, raw, f"its gradient for input {k}") + arrived)


def _message(ctx, direction: str, bad: str, raw: list, what: str) -> str:
    shapes = ", ".join(str(np.shape(r)) for r in raw if isinstance(r, np.ndarray)) or "none"
    where = getattr(ctx, "created_at", None)
    made = (f"the op was created at {where}" if where else
            "the op was created outside detect_anomaly(), so its line is unknown")
    return (f"{type(ctx).__name__} ({direction}) produced {bad} in {what}; inputs of shape {shapes}; {made}")
