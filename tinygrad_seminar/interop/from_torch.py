"""A ``torch.nn.Sequential`` as a ``ts.Sequential``: the modules ``to_torch`` writes, and nothing else.

The model it builds is channels-last throughout, as every model here is; the torch stack's ``Permute``
modules (to channels-first before a convolution, back before Flatten) say where PyTorch's layout differs,
and become no layer. A convolution on channels-first data without one is refused, since its input is not
ours.
"""

from __future__ import annotations

import numpy as np

from ..keras import layers as K
from ..keras.sequential import Sequential
from ..nn import activations as A
from . import torch_modules
from .plan import TO_FIRST, TO_LAST
from .to_torch import PARAMETERS, as_array

ACTIVATIONS = {"ReLU": A.ReLU, "Sigmoid": A.Sigmoid, "Tanh": A.Tanh, "Softplus": A.Softplus, "Identity": A.Linear}
MODULES = ("Linear", "Conv2d", "MaxPool2d", "AvgPool2d", "Flatten", "Dropout", "BatchNorm1d", "BatchNorm2d",
           "Permute", "Rescaling", "Normalization", "ReLU", "Sigmoid", "Tanh", "Softplus", "Identity", "LeakyReLU",
           "ELU", "Softmax", "LogSoftmax")


class Walk:
    """Where the torch stack's data is: its layout ("last" or "first") and rank, while its modules are read."""

    def __init__(self, rank: int, dtype: np.dtype):
        self.layout, self.rank, self.dtype = "last", rank, dtype

    def refuse(self, i: int, child, why: str):
        return ValueError(f"from_torch: module {i} ({type(child).__name__}) {why}")

    def need(self, layout: str, i: int, child) -> None:
        if self.layout == layout:
            return
        if layout == "first":
            raise self.refuse(i, child, "expects channels-first data, but a ts model's images are channels-last, "
                                        "(N, H, W, C): put Permute((0, 3, 1, 2)) before it, as to_torch writes (a "
                                        "network written for (N, C, H, W) takes it as its first module)")
        raise self.refuse(i, child, "gets channels-first data here, but ts layers after the images are "
                                    "channels-last: put Permute((0, 2, 3, 1)) before it, as to_torch writes")


def padding_of(conv, w: Walk, i: int) -> str:
    """"valid" or "same" for a Conv2d's padding; a ValueError for any other."""
    if conv.padding in ("valid", "same"):
        return conv.padding
    if tuple(conv.padding) == (0, 0):
        return "valid"
    half = tuple(d * (k - 1) / 2 for d, k in zip(conv.dilation, conv.kernel_size))
    if tuple(conv.stride) == (1, 1) and tuple(conv.padding) == half:
        return "same"
    raise w.refuse(i, conv, f"pads {tuple(conv.padding)}: only no padding ('valid') or, with stride 1, "
                            "the padding that keeps the size ('same') has a counterpart")


def image_layer(child, name: str, w: Walk, i: int):
    """Conv2d, MaxPool2d, AvgPool2d as Keras layers, on channels-first data in the torch stack."""
    w.need("first", i, child)
    if name == "Conv2d":
        if child.groups != 1 or child.padding_mode != "zeros":
            raise w.refuse(i, child, "uses groups or a padding mode other than zeros; no counterpart")
        return K.Conv2D(child.out_channels, child.kernel_size, child.stride, padding_of(child, w, i),
                        dilation_rate=child.dilation, use_bias=child.bias is not None, dtype=w.dtype)
    pads = child.padding if isinstance(child.padding, tuple) else (child.padding,)
    if any(pads) or child.ceil_mode or getattr(child, "dilation", 1) not in (1, (1, 1)) or getattr(
            child, "divisor_override", None) is not None:
        raise w.refuse(i, child, "pads, dilates, rounds up or overrides the divisor; only plain windows have a "
                                 "counterpart")
    stride = child.stride or child.kernel_size
    cls = K.MaxPooling2D if name == "MaxPool2d" else K.AveragePooling2D
    return cls(child.kernel_size, stride)


def batch_norm(child, name: str, w: Walk, i: int):
    if child.momentum is None or not child.track_running_stats:
        raise w.refuse(i, child, "keeps no moving average (momentum=None or track_running_stats=False); "
                                 "Keras' BatchNormalization does")
    if name == "BatchNorm2d":
        w.need("first", i, child)
    elif w.rank != 2:
        raise w.refuse(i, child, f"sees {w.rank}-D data here; BatchNormalization's counterpart is BatchNorm1d on "
                                 "(batch, features)")
    return K.BatchNormalization(momentum=1.0 - child.momentum, epsilon=child.eps, center=child.affine,
                                scale=child.affine, dtype=w.dtype)


def activation_layer(child, name: str, w: Walk, i: int):
    if name in ACTIVATIONS:
        return ACTIVATIONS[name]()
    if name == "LeakyReLU":
        return K.LeakyReLU(child.negative_slope)
    if name == "ELU":
        if child.alpha != 1.0:
            raise w.refuse(i, child, f"has alpha={child.alpha}; the framework's elu has alpha 1")
        return A.ELU()
    channels = 1 if w.layout == "first" else w.rank - 1
    if child.dim not in (channels, channels - w.rank):
        raise w.refuse(i, child, f"takes dim={child.dim}; the framework's softmax runs over the features "
                                 f"(dim {channels} here)")
    return A.Softmax() if name == "Softmax" else A.LogSoftmax()


