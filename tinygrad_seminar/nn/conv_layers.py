"""Keras' image layers on channels-last inputs (N, H, W, C): Conv2D, MaxPooling2D, AveragePooling2D, Flatten.

The layers take Keras' arguments and layout; inside they call the engine's conv2d and pooling on
(N, C, H, W) (functional_conv.py), so ``Conv2D.weight`` is the engine's (filters, in, kh, kw).
Output sizes, as Keras documents them (k the dilated kernel, s the stride):

    padding="valid": floor((H - k) / s) + 1        padding="same": ceil(H / s)

"same" pads (out - 1)·s + k - H in all, as TensorFlow does: half before, the odd one after.
"""

from __future__ import annotations

import math

import numpy as np

from ..autograd import Tensor, arguments, default_generator
from ..autograd.ops.conv import ConvSpec
from . import functional as F
from . import init as initializers
from .functional_conv import avg_pool2d_spec, check_fits, conv2d_spec, max_pool2d_spec, window_ints
from .module import Module, Parameter, unique_name

PADDINGS = ("valid", "same")


def check_padding(padding, owner: str) -> str:
    padding = padding.lower() if isinstance(padding, str) else padding  # Keras accepts "SAME" too
    if padding not in PADDINGS:
        raise ValueError(f"{owner}: padding must be 'valid' or 'same', got {padding!r}")
    return padding


def check_data_format(data_format, owner: str) -> None:
    if data_format not in (None, "channels_last"):
        raise ValueError(f"{owner}: only data_format='channels_last' (N, H, W, C), Keras' default, is supported; "
                         f"got {data_format!r}")


def declared_shape(input_shape, owner: str) -> tuple | None:
    """Keras' ``input_shape=`` (one sample's shape, no batch axis) as a tuple of ints, or None."""
    if input_shape is None:
        return None
    shape = (input_shape,) if isinstance(input_shape, (int, np.integer)) else tuple(input_shape)
    if not shape or any(not isinstance(n, (int, np.integer)) or n < 1 for n in shape):
        raise ValueError(f"{owner}: input_shape must be positive ints without the batch axis, e.g. (28, 28, 1); "
                         f"got {input_shape!r}")
    return tuple(int(n) for n in shape)


