"""What an op is given: data made into arrays, and the two sides of a binary op brought to one dtype.

The rules (README, "Dtypes"): Python numbers and lists become float32; an integer or boolean operand beside a
floating-point one takes the floating-point dtype, on either side, as in PyTorch's promotion (numpy would
give float64 for float32 and int64); a Python float beside an integer tensor gives float32.
"""

from __future__ import annotations

import numpy as np

from . import arguments
from .base import TensorBase

INTEGER_KINDS = "biu"


def as_array(data, dtype=None) -> np.ndarray:
    """``data`` as a numeric array (a copy); Python numbers and lists become float32."""
    if dtype is not None:  # before the data: an unknown dtype must not read as data that is not numeric
        dtype = arguments.dtype(dtype, "Tensor")
    if isinstance(data, TensorBase):
        data = data.data
    if isinstance(data, (np.ndarray, np.generic)):
        if data.dtype.kind not in "biuf":  # before a cast, whose error ("could not convert") names nothing
            raise TypeError(f"Tensor data must be numeric; got an array of dtype {data.dtype}")
        arr = np.array(data, dtype=dtype)
    else:
        if data is None or isinstance(data, (str, bytes, dict, set)):
            raise TypeError(f"Tensor data must be numbers, a list of numbers or an array; got {type(data).__name__}")
        try:
            arr = np.array(data, dtype=dtype)
        except (TypeError, ValueError) as e:
            raise TypeError(f"Tensor data must be numeric; got {type(data).__name__}: {e}") from None
        if dtype is None and arr.dtype.kind in "biuf":
            arr = arr.astype(np.float32)  # Python numbers and lists become float32, as in PyTorch
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"Tensor data must be numeric; got {type(data).__name__} of dtype {arr.dtype}")
    return arr


def operand(x, like=None):
    """The other side of a binary op: Tensors and arrays as they are, scalars as weak Python numbers.

    An integer (or boolean) array or Tensor beside a floating-point Tensor ``like`` takes its dtype, as in
    PyTorch's promotion: float32 and int64 give float32, where numpy would give float64.
    """
    if isinstance(x, (TensorBase, np.ndarray)):
        dtype = x.data.dtype if isinstance(x, TensorBase) else x.dtype
        if dtype.kind not in "biuf":  # text or objects: numpy's ufunc error would name no operand
            first = x.flat[0] if x.size else None
            example = f" such as {first.item() if isinstance(first, np.generic) else first!r}" if x.size else ""
            raise TypeError(f"the operand of a Tensor op must be a number, a numeric array or a Tensor; got an array "
                            f"of dtype {dtype}{example}")
        if like is not None and dtype.kind in INTEGER_KINDS and like.data.dtype.kind == "f":
            return x.astype(like.data.dtype)
        return x
    if isinstance(x, np.generic):  # np.float64(2) must not turn a float32 tensor into float64
        return x.item()
    if isinstance(x, (int, float)):
        return x
    if isinstance(x, (list, tuple)):
        return as_array(x)
    raise TypeError(f"unsupported operand type for a Tensor op: {type(x).__name__} ({x!r:.40}); accepted: "
                    "numbers, lists of numbers, numeric arrays or Tensors")


def pair(t: TensorBase, o) -> tuple:
    """``(t, o)`` in one dtype for a binary op, whichever side is the integer one."""
    o = operand(o, t)
    if t.data.dtype.kind not in INTEGER_KINDS:
        return t, o
    if isinstance(o, float):  # an integer tensor and a Python float: float32, PyTorch's default dtype
        return cast(t, np.float32), o
    dtype = o.data.dtype if isinstance(o, TensorBase) else getattr(o, "dtype", None)
    if dtype is not None and dtype.kind == "f":
        return cast(t, dtype), o
    return t, o


def division_pair(t: TensorBase, o) -> tuple:
    """``pair(t, o)``, and two integer sides become float32: true division of integers, as in PyTorch."""
    t, o = pair(t, o)
    if t.data.dtype.kind in INTEGER_KINDS:
        t = cast(t, np.float32)
        o = operand(o, t)  # an integer array or Tensor follows; a Python int stays a weak scalar
    return t, o


def cast(t: TensorBase, dtype) -> TensorBase:
    """An integer tensor's values in a floating-point dtype (integer tensors never require grad)."""
    return t.result_type.from_array(t.data.astype(dtype), name=t.name)
