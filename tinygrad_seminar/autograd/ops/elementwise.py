"""More elementwise ops: trigonometric and hyperbolic functions, log1p and expm1, and the rounding family.

Each backward uses only what arrays and Tensors share (``of`` picks the Tensor method or the numpy
function), so second derivatives come from the same code (see function.py). The rounding ops (sign,
floor, ceil, round, trunc) are flat wherever they have a derivative: their gradient is zero, as in PyTorch.
"""

from __future__ import annotations

import math

import numpy as np

from ..base import TensorBase
from .op import Op, data_of


def of(name: str, a):
    """The function ``name`` (sin, cos, sinh, cosh, cumsum...) of an array or a Tensor."""
    return getattr(a, name)() if isinstance(a, TensorBase) else getattr(np, name)(a)


class Sin(Op):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sin(a)

    @staticmethod
    def backward(ctx, g):
        return g * of("cos", ctx.saved_tensors[0])


class Cos(Op):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cos(a)

    @staticmethod
    def backward(ctx, g):
        return -g * of("sin", ctx.saved_tensors[0])


class Tan(Op):
    @staticmethod
    def forward(ctx, a):
        out = np.tan(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out = ctx.saved_tensors[0]
        return g * (out * out + 1)


class Asin(Op):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arcsin(a)

    @staticmethod
    def backward(ctx, g):
        a = ctx.saved_tensors[0]
        return g * (1 - a * a) ** -0.5


class Acos(Op):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arccos(a)

    @staticmethod
    def backward(ctx, g):
        a = ctx.saved_tensors[0]
        return -g * (1 - a * a) ** -0.5


class Atan(Op):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.arctan(a)

    @staticmethod
    def backward(ctx, g):
        a = ctx.saved_tensors[0]
        return g / (a * a + 1)


class Sinh(Op):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.sinh(a)

    @staticmethod
    def backward(ctx, g):
        return g * of("cosh", ctx.saved_tensors[0])


class Cosh(Op):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.cosh(a)

    @staticmethod
    def backward(ctx, g):
        return g * of("sinh", ctx.saved_tensors[0])


class Log1p(Op):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log1p(a)

    @staticmethod
    def backward(ctx, g):
        return g / (ctx.saved_tensors[0] + 1)


class Expm1(Op):
    @staticmethod
    def forward(ctx, a):
        out = np.expm1(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        return g * (ctx.saved_tensors[0] + 1)


class Rounding(Op):
    """sign, floor, ceil, round (half to even, as PyTorch) or trunc: piecewise constant, gradient zero."""

    @staticmethod
    def forward(ctx, a, fn="sign"):
        return getattr(np, fn)(a)

    @staticmethod
    def backward(ctx, g):
        return g * 0


class Cumsum(Op):
    """Running sums along ``axis``; the gradient is the running sum of g from the other end."""

    @staticmethod
    def forward(ctx, a, axis):
        ctx.axis = axis
        return np.cumsum(a, axis=axis)

    @staticmethod
    def backward(ctx, g):
        rev = (slice(None),) * (ctx.axis % g.ndim) + (slice(None, None, -1),)
        flipped = g[rev]
        summed = Cumsum.apply(flipped, axis=ctx.axis) if isinstance(g, TensorBase) else np.cumsum(flipped, ctx.axis)
        return summed[rev]


class Erf(Op):
    """The error function (math.erf elementwise, as numpy has none); d/da = 2 / sqrt(pi) e^(-a^2)."""

    _erf = staticmethod(np.frompyfunc(math.erf, 1, 1))

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.asarray(Erf._erf(a), dtype=a.dtype)

    @staticmethod
    def backward(ctx, g):
        a = ctx.saved_tensors[0]
        return g * (2 / math.sqrt(math.pi)) * of("exp", -(a * a))


class Clone(Op):
    """A copy of the data; the gradient passes as it is."""

    @staticmethod
    def forward(ctx, a):
        return a.copy()

    @staticmethod
    def backward(ctx, g):
        return g


class FloorDivide(Op):
    """floor(a / b): PyTorch does not differentiate floor_divide, and neither does this (backward refuses)."""

    label = "//"  # as written in code

    @staticmethod
    def forward(ctx, a, b):
        if np.result_type(a, b).kind in "biu":  # integers stay integers, and / 0 is an error, as in PyTorch
            if np.any(np.asarray(b) == 0):
                raise ZeroDivisionError("integer division (// or %) by zero")
            return np.floor_divide(a, b)
        return np.floor(a / b)

    @staticmethod
    def backward(ctx, g):
        raise RuntimeError("the derivative of a // b (floor_divide) is not implemented, as in PyTorch; for its "
                           "gradient zero write (a / b).floor(), or detach the result: (a // b).detach()")


class StdRoot(Op):
    """sqrt(v) for std: its gradient is 0 where v = 0 (a constant input), as PyTorch's std, not 1 / 0."""

    label = "sqrt"

    @staticmethod
    def forward(ctx, a):
        out = np.sqrt(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out = ctx.saved_tensors[0]
        flat = data_of(out) == 0  # a constant: each entry moved alone raises the std, none is the way
        return g / ((out + flat) * 2) * ~flat
