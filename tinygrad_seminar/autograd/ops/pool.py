"""Max pooling: the largest number of each window, and its gradient sent back to where that number was.

    y[n, c, i, j] = max_{p, q} x_pad[n, c, i·sh + p, j·sw + q],   x_pad padded with -inf (PyTorch's)

The forward keeps, for each output, the flat index in x of the winner (the first one in a tie, as
PyTorch); the backward adds g at those indices. That backward is ScatterAdd under ``create_graph``,
whose own backward is a gather, so max pooling has second derivatives (zero beyond the first, as for
any piecewise linear map). Average pooling is a convolution with a constant kernel (see conv.py).
"""

from __future__ import annotations

import numpy as np

from ..base import TensorBase
from .conv import ConvSpec, pad_image, windows
from .op import Op
from .shape import ScatterAdd


def max_pool(x: np.ndarray, kernel: tuple, spec: ConvSpec) -> tuple[np.ndarray, np.ndarray]:
    """(the maxima (N, C, H_out, W_out), the flat index in x of each)."""
    kh, kw = kernel
    n, c, h, w = x.shape
    win = windows(pad_image(x, spec, -np.inf), kh, kw, spec)
    ho, wo = win.shape[2:4]
    flat = win.reshape(n, c, ho, wo, kh * kw)
    k = flat.argmax(axis=-1)
    out = np.take_along_axis(flat, k[..., None], axis=-1)[..., 0]
    if any(spec.padding) and np.isneginf(out).any():  # a window of -inf only: its first real cell wins, as PyTorch
        real = windows(pad_image(np.ones((1, 1, h, w)), spec, 0.0), kh, kw, spec).reshape(1, 1, ho, wo, kh * kw)
        k = np.where(np.isneginf(out), real.argmax(axis=-1), k)
    (sh, sw), (dh, dw), (pt, _, pl, _) = spec.stride, spec.dilation, spec.padding
    rows = (np.arange(ho) * sh)[:, None] + (k // kw) * dh - pt
    cols = (np.arange(wo) * sw)[None, :] + (k % kw) * dw - pl
    base = (np.arange(n * c) * (h * w)).reshape(n, c, 1, 1)
    return out, (base + rows * w + cols).ravel()


def unpool_of(g, idx: np.ndarray, in_shape: tuple):
    """zeros(in_shape) with g added at the flat indices ``idx``: the adjoint of taking x.ravel()[idx]."""
    size = int(np.prod(in_shape))
    if isinstance(g, TensorBase):
        return ScatterAdd.apply(g.reshape(-1), idx=(idx,), shape=(size,)).reshape(in_shape)
    return np.bincount(idx, weights=g.ravel(), minlength=size).astype(g.dtype, copy=False).reshape(in_shape)


class MaxPool2d(Op):
    """y = the maximum of each window of x (N, C, H, W); the gradient goes to the winner alone."""

    @staticmethod
    def forward(ctx, x, kernel, spec):
        out, idx = max_pool(x, kernel, spec)
        ctx.save_for_backward(idx)  # saved, so a backward that frees the graph frees it
        ctx.in_shape = x.shape
        return out

    @staticmethod
    def backward(ctx, g):
        (idx,) = ctx.saved_tensors
        return unpool_of(g, idx, ctx.in_shape)
