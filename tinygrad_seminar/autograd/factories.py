"""Tensor factories, PyTorch's names; random ones draw from the default generator."""

from __future__ import annotations

import numbers

import numpy as np

from . import arguments
from .random import default_generator
from .tensor import Tensor


def _shape(shape, owner: str) -> tuple:
    """The sizes given one by one or as one tuple, checked: whole numbers >= 0."""
    return arguments.shape(shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape, owner)


def _dtype(dtype, owner: str) -> np.dtype:
    return arguments.dtype(dtype, owner)


def _rng(rng, owner: str) -> np.random.Generator:
    return arguments.generator(rng, owner) or default_generator()


def _like(t, owner: str) -> np.ndarray:
    arr = np.asarray(t.data if isinstance(t, Tensor) else t)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{owner}: t must be a Tensor or a numeric array, got {arguments.given(t)}")
    return arr


def _make(arr, requires_grad, owner: str = "") -> Tensor:
    t = Tensor.from_array(arr)
    return t.requires_grad_(True) if arguments.flag(requires_grad, "requires_grad", owner) else t


def tensor(data, requires_grad: bool = False, dtype=None, name: str | None = None) -> Tensor:
    """Tensor(data, ...): lists and Python numbers become float32, arrays keep their dtype."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, name=name)


def zeros(*shape, dtype="float32", requires_grad: bool = False) -> Tensor:
    return _make(np.zeros(_shape(shape, "zeros"), _dtype(dtype, "zeros")), requires_grad, "zeros")


def ones(*shape, dtype="float32", requires_grad: bool = False) -> Tensor:
    return _make(np.ones(_shape(shape, "ones"), _dtype(dtype, "ones")), requires_grad, "ones")


def full(shape, fill_value: float, dtype="float32", requires_grad: bool = False) -> Tensor:
    if isinstance(fill_value, complex) or not isinstance(fill_value, (numbers.Number, np.generic)):
        raise TypeError(f"full: fill_value must be a number, got {arguments.given(fill_value)}")
    return _make(np.full(_shape((shape,), "full"), fill_value, _dtype(dtype, "full")), requires_grad, "full")


def eye(n: int, m: int | None = None, dtype="float32", requires_grad: bool = False) -> Tensor:
    n, m = arguments.whole(n, "n", "eye"), None if m is None else arguments.whole(m, "m", "eye")
    return _make(np.eye(n, m, dtype=_dtype(dtype, "eye")), requires_grad, "eye")


def arange(start: float, stop: float | None = None, step: float = 1, dtype=None,
           requires_grad: bool = False) -> Tensor:
    """int64 when start, stop and step are all integers (as numpy and PyTorch), else float32."""
    if stop is None:
        start, stop = 0, start
    for name, value in (("start", start), ("stop", stop), ("step", step)):
        arguments.real(value, name, "arange")
    if step == 0:
        raise ValueError("arange: step must not be 0")
    if dtype is None:
        whole = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (start, stop, step))
        dtype = np.int64 if whole else np.float32
    return _make(np.arange(start, stop, step, dtype=_dtype(dtype, "arange")), requires_grad, "arange")


def rand(*shape, dtype="float32", requires_grad: bool = False, rng: np.random.Generator | None = None) -> Tensor:
    """Uniform on [0, 1)."""
    shape, dtype = _shape(shape, "rand"), _dtype(dtype, "rand")
    return _make(_rng(rng, "rand").random(shape).astype(dtype), requires_grad, "rand")


def randn(*shape, dtype="float32", requires_grad: bool = False, rng: np.random.Generator | None = None) -> Tensor:
    """Standard normal."""
    shape, dtype = _shape(shape, "randn"), _dtype(dtype, "randn")
    return _make(_rng(rng, "randn").standard_normal(shape).astype(dtype), requires_grad, "randn")


def zeros_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    dtype = None if dtype is None else _dtype(dtype, "zeros_like")
    return _make(np.zeros_like(_like(t, "zeros_like"), dtype=dtype), requires_grad, "zeros_like")


def ones_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    dtype = None if dtype is None else _dtype(dtype, "ones_like")
    return _make(np.ones_like(_like(t, "ones_like"), dtype=dtype), requires_grad, "ones_like")
