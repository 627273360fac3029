"""Ops that move numbers without computing new ones: reshape, transpose, broadcast, index, concatenate.

Their backward puts the gradient back where each number came from; like every op (see op.py), it is
written so that arrays and Tensors both go through it.
"""

from __future__ import annotations

import numpy as np

from ..base import TensorBase
from .op import Op, check_axis


class Reshape(Op):
    @staticmethod
    def forward(ctx, a, shape):
        ctx.in_shape = a.shape
        return a.reshape(shape)

    @staticmethod
    def backward(ctx, g):
        return g.reshape(ctx.in_shape)


class Transpose(Op):
    @staticmethod
    def forward(ctx, a, axes=None):
        ctx.axes = tuple(range(a.ndim))[::-1] if axes is None else tuple(check_axis(ax, a.ndim) for ax in axes)
        return a.transpose(ctx.axes)

    @staticmethod
    def backward(ctx, g):
        return g.transpose(tuple(np.argsort(ctx.axes)))


class BroadcastTo(Op):
    @staticmethod
    def forward(ctx, a, shape):
        return np.broadcast_to(a, shape)

    @staticmethod
    def backward(ctx, g):
        return g  # the engine sums it back down


class PickPerRow(Op):
    """out_i = a[i, index_i]: one entry per row (a label's log-probability); the index is an input array."""

    @staticmethod
    def forward(ctx, a, index):
        rows = np.arange(len(a))
        ctx.idx, ctx.in_shape = (rows, index), a.shape
        return a[rows, index]

    @staticmethod
    def backward(ctx, g):
        return _scatter(g, ctx.idx, ctx.in_shape), None


def _is_fancy(idx) -> bool:
    """True when an index holds an integer array, whose repeats must accumulate."""
    parts = idx if isinstance(idx, tuple) else (idx,)
    return any(isinstance(p, np.ndarray) and p.dtype.kind in "iu" for p in parts)


def _scatter(g, idx, shape):
    """zeros(shape) with g added at idx (repeated indices accumulate): the adjoint of g[idx]."""
    if isinstance(g, TensorBase):
        return ScatterAdd.apply(g, idx=idx, shape=shape)
    out = np.zeros(shape, g.dtype)
    if _is_fancy(idx):
        np.add.at(out, idx, g)
    else:
        out[idx] = g
    return out


class GetItem(Op):
    @staticmethod
    def forward(ctx, a, idx):
        ctx.idx, ctx.in_shape = idx, a.shape
        return a[idx]

    @staticmethod
    def backward(ctx, g):
        return _scatter(g, ctx.idx, ctx.in_shape)


class ScatterAdd(Op):
    @staticmethod
    def forward(ctx, g, idx, shape):
        ctx.idx = idx
        return _scatter(g, idx, shape)

    @staticmethod
    def backward(ctx, g):
        return g[ctx.idx]


class Concatenate(Op):
    @staticmethod
    def forward(ctx, *arrays, axis=0):
        ax = check_axis(axis, np.ndim(arrays[0]))  # out of range: PyTorch's IndexError, not numpy's AxisError
        out = np.concatenate(arrays, axis=ax)
        edges = np.cumsum([0] + [np.shape(a)[ax] for a in arrays])
        ctx.slices = [(slice(None),) * ax + (slice(s, e),) for s, e in zip(edges[:-1], edges[1:])]
        return out

    @staticmethod
    def backward(ctx, g):
        return tuple(g[s] for s in ctx.slices)


class Roll(Op):
    """np.roll: numbers move ``shift`` places along ``axis``, wrapping around; the gradient rolls back."""

    @staticmethod
    def forward(ctx, a, shift, axis):
        ctx.shift, ctx.axis = shift, axis
        return np.roll(a, shift, axis)

    @staticmethod
    def backward(ctx, g):
        back = tuple(-s for s in ctx.shift) if isinstance(ctx.shift, tuple) else -ctx.shift
        return Roll.apply(g, shift=back, axis=ctx.axis) if isinstance(g, TensorBase) else np.roll(g, back, ctx.axis)
