"""Checks of what a user hands to fit / evaluate / predict, before any training starts."""

from __future__ import annotations

import numpy as np

from ..autograd.base import data_of
from ..nn.losses import check_unit_interval


def as_array(value, name: str, dtype) -> np.ndarray:
    """value (list, array or Tensor) as a numeric array of ``dtype``; NaN or inf is an error."""
    if value is None:
        raise ValueError(f"{name} is None: pass an array of shape (samples, ...)")
    arr = np.asarray(data_of(value))
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be numeric, got dtype {arr.dtype}")
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


def targets_fit_loss(y: np.ndarray, out_shape: tuple, kind: str) -> None:
    """The targets' shape and values suit the loss and the model's output (out_shape, per sample)."""
    width = out_shape[-1] if out_shape else 1
    if kind == "sparse_categorical_crossentropy":
        if y.ndim == 2 and y.shape[1] == width and width > 1:
            raise ValueError(f"{kind}: y looks one-hot (shape {y.shape}) but this loss takes integer labels "
                             "of shape (samples,); use categorical_crossentropy, or y.argmax(axis=1)")
        lab = y.reshape(-1)
        if np.any(lab != np.round(lab)) or lab.min() < 0 or lab.max() >= width:
            raise ValueError(f"{kind}: y must hold integer labels in [0, {width - 1}] for a model with "
                             f"{width} outputs; got values from {lab.min():g} to {lab.max():g}")
    elif kind == "categorical_crossentropy":
        if y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1 and width > 1):
            raise ValueError(f"{kind}: expected one-hot targets of shape (samples, {width}) but y has shape "
                             f"{y.shape} (integer labels?); use sparse_categorical_crossentropy, or one-hot "
                             "encode y")
    elif kind == "binary_crossentropy":
        check_unit_interval(y, kind, name="y")


def align_targets(y: np.ndarray, out_shape: tuple, kind: str) -> np.ndarray:
    """(p,) targets for a model with one output become (p, 1), as Keras does, so metrics compare like with like."""
    if y.ndim == 1 and out_shape == (1,) and kind != "sparse_categorical_crossentropy":
        return y.reshape(-1, 1)
    return y


def class_labels(y: np.ndarray, kind: str) -> np.ndarray | None:
    """The class of each sample for a classification loss (for the validation_split warning), else None."""
    if kind == "sparse_categorical_crossentropy":
        return y.reshape(-1)
    if kind == "categorical_crossentropy":
        return y.argmax(axis=-1)
    if kind == "binary_crossentropy":
        return np.round(y).reshape(len(y), -1)[:, 0]
    return None
