"""``train_test_split``, in scikit-learn's spelling: a shuffled (or stratified) split into train and test parts."""

from __future__ import annotations

import math

import numpy as np

from ..autograd import default_generator
from . import frames
from .checks import is_whole, samples

WHERE = "train_test_split"


def train_test_split(x, y, test_size: float | int = 0.2, *, shuffle: bool = True, stratify=None,
                     random_state: int | np.random.Generator | None = None, rng: np.random.Generator | None = None):
    """Split x and y, sample by sample, into (x_train, x_test, y_train, y_test).

    - ``test_size``: a fraction in (0, 1) (the test part gets ceil(test_size * n) samples, as in
      scikit-learn) or a whole number of samples; each part must keep at least one sample.
    - ``shuffle=False`` keeps the order: the test part is the last samples.
    - ``stratify``: labels (usually ``y``) whose class proportions both parts keep, each class within one
      sample of its share; every class needs at least 2 samples.
    - ``random_state`` (an int seed or a Generator) or ``rng`` (a Generator) makes the split
      reproducible; with neither, the framework's generator (``ts.manual_seed``) shuffles.

    x and y may be DataFrames or Series (they come back as numpy arrays, see ``frames``).
    """
    x = samples(frames.to_array(x, "x"), "x", WHERE)
    y = samples(frames.to_array(y, "y"), "y", WHERE)
    if len(x) != len(y):
        raise ValueError(f"{WHERE}: x and y have different numbers of samples: x has shape {x.shape}, "
                         f"y has shape {y.shape}")
    n_test = size_of_test_part(test_size, len(x))
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(f"{WHERE}: shuffle must be True or False, got {shuffle!r}")
    gen = generator(random_state, rng)
    if stratify is not None:
        if not shuffle:
            raise ValueError(f"{WHERE}: stratify needs shuffle=True (a stratified split picks samples by class)")
        train, test = stratified(class_codes(stratify, len(x)), n_test, gen)
    elif shuffle:
        order = gen.permutation(len(x))
        train, test = order[:len(x) - n_test], order[len(x) - n_test:]
    else:
        train, test = np.arange(len(x) - n_test), np.arange(len(x) - n_test, len(x))
    return x[train], x[test], y[train], y[test]


def size_of_test_part(test_size, n: int) -> int:
    """The number of test samples: a fraction of n rounded up (scikit-learn), or a count; both parts non-empty."""
    if is_whole(test_size):
        n_test = int(test_size)
    elif isinstance(test_size, (float, np.floating)) and 0 < test_size < 1:
        n_test = math.ceil(round(float(test_size) * n, 9))  # round first: 0.7 * 10 is 7.000000000000001
    else:
        raise ValueError(f"{WHERE}: test_size must be a fraction in (0, 1) or a whole number of samples, "
                         f"got {test_size!r}")
    if not 0 < n_test < n:
        raise ValueError(f"{WHERE}: test_size={test_size!r} of {n} samples leaves {n - n_test} to train on and "
                         f"{n_test} to test on; each part needs at least one")
    return n_test


def generator(random_state, rng) -> np.random.Generator:
    if random_state is not None and rng is not None:
        raise ValueError(f"{WHERE}: pass random_state or rng, not both")
    if rng is not None:
        if not isinstance(rng, np.random.Generator):
            raise TypeError(f"{WHERE}: rng must be a np.random.Generator, got {rng!r}")
        return rng
    if random_state is None:
        return default_generator()
    if isinstance(random_state, np.random.Generator):
        return random_state
    if is_whole(random_state) and random_state >= 0:
        return np.random.default_rng(int(random_state))
    raise TypeError(f"{WHERE}: random_state must be a seed (a whole number >= 0), a np.random.Generator or None, "
                    f"got {random_state!r}")


def class_codes(stratify, n: int) -> np.ndarray:
    """One class code per sample: labels (n,), text labels, or one row per sample (one-hot labels)."""
    labels = np.asarray(frames.labels_of(stratify, "stratify"))
    if labels.ndim == 0 or len(labels) != n:
        raise ValueError(f"{WHERE}: stratify must hold one label per sample ({n}), got shape {labels.shape}")
    if labels.dtype.kind == "f" and not np.isfinite(labels).all():
        raise ValueError(f"{WHERE}: stratify holds NaN or infinite labels")
    if labels.dtype.kind == "O":
        labels = labels.astype(str)
    rows = labels.reshape(n, -1)
    _, codes = np.unique(rows, axis=0, return_inverse=True)
    return codes.reshape(-1)


def stratified(codes: np.ndarray, n_test: int, gen: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) indices: each class gives the test part its share of n_test (largest remainders)."""
    n, counts = len(codes), np.bincount(codes)
    if counts.min() < 2:
        raise ValueError(f"{WHERE}: stratify: a class has only 1 sample (class #{int(counts.argmin())} in sorted "
                         "order); every class needs at least 2, one for each part")
    if not len(counts) <= n_test <= n - len(counts):
        raise ValueError(f"{WHERE}: stratify: {len(counts)} classes need at least {len(counts)} samples in each "
                         f"part, but test_size gives {n_test} to test and {n - n_test} to train")
    share = n_test * counts / n
    take = np.minimum(np.floor(share), counts - 1).astype(np.int64)  # each class keeps one to train on
    order = np.argsort(-(share - take), kind="stable")  # the largest remainders first
    while take.sum() < n_test:
        for c in order[take[order] < counts[order] - 1][:n_test - take.sum()]:
            take[c] += 1
    train, test = [], []
    for c, k in enumerate(take):
        members = gen.permutation(np.flatnonzero(codes == c))
        test.append(members[:k])
        train.append(members[k:])
    return gen.permutation(np.concatenate(train)), gen.permutation(np.concatenate(test))
