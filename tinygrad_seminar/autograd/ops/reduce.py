"""Reductions: sum, max, and the softmax family along an axis."""

from __future__ import annotations

import numpy as np

from ..base import TensorBase
from .op import Op, check_axis, data_of, exp_of, kept_shape, reduced_axes, shifted


class Sum(Op):
    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        if axis is not None:  # out of range: PyTorch's IndexError; a 0-d tensor's axis 0 reduces nothing
            axis = reduced_axes(axis, a.ndim)
        ctx.shape, ctx.axis, ctx.keepdims = a.shape, axis, keepdims
        return a.sum(axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        g = g if ctx.keepdims or ctx.axis is None else g.reshape(kept_shape(ctx.shape, ctx.axis))
        return g.broadcast_to(ctx.shape) if isinstance(g, TensorBase) else np.broadcast_to(g, ctx.shape)


class Max(Op):
    """max over axis; tied maxima share the gradient evenly."""

    pick = staticmethod(np.amax)

    @classmethod
    def forward(cls, ctx, a, axis=None, keepdims=False):
        axis = reduced_axes(axis, a.ndim)
        m = cls.pick(a, axis=axis, keepdims=True)
        ctx.save_for_backward(a, m)
        ctx.axis = axis
        return m if keepdims else m.reshape([n for i, n in enumerate(a.shape) if i not in axis])

    @staticmethod
    def backward(ctx, g):
        a, m = ctx.saved_tensors
        hit = data_of(a) == data_of(m)
        share = (hit / hit.sum(axis=ctx.axis, keepdims=True)).astype(g.dtype)
        return g.reshape(m.shape) * share  # the reduced axes back as 1s, broadcast by share


class Min(Max):
    """min over axis, computed as a min (so integers and bools are exact); tied minima share the gradient."""

    pick = staticmethod(np.amin)


def _empty_along(a, axis) -> bool:
    """True when ``axis`` has no elements: softmax along it is the empty array itself, as in PyTorch."""
    return a.shape[check_axis(axis, a.ndim)] == 0 if a.ndim else False


class Softmax(Op):
    """S(z)_j = e^{z_j - max z} / sum_k e^{z_k - max z}."""

    @staticmethod
    def forward(ctx, a, axis=-1):
        if _empty_along(a, axis):
            ctx.save_for_backward(a.copy())
            ctx.axis = axis
            return ctx.saved[0]
        e = np.exp(shifted(a, axis))
        out = e / e.sum(axis=axis, keepdims=True)
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, g):
        out = ctx.saved_tensors[0]
        return out * (g - (g * out).sum(axis=ctx.axis, keepdims=True))


class LogSoftmax(Op):
    """log S(z)_j = (z_j - max z) - log sum_k e^{z_k - max z}."""

    @staticmethod
    def forward(ctx, a, axis=-1):
        if _empty_along(a, axis):
            ctx.save_for_backward(a.copy())
            ctx.axis = axis
            return ctx.saved[0]
        s = shifted(a, axis)
        out = s - np.log(np.exp(s).sum(axis=axis, keepdims=True))
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, g):
        out = ctx.saved_tensors[0]
        return g - exp_of(out) * g.sum(axis=ctx.axis, keepdims=True)
