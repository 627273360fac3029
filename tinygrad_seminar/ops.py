"""Primitive ops: forward and backward side by side, each backward one local gradient per input.

Backward code uses only what numpy arrays and Tensors share, so one body gives first derivatives on
arrays and, under ``create_graph``, records second ones on Tensors (see tensor.py). ``_d`` reads the
raw numbers of a saved value, for masks, which are constants either way. The engine un-broadcasts,
casts and accumulates whatever is returned here.
"""

from __future__ import annotations

import math

import numpy as np

from .tensor import Function, Tensor


def _d(a):
    return a.data if isinstance(a, Tensor) else a


def _exp(a):
    return a.exp() if isinstance(a, Tensor) else np.exp(a)


def _log(a):
    return a.log() if isinstance(a, Tensor) else np.log(a)


def stable_sigmoid(a: np.ndarray) -> np.ndarray:
    """sigma(z) = exp(-log(1 + e^-z)): no overflow for any z, full relative precision in both tails."""
    return np.exp(-np.logaddexp(0, -a))


def _sigmoid(a):
    return a.sigmoid() if isinstance(a, Tensor) else stable_sigmoid(a)


def _axes(axis, ndim):
    if axis is None:
        return tuple(range(ndim))
    return tuple(a % ndim for a in (axis if isinstance(axis, (tuple, list)) else (axis,)))


def count(shape: tuple, axis) -> int:
    """How many elements a reduction over ``axis`` folds into one."""
    return math.prod(shape[a] for a in _axes(axis, len(shape)))


def inverse(n: float) -> float:
    """1 / n, and nan for n <= 0, as numpy's mean and var give for nothing to average."""
    return 1.0 / n if n > 0 else math.nan


def _kept(shape, axis):
    axes = _axes(axis, len(shape))
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


class Op(Function):
    differentiable_backward = True
    _names_shapes = True


# ---- binary arithmetic ----
class Add(Op):
    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Op):
    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, -g


class Mul(Op):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        return (g * b if na else None), (g * a if nb else None)


class Div(Op):
    @staticmethod
    def forward(ctx, a, b):
        out = a / b
        ctx.save_for_backward(b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        b, out = ctx.saved_tensors
        ga = g / b
        return ga, (-ga * out if ctx.needs_input_grad[1] else None)


class Pow(Op):
    @staticmethod
    def forward(ctx, a, b):
        out = a**b
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        # at a = 0, d/da a^b = b a^(b-1) is 0 where b = 0, and d/db a^b = a^b log a is 0 (as PyTorch);
        # shifting just those exponents and bases by 1 keeps 0 * inf (nan, and a warning) out of both
        at_zero = _d(a) == 0
        ga = g * b * a ** (b - 1 + (at_zero & (_d(b) == 0))) if na else None
        gb = g * out * _log(a + at_zero) if nb else None
        return ga, gb


class Matmul(Op):
    """a @ b for 1-D, 2-D and batched operands, with numpy's rules for 1-D ones."""

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        a1, b1 = a.ndim == 1, b.ndim == 1
        if a1:  # a is a row (1, k): restore the axis numpy dropped from g
            a, g = a.reshape(1, -1), g.reshape(g.shape[:-1] + (1,) + g.shape[-1:])
        if b1:  # b is a column (k, 1)
            b, g = b.reshape(-1, 1), g.reshape(g.shape + (1,))
        na, nb = ctx.needs_input_grad
        ga = g @ b.swapaxes(-1, -2) if na else None
        gb = a.swapaxes(-1, -2) @ g if nb else None
        if a1 and ga is not None:
            ga = ga.reshape(ga.shape[:-2] + ga.shape[-1:])
        if b1 and gb is not None:
            gb = gb.reshape(gb.shape[:-1])
        return ga, gb


class Maximum(Op):
    """Elementwise maximum; where both sides tie, each gets half the gradient."""

    pick, wins = staticmethod(np.maximum), staticmethod(np.greater)

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.save_for_backward(a, b)
        return cls.pick(a, b)

    @classmethod
    def backward(cls, ctx, g):
        a, b = ctx.saved_tensors
        a, b = _d(a), _d(b)
        share = (cls.wins(a, b) + 0.5 * (a == b)).astype(g.dtype)
        return g * share, g * (1 - share)


class Minimum(Maximum):
    pick, wins = staticmethod(np.minimum), staticmethod(np.less)


class Where(Op):
    """where(cond, a, b): cond is a constant boolean array."""

    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.save_for_backward(cond)
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, g):
        (cond,) = ctx.saved_tensors
        return None, g * cond, g * ~cond


# ---- unary ----
class Neg(Op):
    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, g):
        return -g


class Exp(Op):
    @staticmethod
    def forward(ctx, a):
        out = np.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        return g * ctx.saved_tensors[0]


