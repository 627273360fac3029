"""Checks of the arguments of the datasets functions, made before any work, each naming what was given."""

from __future__ import annotations

import numpy as np


def is_whole(value) -> bool:
    """An int or numpy integer, but not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def one_of(value, name: str, allowed: tuple, where: str):
    if not isinstance(value, str) or value not in allowed:
        listed = " | ".join(repr(a) for a in allowed)
        raise ValueError(f"{where}: {name} must be {listed}, got {value!r}")
    return value


def float_dtype(dtype, where: str) -> np.dtype:
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        resolved = None
    if resolved is None or resolved.kind != "f":
        raise ValueError(f"{where}: dtype must be a float dtype such as 'float32' or 'float64', got {dtype!r}")
    return resolved


def names(value, name: str, where: str) -> tuple:
    """A column name, an index, or a list of them, as a tuple (None: empty)."""
    if value is None:
        return ()
    if isinstance(value, str) or is_whole(value):
        return (value,)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) or is_whole(v) for v in value):
        return tuple(value)
    raise TypeError(f"{where}: {name} must be a column name, an integer index or a list of them, got {value!r}")


def strings(value, name: str, where: str) -> frozenset:
    """A string or a collection of strings (na_values) as a set."""
    if isinstance(value, str):
        return frozenset([value])
    try:
        items = list(value)
    except TypeError:
        items = None
    if items is None or not all(isinstance(v, str) for v in items):
        raise TypeError(f"{where}: {name} must be a string or a list of strings, got {value!r}")
    return frozenset(items)


def samples(value, name: str, where: str) -> np.ndarray:
    """An array with a first axis of samples (what train_test_split takes)."""
    if value is None:
        raise ValueError(f"{where}: {name} is None: pass an array of shape (samples, ...)")
    try:
        arr = np.asarray(value)
    except ValueError:  # numpy 2 refuses ragged nested lists
        raise ValueError(f"{where}: {name} is ragged (its rows differ in length); pass an array of shape "
                         "(samples, ...), every row of the same length") from None
    if arr.ndim == 0:
        raise ValueError(f"{where}: {name} must have a sample axis, got a scalar {arr!r}")
    return arr