def layer_of(child, w: Walk, i: int, known: dict):
    """The ts layer of one torch module (None for a Permute), checked against where the data is."""
    name = type(child).__name__
    if name not in known or not (isinstance(child, known[name]) or name == "Permute" and hasattr(child, "dims")):
        raise w.refuse(i, child, f"has no counterpart; the modules that do: {', '.join(MODULES)}")
    if name == "Permute":  # ours, or any with .dims (torchvision.ops.Permute)
        dims = tuple(child.dims)
        if w.rank == 4 and (w.layout, dims) in (("last", TO_FIRST), ("first", TO_LAST)):
            w.layout = "first" if dims == TO_FIRST else "last"
            return None
        raise w.refuse(i, child, f"permutes {dims} on {w.rank}-D channels-{w.layout} data; only (0, 3, 1, 2) "
                                 "to channels-first and (0, 2, 3, 1) back have a meaning here")
    if name in ("Conv2d", "MaxPool2d", "AvgPool2d"):
        return image_layer(child, name, w, i)
    if name in ("BatchNorm1d", "BatchNorm2d"):
        return batch_norm(child, name, w, i)
    if name in ("Linear", "Flatten", "Normalization"):
        w.need("last", i, child)
    if name == "Linear":
        return K.Dense(child.out_features, use_bias=child.bias is not None, dtype=w.dtype)
    if name == "Flatten":
        if (child.start_dim, child.end_dim) != (1, -1):
            raise w.refuse(i, child, "flattens other axes than all but the batch; Flatten's counterpart is "
                                     "nn.Flatten()")
        w.rank = 2
        return K.Flatten()
    if name == "Dropout":
        return K.Dropout(child.p)
    if name == "Rescaling":
        return K.Rescaling(child.scale, child.offset)
    if name == "Normalization":
        return K.Normalization(invert=child.invert, dtype=w.dtype)
    return activation_layer(child, name, w, i)


def check_input_shape(input_shape) -> tuple:
    shape = (input_shape,) if isinstance(input_shape, (int, np.integer)) else input_shape
    if not isinstance(shape, (tuple, list)) or not shape or any(
            isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1 for n in shape):
        raise ValueError(f"from_torch: input_shape must be one sample's shape, positive ints without the batch "
                         f"axis, e.g. (4,) or (28, 28, 1) (channels-last); got {input_shape!r}")
    return tuple(int(n) for n in shape)


def copy_values(layer, child, i: int) -> None:
    """The torch module's parameters and statistics into the built ts layer, shapes checked."""
    kind = {K.Dense: "dense", K.Conv2D: "conv", K.BatchNormalization: "batchnorm", K.Normalization: "normalization"}
    for ours, theirs in PARAMETERS.get(kind.get(type(layer)), {}).items():
        target, value = getattr(layer, ours), getattr(child, theirs, None)
        if target is None or value is None:
            continue
        value = as_array(value)
        if value.shape != target.shape:
            raise ValueError(f"from_torch: module {i} ({type(child).__name__}).{theirs} has shape {value.shape}, "
                             f"but the data reaching it needs {target.shape}: check input_shape")
        target.data = value.astype(target.dtype, copy=True)


def from_torch(module, input_shape) -> Sequential:
    """A ``ts.Sequential`` computing what the ``torch.nn.Sequential`` ``module`` computes, with copies of its values.

    ``input_shape``: one sample's shape, channels-last for images, e.g. (28, 28, 1). The modules
    ``to_torch`` writes are read back (Linear -> Dense, an activation module -> its layer, BatchNorm1d /
    BatchNorm2d -> BatchNormalization with momentum 1 - PyTorch's, Permute -> nothing); any other module
    is refused with its index and class.
    """
    torch = torch_modules.torch()
    if not isinstance(module, torch.nn.Sequential):
        raise TypeError(f"from_torch: module must be a torch.nn.Sequential, got {type(module).__name__}")
    shape = check_input_shape(input_shape)
    tensors = list(module.parameters()) + list(module.buffers())
    floats = [t.dtype for t in tensors if t.dtype.is_floating_point]
    dtype = torch_modules.numpy_dtype(floats[0] if floats else torch.float32)
    known = {n: getattr(torch.nn, n) for n in MODULES if hasattr(torch.nn, n)} | torch_modules.modules()
    w = Walk(len(shape) + 1, dtype)
    pairs = [(layer, child, i) for i, child in enumerate(module)
             if (layer := layer_of(child, w, i, known)) is not None]
    if w.layout != "last":
        raise ValueError("from_torch: the stack ends on channels-first data; end it with Permute((0, 2, 3, 1)), as "
                         "to_torch writes, so that it returns what a ts model returns")
    model = Sequential([K.Input(shape)] + [layer for layer, _, _ in pairs])
    for layer, child, i in pairs:
        copy_values(layer, child, i)
    return model
