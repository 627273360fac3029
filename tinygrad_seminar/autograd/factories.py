"""Tensor factories, PyTorch's names; random ones draw from the default generator."""

from __future__ import annotations

import numpy as np

from .random import default_generator
from .tensor import Tensor


def _shape(shape) -> tuple:
    return tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else tuple(shape)


def _make(arr, requires_grad) -> Tensor:
    t = Tensor.from_array(arr)
    return t.requires_grad_(True) if requires_grad else t


def tensor(data, requires_grad: bool = False, dtype=None, name: str | None = None) -> Tensor:
    """Tensor(data, ...): lists and Python numbers become float32, arrays keep their dtype."""
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, name=name)


def zeros(*shape, dtype="float32", requires_grad: bool = False) -> Tensor:
    return _make(np.zeros(_shape(shape), dtype), requires_grad)


def ones(*shape, dtype="float32", requires_grad: bool = False) -> Tensor:
    return _make(np.ones(_shape(shape), dtype), requires_grad)


def full(shape, fill_value: float, dtype="float32", requires_grad: bool = False) -> Tensor:
    return _make(np.full(_shape((shape,)), fill_value, dtype), requires_grad)


def eye(n: int, m: int | None = None, dtype="float32", requires_grad: bool = False) -> Tensor:
    return _make(np.eye(n, m, dtype=dtype), requires_grad)


def arange(start: float, stop: float | None = None, step: float = 1, dtype=None,
           requires_grad: bool = False) -> Tensor:
    """int64 when start, stop and step are all integers (as numpy and PyTorch), else float32."""
    if stop is None:
        start, stop = 0, start
    if dtype is None:
        whole = all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (start, stop, step))
        dtype = np.int64 if whole else np.float32
    return _make(np.arange(start, stop, step, dtype=dtype), requires_grad)


def rand(*shape, dtype="float32", requires_grad: bool = False, rng: np.random.Generator | None = None) -> Tensor:
    """Uniform on [0, 1)."""
    rng = rng or default_generator()
    return _make(rng.random(_shape(shape)).astype(dtype), requires_grad)


def randn(*shape, dtype="float32", requires_grad: bool = False, rng: np.random.Generator | None = None) -> Tensor:
    """Standard normal."""
    rng = rng or default_generator()
    return _make(rng.standard_normal(_shape(shape)).astype(dtype), requires_grad)


def zeros_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return _make(np.zeros_like(np.asarray(t), dtype=dtype), requires_grad)


def ones_like(t: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return _make(np.ones_like(np.asarray(t), dtype=dtype), requires_grad)
