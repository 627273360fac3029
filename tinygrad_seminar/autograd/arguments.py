"""Checks of a public function's arguments, made where the work starts (constructors, factories, compile, fit).

Each error names the argument, what was given and what is accepted, with the exception type Python users
expect: TypeError for a wrong type, ValueError for a wrong value (``check_axis`` in ops/op.py gives the
IndexError of an axis out of range). ``owner`` ("Dense", "fit", ...) starts the message when given.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["dtype", "flag", "generator", "given", "is_whole", "optional_name", "real", "shape", "whole"]


def given(value) -> str:
    """How a message shows a value: ``'3' (str)``."""
    return f"{value!r} ({type(value).__name__})"


def _at(owner: str) -> str:
    return f"{owner}: " if owner else ""


def is_whole(value) -> bool:
    """An int or a numpy integer, not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def whole(value, name: str, owner: str = "", minimum: int | None = 0) -> int:
    """int(value) for an integer >= minimum; TypeError for any other type (floats and bools too)."""
    if not is_whole(value):
        raise TypeError(f"{_at(owner)}{name} must be a whole number (int), got {given(value)}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{_at(owner)}{name} must be a whole number >= {minimum}, got {value!r}")
    return int(value)


def flag(value, name: str, owner: str = "") -> bool:
    """bool(value) for True or False (numpy's bool too); a string such as "no" is a TypeError, not True."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{_at(owner)}{name} must be True or False, got {given(value)}")
    return bool(value)


def real(value, name: str, owner: str = "", lo: float = -math.inf, hi: float = math.inf, *,
         lo_open: bool = False, hi_open: bool = False) -> float:
    """float(value) for a real number (not a bool, not NaN) within [lo, hi] (open ends as told)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{_at(owner)}{name} must be a real number, got {given(value)}")
    v = float(value)
    inside = (v > lo if lo_open else v >= lo) and (v < hi if hi_open else v <= hi)
    if not inside and (lo > -math.inf or hi < math.inf):  # NaN is inside no bounds (and allowed without any)
        left, right = "(" if lo_open else "[", ")" if hi_open else "]"
        raise ValueError(f"{_at(owner)}{name} must be in {left}{lo:g}, {hi:g}{right}, got {value!r}")
    return v


def optional_name(value, owner: str = "", name: str = "name") -> str | None:
    """A name given in code: a string, or None for the default one."""
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{_at(owner)}{name} must be a string or None, got {given(value)}")
    return value


def shape(dims, owner: str = "", name: str = "shape") -> tuple[int, ...]:
    """A shape as a tuple of whole numbers >= 0: ``(2, 3)``, ``[2, 3]`` or the sizes given one by one."""
    if is_whole(dims):
        dims = (dims,)
    if not isinstance(dims, (tuple, list)):
        raise TypeError(f"{_at(owner)}{name} must be whole numbers or a tuple of them, got {given(dims)}")
    for d in dims:
        if not is_whole(d):
            raise TypeError(f"{_at(owner)}{name} must be whole numbers (ints), got {tuple(dims)!r}: {d!r} is a "
                            f"{type(d).__name__}")
        if d < 0:
            raise ValueError(f"{_at(owner)}{name} must be sizes >= 0, got {tuple(dims)!r}")
    return tuple(int(d) for d in dims)


def dtype(value, owner: str = "", name: str = "dtype", kinds: str = "biuf") -> np.dtype:
    """np.dtype(value) of one of numpy's ``kinds`` (numbers and bools); a name numpy does not know, or a dtype
    of another kind (text, objects), is a TypeError that says which."""
    accepted = "accepted: a numeric numpy dtype or its name, such as 'float32', 'float64', 'int64' or 'bool'"
    try:
        resolved = np.dtype(value)
    except TypeError:
        raise TypeError(f"{_at(owner)}{name} {value!r} is not understood; {accepted}") from None
    if resolved.kind not in kinds:
        raise TypeError(f"{_at(owner)}{name} {value!r} is not numeric ({resolved}); {accepted}")
    return resolved


def generator(rng, owner: str = "") -> np.random.Generator | None:
    """A numpy Generator, or None for the framework's default one."""
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise TypeError(f"{_at(owner)}rng must be a numpy Generator (np.random.default_rng(seed)) or None, "
                        f"got {given(rng)}")
    return rng
