"""The framework's one default random generator, reseeded by ``manual_seed``."""

from __future__ import annotations

import numpy as np


class _Default:
    generator = np.random.default_rng()


_default = _Default()


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the default generator (factories, initialisers, dropout, shuffling) and return it."""
    _default.generator = np.random.default_rng(seed)
    return _default.generator


def default_generator() -> np.random.Generator:
    """The generator used wherever no ``rng`` is passed."""
    return _default.generator
