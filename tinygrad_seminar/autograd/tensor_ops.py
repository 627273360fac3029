"""More Tensor methods, with PyTorch's names (issue 17): elementwise functions, reductions, shapes.

``Tensor`` (tensor.py) inherits them from ``TensorOps``. Reductions take ``dim=`` and ``keepdim=`` beside
``axis=`` and ``keepdims=``. Composed methods are written from the primitive ops, so their gradients and
second derivatives come from those ops' backward.
"""

from __future__ import annotations

import math

import numpy as np

from . import arguments
from .composites import composite
from .operands import pair
from .ops import elementwise as ew
from .ops import math as math_ops
from .ops import shape as shape_ops
from .ops.op import check_axis, reduced_axes

SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805  # PyTorch's constants


def pick_axis(axis, keepdims, dim=None, keepdim=None) -> tuple:
    """(axis, keepdims) from numpy's names or PyTorch's (``dim``, ``keepdim``); two different axes are an error."""
    if dim is not None and axis is not None and dim != axis:
        raise TypeError(f"give the axis once, as axis= (numpy) or dim= (PyTorch); got axis={axis!r} and dim={dim!r}")
    return (axis if dim is None else dim), bool(keepdims if keepdim is None else keepdim)


def pick_ddof(ddof, correction=None, unbiased=None):
    """The ddof of var and std from numpy's ``ddof=`` or PyTorch's ``correction=`` / ``unbiased=``; 0 if none."""
    given = {k: v for k, v in (("ddof", ddof), ("correction", correction), ("unbiased", unbiased)) if v is not None}
    if len(given) > 1:
        raise TypeError("give the correction once, as ddof= (numpy), correction= or unbiased= (PyTorch); got "
                        + ", ".join(f"{k}={v!r}" for k, v in given.items()))
    if unbiased is not None:
        if not isinstance(unbiased, (bool, np.bool_)):
            raise TypeError(f"unbiased must be True (divide by n - 1) or False (by n); got {unbiased!r}")
        return int(unbiased)
    return 0 if not given else next(iter(given.values()))


