"""Keras' layers with statistics: ``Normalization`` (adapt), ``BatchNormalization``, and ``Rescaling``.

The statistics are Parameters that do not require grad (Keras' non-trainable weights), so they are in
``state_dict()``, ``get_weights()`` and saved files, and no optimiser changes them. (Setting
``trainable = True`` on a model unfreezes every parameter, these included, as for any layer.)
"""

from __future__ import annotations

import numpy as np

from ..autograd import arguments
from ..autograd.tensor import as_tensor
from ..nn.module import Module, Parameter, unique_name
from . import checks

KERAS_EPSILON = 1e-7


def _stat(value, name: str, dtype) -> Parameter:
    return Parameter(np.asarray(value, dtype), requires_grad=False, dtype=dtype, name=name)


class Normalization(Module):
    """Keras' Normalization: ``(x - mean) / max(sqrt(variance), 1e-7)`` per feature (``invert``: the reverse).

    ``adapt(data)`` sets mean and variance (the population variance) from the data; or give ``mean`` and
    ``variance``. Before either, mean 0 and variance 1.
    """

    def __init__(self, axis: int = -1, mean=None, variance=None, invert: bool = False, name: str | None = None,
                 dtype="float32"):
        if axis not in (-1, 1):
            raise ValueError(f"Normalization: only axis=-1 (the features) is supported, got {axis!r}")
        if (mean is None) != (variance is None):
            raise ValueError("Normalization: give both mean and variance, or neither")
        self.axis, self.invert, self.dtype = axis, bool(invert), np.dtype(dtype)
        self.name = name or unique_name("normalization")
        self.given = None if mean is None else (np.atleast_1d(np.asarray(mean, np.float64)),
                                                np.atleast_1d(np.asarray(variance, np.float64)))
        self.mean: Parameter | None = None
        self.variance: Parameter | None = None
        if self.given is not None and self.given[0].size > 1:
            self.build(self.given[0].size)

    @property
    def built(self) -> bool:
        return self.mean is not None

    def build(self, input_dim: int) -> None:
        mean, variance = self.given if self.given is not None else (np.zeros(input_dim), np.ones(input_dim))
        mean, variance = np.broadcast_to(mean, (input_dim,)), np.broadcast_to(variance, (input_dim,))
        self.mean = _stat(mean, f"{self.name}.mean", self.dtype)
        self.variance = _stat(variance, f"{self.name}.variance", self.dtype)

    def adapt(self, data) -> None:
        """Mean and variance of each feature over the samples of ``data`` (an array or a DataFrame)."""
        x = checks.features(data, "data", np.dtype(np.float64)).reshape(len(data), -1)
        if not self.built:
            self.build(x.shape[1])
        self.mean.data = x.mean(axis=0).astype(self.dtype)
        self.variance.data = x.var(axis=0).astype(self.dtype)

    def forward(self, x):
        x = as_tensor(x)
        if not self.built:
            self.build(x.shape[-1])
        scale = np.maximum(np.sqrt(self.variance.data), KERAS_EPSILON).astype(x.dtype)
        mean = self.mean.data.astype(x.dtype)
        return x * scale + mean if self.invert else (x - mean) / scale

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        given = {} if self.given is None else {"mean": self.given[0].tolist(), "variance": self.given[1].tolist()}
        return {"axis": self.axis, "invert": self.invert, "name": self.name, "dtype": str(self.dtype), **given}


class BatchNormalization(Module):
    """Keras' BatchNormalization over the features: ``gamma * (x - m) / sqrt(v + epsilon) + beta``.

    In training m, v are the batch's mean and (population) variance, and the moving statistics become
    ``moving * momentum + batch * (1 - momentum)``; in inference the moving statistics are used.
    Weights in Keras' order: gamma, beta, moving_mean, moving_variance.
    """

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, name: str | None = None, dtype="float32"):
        if axis not in (-1, 1):
            raise ValueError(f"BatchNormalization: only axis=-1 (the features) is supported, got {axis!r}")
        self.axis, self.momentum = axis, arguments.real(momentum, "momentum", "BatchNormalization", 0, 1)
        self.epsilon = arguments.real(epsilon, "epsilon", "BatchNormalization", 0, lo_open=True)
        self.center = arguments.flag(center, "center", "BatchNormalization")
        self.scale = arguments.flag(scale, "scale", "BatchNormalization")
        self.dtype = np.dtype(dtype)
        self.name = name or unique_name("batch_normalization")
        self.gamma = self.beta = self.moving_mean = self.moving_variance = None

    @property
    def built(self) -> bool:
        return self.moving_mean is not None

    def build(self, input_dim: int) -> None:
        n, dt = input_dim, self.dtype
        self.gamma = Parameter(np.ones(n, dt), name=f"{self.name}.gamma") if self.scale else None
        self.beta = Parameter(np.zeros(n, dt), name=f"{self.name}.beta") if self.center else None
        self.moving_mean = _stat(np.zeros(n), f"{self.name}.moving_mean", dt)
        self.moving_variance = _stat(np.ones(n), f"{self.name}.moving_variance", dt)

    def forward(self, x):
        x = as_tensor(x)
        if not self.built:
            self.build(x.shape[-1])
        if self.training:
            over = tuple(range(x.ndim - 1))  # every axis but the features: (N,) for rows, (N, H, W) for images
            mean = x.mean(axis=over)
            centred = x - mean
            var = (centred * centred).mean(axis=over)
            mom = self.momentum
            self.moving_mean.data = (self.moving_mean.data * mom + mean.data * (1 - mom)).astype(self.dtype)
            self.moving_variance.data = (self.moving_variance.data * mom + var.data * (1 - mom)).astype(self.dtype)
            out = centred / (var + self.epsilon).sqrt()
        else:
            out = (x - self.moving_mean.data) / np.sqrt(self.moving_variance.data + self.epsilon).astype(x.dtype)
        if self.gamma is not None:
            out = out * self.gamma
        return out + self.beta if self.beta is not None else out

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {"axis": self.axis, "momentum": self.momentum, "epsilon": self.epsilon, "center": self.center,
                "scale": self.scale, "name": self.name, "dtype": str(self.dtype)}


class Rescaling(Module):
    """Keras' Rescaling: ``x * scale + offset``."""

    def __init__(self, scale: float, offset: float = 0.0, name: str | None = None):
        self.scale = arguments.real(scale, "scale", "Rescaling")
        self.offset = arguments.real(offset, "offset", "Rescaling")
        self.name = name or unique_name("rescaling")

    def forward(self, x):
        x = as_tensor(x)
        return x * self.scale + self.offset

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {"scale": self.scale, "offset": self.offset, "name": self.name}


__all__ = ["BatchNormalization", "Normalization", "Rescaling"]
