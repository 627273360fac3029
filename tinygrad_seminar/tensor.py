"""Tensor: a numpy array that remembers the op it came from; Function: the base of every op.

How one backward serves both first and second derivatives: an op's ``backward(ctx, g)`` is written
with operators (``* / @ -``) and methods (``.sum``, ``.reshape``, ``.swapaxes``...) that numpy arrays and
Tensors share. A plain backward passes numpy arrays, so it costs what numpy costs. With
``create_graph=True`` the engine passes Tensors, and ``saved_tensors`` returns, for every saved array
that is an input's or the output's data, that Tensor itself: the same code then records a graph that
can be differentiated again. Any other saved array is a constant there, so built-in ops save only
inputs and outputs, and derive from other arrays nothing but masks (whose derivative is zero).
"""

from __future__ import annotations

import numpy as np

_RELEASED = object()


class _GradMode:
    """Whether ops record the graph (``ts.no_grad()`` turns it off): the engine's one global switch."""

    enabled = True


_mode = _GradMode()


class Function:
    """An op: subclass it with static ``forward(ctx, *arrays)`` and ``backward(ctx, grad_output)``.

    ``forward`` gets numpy arrays (and any non-Tensor arguments as given) and returns an array;
    ``backward`` returns one gradient per input (a bare array for one input, ``None`` where an
    input needs none). Call ``MyOp.apply(x, ...)``. A student's numpy ``Function`` is first-order;
    built-in ops set ``differentiable_backward = True`` (see the module docstring).
    """

    __slots__ = ("inputs", "kwargs", "_saved", "_out", "__dict__")
    differentiable_backward = False
    _names_shapes = False  # built-in ops rewrite numpy's shape errors to name the op and the shapes

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("a Function needs a static forward(ctx, *arrays)")

    @staticmethod
    def backward(ctx, grad_output):
        raise NotImplementedError("a Function needs a static backward(ctx, grad_output)")

    def save_for_backward(self, *arrays) -> None:
        """Keep what backward needs; backward releases it unless ``retain_graph=True``."""
        self._saved = arrays

    @property
    def saved_tensors(self) -> tuple:
        if self._saved is _RELEASED:
            raise RuntimeError(
                f"Trying to backward through {type(self).__name__} a second time, but the arrays it saved "
                "were freed by the first backward. Pass retain_graph=True to the first backward (or "
                "ts.grad) if you need to backward twice."
            )
        return self._saved

    @property
    def needs_input_grad(self) -> tuple:
        """One flag per input: does it want a gradient?"""
        return tuple([isinstance(a, Tensor) and a.requires_grad for a in self.inputs])

    def _backward_recorded(self, g):
        """Backward with Tensors in place of saved inputs and outputs, so that it is recorded."""
        saved = self.saved_tensors
        by_id = {id(t.data): t for t in self.inputs if isinstance(t, Tensor)}
        by_id[id(self._out.data)] = self._out
        self._saved = tuple(by_id.get(id(s), s) if isinstance(s, np.ndarray) else s for s in saved)
        try:
            return type(self).backward(self, g)
        finally:
            self._saved = saved

    @classmethod
    def apply(cls, *args, **kwargs) -> Tensor:
        ctx = object.__new__(cls)
        ctx._saved, ctx.inputs, ctx.kwargs = (), args, kwargs  # forward may ask ctx.needs_input_grad
        raw = [a.data if isinstance(a, Tensor) else a for a in args]
        try:
            out = cls.forward(ctx, *raw, **kwargs)
        except ValueError as e:
            if not cls._names_shapes:  # a student's own error message stays as they wrote it
                raise
            shapes = [str(np.shape(r)) for r in raw if not isinstance(r, (int, float))]
            if "shape" in kwargs:  # reshape, broadcast_to: the shape asked for is the other one
                shapes.append(str(tuple(int(n) for n in kwargs["shape"])))
            shapes = " and ".join(shapes)
            raise ValueError(f"{cls.__name__}: cannot apply to shapes {shapes}: {e}") from None
        if type(out) is not np.ndarray:  # numpy reduces 0-d results to scalars
            arr = np.asarray(out)
            ctx._saved = tuple(arr if s is out else s for s in ctx._saved)
            out = arr
        t = object.__new__(Tensor)
        t.data, t.grad, t.name, t._retain = out, None, None, False
        if _mode.enabled:
            for a in args:
                if isinstance(a, Tensor) and a.requires_grad:
                    t.requires_grad, t._ctx = True, ctx
                    return t
        t.requires_grad, t._ctx = False, None
        return t


def _to_array(data, dtype) -> np.ndarray:
    if isinstance(data, Tensor):
        data = data.data
    if isinstance(data, (np.ndarray, np.generic)):
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