def same_padding(size: int, kernel: int, stride: int, dilation: int = 1) -> tuple[int, int]:
    """(before, after) so that the output has ceil(size / stride) positions; the odd one goes after."""
    out = -(-size // stride)
    total = max((out - 1) * stride + dilation * (kernel - 1) + 1 - size, 0)
    return total // 2, total - total // 2


def keras_spec(hw: tuple, kernel: tuple, strides: tuple, padding: str, dilation=(1, 1)) -> ConvSpec:
    if padding == "valid":
        return ConvSpec(strides, (0, 0, 0, 0), dilation)
    (t, b), (left, r) = (same_padding(n, k, s, d) for n, k, s, d in zip(hw, kernel, strides, dilation))
    return ConvSpec(strides, (t, b, left, r), dilation)


def out_size(n, kernel: int, stride: int, padding: str, dilation: int = 1, owner: str = "the layer"):
    """Keras' output length along one axis (None stays None); an input too small for the kernel is an error."""
    if n is None:
        return None
    size = -(-n // stride) if padding == "same" else (n - dilation * (kernel - 1) - 1) // stride + 1
    if size < 1:
        reach = kernel if dilation == 1 else f"{dilation * (kernel - 1) + 1} (kernel {kernel}, dilation {dilation})"
        raise ValueError(f"{owner}: an input of size {n} is smaller than the window {reach} with padding='valid': "
                         f"the output would have size {size}, as Keras refuses too; use a smaller kernel or "
                         "padding='same'")
    return size


def image_input(layer, x, channels: int | None = None) -> Tensor:
    """x as a Tensor of the layer's dtype, checked to be (N, H, W, C) (with C = channels, if given)."""
    dtype = getattr(layer, "dtype", None)
    x = x if isinstance(x, Tensor) else Tensor(np.asarray(x), dtype=dtype)
    if dtype is not None and x.dtype != dtype:
        x = x.astype(dtype)
    if x.ndim != 4:
        raise ValueError(f"Input of layer {layer.name!r} ({type(layer).__name__}) is incompatible: expected a 4-D "
                         f"input (batch, height, width, channels), received shape {x.shape}")
    if channels is not None and x.shape[-1] != channels:
        raise ValueError(f"Input of layer {layer.name!r} ({type(layer).__name__}) is incompatible: expected "
                         f"{channels} channels (the last axis), received shape {x.shape}")
    return x



def channels_first(x):
    """x (N, H, W, C) as (N, C, H, W), what the conv and pool ops take. Of x that needs no gradient this is a new
    leaf (nothing is recorded): named after x, so that a picture of the graph says what it is."""
    t = x.transpose(0, 3, 1, 2)
    if t.grad_fn is None:
        t.name = f"{x.name or 'input'}, channels first"
    return t

class Conv2D(Module):
    """a = phi(conv2d(x, W) + b) on x (N, H, W, C); W in the engine's layout (filters, C, kh, kw), b (filters,).

    Keras' arguments and defaults (glorot_uniform kernel, zero bias). ``keras.layers.Conv2D`` is this layer
    with Keras' kernel layout (kh, kw, C, filters) in get_weights / set_weights.
    """

    def __init__(self, filters: int, kernel_size, strides=1, padding: str = "valid", *, data_format=None,
                 dilation_rate=1, activation=None, use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", input_shape=None, name: str | None = None,
                 rng: np.random.Generator | None = None, dtype="float32"):
        owner = f"Conv2D {name!r}" if name else "Conv2D"
        if isinstance(filters, bool) or not isinstance(filters, (int, np.integer)) or filters < 1:
            raise ValueError(f"{owner}: filters must be a positive integer, got {filters!r}")
        self.filters, self.use_bias = int(filters), arguments.flag(use_bias, "use_bias", owner)
        self.kernel_size = window_ints(kernel_size, 2, "kernel_size", owner, 1)
        self.strides = window_ints(strides, 2, "strides", owner, 1)
        self.dilation_rate = window_ints(dilation_rate, 2, "dilation_rate", owner, 1)
        self.padding = check_padding(padding, owner)
        check_data_format(data_format, owner)
        self.activation_name = activation if isinstance(activation, str) or activation is None else getattr(
            activation, "__name__", "custom")
        self.activation = F.get_activation(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.name = name or unique_name("conv2d")
        self.rng, self.dtype = rng, np.dtype(dtype)
        if self.dtype.kind != "f":
            raise ValueError(f"{owner}: dtype must be a float type, got {self.dtype}")
        self.weight: Parameter | None = None
        self.bias: Parameter | None = None
        self.declared_input_shape = declared_shape(input_shape, owner)
        if self.declared_input_shape is not None:
            if len(self.declared_input_shape) != 3:
                raise ValueError(f"{owner}: input_shape must be (height, width, channels), got {input_shape!r}")
            self.build(self.declared_input_shape[-1])

    @property
    def built(self) -> bool:
        return self.weight is not None

    @property
    def channels(self) -> int | None:
        return None if self.weight is None else self.weight.shape[1]

    def build(self, channels: int) -> None:
        """Create W (filters, channels, kh, kw) and b (filters,) with the layer's initialisers."""
        rng = self.rng or default_generator()
        w = self.kernel_initializer((self.filters, int(channels)) + self.kernel_size, self.dtype, rng)
        self.weight = Parameter(w, dtype=self.dtype, name=f"{self.name}.weight")
        if self.use_bias:
            self.bias = Parameter(self.bias_initializer((self.filters,), self.dtype, rng), dtype=self.dtype,
                                  name=f"{self.name}.bias")
        if not self.trainable:
            self.trainable = False

    def forward(self, x):
        x = image_input(self, x, self.channels)
        if not self.built:
            self.build(x.shape[-1])
        spec = keras_spec(x.shape[1:3], self.kernel_size, self.strides, self.padding, self.dilation_rate)
        check_fits(f"Conv2D {self.name!r}", x.shape[1:3], self.kernel_size, spec)
        z = conv2d_spec(channels_first(x), self.weight, None, spec).transpose(0, 2, 3, 1)
        return self.activation(z + self.bias if self.use_bias else z)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        hw = tuple(out_size(n, k, s, self.padding, d, self.name) for n, k, s, d in
                   zip(input_shape[1:3], self.kernel_size, self.strides, self.dilation_rate))
        return (input_shape[0], *hw, self.filters)

    def get_config(self) -> dict:
        activation = None if self.activation_name is None else self.activation
        return {"filters": self.filters, "kernel_size": self.kernel_size, "strides": self.strides,
                "padding": self.padding, "dilation_rate": self.dilation_rate, "activation": activation,
                "use_bias": self.use_bias, "name": self.name, "dtype": str(self.dtype)}

    def extra_repr(self) -> str:
        inputs = "?" if not self.built else self.channels
        return (f"{inputs} -> {self.filters}, kernel_size={self.kernel_size}, strides={self.strides}, "
                f"padding={self.padding!r}, activation={self.activation_name or 'linear'}, name={self.name!r}")


class Pooling2D(Module):
    """The shared part of Keras' pooling layers: a window of pool_size, moved by strides (pool_size if None)."""

    base_name = "pooling2d"

    def __init__(self, pool_size=2, strides=None, padding: str = "valid", data_format=None, *,
                 input_shape=None, name: str | None = None):
        owner = f"{type(self).__name__} {name!r}" if name else type(self).__name__
        self.pool_size = window_ints(pool_size, 2, "pool_size", owner, 1)
        self.strides = self.pool_size if strides is None else window_ints(strides, 2, "strides", owner, 1)
        self.padding = check_padding(padding, owner)
        check_data_format(data_format, owner)
        self.declared_input_shape = declared_shape(input_shape, owner)
        self.name = name or unique_name(self.base_name)

    def pool(self, x: Tensor, spec: ConvSpec) -> Tensor:
        raise NotImplementedError

    def forward(self, x):
        x = image_input(self, x)
        spec = keras_spec(x.shape[1:3], self.pool_size, self.strides, self.padding)
        check_fits(f"{type(self).__name__} {self.name!r}", x.shape[1:3], self.pool_size, spec)
        return self.pool(channels_first(x), spec).transpose(0, 2, 3, 1)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        hw = tuple(out_size(n, k, s, self.padding, 1, self.name)
                   for n, k, s in zip(input_shape[1:3], self.pool_size, self.strides))
        return (input_shape[0], *hw, input_shape[3])

    def get_config(self) -> dict:
        return {"pool_size": self.pool_size, "strides": self.strides, "padding": self.padding, "name": self.name}

    def extra_repr(self) -> str:
        return f"pool_size={self.pool_size}, strides={self.strides}, padding={self.padding!r}"


class MaxPooling2D(Pooling2D):
    """y = the maximum of each pool_size window of x (N, H, W, C), per channel; "same" pads with -inf."""

    base_name = "max_pooling2d"

    def pool(self, x: Tensor, spec: ConvSpec) -> Tensor:
        return max_pool2d_spec(x, self.pool_size, spec)


class AveragePooling2D(Pooling2D):
    """y = the mean of each pool_size window of x (N, H, W, C); with "same", of the numbers inside x, as Keras."""

    base_name = "average_pooling2d"

    def pool(self, x: Tensor, spec: ConvSpec) -> Tensor:
        return avg_pool2d_spec(x, self.pool_size, spec, count_include_pad=False)


class Flatten(Module):
    """(N, d1, d2, ...) -> (N, d1·d2·...), in row-major order: for (N, H, W, C) the channels vary fastest, as Keras."""

    def __init__(self, data_format=None, *, input_shape=None, name: str | None = None):
        check_data_format(data_format, "Flatten")
        self.declared_input_shape = declared_shape(input_shape, "Flatten")
        self.name = name or unique_name("flatten")

    def forward(self, x):
        x = x if isinstance(x, Tensor) else Tensor(np.asarray(x))
        if x.ndim < 1:
            raise ValueError(f"Input of layer {self.name!r} (Flatten) needs a batch axis, received a scalar")
        return x.reshape(x.shape[0], -1)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        rest = input_shape[1:]
        return (input_shape[0], None if None in rest else math.prod(rest))

    def get_config(self) -> dict:
        return {"name": self.name}
