"""Convolution as im2col and one matmul per group, with both of its gradients as ops of their own.

    y[n, o, i, j] = sum_{c, p, q} x_pad[n, G(o)·Cg + c, i·sh + p·dh, j·sw + q·dw] · w[o, c, p, q]

x is (N, C, H, W), w is (O, C/groups, kh, kw) (PyTorch's layout); ``ConvSpec`` holds stride, the four
paddings (top, bottom, left, right: "same" with an even kernel pads one more after), dilation and groups.
The three maps below are linear in each argument, and the backward of each is made of the other two:

    conv2d(x, w)                    dx = conv_transpose2d(g, w)    dw = conv2d_weight_grad(x, g)
    conv_transpose2d(g, w) (= dx)   dg = conv2d(h, w)              dw = conv2d_weight_grad(h, g)
    conv2d_weight_grad(x, g) (= dw) dx = conv_transpose2d(g, v)    dg = conv2d(x, v)

so under ``create_graph`` a backward records these ops, which can be differentiated again (to any order).
The windows are strided views of the padded input (no loop over pixels); the input gradient adds the
columns back with one strided addition per kernel offset (kh·kw of them).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ..base import TensorBase
from .op import Op


@dataclass(frozen=True)
class ConvSpec:
    """The geometry of a 2-D convolution or pooling window: every argument but the arrays."""

    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int, int, int] = (0, 0, 0, 0)  # top, bottom, left, right
    dilation: tuple[int, int] = (1, 1)
    groups: int = 1

    def padded(self, h: int, w: int) -> tuple[int, int]:
        pt, pb, pl, pr = self.padding
        return h + pt + pb, w + pl + pr

    def out_size(self, h: int, w: int, kh: int, kw: int) -> tuple[int, int]:
        """(H_out, W_out) = (floor((H + pads - d·(k - 1) - 1) / s) + 1, the same for W)."""
        hp, wp = self.padded(h, w)
        (sh, sw), (dh, dw) = self.stride, self.dilation
        return (hp - dh * (kh - 1) - 1) // sh + 1, (wp - dw * (kw - 1) - 1) // sw + 1


def pad_image(x: np.ndarray, spec: ConvSpec, value: float = 0.0) -> np.ndarray:
    """x with spec's padding around its last two axes, filled with ``value``."""
    if not any(spec.padding):
        return x
    pt, _, pl, _ = spec.padding
    hp, wp = spec.padded(*x.shape[-2:])
    out = np.full(x.shape[:-2] + (hp, wp), value, x.dtype)
    out[..., pt:pt + x.shape[-2], pl:pl + x.shape[-1]] = x
    return out


def windows(xp: np.ndarray, kh: int, kw: int, spec: ConvSpec) -> np.ndarray:
    """A read-only view (N, C, H_out, W_out, kh, kw) of the padded input: window (i, j) at [:, :, i, j]."""
    n, c, hp, wp = xp.shape
    (sh, sw), (dh, dw) = spec.stride, spec.dilation
    ho, wo = (hp - dh * (kh - 1) - 1) // sh + 1, (wp - dw * (kw - 1) - 1) // sw + 1
    s_n, s_c, s_h, s_w = xp.strides
    return as_strided(xp, shape=(n, c, ho, wo, kh, kw),
                      strides=(s_n, s_c, s_h * sh, s_w * sw, s_h * dh, s_w * dw), writeable=False)


