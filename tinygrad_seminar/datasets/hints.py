"""Warnings about feature columns that are probably not what the user means: identifiers and label columns.

- An identifier: a column named like one (``id``, ``ID``, ``customer_id``, ``PassengerId``, pandas'
  saved index ``Unnamed: 0``), or, from 20 rows on, one that holds a different text on every row, or a
  different whole number on every row, evenly spaced (1, 2, 3, ... or 1000, 1007, 1014, ...: a count, not a
  measurement). It says nothing about a sample; the warning suggests ``drop=``.
- Label columns: when ``target`` is left at -1 (the last column) and the columns before it continue it
  as labels, by name (``y1 ... y4``, ``class_0 ...``) or by value (0/1 columns, each with a 1 somewhere,
  and exactly one 1 in each row: a one-hot label), the others would become features that give the
  answer away. The warning names them and suggests ``target=[...]``.
"""

from __future__ import annotations

import re

import numpy as np

from .cells import Column
from .columns import Choice

ID_NAMES = {"id", "index", "idx", "rowid", "row_id", "row id", "unnamed: 0"}
ID_PATTERNS = (re.compile(r"(^|[\s_.\-])id$|^id[\s_.\-]", re.I), re.compile(r"[a-z](Id|ID)$"))
LABEL_STEMS = {"y", "t", "d", "label", "labels", "class", "target", "out", "output", "category"}
NUMBERED = re.compile(r"^(.*?)[\s_.\-]?(\d+)$")
MIN_ROWS = 20  # fewer rows than this, and a column of different numbers is no sign of an identifier


def identifier_reason(col: Column) -> str | None:
    """Why ``col`` looks like an identifier, or None."""
    if col.name.strip().lower() in ID_NAMES or any(p.search(col.name.strip()) for p in ID_PATTERNS):
        return "its name"
    n = len(col.cells)
    if n < MIN_ROWS or col.missing.any():
        return None
    if col.is_text:
        return f"a different text on each of the {n} rows" if len(set(col.cells)) == n else None
    values = np.unique(col.numbers)
    if len(values) < n or not (values == np.round(values)).all():
        return None
    steps = np.diff(values)  # a row number or a code counts in even steps; a measurement (a floor area) does not
    return f"a different whole number on each of the {n} rows, evenly spaced" if (steps == steps[0]).all() else None


def identifier_warning(path: str, columns: list[Column]) -> str | None:
    found = [(col.name, why) for col in columns if (why := identifier_reason(col))]
    if not found:
        return None
    listed = ", ".join(f"{name!r} ({why})" for name, why in found)
    names = [name for name, _ in found]
    looks = "looks like an identifier" if len(found) == 1 else "look like identifiers"
    return (f"{path}: {'column' if len(found) == 1 else 'columns'} {listed} {looks}: an identifier says nothing "
            f"about a sample, and a model can learn it by heart. If so, leave it out with drop={names}")


def named_run(header: list[str], last: int, usable: set) -> list[int]:
    """The columns before ``last`` that continue its numbered label name (y1, y2, ... y4)."""
    match = NUMBERED.match(header[last].strip().lower())
    if not match or match.group(1) not in LABEL_STEMS:
        return [last]
    run = [last]
    while (j := run[0] - 1) in usable and (m := NUMBERED.match(header[j].strip().lower())) \
            and m.group(1) == match.group(1):
        run.insert(0, j)
    return run


def one_hot_run(columns: dict[int, Column], last: int, usable: set) -> list[int]:
    """The longest run of 0/1 columns ending at ``last`` with exactly one 1 in each row (one-hot labels)."""
    best, run, total = [last], [], None
    j = last
    while j == last or j in usable:
        col = columns[j]
        if col.is_text or col.missing.any() or not np.isin(col.numbers, (0.0, 1.0)).all() or not col.numbers.any():
            break  # a label column holds 0 and 1 only, and a 1 somewhere
        run.insert(0, j)
        total = col.numbers if total is None else total + col.numbers
        if len(run) > 1 and (total == 1).all():
            best = list(run)
        j -= 1
    return best


def label_warning(path: str, header: list[str], choice: Choice, columns: dict[int, Column]) -> str | None:
    if not choice.default_target:
        return None
    last, usable = choice.targets[0], set(choice.features)
    by_name, by_value = named_run(header, last, usable), one_hot_run(columns, last, usable)
    run = max(by_name, by_value, key=len)
    if len(run) < 2:
        return None
    names, kind = [header[j] for j in run], " (one-hot: one 1 in each row)" if run == by_value else ""
    return (f"{path}: target=-1 takes the last column, {header[last]!r}, as the label, but {names} look like "
            f"label columns{kind}: the others would be features that give the answer away. Pass target={names} for "
            f"a one-hot target, or name one and drop the others: target={header[last]!r}, drop={names[:-1]}")
