"""Weight initialisers, Keras' names and formulas, for this framework's (units, inputs) layout.

Every initialiser is a callable ``init(shape, dtype="float32", rng=None) -> np.ndarray``; ``rng``
defaults to the framework's generator (reseeded by ``ts.manual_seed``). ``get("glorot_uniform")``
resolves a name, as ``Dense(kernel_initializer=...)`` does.

Fans. ``Dense.weight`` has shape ``(units, inputs)`` (the slides' w^[l] in R^{n_l x n_{l-1}}), so here
``fan_in = shape[1]`` (inputs) and ``fan_out = shape[0]`` (units). Keras stores its kernel transposed,
``(inputs, units)``, and so reads ``fan_in = shape[0]``: the same layer gets the same distribution
either way, but a non-square weight would get the wrong one if Keras' indexing were copied. A 1-D
shape (a bias) has ``fan_in = fan_out = shape[0]``; a 0-D shape has fans 1; shapes of 3 or more axes
follow PyTorch's convolution layout ``(out, in, *kernel)``: fans times the kernel size.

The ``*_normal`` variance-scaling initialisers draw from a normal truncated at two of its standard
deviations (values outside are redrawn) whose standard deviation is divided by 0.8796..., the standard
deviation of a standard normal truncated to [-2, 2]: the *samples* then have exactly the formula's
standard deviation, as in Keras. Options such as ``stddev`` are keyword arguments, so a custom
initialiser is ``functools.partial(init.random_normal, stddev=0.1)``.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..autograd import default_generator

Initializer = Callable[..., np.ndarray]

# standard deviation of a standard normal truncated to [-2, 2] (Keras' constant)
_TRUNCATED_STD = 0.87962566103423978


def _shape(shape) -> tuple[int, ...]:
    shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    if any(int(s) != s or s < 0 for s in shape):
        raise ValueError(f"shape must be non-negative integers, got {shape}")
    return tuple(int(s) for s in shape)


def _float_dtype(dtype, name: str) -> np.dtype:
    dt = np.dtype(dtype)
    if dt.kind != "f":
        raise ValueError(f"{name}: dtype must be a floating-point type, got {dt}")
    return dt


def compute_fans(shape) -> tuple[int, int]:
    """(fan_in, fan_out) = (shape[1], shape[0]) for a (units, inputs) weight; (n, n) for a bias (n,)."""
    shape = _shape(shape)
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _truncated_standard_normal(shape: tuple, rng: np.random.Generator) -> np.ndarray:
    """N(0, 1) conditioned on |z| <= 2: out-of-range draws are redrawn, as Keras does."""
    z = rng.standard_normal(shape)
    flat = z.reshape(-1)
    bad = np.flatnonzero(np.abs(flat) > 2.0)
    while bad.size:
        flat[bad] = rng.standard_normal(bad.size)
        bad = bad[np.abs(flat[bad]) > 2.0]
    return z


def _variance_scaling(shape, dtype, rng, scale: float, mode: str, distribution: str, name: str) -> np.ndarray:
    shape, dt = _shape(shape), _float_dtype(dtype, name)
    fan_in, fan_out = compute_fans(shape)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[mode]
    var = scale / max(1.0, n)
    rng = rng or default_generator()
    if distribution == "uniform":
        limit = math.sqrt(3.0 * var)
        return rng.uniform(-limit, limit, shape).astype(dt, copy=False)
    z = _truncated_standard_normal(shape, rng)
    z *= math.sqrt(var) / _TRUNCATED_STD
    return z.astype(dt, copy=False)


def zeros(shape, dtype="float32", rng: np.random.Generator | None = None) -> np.ndarray:
    """w = 0."""
    return np.zeros(_shape(shape), dtype)


def ones(shape, dtype="float32", rng: np.random.Generator | None = None) -> np.ndarray:
    """w = 1."""
    return np.ones(_shape(shape), dtype)


def constant(value: float = 0.0) -> Initializer:
    """w = value: returns an initialiser, ``constant(0.1)((3, 2))`` (Keras' ``Constant(value)``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
        raise TypeError(f"constant: value must be a number, got {value!r}")
    value = float(value)

    def init(shape, dtype="float32", rng: np.random.Generator | None = None) -> np.ndarray:
        return np.full(_shape(shape), value, dtype)

    init.__name__ = init.__qualname__ = f"constant({value!r})"
    return init


def random_normal(shape, dtype="float32", rng: np.random.Generator | None = None, *,
                  mean: float = 0.0, stddev: float = 0.05) -> np.ndarray:
    """w ~ N(mean, stddev^2), not truncated (Keras' RandomNormal defaults: mean 0, stddev 0.05)."""
    shape, dt = _shape(shape), _float_dtype(dtype, "random_normal")
    if not stddev >= 0:
        raise ValueError(f"random_normal: stddev must be >= 0, got {stddev!r}")
    return (rng or default_generator()).normal(mean, stddev, shape).astype(dt, copy=False)


def truncated_normal(shape, dtype="float32", rng: np.random.Generator | None = None, *,
                     mean: float = 0.0, stddev: float = 0.05) -> np.ndarray:
    """w = mean + stddev * z, z ~ N(0, 1) redrawn while |z| > 2 (Keras' TruncatedNormal; stddev before truncation)."""
    shape, dt = _shape(shape), _float_dtype(dtype, "truncated_normal")
    if not stddev >= 0:
        raise ValueError(f"truncated_normal: stddev must be >= 0, got {stddev!r}")
    z = _truncated_standard_normal(shape, rng or default_generator())
    z *= stddev
    z += mean
    return z.astype(dt, copy=False)


def random_uniform(shape, dtype="float32", rng: np.random.Generator | None = None, *,
                   minval: float = -0.05, maxval: float = 0.05) -> np.ndarray:
    """w ~ U[minval, maxval) (Keras' RandomUniform defaults: -0.05, 0.05)."""
    shape, dt = _shape(shape), _float_dtype(dtype, "random_uniform")
    if not maxval >= minval:
        raise ValueError(f"random_uniform: need minval <= maxval, got minval={minval!r}, maxval={maxval!r}")
    return (rng or default_generator()).uniform(minval, maxval, shape).astype(dt, copy=False)


def glorot_uniform(shape, dtype="float32", rng: np.random.Generator | None = None) -> np.ndarray:
    """w ~ U[-l, l], l = sqrt(6 / (fan_in + fan_out)), fan_in = shape[1], fan_out = shape[0] (Xavier)."""
    return _variance_scaling(shape, dtype, rng, 1.0, "fan_avg", "uniform", "glorot_uniform")


def glorot_normal(shape, dtype="float32", rng: np.random.Generator | None = None) -> np.ndarray:
    """w ~ truncated normal with std sqrt(2 / (fan_in + fan_out)) after truncation, fan_in = shape[1]."""
    return _variance_scaling(shape, dtype, rng, 1.0, "fan_avg", "truncated_normal", "glorot_normal")


def he_uniform(shape, dtype="float32", rng: np.random.Generator | None = None) -> np.ndarray:
    """w ~ U[-l, l], l = sqrt(6 / fan_in), fan_in = shape[1] (the number of inputs)."""
    return _variance_scaling(shape, dtype, rng, 2.0, "fan_in", "uniform", "he_uniform")


def he_normal(shape, dtype="float32", rng: np.random.Generator | None = None) -> np.ndarray:
    """w ~ truncated normal with std sqrt(2 / fan_in) after truncation, fan_in = shape[1]."""
    return _variance_scaling(shape, dtype, rng, 2.0, "fan_in", "truncated_normal", "he_normal")


def lecun_uniform(shape, dtype="float32", rng: np.random.Generator | None = None) -> np.ndarray:
    """w ~ U[-l, l], l = sqrt(3 / fan_in), fan_in = shape[1]."""
    return _variance_scaling(shape, dtype, rng, 1.0, "fan_in", "uniform", "lecun_uniform")


def lecun_normal(shape, dtype="float32", rng: np.random.Generator | None = None) -> np.ndarray:
    """w ~ truncated normal with std sqrt(1 / fan_in) after truncation, fan_in = shape[1]."""
    return _variance_scaling(shape, dtype, rng, 1.0, "fan_in", "truncated_normal", "lecun_normal")


_BY_NAME: dict[str, Initializer] = {
    "zeros": zeros, "ones": ones, "constant": constant(0.0),
    "random_normal": random_normal, "random_uniform": random_uniform, "truncated_normal": truncated_normal,
    "glorot_uniform": glorot_uniform, "glorot_normal": glorot_normal,
    "he_uniform": he_uniform, "he_normal": he_normal,
    "lecun_uniform": lecun_uniform, "lecun_normal": lecun_normal,
}
# Keras' class names and its short aliases
_ALIASES = {
    "Zeros": "zeros", "Ones": "ones", "Constant": "constant", "RandomNormal": "random_normal",
    "RandomUniform": "random_uniform", "TruncatedNormal": "truncated_normal", "GlorotUniform": "glorot_uniform",
    "GlorotNormal": "glorot_normal", "HeUniform": "he_uniform", "HeNormal": "he_normal",
    "LecunUniform": "lecun_uniform", "LecunNormal": "lecun_normal",
    "zero": "zeros", "one": "ones", "normal": "random_normal", "uniform": "random_uniform",
}


def get(identifier: str | Initializer | None) -> Initializer | None:
    """The initialiser called ``identifier`` (Keras' spellings: "glorot_uniform" or "GlorotUniform");
    a callable is returned as it is, and None stays None."""
    if identifier is None or (callable(identifier) and not isinstance(identifier, str)):
        return identifier
    if isinstance(identifier, str):
        key = _ALIASES.get(identifier, identifier)
        if key in _BY_NAME:
            return _BY_NAME[key]
        raise ValueError(f"unknown initializer {identifier!r}; known: {', '.join(sorted(_BY_NAME))} "
                         f"(and Keras' class names such as 'GlorotUniform')")
    raise TypeError(f"an initializer must be a name or a callable init(shape, dtype, rng), "
                    f"got {type(identifier).__name__}")


__all__ = [
    "compute_fans", "constant", "get", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform",
    "lecun_normal", "lecun_uniform", "ones", "random_normal", "random_uniform", "truncated_normal", "zeros",
]