def _operand(x):
    """The other side of a binary op: Tensors and arrays as they are, scalars as weak Python numbers."""
    if isinstance(x, (Tensor, np.ndarray)):
        return x
    if isinstance(x, np.generic):  # np.float64(2) must not turn a float32 tensor into float64
        return x.item()
    if isinstance(x, (int, float)):
        return x
    if isinstance(x, (list, tuple)):
        return Tensor(x)
    raise TypeError(f"unsupported operand type for a Tensor op: {type(x).__name__}")


def _index(idx):
    if isinstance(idx, tuple):
        return tuple(_index(i) for i in idx)
    if isinstance(idx, Tensor):
        return idx.data
    if isinstance(idx, list):
        return np.asarray(idx)
    return idx


class Tensor:
    """``Tensor(data, requires_grad=False, dtype=None, name=None)``: an array that records its graph.

    Python numbers and lists become float32; numpy arrays keep their dtype (the data is copied,
    as ``torch.tensor`` does). Only floating-point tensors can require grad.
    """

    __slots__ = ("data", "grad", "requires_grad", "_ctx", "name", "_retain")
    __array_ufunc__ = None  # so that ndarray + Tensor reaches Tensor.__radd__ instead of numpy
    __hash__ = object.__hash__

    def __init__(self, data, requires_grad: bool = False, dtype=None, name: str | None = None):
        self.data = _to_array(data, dtype)
        self.grad, self._ctx, self.name, self._retain = None, None, name, False
        self.requires_grad = False
        if requires_grad:
            self.requires_grad_(True)

    @classmethod
    def _wrap(cls, arr: np.ndarray) -> Tensor:
        t = object.__new__(cls)
        t.data, t.grad, t.requires_grad, t._ctx, t.name, t._retain = arr, None, False, None, None, False
        return t

    # ---- properties and plain helpers ----
    shape = property(lambda self: self.data.shape)
    ndim = property(lambda self: self.data.ndim)
    size = property(lambda self: self.data.size)
    dtype = property(lambda self: self.data.dtype)
    grad_fn = property(lambda self: self._ctx)
    is_leaf = property(lambda self: self._ctx is None)

    def requires_grad_(self, flag: bool = True) -> Tensor:
        """Set whether gradients flow to this (leaf) tensor; returns it."""
        if flag and self.data.dtype.kind != "f":
            raise TypeError(
                f"only floating-point tensors can require grad; this one has dtype {self.data.dtype}. "
                "Make it with dtype='float32' (or float64) first."
            )
        if not flag and self._ctx is not None:
            raise RuntimeError("requires_grad_(False) on a tensor computed by an op: use .detach() instead")
        self.requires_grad = bool(flag)
        return self

    def retain_grad(self) -> Tensor:
        """Keep ``.grad`` on this non-leaf tensor too after backward (to look at a delta, say)."""
        self._retain = True
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
        # a view, not the same array object: create_graph tells inputs apart by their arrays' identity
        return Tensor._wrap(self.data.view())

    def zero_grad(self) -> None:
        self.grad = None

    def __len__(self) -> int:
        return len(self.data)

    def __repr__(self) -> str:
        body = np.array2string(self.data, separator=", ", prefix="Tensor(")
        extra = "" if self.dtype == np.float32 else f", dtype={self.dtype}"
        if self._ctx is not None:
            extra += f", grad_fn=<{type(self._ctx).__name__}>"
        elif self.requires_grad:
            extra += ", requires_grad=True"
        if self.name:
            extra += f", name={self.name!r}"
        return f"Tensor({body}{extra})"

    # ---- backward ----
    def backward(self, gradient=None, retain_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) into every leaf's ``.grad`` (times ``gradient`` if given)."""
        if not self.requires_grad:
            raise RuntimeError("backward() on a tensor that does not require grad: no input of it has "
                               "requires_grad=True (or it was computed under no_grad)")
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward() without a gradient needs a scalar output; this one has shape {self.shape}. "
                    "Pass gradient= of that shape, or reduce first (loss.mean())."
                )
            gradient = np.ones(self.data.shape, self.data.dtype)
        else:
            gradient = np.asarray(gradient.data if isinstance(gradient, Tensor) else gradient, dtype=self.dtype)
            if gradient.shape != self.shape:
                raise ValueError(f"backward(gradient=...): expected shape {self.shape}, got {gradient.shape}")
        engine.run_backward([self], [gradient], retain_graph=retain_graph)

    # ---- arithmetic ----
    def __add__(self, o):
        return ops.Add.apply(self, _operand(o))

    def __radd__(self, o):
        return ops.Add.apply(_operand(o), self)

    def __sub__(self, o):
        return ops.Sub.apply(self, _operand(o))

    def __rsub__(self, o):
        return ops.Sub.apply(_operand(o), self)

    def __mul__(self, o):
        return ops.Mul.apply(self, _operand(o))

    def __rmul__(self, o):
        return ops.Mul.apply(_operand(o), self)

    def __truediv__(self, o):
        return ops.Div.apply(self, _operand(o))

    def __rtruediv__(self, o):
        return ops.Div.apply(_operand(o), self)

    def __pow__(self, o):
        return ops.Pow.apply(self, _operand(o))

    def __rpow__(self, o):
        return ops.Pow.apply(_operand(o), self)

    def __matmul__(self, o):
        return ops.Matmul.apply(self, _operand(o))

    def __rmatmul__(self, o):
        return ops.Matmul.apply(_operand(o), self)

    def __neg__(self):
        return ops.Neg.apply(self)

    def __abs__(self):
        return ops.Abs.apply(self)

    # ---- comparisons: plain boolean arrays, no gradient ----
    def __lt__(self, o):
        return self.data < _raw(o)

    def __le__(self, o):
        return self.data <= _raw(o)

    def __gt__(self, o):
        return self.data > _raw(o)

    def __ge__(self, o):
        return self.data >= _raw(o)

    def __eq__(self, o):
        return self.data == _raw(o)

    def __ne__(self, o):
        return self.data != _raw(o)

    def argmax(self, axis: int | None = None) -> np.ndarray:
        return self.data.argmax(axis=axis)

    def argmin(self, axis: int | None = None) -> np.ndarray:
        return self.data.argmin(axis=axis)

    # ---- elementwise ----
    def exp(self):
        return ops.Exp.apply(self)

    def log(self):
        return ops.Log.apply(self)

    def sqrt(self):
        return ops.Sqrt.apply(self)

    def abs(self):
        return ops.Abs.apply(self)

    def tanh(self):
        return ops.Tanh.apply(self)

    def sigmoid(self):
        return ops.Sigmoid.apply(self)

    def relu(self):
        return ops.Relu.apply(self)

    def softplus(self):
        return ops.Softplus.apply(self)

    def maximum(self, o):
        return ops.Maximum.apply(self, _operand(o))

    def minimum(self, o):
        return ops.Minimum.apply(self, _operand(o))

    def clip(self, min=None, max=None):  # noqa: A002 - numpy's and PyTorch's names
        return ops.Clip.apply(self, lo=min, hi=max)

    def astype(self, dtype):
        return self if np.dtype(dtype) == self.dtype else ops.Cast.apply(self, dtype=np.dtype(dtype))

    # ---- reductions ----
    def sum(self, axis=None, keepdims: bool = False):
        return ops.Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims: bool = False):
        return self.sum(axis, keepdims) * ops.inverse(ops.count(self.shape, axis))

    def max(self, axis=None, keepdims: bool = False):
        return ops.Max.apply(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims: bool = False):
        return -ops.Max.apply(-self, axis=axis, keepdims=keepdims)

    def var(self, axis=None, keepdims: bool = False, ddof: int = 0):
        """mean((x - mean(x))^2), dividing by n - ddof."""
        d = self - self.mean(axis, keepdims=True)
        return (d * d).sum(axis, keepdims) * ops.inverse(ops.count(self.shape, axis) - ddof)

    def softmax(self, axis: int = -1):
        return ops.Softmax.apply(self, axis=axis)

    def log_softmax(self, axis: int = -1):
        return ops.LogSoftmax.apply(self, axis=axis)

    # ---- shapes ----
    def reshape(self, *shape):
        shape = shape[0] if len(shape) == 1 and isinstance(shape[0], (tuple, list)) else shape
        return shape_ops.Reshape.apply(self, shape=tuple(shape))

    def flatten(self):
        return self.reshape(-1)

    def expand_dims(self, axis: int):
        return self.reshape(np.expand_dims(self.data, axis).shape)

    def transpose(self, *axes):
        axes = axes[0] if len(axes) == 1 and isinstance(axes[0], (tuple, list)) else axes
        return shape_ops.Transpose.apply(self, axes=tuple(axes) if axes else None)

    def swapaxes(self, a: int, b: int):
        axes = list(range(self.ndim))
        axes[a], axes[b] = axes[b], axes[a]
        return self.transpose(axes)

    T = property(lambda self: self.transpose())

    def broadcast_to(self, shape):
        return self if tuple(shape) == self.shape else shape_ops.BroadcastTo.apply(self, shape=tuple(shape))

    def __getitem__(self, idx):
        return shape_ops.GetItem.apply(self, idx=_index(idx))


def _raw(x):
    return x.data if isinstance(x, Tensor) else x


from . import engine, ops, shape_ops  # noqa: E402  (they need Tensor and Function, defined above)
