"""Toy data made in code (rows are samples), CSV loading, splitting, one-hot, scaling.

Generators take ``rng`` (default: the framework's generator, reseeded by ``ts.manual_seed``) and return
float32 ``x`` of shape (n, 2) and integer labels ``y`` of shape (n,).
"""

from __future__ import annotations

import csv
import os

import numpy as np

from .autograd import default_generator


def _rng(rng):
    return rng if rng is not None else default_generator()


def moons(n: int = 1000, noise: float = 0.1, rng: np.random.Generator | None = None):
    """Two interleaving half circles (scikit-learn's make_moons): labels 0 and 1."""
    rng = _rng(rng)
    n0 = n // 2
    t0, t1 = np.pi * rng.random(n0), np.pi * rng.random(n - n0)
    x = np.concatenate([np.c_[np.cos(t0), np.sin(t0)], np.c_[1 - np.cos(t1), 0.5 - np.sin(t1)]])
    x += noise * rng.standard_normal(x.shape)
    y = np.r_[np.zeros(n0, np.int64), np.ones(n - n0, np.int64)]
    idx = rng.permutation(n)
    return x[idx].astype(np.float32), y[idx]


def circles(n: int = 1000, noise: float = 0.05, factor: float = 0.5, rng: np.random.Generator | None = None):
    """A circle inside a circle: label 1 for the inner one."""
    rng = _rng(rng)
    t = 2 * np.pi * rng.random(n)
    y = (rng.random(n) < 0.5).astype(np.int64)
    r = np.where(y == 1, factor, 1.0)
    x = np.c_[r * np.cos(t), r * np.sin(t)] + noise * rng.standard_normal((n, 2))
    return x.astype(np.float32), y


def blobs(n: int = 1000, centers: int = 4, std: float = 0.6, rng: np.random.Generator | None = None):
    """Gaussian blobs around ``centers`` points spread on a circle of radius 3: labels 0..centers-1."""
    rng = _rng(rng)
    angles = 2 * np.pi * np.arange(centers) / centers
    mu = 3 * np.c_[np.cos(angles), np.sin(angles)]
    y = rng.integers(0, centers, n)
    x = mu[y] + std * rng.standard_normal((n, 2))
    return x.astype(np.float32), y.astype(np.int64)


def logic_gate(name: str):
    """The truth table of AND, OR or XOR: x of shape (4, 2), y of shape (4,)."""
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
    table = {"and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "xor": [0, 1, 1, 0]}
    try:
        return x, np.array(table[name.lower()], np.int64)
    except KeyError:
        raise ValueError(f"logic_gate: name must be one of {', '.join(table)}, got {name!r}") from None


def one_hot(labels, n_classes: int | None = None, dtype="float32") -> np.ndarray:
    """Integer labels (n,) as an (n, n_classes) one-hot array."""
    lab = np.asarray(labels).astype(np.int64).reshape(-1)
    k = int(lab.max()) + 1 if n_classes is None else n_classes
    if lab.size and (lab.min() < 0 or lab.max() >= k):
        raise ValueError(f"one_hot: labels must lie in [0, {k - 1}], got {lab.min()} to {lab.max()}")
    out = np.zeros((lab.size, k), dtype)
    out[np.arange(lab.size), lab] = 1
    return out


def train_test_split(x, y, test_size: float = 0.2, rng: np.random.Generator | None = None):
    """Shuffle, then split: (x_train, x_test, y_train, y_test)."""
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"train_test_split: x has shape {x.shape} but y has shape {y.shape}")
    if not 0 < test_size < 1:
        raise ValueError(f"train_test_split: test_size must be in (0, 1), got {test_size!r}")
    idx = _rng(rng).permutation(len(x))
    cut = len(x) - int(round(len(x) * test_size))
    return x[idx[:cut]], x[idx[cut:]], y[idx[:cut]], y[idx[cut:]]


def standardize(x, mean=None, std=None):
    """(x - mean) / std per column; returns (scaled, mean, std) so a test set can reuse the train's."""
    x = np.asarray(x, dtype=np.float64)
    mean = x.mean(axis=0) if mean is None else mean
    std = x.std(axis=0) if std is None else std
    return ((x - mean) / np.where(std > 0, std, 1)).astype(np.float32), mean, std


def load_csv(path, target: str | int | list = -1, delimiter: str = ","):
    """Read a numeric CSV with a header: (x, y, feature names), float32.

    ``target`` names or indexes y's column, or lists several (one-hot targets, say): y is then 2-D.
    """
    path = os.fspath(path)
    with open(path, newline="", encoding="utf-8-sig") as f:  # utf-8-sig: Excel's byte-order mark
        reader = csv.reader(f, delimiter=delimiter)
        rows = [(reader.line_num, r) for r in reader if r]  # line numbers for errors, blank lines skipped
    if len(rows) < 2:
        raise ValueError(f"{path}: expected a header and at least one row")
    header, body = [h.strip() for h in rows[0][1]], rows[1:]
    if len(header) == 1 and delimiter == "," and ";" in header[0]:
        raise ValueError(f"{path}: the header has one column {header[0]!r}; is the file ';'-separated? "
                         "Pass delimiter=';'")
    targets = target if isinstance(target, (list, tuple)) else [target]
    cols = []
    for t in targets:
        if isinstance(t, str):
            if t not in header:
                raise ValueError(f"{path}: no column named {t!r}; the columns are {header}")
            cols.append(header.index(t))
        else:
            cols.append(int(t) % len(header))
    data = np.empty((len(body), len(header)))
    for i, (line, row) in enumerate(body):
        if len(row) != len(header):
            raise ValueError(f"{path}, line {line}: {len(row)} values for {len(header)} columns")
        for j, v in enumerate(row):
            try:
                data[i, j] = float(v)
            except ValueError:
                raise ValueError(f"{path}, line {line}, column {header[j]!r}: {v!r} is not a number "
                                 "(drop or encode text columns, and fill missing values, before loading)") from None
    features = [h for j, h in enumerate(header) if j not in cols]
    y = data[:, cols] if isinstance(target, (list, tuple)) else data[:, cols[0]]
    return np.delete(data, cols, axis=1).astype(np.float32), y.astype(np.float32), features
