"""Checks of what a user hands to fit / evaluate / predict, before any training starts.

pandas DataFrames and Series are taken too (``datasets.frames``): bool and category columns as numbers,
text columns refused with the fix.
"""

from __future__ import annotations

import numpy as np

from ..autograd.base import data_of
from ..datasets import frames


def as_array(value, name: str, dtype) -> np.ndarray:
    """value (list, array, Tensor, DataFrame or Series) as a numeric array of ``dtype``; NaN or inf is an error."""
    if value is None:
        raise ValueError(f"{name} is None: pass an array of shape (samples, ...)")
    arr = np.asarray(data_of(frames.to_array(value, name)))
    if arr.dtype.kind not in "biuf":
        raise TypeError(not_numbers(arr, name))
    if arr.ndim == 0:
        raise ValueError(f"{name} must have a sample axis, got a scalar")
    if len(arr) == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}): there is nothing to train or evaluate on")
    arr = arr.astype(dtype, copy=False)
    bad = ~np.isfinite(arr)
    if bad.any():
        n_nan = int(np.isnan(arr).sum())
        raise ValueError(f"{name} holds {n_nan} NaN and {int(bad.sum()) - n_nan} infinite values "
                         f"(of {arr.size}); clean or impute them first")
    return arr


def not_numbers(arr: np.ndarray, name: str) -> str:
    message = f"{name} must be numeric, got dtype {arr.dtype}"
    text = next((v for v in arr.flat if isinstance(v, (str, bytes))), None) if arr.dtype.kind in "OSU" else None
    if text is None:
        return message
    return (f"{message} (text such as {str(text)!r}): a model needs numbers. Encode text labels with "
            "np.unique(labels, return_inverse=True) (codes 0, 1, ...) or ts.datasets.one_hot(labels), text feature "
            "columns with ts.datasets.load_csv(path, categorical='onehot') or pd.get_dummies(df)")


def features(value, name: str, dtype) -> np.ndarray:
    """x as (samples, features): as_array, and a 1-D x is an error with the reshape that fixes it."""
    x = as_array(value, name, dtype)
    if x.ndim == 1:
        raise ValueError(f"{name} has shape {x.shape}, but a model takes one row per sample, shape (samples, "
                         f"features); for a single feature write {name}.reshape(-1, 1)")
    return x


def same_length(x: np.ndarray, y: np.ndarray, xname: str = "x", yname: str = "y") -> None:
    if len(x) != len(y):
        raise ValueError(f"{xname} and {yname} have different numbers of samples: {xname} has shape {x.shape}, "
                         f"{yname} has shape {y.shape}")


def batch_size(value, name: str = "batch_size") -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    return int(value)
