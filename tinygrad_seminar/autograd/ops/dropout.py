"""Dropout as one op, so that its mask is drawn inside the op (a ``ts.jit`` replay draws a fresh one)."""

from __future__ import annotations

import numpy as np

from ..random import default_generator
from .op import Op


class Dropout(Op):
    """x * m, m = (u >= rate) / (1 - rate) with u ~ U[0, 1) drawn from ``rng``: inverted dropout; d/dx = m.

    ``rng=None`` draws from ``default_generator()`` as it is when the op runs (``fit`` sets the model's own)."""

    @staticmethod
    def forward(ctx, x, *, rate: float, rng: np.random.Generator | None = None):
        keep = (default_generator() if rng is None else rng).random(x.shape) >= rate
        mask = (keep * (1.0 / (1.0 - rate))).astype(x.dtype)
        ctx.mask = mask  # a constant (not an input), so a recorded backward treats it as one
        return x * mask

    @staticmethod
    def backward(ctx, g):
        return g * ctx.mask
