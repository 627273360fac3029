"""Labels and scales: ``one_hot``, ``standardize``, and text labels as integer codes."""

from __future__ import annotations

import numpy as np

from . import frames
from .checks import is_whole


def encode_labels(values) -> tuple[np.ndarray, list[str]]:
    """Text labels as integer codes in sorted order (scikit-learn's LabelEncoder): (codes, classes)."""
    values = [str(v) for v in values]
    classes = sorted(set(values))
    index = {c: i for i, c in enumerate(classes)}
    return np.array([index[v] for v in values], dtype=np.int64), classes


def is_text(arr: np.ndarray) -> bool:
    return arr.dtype.kind in "US" or (arr.dtype.kind == "O" and arr.size > 0
                                      and any(isinstance(v, (str, bytes)) for v in arr.flat))


def label_codes(lab: np.ndarray) -> tuple[np.ndarray, int]:
    """(integer codes, the number of classes they need) of 1-D labels, text or whole numbers."""
    if is_text(lab):
        if not all(isinstance(v, (str, bytes, np.str_)) for v in lab.flat):
            kinds = sorted({type(v).__name__ for v in lab.flat})
            raise ValueError(f"one_hot: labels mix text and other values ({', '.join(kinds)}): make them all "
                             "text, or encode them as integers 0..k-1 first")
        codes, classes = encode_labels(lab)
        return codes, len(classes)
    if lab.dtype.kind == "O":
        try:
            lab = lab.astype(np.float64)
        except (TypeError, ValueError):
            raise ValueError("one_hot: labels must be integers 0..k-1 or text, got objects such as "
                             f"{lab.flat[0]!r}") from None
    if lab.dtype.kind not in "biuf":
        raise ValueError(f"one_hot: labels must be integers 0..k-1 or text, got dtype {lab.dtype}")
    if lab.dtype.kind == "f":
        whole = np.isfinite(lab) & (lab == np.round(lab))
        if not whole.all():
            bad = float(lab[~whole][0])
            raise ValueError(f"one_hot: labels must be whole numbers 0..k-1, got {bad!r} (at index "
                             f"{int(np.flatnonzero(~whole)[0])}); encode them as integers first")
    lab = lab.astype(np.int64)
    if lab.size and lab.min() < 0:
        raise ValueError(f"one_hot: labels must lie in [0, k-1], got {lab.min()}")
    return lab, (int(lab.max()) + 1 if lab.size else 0)


def one_hot(labels, n_classes: int | None = None, dtype="float32") -> np.ndarray:
    """Labels (n,) as an (n, n_classes) one-hot array.

    Labels are integers 0..k-1 (floats that are whole numbers too), or text: text labels take the
    columns in their sorted order, ``np.unique(labels)``, the codes ``load_csv`` gives a text target.
    A pandas Series works too (a category Series by its codes).
    """
    lab = np.asarray(frames.labels_of(labels, "labels"))
    if lab.ndim == 2 and lab.shape[1] == 1:
        lab = lab[:, 0]
    if lab.ndim > 1:
        raise ValueError(f"one_hot: labels must have shape (n,), got shape {lab.shape}")
    codes, needed = label_codes(lab.reshape(-1))
    if n_classes is not None and (not is_whole(n_classes) or n_classes < 1):
        raise ValueError(f"one_hot: n_classes must be a whole number >= 1 or None, got {n_classes!r}")
    k = needed if n_classes is None else int(n_classes)
    if k == 0:
        raise ValueError("one_hot: labels are empty; pass n_classes to say how many columns to make")
    if needed > k:
        if is_text(lab):
            raise ValueError(f"one_hot: the labels hold {needed} different texts, more than n_classes={k}")
        raise ValueError(f"one_hot: labels must lie in [0, {k - 1}], got {codes.min()} to {codes.max()}")
    out = np.zeros((codes.size, k), dtype)
    out[np.arange(codes.size), codes] = 1
    return out


def standardize(x, mean=None, std=None):
    """(x - mean) / std per column; returns (scaled, mean, std) so a test set can reuse the train's.

    A column whose std is 0 is only centred: the std returned for it is 1, the divisor used (as scikit-learn's
    StandardScaler), so that ``(x_test - mean) / std`` by hand gives what ``standardize(x_test, mean, std)`` gives.
    x may be a DataFrame (bool and category columns as numbers).
    """
    x = numeric(x, "x")
    mean = x.mean(axis=0) if mean is None else numeric(mean, "mean")
    std = x.std(axis=0) if std is None else numeric(std, "std")
    std = np.where(std > 0, std, 1.0)
    return ((x - mean) / std).astype(np.float32), mean, std


def numeric(value, name: str) -> np.ndarray:
    """value (array, list, DataFrame) as float64; text or NaN / inf is an error naming the first bad column."""
    arr = np.asarray(frames.to_array(value, name))
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"standardize: {name} must be numbers, got dtype {arr.dtype}; encode text columns first "
                        "(load_csv(..., categorical='onehot'), or pd.get_dummies for a DataFrame)")
    arr = arr.astype(np.float64)
    bad = ~np.isfinite(arr)
    if bad.any():
        where = np.argwhere(bad)[0]
        column = f" (first in column {where[-1]})" if arr.ndim > 1 else ""
        raise ValueError(f"standardize: {name} holds {int(bad.sum())} NaN or infinite values{column}; fill or "
                         "drop them first (load_csv(..., missing='mean'), say)")
    return arr
