"""The maths as functions: ``ts.functional.log_softmax(x, axis=-1)`` and friends.

Each accepts a Tensor, an array or a list; composite ones are a line or two of primitives.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence

import numpy as np

from ..autograd import Tensor, arguments
from ..autograd.base import data_of
from ..autograd.composites import composite
from ..autograd.operands import operand
from ..autograd.ops import Affine, Concatenate, Matmul, Maximum, Minimum, PickPerRow, Where
from ..autograd.ops.einsum import Einsum
from ..autograd.tensor import as_tensor
from ..autograd.tensor_ops import pick_axis
from .functional_conv import avg_pool2d, conv1d, conv2d, max_pool2d  # noqa: F401 - convolution and pooling, re-exported


def _operands(*xs) -> list:
    """Each as a Tensor op takes it; the first becomes a Tensor if none is one (so the result is a Tensor)."""
    like = next((x for x in xs if isinstance(x, Tensor) and x.dtype.kind == "f"), None)
    out = [operand(x, like) for x in xs]  # an integer operand beside a float Tensor takes its dtype
    if out and not builtins.any(isinstance(x, Tensor) for x in out):  # any: this module's own is the op
        out[0] = Tensor(out[0])
    return out


def exp(x) -> Tensor:
    """e^x"""
    return as_tensor(x).exp()


def log(x) -> Tensor:
    """ln x"""
    return as_tensor(x).log()


def sqrt(x) -> Tensor:
    return as_tensor(x).sqrt()


def abs(x) -> Tensor:  # noqa: A001 - numpy's name
    return as_tensor(x).abs()


def tanh(x) -> Tensor:
    return as_tensor(x).tanh()


def sigmoid(x) -> Tensor:
    """sigma(z) = 1 / (1 + e^-z), stable for any z."""
    return as_tensor(x).sigmoid()


def relu(x) -> Tensor:
    """max(z, 0); derivative 0 at z = 0."""
    return as_tensor(x).relu()


def softplus(x) -> Tensor:
    """log(1 + e^z), stable."""
    return as_tensor(x).softplus()


def softmax(x, axis: int = -1, *, dim: int | None = None) -> Tensor:
    """S(z)_j = e^{z_j} / sum_k e^{z_k}, shifted by the max for stability."""
    return as_tensor(x).softmax(axis, dim=dim)


def log_softmax(x, axis: int = -1, *, dim: int | None = None) -> Tensor:
    """log S(z)_j = z_j - logsumexp(z), shifted by the max for stability."""
    return as_tensor(x).log_softmax(axis, dim=dim)


def maximum(a, b) -> Tensor:
    return Maximum.apply(*_operands(a, b))


def minimum(a, b) -> Tensor:
    return Minimum.apply(*_operands(a, b))


def clip(x, min=None, max=None) -> Tensor:  # noqa: A002
    return as_tensor(x).clip(min, max)


def pick_per_row(a, index) -> Tensor:
    """out_i = a[i, index_i] for a of shape (p, k) and p integer indices: a label's entry of each row."""
    a = as_tensor(a)
    index = np.asarray(data_of(index))
    if a.ndim != 2 or index.shape != (len(a),) or index.dtype.kind not in "iu":
        raise ValueError(f"pick_per_row: a must have shape (p, k) and index p integers; got shapes {a.shape} and "
                         f"{index.shape} ({index.dtype})")
    return PickPerRow.apply(a, index)


def where(cond, a, b) -> Tensor:
    """a where cond is true, else b; cond carries no gradient."""
    cond = np.asarray(data_of(cond))
    if cond.dtype.kind not in "biuf":
        raise TypeError(f"where: cond must be a boolean (or numeric) array or Tensor, got dtype {cond.dtype}")
    cond = cond.astype(bool, copy=False)
    return Where.apply(cond, *_operands(a, b))


def matmul(a, b) -> Tensor:
    return Matmul.apply(*_operands(a, b))


