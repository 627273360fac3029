"""Tensor's operators: arithmetic records an op (both sides in one dtype first); comparisons give arrays."""

from __future__ import annotations

from .base import data_of
from .operands import division_pair, pair
from .ops import math as math_ops


class TensorOperators:
    """Mixed into Tensor: ``+ - * / ** @``, unary ``-`` and ``abs``, ``maximum``/``minimum``, comparisons."""

    __slots__ = ()

    def __add__(self, o):
        return math_ops.Add.apply(*pair(self, o))

    def __radd__(self, o):
        a, b = pair(self, o)
        return math_ops.Add.apply(b, a)

    def __sub__(self, o):
        return math_ops.Sub.apply(*pair(self, o))

    def __rsub__(self, o):
        a, b = pair(self, o)
        return math_ops.Sub.apply(b, a)

    def __mul__(self, o):
        return math_ops.Mul.apply(*pair(self, o))

    def __rmul__(self, o):
        a, b = pair(self, o)
        return math_ops.Mul.apply(b, a)

    def __truediv__(self, o):
        return math_ops.Div.apply(*division_pair(self, o))

    def __rtruediv__(self, o):
        a, b = division_pair(self, o)
        return math_ops.Div.apply(b, a)

    def __pow__(self, o):
        return math_ops.Pow.apply(*pair(self, o))

    def __rpow__(self, o):
        a, b = pair(self, o)
        return math_ops.Pow.apply(b, a)

    def __matmul__(self, o):
        return math_ops.Matmul.apply(*pair(self, o))

    def __rmatmul__(self, o):
        a, b = pair(self, o)
        return math_ops.Matmul.apply(b, a)

    def __neg__(self):
        return math_ops.Neg.apply(self)

    def __abs__(self):
        return math_ops.Abs.apply(self)

    def maximum(self, o):
        return math_ops.Maximum.apply(*pair(self, o))

    def minimum(self, o):
        return math_ops.Minimum.apply(*pair(self, o))

    # ---- comparisons: plain boolean arrays, no gradient ----
    def __lt__(self, o):
        return self.data < data_of(o)

    def __le__(self, o):
        return self.data <= data_of(o)

    def __gt__(self, o):
        return self.data > data_of(o)

    def __ge__(self, o):
        return self.data >= data_of(o)

    def __eq__(self, o):
        return self.data == data_of(o)

    def __ne__(self, o):
        return self.data != data_of(o)
