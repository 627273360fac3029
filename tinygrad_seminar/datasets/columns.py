"""Which columns of a CSV file are the target and which the features: ``target``, ``columns`` and ``drop``."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from .checks import is_whole


@dataclass
class Choice:
    targets: list[int]  # the target's columns: none (target=None), one, or several (a list: y is 2-D)
    features: list[int]
    several: bool
    default_target: bool  # target left at -1: the last column, and the label-column hint applies
    chosen: frozenset  # features the user named in ``columns`` (no identifier hint for those)


def choose(path: str, header: list[str], target, columns: tuple, drop: tuple) -> Choice:
    several = isinstance(target, (list, tuple))
    keys = list(target) if several else ([] if target is None else [target])
    if several and not keys:
        raise ValueError(f"{path}: target=[] names no column; the columns are {header}")
    targets = [resolve(path, header, key, "target") for key in keys]
    twice(path, header, targets, "target")
    picked = [resolve(path, header, key, "columns") for key in columns]
    twice(path, header, picked, "columns")
    dropped = [resolve(path, header, key, "drop") for key in drop]
    for what, chosen in (("columns", picked), ("drop", dropped)):
        if clash := [header[j] for j in chosen if j in targets]:
            raise ValueError(f"{path}: {clash[0]!r} is the target, so it cannot be in {what} too")
    if clash := [header[j] for j in picked if j in dropped]:
        raise ValueError(f"{path}: {clash[0]!r} is both in columns and in drop")
    features = [j for j in (picked or range(len(header))) if j not in targets and j not in dropped]
    if not features:
        raise ValueError(f"{path}: no feature column is left (the columns are {header}, the target "
                         f"{[header[j] for j in targets]}, dropped {[header[j] for j in dropped]})")
    default = is_whole(target) and target == -1
    return Choice(targets, features, several, default, frozenset(picked))


def resolve(path: str, header: list[str], key, what: str) -> int:
    """The index of the column a name or an integer index (negative: from the end) names."""
    if isinstance(key, str):
        if key in header:
            return header.index(key)
        close = difflib.get_close_matches(key, header, n=1) or [h for h in header if h.lower() == key.lower()]
        guess = f" (did you mean {close[0]!r}?)" if close else ""
        raise ValueError(f"{path}: {what}: no column named {key!r}{guess}; the columns are {header}")
    if not is_whole(key):
        raise TypeError(f"{path}: {what}={key!r} is not a column: pass a column name, an integer index or a list "
                        f"of names; the columns are {header}")
    if not -len(header) <= key < len(header):
        raise ValueError(f"{path}: {what}={key} is out of range for {len(header)} columns (0..{len(header) - 1}, or "
                         f"-1..-{len(header)} from the end); the columns are {header}")
    return int(key) % len(header)


def twice(path: str, header: list[str], chosen: list[int], what: str) -> None:
    repeated = sorted({header[j] for j in chosen if chosen.count(j) > 1})
    if repeated:
        raise ValueError(f"{path}: {what} names {repeated[0]!r} twice")
