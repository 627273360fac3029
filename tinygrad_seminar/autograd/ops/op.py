"""Op, the base of the built-in ops, and the helpers their backward code shares.

Backward code uses only what numpy arrays and Tensors share, so one body gives first derivatives on
arrays and, under ``create_graph``, records second ones on Tensors (see function.py). ``data_of`` reads
the raw numbers of a saved value, for masks, which are constants either way. The engine un-broadcasts,
casts and accumulates whatever a backward returns.
"""

from __future__ import annotations

import math
import re

import numpy as np

from ..base import TensorBase, data_of
from ..function import Function

__all__ = ["Op", "check_axis", "count", "data_of", "exp_of", "inverse", "kept_shape", "log_of", "reduced_axes",
           "shifted", "sigmoid_of", "softmax_of", "stable_sigmoid"]


class Op(Function):
    """A built-in op: its backward is differentiable, and numpy's shape errors name the op."""

    differentiable_backward = True
    protects_inputs = False  # built-in forwards never write into their inputs: no read-only views needed
    explains_shape_errors = True

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "label" not in vars(cls):  # a picture names a built-in op as its function: LogSoftmax -> log_softmax
            cls.label = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", cls.__name__).lower()


def stable_sigmoid(a: np.ndarray) -> np.ndarray:
    """sigma(z) = exp(-log(1 + e^-z)): no overflow for any z, full relative precision in both tails."""
    return np.exp(-np.logaddexp(0, -a))


def exp_of(a):
    """e^a for an array or a Tensor."""
    return a.exp() if isinstance(a, TensorBase) else np.exp(a)


def log_of(a):
    """ln a for an array or a Tensor."""
    return a.log() if isinstance(a, TensorBase) else np.log(a)


def sigmoid_of(a):
    """sigma(a) for an array or a Tensor, stable for any a."""
    return a.sigmoid() if isinstance(a, TensorBase) else stable_sigmoid(a)


def shifted(a: np.ndarray, axis: int = -1) -> np.ndarray:
    """a - max a along ``axis``: what softmax exponentiates. A difference beyond the float range (logits near
    +-3e38) is -inf, whose e^ is the exact 0, without numpy's overflow warning: such logits are no error."""
    with np.errstate(over="ignore"):
        return a - a.max(axis=axis, keepdims=True)


def softmax_of(a, axis: int = -1):
    """S(a) along ``axis`` for an array or a Tensor, shifted by the max for stability."""
    if isinstance(a, TensorBase):
        return a.softmax(axis)
    e = np.exp(shifted(a, axis))
    return e / e.sum(axis=axis, keepdims=True)


def check_axis(axis: int, ndim: int) -> int:
    """``axis`` as a non-negative axis, else PyTorch's IndexError. A 0-d tensor takes 0 and -1 (giving 0)."""
    n = ndim if ndim > 0 else 1
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, (bool, np.bool_)):
        raise TypeError(f"axis must be an int (or a tuple of ints), got {axis!r} ({type(axis).__name__})")
    if not -n <= axis < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {axis})")
    return axis % n if ndim > 0 else 0


def reduced_axes(axis, ndim: int) -> tuple:
    """``axis`` (None, an int or a sequence) as a tuple of non-negative axes; on a 0-d tensor, ()."""
    if axis is None:
        return tuple(range(ndim))
    axes = tuple(check_axis(a, ndim) for a in (axis if isinstance(axis, (tuple, list)) else (axis,)))
    return axes if ndim > 0 else ()


def count(shape: tuple, axis) -> int:
    """How many elements a reduction over ``axis`` folds into one."""
    return math.prod(shape[a] for a in reduced_axes(axis, len(shape)))


def inverse(n: float) -> float:
    """1 / n, and nan for n <= 0, as numpy's mean and var give for nothing to average."""
    return 1.0 / n if n > 0 else math.nan


def kept_shape(shape: tuple, axis) -> tuple:
    """``shape`` with the reduced axes kept as 1s (what keepdims=True gives)."""
    axes = reduced_axes(axis, len(shape))
    return tuple(1 if i in axes else n for i, n in enumerate(shape))
