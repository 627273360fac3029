"""What every rule shares: the slides' layout checked with a clear error, the seed, the batches.

The slides put samples in columns: X in R^{n x p} (inputs x samples), Y in R^{m x p} (outputs x
samples). A framework user's data has samples in rows, so ``X_slides = x.T`` is the usual fix, and
every shape error here says so and shows the shapes it received.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

LAYOUT = ("the slides put samples in columns: X is n x p (inputs x samples) and Y is m x p "
          "(outputs x samples); data with samples in rows goes in as X.T")


def _shapes(**arrays) -> str:
    return ", ".join(f"{k} of shape {tuple(np.shape(v))}" for k, v in arrays.items() if v is not None)


def layout_error(who: str, problem: str, **arrays) -> ValueError:
    """A ValueError naming the function, the problem, the slides' layout and the received shapes."""
    return ValueError(f"{who}: {problem}; {LAYOUT}. Received {_shapes(**arrays)}.")


def check_params(who: str, w, b, rows: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """w as an (m, n) float array (a 1-D w is a row), b as (m, 1) (a scalar or (m,) is reshaped)."""
    w = np.asarray(w, dtype=float)
    b = np.asarray(b, dtype=float)
    if w.ndim == 1:
        w = w.reshape(1, -1)
    if w.ndim != 2 or (rows is not None and w.shape[0] != rows) or b.size != w.shape[0]:
        want = "w in R^{1 x n} and b in R^{1 x 1}" if rows == 1 else "W in R^{m x n} and b in R^{m x 1}"
        raise ValueError(f"{who}: the slides write {want}; received w of shape {w.shape}, b of shape {b.shape}.")
    return w, b.reshape(w.shape[0], 1)


def check_batch(who: str, X, Y=None, n: int | None = None, m: int | None = None,
                one_sample: bool = False) -> tuple[np.ndarray, np.ndarray | None]:
    """X as an (n, p) float array and Y as (m, p), or a ValueError that says which layout the slides use.

    With ``one_sample`` a 1-D x is the column (n, 1) and a scalar y is (1, 1); p must then be 1.
    A 1-D Y of length p is accepted as the row (1, p) when m is 1.
    """
    X = np.asarray(X, dtype=float)
    Yr = None if Y is None else np.asarray(Y, dtype=float)
    if one_sample and X.ndim == 1:
        X = X.reshape(-1, 1)
    if X.ndim != 2:
        raise layout_error(who, "X must be a 2-D array of shape (n, p)", X=X, Y=Yr)
    if n is not None and X.shape[0] != n:
        hint = " (it looks like samples are rows: pass X.T)" if X.shape[1] == n else ""
        raise layout_error(who, f"X must have n = {n} rows, one per input{hint}", X=X, Y=Yr)
    p = X.shape[1]
    if one_sample and p != 1:
        raise layout_error(who, "this rule takes one sample, a column x of shape (n, 1); use the batch rule "
                           "for several", X=X, Y=Yr)
    if Yr is None:
        return X, None
    Y = Yr
    if Y.ndim == 0 and one_sample:
        Y = Y.reshape(1, 1)
    elif Y.ndim == 1 and (m in (None, 1)):
        Y = Y.reshape(1, -1)
    if Y.ndim != 2:
        raise layout_error(who, "Y must be a 2-D array of shape (m, p)", X=X, Y=Yr)
    if m is not None and Y.shape[0] != m:
        hint = " (it looks like samples are rows: pass Y.T)" if Y.shape[1] == m and Y.shape[0] == p else ""
        raise layout_error(who, f"Y must have m = {m} rows, one per output{hint}", X=X, Y=Yr)
    if Y.shape[1] != p:
        raise layout_error(who, f"X and Y must have the same number p of columns (samples); X has {p}, "
                           f"Y has {Y.shape[1]}", X=X, Y=Yr)
    return X, Y


def init_params(dims: Sequence[int], seed: int | None) -> tuple[list, list]:
    """w^[l] in R^{n_l x n_{l-1}}, b^[l] in R^{n_l x 1}, uniform in (-1, 1), drawn w^[1], b^[1], w^[2], ...

    Returns lists whose index 0 is None, so that w[l] reads as w^[l].
    """
    rng = np.random.default_rng(seed)
    w, b = [None], [None]
    for n_prev, n_l in zip(dims[:-1], dims[1:]):
        w.append(rng.uniform(-1.0, 1.0, size=(n_l, n_prev)))
        b.append(rng.uniform(-1.0, 1.0, size=(n_l, 1)))
    return w, b


def batches(p: int, batch_size: int | None) -> Iterator[slice]:
    """Consecutive column slices of ``batch_size`` samples (the last may be shorter); None: one batch."""
    if batch_size is None:
        yield slice(0, p)
        return
    if int(batch_size) < 1:
        raise ValueError(f"batch_size must be a positive integer or None; got {batch_size!r}")
    for start in range(0, p, int(batch_size)):
        yield slice(start, start + int(batch_size))
