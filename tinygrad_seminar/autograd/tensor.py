"""Tensor: a numpy array that remembers the op it came from; its operators call the ops.

The fields and the one constructor path are in base.py, the op base class and how one backward
serves first and second derivatives in function.py, the ops in ops/, backward in engine.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from operator import attrgetter

import numpy as np

from . import arguments, engine
from .base import TensorBase, data_of
from .composites import composite
from .display import tensor_html
from .hooks import HookHandle, add_hook
from .jit_trace import replayed
from .operands import as_array
from .ops import math as math_ops
from .ops import reduce as reduce_ops
from .ops import shape as shape_ops
from .ops.op import check_axis, count, inverse
from .tensor_moves import TensorMoves
from .tensor_operators import TensorOperators
from .tensor_ops import TensorOps, pick_axis, pick_ddof


def as_tensor(x) -> Tensor:
    """``x`` itself if it is a Tensor, else ``Tensor(x)``."""
    return x if isinstance(x, Tensor) else Tensor(x)


def _index(idx):
    if isinstance(idx, tuple):
        return tuple(_index(i) for i in idx)
    if isinstance(idx, Tensor):
        idx = idx.data
    elif isinstance(idx, list):
        idx = np.asarray(idx)
        if idx.size == 0:
            return idx.astype(np.intp)  # x[[]]: nothing picked, as in PyTorch
    if isinstance(idx, np.ndarray) and idx.dtype.kind not in "biu":
        raise IndexError(
            f"a tensor used as an index must hold integers or booleans; this one has dtype {idx.dtype}. "
            "Lists of Python numbers become float32 tensors: make an index tensor with "
            "ts.tensor([...], dtype=\"int64\"), or index with the list itself (x[[0, 2]])."
        )
    return idx


def _bound(value, name: str):
    """A bound of clip: None, a real number, or a numeric array (a Tensor's data); else a TypeError naming it."""
    value = data_of(value)
    kind = getattr(np.asarray(value) if isinstance(value, (list, tuple)) else value, "dtype", None)
    if value is None or (isinstance(value, (int, float, np.number)) and not isinstance(value, bool)) or (
            kind is not None and kind.kind in "iuf"):
        return value
    raise TypeError(f"clip: {name} must be None, a real number or a numeric array, got {value!r:.40} "
                    f"({type(value).__name__})")


def _same(t: Tensor) -> Tensor:
    """``t`` itself, for an op that changes nothing; under no_grad, a detached alias, so grad mode holds."""
    return t.detach() if t.requires_grad and not engine.is_grad_enabled() else t


class Tensor(TensorOperators, TensorOps, TensorMoves, TensorBase):
    """``Tensor(data, requires_grad=False, dtype=None, name=None)``: an array that records its graph.

    Python numbers and lists become float32; numpy arrays keep their dtype (the data is copied,
    as ``torch.tensor`` does). Only floating-point tensors can require grad.
    """

    __slots__ = ()
    __hash__ = object.__hash__

    def __new__(cls, data, requires_grad: bool = False, dtype=None, name: str | None = None):
        arguments.flag(requires_grad, "requires_grad", cls.__name__)
        arguments.optional_name(name, cls.__name__)
        t = cls.from_array(as_array(data, dtype), name=name)
        return t.requires_grad_(True) if requires_grad else t

    # ---- properties and plain helpers ----
    # the array's, read by attrgetter: in C, so that ``x.shape`` costs no Python call (layers and losses read them
    # on every step)
    shape = property(attrgetter("data.shape"), doc="The array's shape.")
    ndim = property(attrgetter("data.ndim"), doc="The array's ndim.")
    size = property(attrgetter("data.size"), doc="The array's size.")
    dtype = property(attrgetter("data.dtype"), doc="The array's dtype.")

    def requires_grad_(self, flag: bool = True) -> Tensor:
        """Set whether gradients flow to this (leaf) tensor; returns it."""
        arguments.flag(flag, "flag", "requires_grad_")
        if flag and self.data.dtype.kind != "f":
            raise TypeError(
                f"only floating-point tensors can require grad; this one has dtype {self.data.dtype}. "
                "Make it with dtype='float32' (or float64) first."
            )
        if not flag and self.grad_fn is not None:
            raise RuntimeError("requires_grad_(False) on a tensor computed by an op: use .detach() instead")
        self.requires_grad = bool(flag)
        return self

    def register_hook(self, fn: Callable) -> HookHandle:
        """Call ``fn(grad)`` in each backward, once this tensor's gradient is complete; returns a handle.

        ``grad`` is a numpy array (a Tensor under create_graph). ``fn`` may return a replacement, which is
        what flows on (into ``.grad`` for a leaf); hooks run in the order they were registered.
        """
        if not self.requires_grad:
            raise RuntimeError("register_hook on a tensor that does not require grad: no gradient will reach it")
        if self.hooks is None:
            self.hooks = {}
        return add_hook(self.hooks, fn, "register_hook")

    def retain_grad(self) -> Tensor:
        """Keep ``.grad`` on this non-leaf tensor too after backward (to look at a delta, say)."""
        self.retains_grad = True
        return self

    def item(self) -> float:
        return self.data.item()

    def numpy(self) -> np.ndarray:
        return self.data

    def __array__(self, dtype=None, copy=None):
        # numpy 2's protocol: copy=True copies, False never copies (or refuses), None copies only if needed.
        # np.array(t) copies: optimisers update .data in place, so a shared array would change later.
        if dtype is not None and np.dtype(dtype) != self.data.dtype:
            if copy is False:
                raise ValueError(f"cannot give a {np.dtype(dtype)} view of a {self.data.dtype} Tensor without a copy")
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    def __bool__(self) -> bool:
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.data.item())  # item(): a one-element tensor of any shape, as PyTorch allows

    def __int__(self) -> int:
        return int(self.data.item())

    def detach(self) -> Tensor:
        """The same data (shared memory), cut from the graph."""
        return Tensor.from_array(self.data)

    @replayed
    def zero_grad(self) -> None:
        self.grad = None

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(")
        extra = "" if self.dtype == np.float32 else f", dtype={self.dtype}"
        if self.grad_fn is not None:
            extra += f", grad_fn=<{type(self.grad_fn).__name__}>"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        if self.name:
            extra += f", name={self.name!r}"
        return f"Tensor({body}{extra})"

    def _repr_html_(self) -> str:
        """Jupyter's view: a small table (shape, dtype, requires_grad, grad_fn) and the values abbreviated."""
        return tensor_html(self)

    # ---- backward ----
    def backward(self, gradient=None, retain_graph: bool = False, create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (times ``gradient`` if given).

        With ``create_graph=True`` each ``.grad`` is a Tensor that records its graph (so it can be
        differentiated again), and the graph is kept; otherwise ``.grad`` is a numpy array."""
        if not self.requires_grad:
            raise RuntimeError("backward() on a tensor that does not require grad: no input of it has "
                               "requires_grad=True (or it was computed under no_grad)")
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward() without a gradient needs a scalar output; this one has shape {self.shape}. "
                    "Pass gradient= of that shape, or reduce first (loss.mean())."
                )
            shape, dtype = self.data.shape, self.data.dtype  # a 0-d loss: np.array, which costs less than np.ones
            gradient = np.array(1, dtype) if shape == () else np.ones(shape, dtype)
        else:
            gradient = np.asarray(data_of(gradient))
            if gradient.dtype.kind not in "biuf":
                raise TypeError(f"backward: gradient must be a numeric array or Tensor, got {gradient!r:.40}")
            gradient = gradient.astype(self.dtype, copy=False)
            if gradient.shape != self.shape:
                raise ValueError(f"backward(gradient=...): expected shape {self.shape}, got {gradient.shape}")
        seed = Tensor.from_array(gradient) if create_graph else gradient
        engine.backward([self], [seed], retain_graph=retain_graph or create_graph, create_graph=create_graph)

    # ---- elementwise ----
    def exp(self):
        return math_ops.Exp.apply(self)

    def log(self):
        return math_ops.Log.apply(self)

    def sqrt(self):
        return math_ops.Sqrt.apply(self)

    def abs(self):
        return math_ops.Abs.apply(self)

    def tanh(self):
        return math_ops.Tanh.apply(self)

    def sigmoid(self):
        return math_ops.Sigmoid.apply(self)

    def relu(self):
        return math_ops.Relu.apply(self)

    def softplus(self):
        return math_ops.Softplus.apply(self)

    def clip(self, min=None, max=None):  # noqa: A002 - numpy's and PyTorch's names
        return math_ops.Clip.apply(self, lo=_bound(min, "min"), hi=_bound(max, "max"))

    def astype(self, dtype):
        dtype = arguments.dtype(dtype, "astype", kinds="biufc")
        if dtype == self.dtype:
            return _same(self)
        if np.dtype(dtype).kind not in "fc":  # an integer result never requires grad, nor passes one back
            return Tensor.from_array(self.data.astype(dtype), name=self.name)
        out = math_ops.Cast.apply(self, dtype=np.dtype(dtype))
        if out.grad_fn is None:  # an unrecorded copy stands for self (Dense casting x): it keeps self's name
            out.name = self.name
        return out

    # ---- reductions ----
    def sum(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
        if dim is not None or keepdim is not None:
            axis, keepdims = pick_axis(axis, keepdims, dim, keepdim)
        return reduce_ops.Sum.apply(self, axis=axis, keepdims=keepdims)

    @composite("mean")
    def mean(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
        if dim is not None or keepdim is not None:
            axis, keepdims = pick_axis(axis, keepdims, dim, keepdim)
        return self.sum(axis, keepdims) * inverse(count(self.shape, axis))

    def max(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
        if dim is not None or keepdim is not None:
            axis, keepdims = pick_axis(axis, keepdims, dim, keepdim)
        return reduce_ops.Max.apply(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
        if dim is not None or keepdim is not None:
            axis, keepdims = pick_axis(axis, keepdims, dim, keepdim)
        return reduce_ops.Min.apply(self, axis=axis, keepdims=keepdims)

    @composite("var")
    def var(self, axis=None, keepdims: bool = False, ddof: int | None = None, *, dim=None, keepdim=None,
            correction: float | None = None, unbiased: bool | None = None):
        """mean((x - mean(x))^2), dividing by n - ddof: by n by default, as numpy and Keras (PyTorch: n - 1);
        PyTorch's ``correction=`` or ``unbiased=`` instead of ddof. ddof >= n: inf (0 / 0: nan), as numpy."""
        if dim is not None or keepdim is not None:
            axis, keepdims = pick_axis(axis, keepdims, dim, keepdim)
        d = self - self.mean(axis, keepdims=True)
        n = count(self.shape, axis) - pick_ddof(ddof, correction, unbiased)
        if n > 0:
            return (d * d).sum(axis, keepdims) * (1.0 / n)
        with np.errstate(invalid="ignore"):  # 0 * inf: nan where every deviation is 0, as numpy gives
            return (d * d).sum(axis, keepdims) * math.inf

    def softmax(self, axis: int = -1, *, dim: int | None = None):
        return reduce_ops.Softmax.apply(self, axis=axis if dim is None else dim)  # PyTorch's dim= wins

    def log_softmax(self, axis: int = -1, *, dim: int | None = None):
        return reduce_ops.LogSoftmax.apply(self, axis=axis if dim is None else dim)

    # ---- shapes ----
    def reshape(self, *shape):
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        if not all(arguments.is_whole(n) for n in shape):
            raise TypeError(f"reshape: shape must be whole numbers (one may be -1), got {tuple(shape)!r}")
        return shape_ops.Reshape.apply(self, shape=tuple(shape))

    def flatten(self, start_dim: int = 0, end_dim: int = -1):
        """The axes start_dim to end_dim merged into one (all of them by default), as PyTorch's."""
        start, end = check_axis(start_dim, max(self.ndim, 1)), check_axis(end_dim, max(self.ndim, 1))
        if self.ndim == 0:
            return self.reshape(1)
        if start > end:
            raise ValueError(f"flatten: start_dim ({start_dim}) comes after end_dim ({end_dim}) for a tensor of "
                             f"{self.ndim} axes")
        merged = math.prod(self.shape[start:end + 1])  # not -1: a tensor of no elements has a shape all the same
        return self.reshape(self.shape[:start] + (merged,) + self.shape[end + 1:])

    def expand_dims(self, axis: int):
        axis = check_axis(axis, self.ndim + 1)  # out of range: PyTorch's IndexError, not numpy's AxisError
        return self.reshape(self.shape[:axis] + (1,) + self.shape[axis:])

    def transpose(self, *axes):
        """transpose(a, b): axes a and b swapped, as PyTorch's; transpose() and .T: all axes reversed;
        transpose(axes) with a tuple of every axis (or three or more listed): numpy's permutation."""
        if len(axes) == 2 and not isinstance(axes[0], (tuple, list)):
            return self.swapaxes(*axes)
        axes = axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
        if axes and len(axes) != self.ndim:
            raise ValueError(f"transpose: axes {tuple(axes)} are not a permutation of the {self.ndim} axes; swap two "
                             f"with transpose(a, b) (or swapaxes), permute them all with transpose(axes) or permute")
        return shape_ops.Transpose.apply(self, axes=tuple(axes) if axes else None)

    def swapaxes(self, a: int, b: int):
        if self.ndim == 0:  # a scalar's one "axis", 0 or -1, as in PyTorch
            check_axis(a, 1), check_axis(b, 1)
            return _same(self)
        a, b = check_axis(a, self.ndim), check_axis(b, self.ndim)
        axes = list(range(self.ndim))
        axes[a], axes[b] = axes[b], axes[a]
        return shape_ops.Transpose.apply(self, axes=tuple(axes))

    T = property(lambda self: self.transpose())

    def broadcast_to(self, shape):
        return _same(self) if tuple(shape) == self.shape else shape_ops.BroadcastTo.apply(self, shape=tuple(shape))

    def __getitem__(self, idx):
        return shape_ops.GetItem.apply(self, idx=_index(idx))

    def __setitem__(self, idx, value) -> None:
        """In place, on a tensor that does not require grad; on one that does, an error naming the way out."""
        if self.requires_grad:
            raise RuntimeError("x[idx] = value on a tensor that requires grad would change a value the graph has "
                               "used: build a new tensor out of place instead, e.g. x = ts.where(mask, value, x), "
                               "x.scatter_add(dim, index, src), or change x.data under ts.no_grad()")
        self.data[_index(idx)] = data_of(value)


Tensor.result_type = Tensor  # results of ops are plain Tensors, whatever subclass their inputs are