class Log(Op):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log(a)

    @staticmethod
    def backward(ctx, g):
        return g / ctx.saved_tensors[0]


class Sqrt(Op):
    @staticmethod
    def forward(ctx, a):
        out = np.sqrt(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        return g / (ctx.saved_tensors[0] * 2)


class Abs(Op):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a)

    @staticmethod
    def backward(ctx, g):
        return g * np.sign(_d(ctx.saved_tensors[0]))


class Tanh(Op):
    @staticmethod
    def forward(ctx, a):
        out = np.tanh(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out = ctx.saved_tensors[0]
        return g * (1 - out * out)


class Sigmoid(Op):
    @staticmethod
    def forward(ctx, a):
        out = stable_sigmoid(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out = ctx.saved_tensors[0]
        return g * out * (1 - out)


class Softplus(Op):
    """log(1 + e^z), computed as logaddexp(0, z): no overflow."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.logaddexp(0, a)

    @staticmethod
    def backward(ctx, g):
        return g * _sigmoid(ctx.saved_tensors[0])


class Relu(Op):
    """max(z, 0); its derivative is taken as 0 at z = 0, as the slides' table has it."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.maximum(a, 0)

    @staticmethod
    def backward(ctx, g):
        return g * (_d(ctx.saved_tensors[0]) > 0)


class Clip(Op):
    @staticmethod
    def forward(ctx, a, lo=None, hi=None):
        ctx.save_for_backward(a)
        ctx.lo, ctx.hi = lo, hi
        return np.clip(a, lo, hi)

    @staticmethod
    def backward(ctx, g):
        a = _d(ctx.saved_tensors[0])
        inside = np.ones(a.shape, bool)
        if ctx.lo is not None:
            inside &= a >= ctx.lo
        if ctx.hi is not None:
            inside &= a <= ctx.hi
        return g * inside


class Cast(Op):
    @staticmethod
    def forward(ctx, a, dtype):
        return a.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g  # the engine casts back to the input's dtype


# ---- reductions ----
class Sum(Op):
    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        if isinstance(axis, list):
            axis = tuple(axis)
        ctx.shape, ctx.axis, ctx.keepdims = a.shape, axis, keepdims
        return a.sum(axis=axis, keepdims=keepdims)

    @staticmethod
    def backward(ctx, g):
        g = g if ctx.keepdims or ctx.axis is None else g.reshape(_kept(ctx.shape, ctx.axis))
        return g.broadcast_to(ctx.shape) if isinstance(g, Tensor) else np.broadcast_to(g, ctx.shape)


class Max(Op):
    """max over axis; tied maxima share the gradient evenly."""

    @staticmethod
    def forward(ctx, a, axis=None, keepdims=False):
        axis = _axes(axis, a.ndim)
        m = a.max(axis=axis, keepdims=True)
        ctx.save_for_backward(a, m)
        ctx.axis = axis
        return m if keepdims else m.reshape([n for i, n in enumerate(a.shape) if i not in axis])

    @staticmethod
    def backward(ctx, g):
        a, m = ctx.saved_tensors
        hit = _d(a) == _d(m)
        share = (hit / hit.sum(axis=ctx.axis, keepdims=True)).astype(g.dtype)
        return g.reshape(m.shape) * share  # the reduced axes back as 1s, broadcast by share


class Softmax(Op):
    """S(z)_j = e^{z_j - max z} / sum_k e^{z_k - max z}."""

    @staticmethod
    def forward(ctx, a, axis=-1):
        e = np.exp(a - a.max(axis=axis, keepdims=True))
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
        s = a - a.max(axis=axis, keepdims=True)
        out = s - np.log(np.exp(s).sum(axis=axis, keepdims=True))
        ctx.save_for_backward(out)
        ctx.axis = axis
        return out

    @staticmethod
    def backward(ctx, g):
        out = ctx.saved_tensors[0]
        return g - _exp(out) * g.sum(axis=ctx.axis, keepdims=True)


class Step(Op):
    """Heaviside: 1 where z >= 0 else 0 (McCulloch-Pitts). Its derivative is zero wherever it exists."""

    @staticmethod
    def forward(ctx, a):
        return (a >= 0).astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        return g * 0


class Affine(Op):
    """x @ W.T + b for rows of samples, with W of shape (units, inputs): one node for a dense layer."""

    @staticmethod
    def forward(ctx, x, w, b=None):
        ctx.save_for_backward(x, w)
        out = x @ w.T
        if b is not None:
            out += b  # out is ours: adding in place saves a temporary
        return out

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = g @ w if need[0] else None  # the first layer's input needs none: skip the largest product
        gw = g.T @ x if need[1] else None
        return (gx, gw) if len(need) == 2 else (gx, gw, g.sum(axis=0) if need[2] else None)
