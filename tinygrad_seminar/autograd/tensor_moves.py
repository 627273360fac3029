"""Tensor methods that move numbers (issue 17, PyTorch's names): roll, tril, triu, split, chunk, repeat,
tile, gather, take_along_dim, scatter_add, pad; and prod and norm. Each is composed from the primitive ops
(GetItem, Concatenate, Where, ScatterAdd, Mul...), so gradients and second derivatives are theirs."""

from __future__ import annotations

import math

import numpy as np

from .ops import math as math_ops
from .ops import shape as shape_ops
from .ops.op import check_axis, reduced_axes
from .tensor_ops import pick_axis


def along(ndim: int, axis: int, part) -> tuple:
    """An index that takes ``part`` (a slice or an array) along ``axis`` and everything along the others."""
    return (slice(None),) * axis + (part,) + (slice(None),) * (ndim - axis - 1)


def index_along(index: np.ndarray, axis: int) -> tuple:
    """The integer-array index that picks ``index``'s entries along ``axis`` (PyTorch's gather)."""
    grids = list(np.indices(index.shape, sparse=True))
    grids[axis] = index
    return tuple(grids)


def int_index(index, what: str) -> np.ndarray:
    arr = np.asarray(getattr(index, "data", index))
    if arr.dtype.kind not in "iu":
        raise TypeError(f"{what}: the index must hold integers (ts.tensor([...], dtype='int64')); got {arr.dtype}")
    return arr


