"""Layers with Keras' constructors: Dense and Dropout (the activation layers are in activations.py)."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

from ..autograd import Tensor, arguments, default_generator
from ..autograd.hooks import HookHandle, add_hook
from ..autograd.ops import Affine, Relu, Sigmoid, Tanh
from ..autograd.ops import Dropout as DropoutOp
from ..autograd.tensor import as_tensor
from . import functional as F
from . import init as initializers
from .module import Module, Parameter, unique_name

# the named activations as their ops, so that the common case skips two calls a layer (F.relu -> Tensor.relu);
# used only while ``activation`` is still the function its name gives (a layer whose activation was replaced calls it)
NAMED = F.ACTIVATIONS
DIRECT_OPS = {"relu": Relu.apply, "tanh": Tanh.apply, "sigmoid": Sigmoid.apply, "linear": lambda z: z}


def _width(input_dim, input_shape):
    if input_dim is not None and input_shape is not None:
        raise ValueError("give input_dim or input_shape, not both")
    if input_shape is not None:
        input_shape = tuple(input_shape)
        if len(input_shape) != 1:
            raise ValueError(f"Dense takes a flat input: input_shape must be (n,), got {input_shape}")
        return arguments.whole(input_shape[0], "input_shape[0]", "Dense", minimum=1)
    return None if input_dim is None else arguments.whole(input_dim, "input_dim", "Dense", minimum=1)


class Dense(Module):
    """a = phi(x @ W.T + b), W of shape (units, inputs): the slides' w^[l]; b of shape (units,): b^[l]."""

    def __init__(self, units: int, activation=None, input_dim: int | None = None, input_shape=None,
                 use_bias: bool = True, kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 name: str | None = None, rng: np.random.Generator | None = None, dtype="float32"):
        self.units = arguments.whole(units, "units", "Dense", minimum=1)
        self.use_bias = arguments.flag(use_bias, "use_bias", "Dense")
        arguments.optional_name(name, "Dense")
        self.activation_name = activation if isinstance(activation, str) or activation is None else getattr(
            activation, "__name__", "custom")
        self.activation = F.get_activation(activation)
        if units == 1 and self.activation_name == "softmax":
            warnings.warn("Dense(1, activation='softmax') always outputs 1 (a softmax over one unit), so it "
                          "cannot learn; for two classes use Dense(1, activation='sigmoid') with "
                          "binary_crossentropy", UserWarning, stacklevel=2)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.name = name or unique_name("dense")  # name checked above, before the activation is looked up
        self.rng, self.dtype = arguments.generator(rng, "Dense"), arguments.dtype(dtype, "Dense")
        if self.dtype.kind != "f":
            raise ValueError(f"Dense {self.name!r}: dtype must be a float type, got {self.dtype}")
        self.weight: Parameter | None = None
        self.bias: Parameter | None = None
        n = _width(input_dim, input_shape)
        if n is not None:
            self.build(n)

    @property
    def built(self) -> bool:
        return self.weight is not None

    @property
    def input_dim(self) -> int | None:
        return None if self.weight is None else self.weight.shape[1]

    def build(self, input_dim: int) -> None:
        """Create W (units, input_dim) and b (units,) with the layer's initialisers."""
        rng = self.rng or default_generator()
        w = self.kernel_initializer((self.units, input_dim), self.dtype, rng)
        self.weight = Parameter(w, dtype=self.dtype, name=f"{self.name}.weight")
        if self.use_bias:
            self.bias = Parameter(self.bias_initializer((self.units,), self.dtype, rng), dtype=self.dtype,
                                  name=f"{self.name}.bias")
        if not self.trainable:
            self.trainable = False

    def forward(self, x):
        w = self.weight
        if (type(x) is Tensor and w is not None and x.data.dtype == self.dtype and x.data.ndim == 2
                and x.data.shape[1] == w.data.shape[1]):  # the common case, checked in one go: it runs every step
            z = Affine.apply(x, w, self.bias) if self.use_bias else Affine.apply(x, w)
            if self.__dict__.get("_preactivation_hooks"):  # the one check the common case pays for hooks
                self._run_preactivation_hooks(z)
            name = self.activation_name or "linear"
            op = DIRECT_OPS.get(name) if self.activation is NAMED.get(name) else None
            return op(z) if op is not None else self.activation(z)
        x = x.astype(self.dtype) if isinstance(x, Tensor) else Tensor(np.asarray(x), dtype=self.dtype)
        width = x.shape[-1] if x.ndim else None
        if not self.built:
            if width is None:
                raise ValueError(f"Dense layer {self.name!r} needs inputs with a feature axis, got shape {x.shape}")
            self.build(width)
        elif width != self.input_dim:
            raise ValueError(
                f"Input of layer {self.name!r} (Dense) is incompatible: expected shape (None, {self.input_dim}), "
                f"received {x.shape}"
            )
        z = F.affine(x, self.weight, self.bias)
        if self.__dict__.get("_preactivation_hooks"):
            self._run_preactivation_hooks(z)
        return self.activation(z)

    def register_preactivation_hook(self, fn: Callable) -> HookHandle:
        """``fn(layer, z)`` with z = x @ W.T + b (the slides' z^[l], samples in rows) in each forward.

        Observe only: ``fn``'s return value is ignored, so the layer's output is always phi(z). With the
        activation "linear" the output is z itself. ``handle.remove()`` detaches it.
        """
        return add_hook(self.__dict__.setdefault("_preactivation_hooks", {}), fn, "register_preactivation_hook")

    def _run_preactivation_hooks(self, z: Tensor) -> None:
        for fn in list(self.__dict__["_preactivation_hooks"].values()):  # a hook may remove itself
            fn(self, z)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape[:-1]) + (self.units,)

    def get_config(self) -> dict:
        """units, activation (the function, or None), use_bias, name, dtype."""
        activation = None if self.activation_name is None else self.activation
        return {"units": self.units, "activation": activation, "use_bias": self.use_bias, "name": self.name,
                "dtype": str(self.dtype)}

    def extra_repr(self) -> str:
        inputs = "?" if not self.built else self.input_dim
        return f"{inputs} -> {self.units}, activation={self.activation_name or 'linear'}, name={self.name!r}"


class Dropout(Module):
    """Inverted dropout: in training, zero each input with probability rate and scale the rest by 1/(1 - rate)."""

    def __init__(self, rate: float, rng: np.random.Generator | None = None, name: str | None = None,
                 seed: int | None = None):
        self.rate = arguments.real(rate, "rate", "Dropout", 0, 1, hi_open=True)
        self.rng = arguments.generator(rng, "Dropout")
        self.seed = None if seed is None else arguments.whole(seed, "seed", "Dropout")  # an int: its config is JSON
        if seed is not None:  # Keras' argument: the layer's masks from a generator of its own, seeded so
            if rng is not None:
                raise ValueError("Dropout: give rng or seed, not both")
            self.rng = np.random.default_rng(self.seed)
        arguments.optional_name(name, "Dropout")
        self.name = name or unique_name("dropout")

    def forward(self, x):
        x = as_tensor(x)
        if not self.training or self.rate == 0:
            return x
        return DropoutOp.apply(x, rate=self.rate, rng=self.rng)

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {"rate": self.rate, "name": self.name, **({} if self.seed is None else {"seed": self.seed})}

    def extra_repr(self) -> str:
        return f"rate={self.rate}"