def im2col(x: np.ndarray, kh: int, kw: int, spec: ConvSpec) -> np.ndarray:
    """The windows as columns, by group: (G, C/G·kh·kw, N·H_out·W_out), one copy of the input per kernel element.

    Kernel-major (each row one (channel, p, q), each column one window), so the copy moves whole image rows.
    """
    win = windows(pad_image(x, spec), kh, kw, spec)
    n, c, ho, wo = win.shape[:4]
    g = spec.groups
    win = win.reshape(n, g, c // g, ho, wo, kh, kw).transpose(1, 2, 5, 6, 0, 3, 4)
    return win.reshape(g, (c // g) * kh * kw, n * ho * wo)


def grouped_grad(g: np.ndarray, groups: int) -> np.ndarray:
    """The output gradient (N, O, H_out, W_out) as rows by group: (G, O/G, N·H_out·W_out)."""
    n, o, ho, wo = g.shape
    return g.reshape(n, groups, o // groups, ho, wo).transpose(1, 2, 0, 3, 4).reshape(groups, o // groups, n * ho * wo)


def conv_forward(x: np.ndarray, w: np.ndarray, spec: ConvSpec, cols: np.ndarray | None = None) -> tuple:
    """(y, the columns): y = W @ cols per group, seen as (N, O, H_out, W_out)."""
    o, _, kh, kw = w.shape
    g = spec.groups
    if cols is None:
        cols = im2col(x, kh, kw, spec)
    ho, wo = spec.out_size(x.shape[2], x.shape[3], kh, kw)
    y = w.reshape(g, o // g, -1) @ cols  # (G, O/G, M)
    return y.reshape(o, x.shape[0], ho, wo).transpose(1, 0, 2, 3), cols


def input_grad(g: np.ndarray, w: np.ndarray, spec: ConvSpec, in_hw: tuple) -> np.ndarray:
    """dL/dx: the columns' gradient W.T @ g per group, each kernel offset added back where its windows read."""
    o, cg, kh, kw = w.shape
    n, _, ho, wo = g.shape
    groups = spec.groups
    dcols = w.reshape(groups, o // groups, -1).transpose(0, 2, 1) @ grouped_grad(g, groups)  # (G, Cg·kh·kw, M)
    dcols = dcols.reshape(groups * cg, kh, kw, n, ho, wo)
    hp, wp = spec.padded(*in_hw)
    dxp = np.zeros((groups * cg, n, hp, wp), np.result_type(g, w))  # channels first: each addition is contiguous
    (sh, sw), (dh, dw) = spec.stride, spec.dilation
    for p in range(kh):  # one strided addition per kernel offset, none per pixel
        for q in range(kw):
            dxp[..., p * dh:p * dh + sh * (ho - 1) + 1:sh, q * dw:q * dw + sw * (wo - 1) + 1:sw] += dcols[:, p, q]
    pt, _, pl, _ = spec.padding
    return dxp[..., pt:pt + in_hw[0], pl:pl + in_hw[1]].transpose(1, 0, 2, 3)


def weight_grad(x: np.ndarray, g: np.ndarray, spec: ConvSpec, kernel: tuple,
                cols: np.ndarray | None = None) -> np.ndarray:
    """dL/dw = g @ cols.T per group, as (O, C/G, kh, kw)."""
    kh, kw = kernel
    if cols is None:
        cols = im2col(x, kh, kw, spec)
    groups, o = spec.groups, g.shape[1]
    dw = grouped_grad(g, groups) @ cols.transpose(0, 2, 1)  # (G, O/G, Cg·kh·kw)
    return dw.reshape(o, x.shape[1] // groups, kh, kw)


# ---- dispatch: numpy for a plain backward, the ops under create_graph ----
def conv2d_of(x, w, spec: ConvSpec):
    if isinstance(x, TensorBase) or isinstance(w, TensorBase):
        return Conv2d.apply(x, w, spec=spec)
    return conv_forward(x, w, spec)[0]


def conv_transpose2d_of(g, w, spec: ConvSpec, in_hw: tuple):
    if isinstance(g, TensorBase) or isinstance(w, TensorBase):
        return ConvTranspose2d.apply(g, w, spec=spec, in_hw=in_hw)
    return input_grad(g, w, spec, in_hw)


def conv2d_weight_grad_of(x, g, spec: ConvSpec, kernel: tuple, cols=None):
    if isinstance(x, TensorBase) or isinstance(g, TensorBase):
        return Conv2dWeightGrad.apply(x, g, spec=spec, kernel=kernel)
    return weight_grad(x, g, spec, kernel, cols)


class Conv2d(Op):
    """y = conv2d(x, w) without bias; x (N, C, H, W), w (O, C/G, kh, kw)."""

    @staticmethod
    def forward(ctx, x, w, spec):
        ctx.spec = spec
        ctx.save_for_backward(x, w)
        y, cols = conv_forward(x, w, spec)
        ctx.cols = cols if ctx.needs_input_grad[1] else None  # kept for dw; a function of x, so first-order only
        return y

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        nx, nw = ctx.needs_input_grad
        cols = ctx.__dict__.pop("cols", None)  # a second backward (retain_graph) builds them again
        gx = conv_transpose2d_of(g, w, ctx.spec, x.shape[2:]) if nx else None
        gw = conv2d_weight_grad_of(x, g, ctx.spec, w.shape[2:], cols) if nw else None
        return gx, gw


class ConvTranspose2d(Op):
    """dx of conv2d: conv_transpose2d(g, w), of spatial size ``in_hw``; linear in g and in w."""

    @staticmethod
    def forward(ctx, g, w, spec, in_hw):
        ctx.spec = spec
        ctx.save_for_backward(g, w)
        return input_grad(g, w, spec, in_hw)

    @staticmethod
    def backward(ctx, h):
        g, w = ctx.saved_tensors
        ng, nw = ctx.needs_input_grad
        return (conv2d_of(h, w, ctx.spec) if ng else None,
                conv2d_weight_grad_of(h, g, ctx.spec, w.shape[2:]) if nw else None)


class Conv2dWeightGrad(Op):
    """dw of conv2d: conv2d_weight_grad(x, g), of kernel size ``kernel``; linear in x and in g."""

    @staticmethod
    def forward(ctx, x, g, spec, kernel):
        ctx.spec = spec
        ctx.save_for_backward(x, g)
        return weight_grad(x, g, spec, kernel)

    @staticmethod
    def backward(ctx, v):
        x, g = ctx.saved_tensors
        nx, ng = ctx.needs_input_grad
        return (conv_transpose2d_of(g, v, ctx.spec, x.shape[2:]) if nx else None,
                conv2d_of(x, v, ctx.spec) if ng else None)