class TensorMoves:
    """Mixed into Tensor."""

    __slots__ = ()

    def roll(self, shifts, dims=None):
        if dims is None:
            return shape_ops.Roll.apply(self.reshape(-1), shift=shifts, axis=0).reshape(self.shape)
        if isinstance(dims, (tuple, list)):
            return shape_ops.Roll.apply(self, shift=tuple(shifts), axis=tuple(check_axis(d, self.ndim) for d in dims))
        return shape_ops.Roll.apply(self, shift=shifts, axis=check_axis(dims, self.ndim))

    def tril(self, diagonal: int = 0):
        keep = np.tri(*self.shape[-2:], k=diagonal, dtype=bool)
        return math_ops.Where.apply(keep, self, np.zeros((), self.dtype))

    def triu(self, diagonal: int = 0):
        keep = ~np.tri(*self.shape[-2:], k=diagonal - 1, dtype=bool)
        return math_ops.Where.apply(keep, self, np.zeros((), self.dtype))

    def split(self, split_size_or_sections, dim: int = 0) -> tuple:
        """Pieces of ``split_size`` along ``dim`` (the last may be smaller), or of the listed sizes."""
        axis = check_axis(dim, self.ndim)
        n = self.shape[axis]
        if isinstance(split_size_or_sections, int):
            size = split_size_or_sections
            sizes = [min(size, n - s) for s in range(0, n, size)] if n else [0]
        else:
            sizes = list(split_size_or_sections)
            if sum(sizes) != n:
                raise RuntimeError(f"split: sizes {sizes} do not add up to {n}, the length of dim {dim}")
        edges = np.cumsum([0] + sizes)
        return tuple(self[along(self.ndim, axis, slice(int(s), int(e)))] for s, e in zip(edges[:-1], edges[1:]))

    def chunk(self, chunks: int, dim: int = 0) -> tuple:
        n = self.shape[check_axis(dim, self.ndim)]
        return self.split(max(1, math.ceil(n / chunks)), dim)

    def repeat(self, *sizes):
        """The tensor repeated ``sizes[k]`` times along axis k (numpy's tile), as PyTorch's repeat."""
        sizes = tuple(sizes[0]) if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)) else sizes
        if len(sizes) < self.ndim:
            raise RuntimeError(f"repeat: {len(sizes)} sizes for a tensor of {self.ndim} dims; give at least that many")
        shape = (1,) * (len(sizes) - self.ndim) + self.shape
        spread = self.reshape([m for n in shape for m in (1, n)])
        big = spread.broadcast_to(tuple(m for r, n in zip(sizes, shape) for m in (r, n)))
        return big.reshape([r * n for r, n in zip(sizes, shape)])

    def tile(self, *dims):
        dims = tuple(dims[0]) if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
        return self.repeat((1,) * (self.ndim - len(dims)) + tuple(dims))

    def gather(self, dim: int, index):
        """out[i][j] = self[i][index[i][j]] (for dim = 1), as PyTorch's gather."""
        axis = check_axis(dim, self.ndim)
        return self[index_along(int_index(index, "gather"), axis)]

    def take_along_dim(self, indices, dim=None):
        """numpy's take_along_axis: ``indices`` broadcast against the tensor except along ``dim``."""
        idx = int_index(indices, "take_along_dim")
        if dim is None:
            return self.reshape(-1)[idx.reshape(-1)]
        axis = check_axis(dim, self.ndim)
        shape = tuple(np.broadcast_shapes(tuple(1 if i == axis else n for i, n in enumerate(idx.shape)),
                                          tuple(1 if i == axis else n for i, n in enumerate(self.shape))))
        full = np.broadcast_to(idx, shape[:axis] + (idx.shape[axis],) + shape[axis + 1:])
        return self.broadcast_to(shape[:axis] + (self.shape[axis],) + shape[axis + 1:]).gather(axis, full)

    def scatter_add(self, dim: int, index, src):
        """A copy with src[i][j] added at [i][index[i][j]] (dim = 1); repeated indices accumulate."""
        idx = int_index(index, "scatter_add")
        picked = src[tuple(slice(0, n) for n in idx.shape)] if tuple(src.shape) != idx.shape else src
        added = shape_ops.ScatterAdd.apply(picked, idx=index_along(idx, check_axis(dim, self.ndim)), shape=self.shape)
        return self + added

    def pad(self, pad, mode: str = "constant", value: float = 0.0):
        """PyTorch's F.pad: ``pad`` = (left, right) of the last dim, then of the one before...;
        mode "constant", "reflect", "replicate" or "circular" (wrapping around, at most once)."""
        if len(pad) % 2 or len(pad) // 2 > self.ndim:
            raise ValueError(f"pad: {pad} must give (before, after) pairs for at most {self.ndim} dims")
        out = self
        for k in range(len(pad) // 2):
            out = pad_axis(out, self.ndim - 1 - k, pad[2 * k], pad[2 * k + 1], mode, value)
        return out

    def prod(self, axis=None, keepdims: bool = False, *, dim=None, keepdim=None):
        """The product, as a chain of multiplications: exact gradients where entries are 0, as PyTorch."""
        axis, keepdims = (axis if dim is None else dim), bool(keepdims if keepdim is None else keepdim)
        axes = reduced_axes(axis, self.ndim)
        rest = [i for i in range(self.ndim) if i not in axes]
        flat = self.transpose(list(axes) + rest).reshape((-1,) + tuple(self.shape[i] for i in rest))
        out = flat[0] if len(flat) else None
        for k in range(1, len(flat)):
            out = out * flat[k]
        if out is None:
            out = flat.sum(0) + 1
        kept = tuple(1 if i in axes else n for i, n in enumerate(self.shape))
        return out.reshape(kept if keepdims else tuple(self.shape[i] for i in rest))

    def cumprod(self, dim: int):
        """Running products along ``dim``, as a chain of multiplications: exact gradients at zeros."""
        axis = check_axis(dim, self.ndim) if self.ndim else 0
        if self.ndim == 0 or self.shape[axis] == 0:
            return self.clone()
        pieces = [self[along(self.ndim, axis, slice(0, 1))]]
        for k in range(1, self.shape[axis]):
            pieces.append(pieces[-1] * self[along(self.ndim, axis, slice(k, k + 1))])
        return shape_ops.Concatenate.apply(*pieces, axis=axis)

    def norm(self, p=2, dim=None, keepdim: bool = False, *, axis=None, keepdims=None):
        """The vector p-norm over ``dim`` (all entries by default): p = 2, 1, inf or any p > 0.
        numpy's ``axis=`` / ``keepdims=`` are accepted beside ``dim=`` / ``keepdim=``."""
        dim, keepdim = pick_axis(axis, keepdim, dim, keepdims)
        a = abs(self)
        if p == math.inf:
            return a.max(dim, keepdim)
        if p == 2:
            return (self * self).sum(dim, keepdim).sqrt()
        if p == 1:
            return a.sum(dim, keepdim)
        return (a**p).sum(dim, keepdim) ** (1 / p)


def pad_axis(x, axis: int, before: int, after: int, mode: str, value: float):
    """``x`` padded along one axis, by concatenating the pieces (so the gradient is Concatenate's)."""
    n = x.shape[axis]
    if mode == "constant":
        side = lambda k: np.full(x.shape[:axis] + (k,) + x.shape[axis + 1:], value, x.dtype)  # noqa: E731
        left, right = side(before), side(after)
    elif mode == "replicate":
        left = x[along(x.ndim, axis, [0] * before)]
        right = x[along(x.ndim, axis, [n - 1] * after)]
    elif mode == "reflect":
        if before >= n or after >= n:
            raise ValueError(f"pad: reflect padding of {max(before, after)} needs a dim longer than that; it has {n}")
        left = x[along(x.ndim, axis, list(range(before, 0, -1)))]
        right = x[along(x.ndim, axis, list(range(n - 2, n - 2 - after, -1)))]
    elif mode == "circular":  # the last ``before`` entries on the left, the first ``after`` on the right
        if before > n or after > n:
            raise ValueError(f"pad: circular padding of {max(before, after)} would wrap around more than once "
                             f"a dim of length {n}")
        left = x[along(x.ndim, axis, slice(n - before, n))]
        right = x[along(x.ndim, axis, slice(0, after))]
    else:
        raise ValueError(f"pad: mode must be 'constant', 'reflect', 'replicate' or 'circular'; got {mode!r}")
    return shape_ops.Concatenate.apply(left, x, right, axis=axis)
