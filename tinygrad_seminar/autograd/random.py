"""The framework's one default random generator, reseeded by ``manual_seed``."""

from __future__ import annotations

import numpy as np


class _Default:
    generator = np.random.default_rng()


_default = _Default()


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the default generator (factories, initialisers, dropout, shuffling) and return it."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, (bool, np.bool_)):
        raise TypeError(f"manual_seed: seed must be a whole number (int), got {seed!r} ({type(seed).__name__})")
    if seed < 0:
        raise ValueError(f"manual_seed: seed must be >= 0, got {seed!r}")
    _default.generator = np.random.default_rng(seed)
    return _default.generator


def default_generator() -> np.random.Generator:
    """The generator used wherever no ``rng`` is passed."""
    return _default.generator
