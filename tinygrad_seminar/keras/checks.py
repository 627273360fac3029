"""Checks of what a user hands to fit / evaluate / predict, before any training starts.

pandas DataFrames and Series are taken too (``datasets.frames``): bool and category columns as numbers,
text columns refused with the fix.
"""

from __future__ import annotations

import os

import numpy as np

from ..autograd import arguments
from ..autograd.base import data_of
from ..datasets import frames


def as_array(value, name: str, dtype, integers: bool = False) -> np.ndarray:
    """value (list, array, Tensor, DataFrame or Series) as a numeric array of ``dtype``; NaN or inf is an error.
    With ``integers``, an array of integers stays as it is (class labels: no round trip through floats)."""
    if value is None:
        raise ValueError(f"{name} is None: pass an array of shape (samples, ...)")
    arr = rectangular(data_of(frames.to_array(value, name)), name)
    if arr.dtype.kind not in "biuf":
        raise TypeError(not_numbers(arr, name))
    if arr.ndim == 0:
        raise ValueError(f"{name} must have a sample axis, got a scalar")
    if len(arr) == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}): there is nothing to train or evaluate on")
    if integers and arr.dtype.kind in "iu":
        return arr
    # whole numbers stay finite in float32 or wider (float16 overflows past 65504): only then is the scan skipped
    integral = arr.dtype.kind != "f" and np.dtype(dtype).itemsize >= 4
    arr = arr.astype(dtype, copy=False)
    if integral or np.isfinite(arr).all():
        return arr
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
                         f"features); for a single feature write {name}.reshape(-1, 1), for a single sample "
                         f"{name}.reshape(1, -1)")
    return x


def same_length(x: np.ndarray, y: np.ndarray, xname: str = "x", yname: str = "y") -> None:
    if len(x) != len(y):
        raise ValueError(f"{xname} and {yname} have different numbers of samples: {xname} has shape {x.shape}, "
                         f"{yname} has shape {y.shape}")


def rectangular(value, name: str) -> np.ndarray:
    """np.asarray(value), and a ragged list (rows of different lengths) an error that says so."""
    try:
        return np.asarray(value)
    except ValueError:  # numpy 2 refuses ragged nested lists ("inhomogeneous shape")
        lengths = sorted({len(row) for row in value if hasattr(row, "__len__")}) if isinstance(value, list) else []
        rows = f": its rows have lengths {', '.join(map(str, lengths))}" if len(lengths) > 1 else ""
        raise ValueError(f"{name} is ragged{rows}; a model takes a rectangular array of shape (samples, features), "
                         f"every row of the same length") from None


def batch_size(value, name: str = "batch_size") -> int:
    """A whole number >= 1: TypeError for another type (a float, a bool), ValueError below 1."""
    if not arguments.is_whole(value):
        raise TypeError(f"{name} must be a whole number >= 1, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    return int(value)


def fit_arguments(epochs, initial_epoch, shuffle, validation_split, validation_freq=1) -> None:
    """fit's scalar arguments, before any work: whole epochs (not True), a real bool shuffle, a split in [0, 1),
    a validation_freq that is a whole number >= 1 or a list of epochs."""
    for name, value in (("epochs", epochs), ("initial_epoch", initial_epoch)):
        if not arguments.is_whole(value):
            raise TypeError(f"{name} must be a whole number >= 0, got {arguments.given(value)}")
        if value < 0:
            raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
    arguments.flag(shuffle, "shuffle")
    if isinstance(validation_split, (bool, np.bool_)) or not isinstance(validation_split, (int, float, np.number)):
        raise TypeError(f"validation_split must be a number in [0, 1), got {arguments.given(validation_split)}; "
                        "0.0 (the default) splits nothing off")
    if not 0 <= validation_split < 1:
        raise ValueError(f"validation_split must be in [0, 1), got {validation_split!r}")
    if arguments.is_whole(validation_freq):
        arguments.whole(validation_freq, "validation_freq", minimum=1)
    elif not (isinstance(validation_freq, (list, tuple, set, range))
              and all(arguments.is_whole(e) for e in validation_freq)):
        raise TypeError(f"validation_freq must be a whole number >= 1 or a list of epochs (from 1), "
                        f"got {arguments.given(validation_freq)}")


def file_path(path, owner: str) -> str:
    """A path to write to: a string or os.PathLike, not empty, not a directory."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{owner}: path must be a string or a pathlib.Path, got {arguments.given(path)}")
    text = os.fspath(path)
    if not isinstance(text, str) or not text:
        raise ValueError(f"{owner}: path must name a file, such as 'model.keras'; got {path!r}")
    if os.path.isdir(text):
        raise ValueError(f"{owner}: path {text!r} is a directory; name a file inside it, such as "
                         f"{os.path.join(text, 'model.keras')!r}")
    return text
