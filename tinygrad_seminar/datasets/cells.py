"""A CSV column's cells as numbers or as text, its missing cells, and its encoding as features.

A cell listed in ``na_values`` is missing. A column is numeric when every other cell is a number;
otherwise it is text, unless nearly all of its cells are numbers (then the few others are an error,
since they are probably missing-value markers not listed in ``na_values``). A number cell that is
NaN or infinite, without being declared missing, is an error too.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from .preprocessing import encode_labels

STRAY_SHARE = 0.1  # a column with at most this share of non-number cells is a numeric column with bad cells


@dataclass
class Column:
    name: str
    cells: np.ndarray  # the stripped cells, an object array
    missing: np.ndarray  # bool: the cell is one of na_values
    numbers: np.ndarray | None  # float64 (NaN where missing) when every other cell is a number; None: text
    strays: np.ndarray  # bool: a cell that is no number, in a column of numbers

    @property
    def is_text(self) -> bool:
        return self.numbers is None

    def keep(self, rows: np.ndarray) -> Column:
        numbers = None if self.numbers is None else self.numbers[rows]
        return Column(self.name, self.cells[rows], self.missing[rows], numbers, self.strays[rows])


def number(cell: str, decimal_comma: bool) -> float | None:
    """float(cell), or None when the cell is no number; with decimal_comma (a ';' or tab file) '1,5' is 1.5."""
    try:
        return float(cell)
    except ValueError:
        if decimal_comma and cell.count(",") == 1 and "." not in cell:
            return number(cell.replace(",", "."), False)
        return None


def parse(name: str, cells: list[str], na_values: frozenset, decimal_comma: bool) -> Column:
    missing = np.fromiter((c in na_values for c in cells), dtype=bool, count=len(cells))
    present = [c for c, m in zip(cells, missing) if not m]
    try:
        values = [float(c) for c in present]  # the common case, fast
    except ValueError:
        values = [number(c, decimal_comma) for c in present]
    no_number = np.zeros(len(cells), dtype=bool)
    no_number[~missing] = [v is None for v in values]
    text = np.array(cells, dtype=object)
    if no_number.any() and no_number.sum() > STRAY_SHARE * len(present):
        return Column(name, text, missing, None, np.zeros(len(cells), dtype=bool))
    numbers = np.full(len(cells), np.nan)
    numbers[~missing] = [np.nan if v is None else v for v in values]
    return Column(name, text, missing, numbers, no_number)


def first_cells(column: Column, mask: np.ndarray, lines: np.ndarray, most: int = 3) -> str:
    """'?' (4 cells), 'x' (1 cell), first on line 25: the values in ``mask``, most frequent first."""
    counts = Counter(column.cells[mask]).most_common(most)
    shown = ", ".join(f"{v!r} ({k} cell{'s' * (k > 1)})" for v, k in counts)
    return f"{shown}, first on line {lines[np.flatnonzero(mask)[0]]}"


def check_cells(path: str, columns: list[Column], lines: np.ndarray, na_values: frozenset) -> None:
    """Stray non-numbers in numeric columns, then NaN or inf not declared missing: errors naming line and column."""
    for col in columns:
        if col.strays.any():
            extra = tuple(sorted(na_values | set(col.cells[col.strays])))
            raise ValueError(
                f"{path}: column {col.name!r} holds numbers, but also cells that are none: "
                f"{first_cells(col, col.strays, lines)}. If they mark missing values, list them: na_values={extra}; "
                "otherwise correct them in the file")
    for col in columns:
        if col.numbers is not None and (bad := ~np.isfinite(col.numbers) & ~col.missing).any():
            raise ValueError(
                f"{path}: column {col.name!r} holds numbers that are not finite: {first_cells(col, bad, lines)}. "
                "Correct them, or add them to na_values to treat them as missing")


def missing_message(path: str, columns: list[Column], lines: np.ndarray, na_values: frozenset) -> str:
    total = sum(int(col.missing.sum()) for col in columns)
    listed = "; ".join(f"column {col.name!r}: {first_cells(col, col.missing, lines)}"
                       for col in columns if col.missing.any())
    return (f"{path}: {total} cell{'s are' if total > 1 else ' is'} missing (empty, or one of na_values "
            f"{sorted(na_values)}): {listed}. Pass missing='drop' to leave those rows out, or missing='mean' or "
            "'median' to fill each with its column's mean or median (a text column's: its most frequent value)")


def fill(path: str, col: Column, how: str) -> Column:
    """The column with its missing cells filled by the mean or median (numbers) or the most frequent text."""
    present = ~col.missing
    if not present.any():
        raise ValueError(f"{path}: column {col.name!r} holds no value (all {len(col.cells)} cells are missing): "
                         "drop it")
    cells, numbers = col.cells.copy(), None
    if col.is_text:
        counts = Counter(cells[present])
        top = max(counts.values())
        cells[col.missing] = min(v for v, k in counts.items() if k == top)  # ties: the first in sorted order
    else:
        numbers = col.numbers.copy()
        numbers[col.missing] = (np.mean if how == "mean" else np.median)(numbers[present])
    return Column(col.name, cells, np.zeros_like(col.missing), numbers, col.strays)


def encode(col: Column, categorical: str) -> tuple[list[np.ndarray], list[str]]:
    """A feature column as arrays and names: numbers as they are; text as one-hot columns or codes."""
    if not col.is_text:
        return [col.numbers], [col.name]
    codes, classes = encode_labels(col.cells)
    if categorical == "codes":
        return [codes.astype(np.float64)], [col.name]
    return [(codes == k).astype(np.float64) for k in range(len(classes))], [f"{col.name}={c}" for c in classes]


def text_message(path: str, columns: list[Column]) -> str:
    values = [sorted(set(col.cells[~col.missing])) for col in columns]
    shown = "; ".join(f"{col.name!r}: {', '.join(repr(v) for v in vals[:3])}{', ...' if len(vals) > 3 else ''}"
                      for col, vals in zip(columns, values))
    names = [col.name for col in columns]
    return (f"{path}: {len(columns)} column{'s hold' if len(columns) > 1 else ' holds'} text, and a model needs "
            f"numbers ({shown}). Pass categorical='onehot' (one 0/1 column per value, named like "
            f"'{names[0]}={values[0][0]}') or categorical='codes' (0, 1, ... in sorted order), or drop={names} "
            "to leave them out")
