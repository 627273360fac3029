"""The framework's one default random generator, reseeded by ``manual_seed``.

``use_generator(g)`` lends ``g`` in its place for a while, in this thread only: ``fit`` runs under the
model's own generator, so its shuffling and dropout masks continue bit for bit after save and load.
"""

from __future__ import annotations

import threading

import numpy as np


class _Default:
    generator = np.random.default_rng()


_default = _Default()
_lent = threading.local()  # the generator use_generator lends to this thread, if any


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the default generator (factories, initialisers, dropout, shuffling) and return it."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, (bool, np.bool_)):
        raise TypeError(f"manual_seed: seed must be a whole number (int), got {seed!r} ({type(seed).__name__})")
    if seed < 0:
        raise ValueError(f"manual_seed: seed must be >= 0, got {seed!r}")
    _default.generator = np.random.default_rng(seed)
    return _default.generator


def default_generator() -> np.random.Generator:
    """The generator used wherever no ``rng`` is passed (the lent one inside ``use_generator``)."""
    return getattr(_lent, "generator", None) or _default.generator


class use_generator:  # named as the function it replaces: it is called like one
    """Within the block, in this thread, ``default_generator()`` is ``generator``; the default one is untouched.

    A class rather than ``contextlib.contextmanager``: fit enters it on every batch, and a generator-based
    context manager costs several times more."""

    __slots__ = ("generator", "before")

    def __init__(self, generator: np.random.Generator) -> None:
        if not isinstance(generator, np.random.Generator):
            raise TypeError(f"use_generator: generator must be a numpy Generator, got {type(generator).__name__}")
        self.generator = generator

    def __enter__(self) -> np.random.Generator:
        self.before = getattr(_lent, "generator", None)
        _lent.generator = self.generator
        return self.generator

    def __exit__(self, *exc) -> bool:
        _lent.generator = self.before
        return False
