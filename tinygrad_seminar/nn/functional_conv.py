"""Convolution and pooling as functions, with PyTorch's names, arguments and layout (re-exported by functional.py).

x is (N, C, H, W) (or (C, H, W), unbatched), a conv weight (out, in / groups, kh, kw). Every argument is
checked before any work. The ``*_spec`` functions take the geometry as a ``ConvSpec`` (four paddings,
so also Keras' "same", which may pad one more after than before); the layers use those.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd import Tensor
from ..autograd.composites import composite
from ..autograd.ops.conv import Conv2d, ConvSpec, conv2d_of
from ..autograd.ops.pool import MaxPool2d
from ..autograd.tensor import as_tensor

__all__ = ["avg_pool2d", "avg_pool2d_spec", "conv1d", "conv2d", "conv2d_spec", "max_pool2d", "max_pool2d_spec",
           "window_ints"]


def window_ints(value, n: int, name: str, fn: str, minimum: int) -> tuple:
    """An int or a sequence of ``n`` ints, each >= ``minimum``, as a tuple of ``n`` ints."""
    def whole(v) -> bool:
        return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))

    if whole(value):
        values = (int(value),) * n
    elif isinstance(value, (tuple, list)) and all(whole(v) for v in value):
        if len(value) != n:
            raise ValueError(f"{fn}: {name} must be one int or {n} ints, got {len(value)}: {value!r}")
        values = tuple(int(v) for v in value)
    else:
        raise TypeError(f"{fn}: {name} must be an int or a tuple of {n} ints, got {value!r}")
    if any(v < minimum for v in values):
        what = "positive" if minimum == 1 else "non-negative"
        raise ValueError(f"{fn}: {name} must be {what}, got {value!r}")
    return values


def float_input(x, fn: str, name: str = "input") -> Tensor:
    x = as_tensor(x)
    if x.dtype.kind != "f":
        raise TypeError(f"{fn}: {name} must hold floats, got dtype {x.dtype}; convert it with .astype('float32')")
    return x


def batched(x: Tensor, nd: int, fn: str) -> tuple[Tensor, bool]:
    """(x with a batch axis, whether one was added): PyTorch takes an unbatched (C, *spatial) input too."""
    layout = "(N, C, H, W)" if nd == 2 else "(N, C, L)"
    if x.ndim not in (nd + 1, nd + 2):
        raise ValueError(f"{fn}: input must be {nd + 2}-D {layout} or {nd + 1}-D without the batch axis, "
                         f"got shape {x.shape}")
    return (x.reshape((1,) + x.shape), True) if x.ndim == nd + 1 else (x, False)


def check_fits(fn: str, in_hw: tuple, kernel: tuple, spec: ConvSpec) -> None:
    """The (dilated) kernel must fit in the padded input: at least one output position."""
    padded = spec.padded(*in_hw)
    reach = tuple(d * (k - 1) + 1 for d, k in zip(spec.dilation, kernel))
    if any(r > p for r, p in zip(reach, padded)):
        size = f"size {tuple(kernel)}" + (f", dilated {reach}" if reach != tuple(kernel) else "")
        raise ValueError(f"{fn}: the kernel ({size}) is larger than the padded input ({tuple(in_hw)} padded to "
                         f"{padded}); use a smaller kernel or more padding")


def conv_padding(padding, kernel: tuple, dilation: tuple, stride: tuple, fn: str) -> tuple:
    """(top, bottom, left, right) from an int, a tuple, "valid" or "same" (the extra one after, as PyTorch)."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding != "same":
            raise ValueError(f"{fn}: padding must be an int, a tuple, 'valid' or 'same'; got {padding!r}")
        if any(s != 1 for s in stride):
            raise ValueError(f"{fn}: padding='same' is not supported for strided convolutions (stride={stride}), "
                             "as in PyTorch; give the padding as numbers")
        totals = [d * (k - 1) for d, k in zip(dilation, kernel)]
        return tuple(v for t in totals for v in (t // 2, t - t // 2))
    pads = window_ints(padding, len(kernel), "padding", fn, 0)
    return tuple(v for p in pads for v in (p, p))


def conv_spec(fn: str, x: Tensor, w: Tensor, stride, padding, dilation, groups) -> ConvSpec:
    """The checked geometry of conv2d(x, w) with x (N, C, H, W) and w (O, C/groups, kh, kw)."""
    if w.ndim != 4:
        raise ValueError(f"{fn}: weight must be 4-D (out, in/groups, kh, kw), got shape {w.shape}")
    if isinstance(groups, (bool, np.bool_)) or not isinstance(groups, (int, np.integer)):
        raise TypeError(f"{fn}: groups must be an int, got {groups!r}")
    if groups < 1:
        raise ValueError(f"{fn}: groups must be positive, got {groups}")
    c, (o, cg) = x.shape[1], w.shape[:2]
    if c % groups or o % groups:
        raise ValueError(f"{fn}: groups={groups} must divide the input channels ({c}) and the output channels ({o})")
    if cg * groups != c:
        raise ValueError(f"{fn}: the input has {c} channels, but a weight of shape {w.shape} with groups={groups} "
                         f"expects {cg * groups} (weight.shape[1] * groups)")
    kernel = w.shape[2:]
    stride = window_ints(stride, 2, "stride", fn, 1)
    dilation = window_ints(dilation, 2, "dilation", fn, 1)
    spec = ConvSpec(stride, conv_padding(padding, kernel, dilation, stride, fn), dilation, int(groups))
    check_fits(fn, x.shape[2:], kernel, spec)
    return spec


@composite("conv2d")
def conv2d_spec(x: Tensor, weight: Tensor, bias, spec: ConvSpec) -> Tensor:
    """conv2d with checked arguments and its geometry as a ConvSpec; bias (O,) or None."""
    y = Conv2d.apply(x, weight, spec=spec)
    return y if bias is None else y + bias.reshape(1, -1, 1, 1)


def checked_bias(bias, out: int, fn: str):
    if bias is None:
        return None
    bias = float_input(bias, fn, "bias")
    if bias.shape != (out,):
        raise ValueError(f"{fn}: bias must have shape ({out},), one per output channel; got {bias.shape}")
    return bias


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:  # noqa: A002
    """y[n, o] = b[o] + sum_c x[n, c] ⋆ w[o, c] (cross-correlation, as PyTorch); x (N, C, H, W), w (O, C/G, kh, kw).

    padding: an int, (ph, pw), "valid" or "same" (stride 1 only; an even kernel pads one more after).
    """
    x, unbatched = batched(float_input(input, "conv2d"), 2, "conv2d")
    w = float_input(weight, "conv2d", "weight")
    spec = conv_spec("conv2d", x, w, stride, padding, dilation, groups)
    y = conv2d_spec(x, w, checked_bias(bias, w.shape[0], "conv2d"), spec)
    return y.reshape(y.shape[1:]) if unbatched else y


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:  # noqa: A002
    """conv2d along one axis: x (N, C, L), w (O, C/groups, k); computed as conv2d on (N, C, 1, L)."""
    x, unbatched = batched(float_input(input, "conv1d"), 1, "conv1d")
    w = float_input(weight, "conv1d", "weight")
    if w.ndim != 3:
        raise ValueError(f"conv1d: weight must be 3-D (out, in/groups, k), got shape {w.shape}")
    x2, w2 = x.reshape(x.shape[:2] + (1,) + x.shape[2:]), w.reshape(w.shape[:2] + (1,) + w.shape[2:])
    (s,), (d,) = window_ints(stride, 1, "stride", "conv1d", 1), window_ints(dilation, 1, "dilation", "conv1d", 1)
    pad = padding if isinstance(padding, str) else (0, window_ints(padding, 1, "padding", "conv1d", 0)[0])
    spec = conv_spec("conv1d", x2, w2, (1, s), pad, (1, d), groups)
    y = conv2d_spec(x2, w2, checked_bias(bias, w.shape[0], "conv1d"), spec)
    y = y.reshape(y.shape[:2] + y.shape[3:])
    return y.reshape(y.shape[1:]) if unbatched else y


def pool_spec(fn: str, x: Tensor, kernel_size, stride, padding) -> tuple[tuple, ConvSpec]:
    """(kernel, geometry) of a pooling window; stride None means the kernel size, as PyTorch."""
    kernel = window_ints(kernel_size, 2, "kernel_size", fn, 1)
    stride = kernel if stride is None else window_ints(stride, 2, "stride", fn, 1)
    pads = window_ints(padding, 2, "padding", fn, 0)
    if any(p > k // 2 for p, k in zip(pads, kernel)):
        raise ValueError(f"{fn}: padding {pads} must be at most half the kernel size {kernel}, as in PyTorch")
    spec = ConvSpec(stride, (pads[0], pads[0], pads[1], pads[1]))
    check_fits(fn, x.shape[2:], kernel, spec)
    return kernel, spec


@composite("max_pool2d")
def max_pool2d_spec(x: Tensor, kernel: tuple, spec: ConvSpec) -> Tensor:
    return MaxPool2d.apply(x, kernel=kernel, spec=spec)


@composite("avg_pool2d")
def avg_pool2d_spec(x: Tensor, kernel: tuple, spec: ConvSpec, count_include_pad: bool = True) -> Tensor:
    """The mean of each window: a convolution of each channel alone with a constant kernel of 1 / count."""
    n, c, h, w = x.shape
    ones = np.ones((1, 1) + tuple(kernel), x.dtype)
    y = Conv2d.apply(x.reshape(n * c, 1, h, w), ones, spec=spec)
    y = y.reshape((n, c) + y.shape[2:])
    if count_include_pad or not any(spec.padding):
        return y * np.asarray(1 / math.prod(kernel), x.dtype)
    counts = conv2d_of(np.ones((1, 1, h, w), x.dtype), ones, spec)  # how many real numbers each window holds
    return y * (1 / counts).astype(x.dtype)


def max_pool2d(input, kernel_size, stride=None, padding=0) -> Tensor:  # noqa: A002
    """y = the maximum of each kh x kw window, x (N, C, H, W); padding counts as -inf, as PyTorch."""
    x, unbatched = batched(float_input(input, "max_pool2d"), 2, "max_pool2d")
    y = max_pool2d_spec(x, *pool_spec("max_pool2d", x, kernel_size, stride, padding))
    return y.reshape(y.shape[1:]) if unbatched else y


def avg_pool2d(input, kernel_size, stride=None, padding=0, count_include_pad: bool = True) -> Tensor:  # noqa: A002
    """y = the mean of each kh x kw window, x (N, C, H, W); padded zeros count unless count_include_pad=False."""
    x, unbatched = batched(float_input(input, "avg_pool2d"), 2, "avg_pool2d")
    y = avg_pool2d_spec(x, *pool_spec("avg_pool2d", x, kernel_size, stride, padding), bool(count_include_pad))
    return y.reshape(y.shape[1:]) if unbatched else y
