"""Toy data made in code (rows are samples).

Generators take ``rng`` (default: the framework's generator, reseeded by ``ts.manual_seed``) and return
float32 ``x`` of shape (n, 2) and integer labels ``y`` of shape (n,).
"""

from __future__ import annotations

import numpy as np

from ..autograd import arguments, default_generator


def _rng(rng, owner: str, n, noise) -> np.random.Generator:
    """The generator to draw from, once the arguments every generator shares are checked."""
    arguments.whole(n, "n", owner)
    arguments.real(noise, "noise" if owner != "blobs" else "std", owner, 0)
    return arguments.generator(rng, owner) or default_generator()


def moons(n: int = 1000, noise: float = 0.1, rng: np.random.Generator | None = None):
    """Two interleaving half circles (scikit-learn's make_moons): labels 0 and 1."""
    rng = _rng(rng, "moons", n, noise)
    n0 = n // 2
    t0, t1 = np.pi * rng.random(n0), np.pi * rng.random(n - n0)
    x = np.concatenate([np.c_[np.cos(t0), np.sin(t0)], np.c_[1 - np.cos(t1), 0.5 - np.sin(t1)]])
    x += noise * rng.standard_normal(x.shape)
    y = np.r_[np.zeros(n0, np.int64), np.ones(n - n0, np.int64)]
    idx = rng.permutation(n)
    return x[idx].astype(np.float32), y[idx]


def circles(n: int = 1000, noise: float = 0.05, factor: float = 0.5, rng: np.random.Generator | None = None):
    """A circle inside a circle: label 1 for the inner one."""
    rng = _rng(rng, "circles", n, noise)
    arguments.real(factor, "factor", "circles", 0, 1)
    t = 2 * np.pi * rng.random(n)
    y = (rng.random(n) < 0.5).astype(np.int64)
    r = np.where(y == 1, factor, 1.0)
    x = np.c_[r * np.cos(t), r * np.sin(t)] + noise * rng.standard_normal((n, 2))
    return x.astype(np.float32), y


def blobs(n: int = 1000, centers: int = 4, std: float = 0.6, rng: np.random.Generator | None = None):
    """Gaussian blobs around ``centers`` points spread on a circle of radius 3: labels 0..centers-1."""
    rng = _rng(rng, "blobs", n, std)
    arguments.whole(centers, "centers", "blobs", minimum=1)
    angles = 2 * np.pi * np.arange(centers) / centers
    mu = 3 * np.c_[np.cos(angles), np.sin(angles)]
    y = rng.integers(0, centers, n)
    x = mu[y] + std * rng.standard_normal((n, 2))
    return x.astype(np.float32), y.astype(np.int64)


def logic_gate(name: str):
    """The truth table of AND, OR or XOR: x of shape (4, 2), y of shape (4,)."""
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
    table = {"and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "xor": [0, 1, 1, 0]}
    if not isinstance(name, str):
        raise TypeError(f"logic_gate: name must be one of {', '.join(table)}, got {arguments.given(name)}")
    try:
        return x, np.array(table[name.lower()], np.int64)
    except KeyError:
        raise ValueError(f"logic_gate: name must be one of {', '.join(table)}, got {name!r}") from None