def sum(x, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return as_tensor(x).sum(axis, keepdims)


def mean(x, axis=None, keepdims: bool = False) -> Tensor:
    return as_tensor(x).mean(axis, keepdims)


def max(x, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return as_tensor(x).max(axis, keepdims)


def min(x, axis=None, keepdims: bool = False) -> Tensor:  # noqa: A001
    return as_tensor(x).min(axis, keepdims)


def var(x, axis=None, keepdims: bool = False, ddof: int = 0) -> Tensor:
    return as_tensor(x).var(axis, keepdims, ddof)


def reshape(x, *shape) -> Tensor:
    return as_tensor(x).reshape(*shape)


def transpose(x, axes=None) -> Tensor:
    return as_tensor(x).transpose(axes) if axes is not None else as_tensor(x).transpose()


def broadcast_to(x, shape) -> Tensor:
    return as_tensor(x).broadcast_to(shape)


def concatenate(tensors: Sequence, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """Join along an existing axis (numpy's ``axis=`` or PyTorch's ``dim=``); the gradient is split back."""
    if len(tensors) == 0:
        raise ValueError("concatenate needs at least one tensor, got an empty sequence")
    axis = pick_axis(axis, False, dim)[0]
    return Concatenate.apply(*_operands(*tensors), axis=0 if axis is None else axis)


@composite("stack")
def stack(tensors: Sequence, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """Join along a new axis (numpy's ``axis=`` or PyTorch's ``dim=``)."""
    if len(tensors) == 0:
        raise ValueError("stack needs at least one tensor, got an empty sequence")
    axis = pick_axis(axis, False, dim)[0] or 0
    return concatenate([as_tensor(t).expand_dims(axis) for t in tensors], axis=axis)


def argmax(x, axis: int | None = None, keepdims: bool = False, *, dim=None, keepdim=None) -> Tensor:
    return as_tensor(x).argmax(axis, keepdims, dim=dim, keepdim=keepdim)


def argmin(x, axis: int | None = None, keepdims: bool = False, *, dim=None, keepdim=None) -> Tensor:
    return as_tensor(x).argmin(axis, keepdims, dim=dim, keepdim=keepdim)


def linear(x) -> Tensor:
    """phi(z) = z"""
    return as_tensor(x)


def step(x) -> Tensor:
    """phi(z) = 1 if z >= 0 else 0; its gradient is zero (no learning signal passes through it)."""
    return as_tensor(x).step()


def leaky_relu(x, negative_slope: float = 0.2) -> Tensor:
    """z if z > 0 else negative_slope * z (Keras' default slope 0.2)."""
    return as_tensor(x).leaky_relu(negative_slope)


@composite("elu")
def elu(x, alpha: float = 1.0) -> Tensor:
    """z if z > 0 else alpha (e^z - 1); exp sees only z <= 0, so nothing overflows."""
    x = as_tensor(x)
    arguments.real(alpha, "alpha", "elu")
    return Where.apply(x.data > 0, x, (x.clip(max=0).exp() - 1) * alpha)


@composite("affine")
def affine(x, weight, bias=None) -> Tensor:
    """x @ W.T + b, W of shape (units, inputs): a dense layer's map in one op."""
    x = as_tensor(x)
    if x.ndim != 2:
        out = x @ weight.T
        return out if bias is None else out + bias
    return Affine.apply(x, weight) if bias is None else Affine.apply(x, weight, bias)


ACTIVATIONS = {
    "linear": linear, "step": step, "sigmoid": sigmoid, "tanh": tanh, "relu": relu,
    "leaky_relu": leaky_relu, "elu": elu, "softplus": softplus, "softmax": softmax, "log_softmax": log_softmax,
}


def get_activation(name):
    """An activation function by Keras name (None means linear), or a callable as it is."""
    if name is None:
        return linear
    if callable(name):
        return name
    if not isinstance(name, str):
        raise TypeError(f"activation must be a name such as 'relu', a callable or None, got {name!r} "
                        f"({type(name).__name__}); known names: {', '.join(ACTIVATIONS)}")
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"unknown activation {name!r}; known: {', '.join(ACTIVATIONS)}") from None


# ---- issue 17: PyTorch's ops as functions (each is the Tensor method of the same name) ----
def _method(name: str):
    def fn(x, *args, **kwargs):
        return getattr(as_tensor(x), name)(*args, **kwargs)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"``as_tensor(x).{name}(...)``: see the Tensor method."
    return fn


sin, cos, tan, asin, acos, atan, sinh, cosh = (_method(n) for n in ("sin", "cos", "tan", "asin", "acos", "atan",
                                                                     "sinh", "cosh"))
log2, log10, log1p, expm1, erf, square, rsqrt, reciprocal = (_method(n) for n in (
    "log2", "log10", "log1p", "expm1", "erf", "square", "rsqrt", "reciprocal"))
sign, floor, ceil, trunc = (_method(n) for n in ("sign", "floor", "ceil", "trunc"))
round = _method("round")  # noqa: A001 - PyTorch's name
gelu, silu, selu, softsign, hardtanh = (_method(n) for n in ("gelu", "silu", "selu", "softsign", "hardtanh"))
isclose, allclose = _method("isclose"), _method("allclose")
std, logsumexp, cumsum = _method("std"), _method("logsumexp"), _method("cumsum")
all, any = _method("all"), _method("any")  # noqa: A001 - PyTorch's names
clone, squeeze, unsqueeze, permute, flip, expand = (_method(n) for n in (
    "clone", "squeeze", "unsqueeze", "permute", "flip", "expand"))
roll, tril, triu, split, chunk, repeat, tile = (_method(n) for n in (
    "roll", "tril", "triu", "split", "chunk", "repeat", "tile"))
gather, take_along_dim, scatter_add, prod, norm, cumprod = (_method(n) for n in (
    "gather", "take_along_dim", "scatter_add", "prod", "norm", "cumprod"))


def pad(x, pad, mode: str = "constant", value: float = 0.0) -> Tensor:  # noqa: A002 - PyTorch's F.pad
    return as_tensor(x).pad(pad, mode, value)


def cat(tensors: Sequence, dim: int = 0) -> Tensor:
    """PyTorch's name for concatenate: join along an existing ``dim``."""
    return concatenate(tensors, axis=dim)


def einsum(spec: str, *operands) -> Tensor:
    """numpy's and PyTorch's einsum ("ij,jk->ik", "ij->", "...ij,...jk->...ik", "ii->i" for a diagonal)."""
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    return Einsum.apply(*_operands(*operands), spec=spec)