class TensorOps:
    """The methods issue 17 adds; mixed into Tensor."""

    __slots__ = ()

    # ---- elementwise ----
    def sin(self):
        return ew.Sin.apply(self)

    def cos(self):
        return ew.Cos.apply(self)

    def tan(self):
        return ew.Tan.apply(self)

    def asin(self):
        return ew.Asin.apply(self)

    def acos(self):
        return ew.Acos.apply(self)

    def atan(self):
        return ew.Atan.apply(self)

    def sinh(self):
        return ew.Sinh.apply(self)

    def cosh(self):
        return ew.Cosh.apply(self)

    def log1p(self):
        return ew.Log1p.apply(self)

    def expm1(self):
        return ew.Expm1.apply(self)

    def erf(self):
        return ew.Erf.apply(self)

    def log2(self):
        return self.log() * (1 / math.log(2))

    def log10(self):
        return self.log() * (1 / math.log(10))

    def square(self):
        return self * self

    def rsqrt(self):
        return self**-0.5

    def reciprocal(self):
        return 1 / self

    def sign(self):
        return ew.Rounding.apply(self, fn="sign")

    def floor(self):
        return ew.Rounding.apply(self, fn="floor")

    def ceil(self):
        return ew.Rounding.apply(self, fn="ceil")

    def round(self):
        return ew.Rounding.apply(self, fn="round")

    def trunc(self):
        return ew.Rounding.apply(self, fn="trunc")

    def __floordiv__(self, o):
        """floor(a / b); like PyTorch's floor_divide it has no derivative: backward through it refuses."""
        return ew.FloorDivide.apply(*pair(self, o))

    def __rfloordiv__(self, o):
        a, b = pair(self, o)
        return ew.FloorDivide.apply(b, a)

    def __mod__(self, o):
        """a - b floor(a / b), with the sign of b as Python and PyTorch; d/da = 1, d/db = -floor(a / b)."""
        return self - (self // o).detach() * o

    def __rmod__(self, o):
        return o - (o // self).detach() * self

    # ---- activations ----
    @composite("silu")
    def silu(self):
        return self * self.sigmoid()

    @composite("gelu")
    def gelu(self):
        """x Phi(x) with the exact Gaussian CDF (PyTorch's default, approximate='none')."""
        return self * ((self * (1 / math.sqrt(2))).erf() + 1) * 0.5

    @composite("elu")
    def elu(self, alpha: float = 1.0):
        """x where x > 0, else alpha (e^x - 1); exp sees only x <= 0, so nothing overflows."""
        return math_ops.Where.apply(self.data > 0, self, (self.clip(max=0).exp() - 1) * alpha)

    @composite("leaky_relu")
    def leaky_relu(self, negative_slope: float = 0.2):
        """x where x > 0, else negative_slope x (Keras' default slope 0.2; PyTorch's is 0.01)."""
        arguments.real(negative_slope, "negative_slope", "leaky_relu")
        return math_ops.Where.apply(self.data > 0, self, self * negative_slope)

    def step(self):
        """1 where x >= 0, else 0 (Heaviside: the perceptron's activation); its gradient is zero."""
        return math_ops.Step.apply(self)

    def matmul(self, other):
        """self @ other (numpy's 1-D and batched rules)."""
        return self @ other

    @composite("selu")
    def selu(self):
        return self.elu(SELU_ALPHA) * SELU_SCALE

    @composite("softsign")
    def softsign(self):
        return self / (abs(self) + 1)

    @composite("hardtanh")
    def hardtanh(self, min_val: float = -1.0, max_val: float = 1.0):
        """clip(x, min_val, max_val); its gradient is g strictly inside and 0 at the bounds, as PyTorch's."""
        inside = (self.data > min_val) & (self.data < max_val)
        return math_ops.Where.apply(inside, self, np.clip(self.data, min_val, max_val))

    # ---- comparisons ----
    def isclose(self, other, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False):
        out = np.isclose(self.data, getattr(other, "data", other), rtol=rtol, atol=atol, equal_nan=equal_nan)
        return self.result_type.from_array(np.asarray(out))

    def allclose(self, other, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> bool:
        return bool(self.isclose(other, rtol, atol, equal_nan).data.all())

    # ---- reductions ----
    def argmax(self, axis: int | None = None, keepdims: bool = False, *, dim=None, keepdim=None):
        """The index of the largest entry (of the flattened tensor, or along ``axis``): an int64 Tensor."""
        return self._arg("argmax", *pick_axis(axis, keepdims, dim, keepdim))

    def argmin(self, axis: int | None = None, keepdims: bool = False, *, dim=None, keepdim=None):
        """The index of the smallest entry (of the flattened tensor, or along ``axis``): an int64 Tensor."""
        return self._arg("argmin", *pick_axis(axis, keepdims, dim, keepdim))

    def _arg(self, fn: str, axis, keepdims: bool):
        if axis is not None:  # out of range: PyTorch's IndexError; a 0-d tensor takes 0 and -1 (index 0)
            axis = check_axis(axis, self.ndim)
            if self.ndim == 0:
                axis = None
        out = getattr(self.data, fn)(axis=axis, keepdims=keepdims)
        return self.result_type.from_array(np.asarray(out, dtype=np.int64))  # an index: it never requires grad

    @composite("std")
    def std(self, axis=None, keepdims: bool = False, ddof: int | None = None, *, dim=None, keepdim=None,
            correction: float | None = None, unbiased: bool | None = None):
        """sqrt(var), dividing by n - ddof: by n by default, as numpy and Keras (PyTorch's default is n - 1).

        PyTorch's ``correction=`` (as ddof) and ``unbiased=`` (True: n - 1) are accepted instead of ddof.
        At a constant input (std 0) the gradient is 0, as PyTorch's."""
        axis, keepdims = pick_axis(axis, keepdims, dim, keepdim)
        return ew.StdRoot.apply(self.var(axis, keepdims, pick_ddof(ddof, correction, unbiased)))

    @composite("logsumexp")
    def logsumexp(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
        """log sum e^x, shifted by the max (a constant) for stability."""
        axis, keepdims = pick_axis(axis, keepdims, dim, keepdim)
        axis = None if axis is None else reduced_axes(axis, self.ndim)  # out of range: PyTorch's IndexError
        m = self.data.max(axis=axis, keepdims=True) if self.size else np.zeros((1,) * self.ndim, self.dtype)
        m = np.where(np.isfinite(m), m, 0)
        with np.errstate(divide="ignore"):  # all -inf: log 0 = -inf, as numpy and PyTorch give
            out = (self - m).exp().sum(axis, keepdims=True).log() + m
        return out.reshape(_reduced_shape(self.shape, axis, keepdims))

    def cumsum(self, axis=None, *, dim=None):
        axis = axis if dim is None else dim
        if axis is None:
            return ew.Cumsum.apply(self.reshape(-1), axis=0)
        return ew.Cumsum.apply(self, axis=check_axis(axis, self.ndim))

    def all(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
        axis, keepdims = pick_axis(axis, keepdims, dim, keepdim)
        axis = None if axis is None else reduced_axes(axis, self.ndim)
        return self.result_type.from_array(np.asarray(self.data.all(axis=axis, keepdims=keepdims)))

    def any(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
        axis, keepdims = pick_axis(axis, keepdims, dim, keepdim)
        axis = None if axis is None else reduced_axes(axis, self.ndim)
        return self.result_type.from_array(np.asarray(self.data.any(axis=axis, keepdims=keepdims)))

    # ---- shapes ----
    def clone(self):
        return ew.Clone.apply(self)

    def squeeze(self, dim=None):
        """Drop axes of length 1 (only ``dim``, when given and of length 1, as PyTorch)."""
        if dim is None:
            return self.reshape([n for n in self.shape if n != 1])
        axes = {check_axis(d, self.ndim) for d in (dim if isinstance(dim, (tuple, list)) else (dim,))}
        return self.reshape([n for i, n in enumerate(self.shape) if not (i in axes and n == 1)])

    def unsqueeze(self, dim: int):
        d = check_axis(dim, self.ndim + 1)
        return self.reshape(self.shape[:d] + (1,) + self.shape[d:])

    def permute(self, *dims):
        dims = dims[0] if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
        if sorted(check_axis(d, self.ndim) for d in dims) != list(range(self.ndim)):
            raise RuntimeError(f"permute: dims {tuple(dims)} are not a permutation of the {self.ndim} axes")
        return self.transpose(dims)

    def flip(self, *dims):
        dims = dims[0] if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
        if not dims:
            raise TypeError("flip needs the dims to reverse, as in PyTorch: x.flip(0), x.flip(0, 1)")
        axes = {check_axis(d, self.ndim) for d in dims}
        idx = tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(self.ndim))
        return shape_ops.GetItem.apply(self, idx=idx)

    def expand(self, *shape):
        """broadcast_to, where -1 keeps an axis as it is (PyTorch's expand)."""
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        lead = len(shape) - self.ndim
        return self.broadcast_to(tuple(self.shape[i - lead] if n == -1 else n for i, n in enumerate(shape)))


def _reduced_shape(shape: tuple, axis, keepdims: bool) -> tuple:
    if axis is None:
        return (1,) * len(shape) if keepdims else ()
    axes = {check_axis(a, len(shape)) for a in (axis if isinstance(axis, (tuple, list)) else (axis,))}
    return tuple(1 if i in axes else n for i, n in enumerate(shape) if keepdims or i not in axes)


__all__ = ["TensorOps", "pick_axis", "pick_ddof"]
