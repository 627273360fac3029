"""``keras.initializers``: Keras' initializer classes, called as ``init(shape, dtype=None)`` with Keras' shapes.

A kernel's shape is Keras' (inputs, units): fan_in = shape[0], fan_out = shape[1]. The numbers come from
``ts.nn.init`` (whose weights are (units, inputs)), transposed; ``seed=`` makes an initializer reproducible,
else the default generator (``ts.manual_seed``) is used. ``keras.layers.Dense(kernel_initializer=...)``
takes these, their names ("he_normal", "HeNormal") or any ``init(shape, dtype=None)`` of your own.
"""

from __future__ import annotations

import functools

import numpy as np

from ..autograd import default_generator
from ..nn import init as nn_init


class Initializer:
    """``init(shape, dtype=None) -> numpy array`` in Keras' layout; ``get_config()``."""

    function = staticmethod(nn_init.zeros)

    def __init__(self, seed: int | None = None, **options):
        self.seed, self.options = seed, options
        self.rng = None if seed is None else np.random.default_rng(seed)

    def __call__(self, shape, dtype=None) -> np.ndarray:
        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        slides = shape[::-1] if len(shape) == 2 else shape  # nn.init's fans are those of (units, inputs)
        out = self.function(slides, dtype or "float32", self.rng or default_generator(), **self.options)
        return np.ascontiguousarray(out.T) if len(shape) == 2 else out

    def get_config(self) -> dict:
        return {**self.options, **({} if self.seed is None else {"seed": self.seed})}


def _initializer(name: str, function, **defaults) -> type:
    def __init__(self, *args, seed: int | None = None, **options):
        options = {**defaults, **dict(zip(defaults, args)), **options}
        Initializer.__init__(self, seed, **options)

    return type(name, (Initializer,), {"function": staticmethod(function), "__init__": __init__,
                                       "__doc__": f"Keras' {name}: ``ts.nn.init.{function.__name__}``."})


def _constant(shape, dtype, rng, value=0.0):
    return nn_init.constant(value)(shape, dtype)


Zeros = _initializer("Zeros", nn_init.zeros)
Ones = _initializer("Ones", nn_init.ones)
Constant = _initializer("Constant", functools.update_wrapper(_constant, nn_init.constant), value=0.0)
RandomNormal = _initializer("RandomNormal", nn_init.random_normal, mean=0.0, stddev=0.05)
RandomUniform = _initializer("RandomUniform", nn_init.random_uniform, minval=-0.05, maxval=0.05)
TruncatedNormal = _initializer("TruncatedNormal", nn_init.truncated_normal, mean=0.0, stddev=0.05)
GlorotUniform = _initializer("GlorotUniform", nn_init.glorot_uniform)
GlorotNormal = _initializer("GlorotNormal", nn_init.glorot_normal)
HeUniform = _initializer("HeUniform", nn_init.he_uniform)
HeNormal = _initializer("HeNormal", nn_init.he_normal)
LecunUniform = _initializer("LecunUniform", nn_init.lecun_uniform)
LecunNormal = _initializer("LecunNormal", nn_init.lecun_normal)

CLASSES = {cls.__name__: cls for cls in (Zeros, Ones, Constant, RandomNormal, RandomUniform, TruncatedNormal,
                                         GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal)}
zeros, ones, constant = Zeros, Ones, Constant
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
glorot_uniform, glorot_normal, he_uniform, he_normal = GlorotUniform, GlorotNormal, HeUniform, HeNormal
lecun_uniform, lecun_normal = LecunUniform, LecunNormal


def get(identifier):
    """An initializer from a name (Keras' "he_normal" or "HeNormal"), an instance or a callable; None stays None."""
    if isinstance(identifier, str):
        key = next((k for k in CLASSES if k.lower() == identifier.replace("_", "").lower()), None)
        if key is None:
            raise ValueError(f"unknown initializer {identifier!r}; known: {', '.join(CLASSES)}")
        return CLASSES[key]()
    return identifier


__all__ = ["CLASSES", "Constant", "GlorotNormal", "GlorotUniform", "HeNormal", "HeUniform", "Initializer",
           "LecunNormal", "LecunUniform", "Ones", "RandomNormal", "RandomUniform", "TruncatedNormal", "Zeros",
           "constant", "get", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform", "lecun_normal",
           "lecun_uniform", "ones", "random_normal", "random_uniform", "truncated_normal", "zeros"]
