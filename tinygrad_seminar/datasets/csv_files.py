"""``load_csv``: a CSV file with a header as (x, y, feature names), as the course's files come.

Reading needs no extra package: the standard library's ``csv`` module parses (``table.py``), and the
cells are typed here, column by column, so that every error can name its line and column, and the
result is the same with or without pandas.
"""

from __future__ import annotations

import codecs
import os
import warnings

import numpy as np

from . import cells, checks, hints
from .columns import choose
from .preprocessing import encode_labels
from .table import DELIMITERS, read_table

NA_VALUES = ("", "?", "NA", "N/A", "nan", "NaN")
MISSING = ("error", "drop", "mean", "median")
CATEGORICAL = ("error", "onehot", "codes")
WHERE = "load_csv"


def load_csv(path, target: str | int | list | None = -1, *, columns=None, drop=(), na_values=NA_VALUES,
             missing: str = "error", categorical: str = "error", delimiter: str | None = None, dtype="float32",
             return_classes: bool = False, encoding: str | None = None):
    """Read a CSV file with a header line: ``(x, y, feature_names)``, or with ``return_classes=True``
    ``(x, y, feature_names, classes)``.

    - ``target``: the label's column, by name or integer index (-1, the default: the last column); a
      list of names gives a 2-D y (one-hot labels); None: no label (y is None). A text target becomes
      integer codes in sorted order (scikit-learn's LabelEncoder); ``classes`` are then its texts (for a
      list target: its names; for a numeric target: None).
    - ``columns`` (names or indices) are the features, in that order; by default every column but the
      target. ``drop`` leaves columns out.
    - ``missing``: what a cell in ``na_values`` does: "error" (the default, naming line and column),
      "drop" its row, or fill it with its column's "mean" / "median" (a text column's most frequent value).
    - ``categorical``: what a text feature column does: "error" (the default), "onehot" (one 0/1 column
      per value, named ``column=value``) or "codes" (0, 1, ... in sorted order).
    - ``delimiter``: detected among ``,``, ``;`` and tab when None; in a ';' or tab file, '1,5' is 1.5.
    - ``dtype`` of x and of a numeric y; ``encoding``: None reads UTF-8 (with or without a byte-order
      mark) or UTF-16 with one.

    Warns about identifier-like feature columns (suggesting ``drop=``) and, with the default target,
    about several label columns (suggesting ``target=[...]``).
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{WHERE}: path must be a file name (a str or a pathlib.Path), got {path!r}")
    path = os.fspath(path)
    options = check_options(target, columns, drop, na_values, missing, categorical, delimiter, dtype, encoding)
    if not isinstance(return_classes, (bool, np.bool_)):
        raise TypeError(f"{WHERE}: return_classes must be True or False, got {return_classes!r}")
    table = read_table(path, delimiter, encoding)
    choice = choose(path, table.header, target, options["columns"], options["drop"])
    decimal_comma = table.delimiter != ","
    used = {j: cells.parse(table.header[j], table.column(j), options["na_values"], decimal_comma)
            for j in [*choice.targets, *choice.features]}
    for message in (hints.identifier_warning(path, [used[j] for j in choice.features if j not in choice.chosen]),
                    hints.label_warning(path, table.header, choice, used)):
        if message:
            warnings.warn(message, UserWarning, stacklevel=2)
    cells.check_cells(path, list(used.values()), table.lines, options["na_values"])
    check_text(path, [used[j] for j in choice.targets], [used[j] for j in choice.features], choice.several,
               categorical)
    used = handle_missing(path, used, choice.targets, missing, table.lines, options["na_values"])
    x, names = features(path, [used[j] for j in choice.features], categorical, options["dtype"])
    y, classes = labels(path, [used[j] for j in choice.targets], choice.several, options["dtype"])
    return (x, y, names, classes) if return_classes else (x, y, names)


def check_options(target, columns, drop, na_values, missing, categorical, delimiter, dtype, encoding) -> dict:
    """Every option checked before the file is opened; the column names are checked once it is read."""
    if not (target is None or isinstance(target, (str, int, float, list, tuple, np.integer, np.floating))):
        raise TypeError(f"{WHERE}: target must be a column name, an integer index, a list of names or None, "
                        f"got {target!r}")
    checks.one_of(missing, "missing", MISSING, WHERE)
    checks.one_of(categorical, "categorical", CATEGORICAL, WHERE)
    if delimiter is not None and (not isinstance(delimiter, str) or len(delimiter) != 1 or delimiter in "\"\r\n"):
        raise ValueError(f"{WHERE}: delimiter must be one character such as {' or '.join(map(repr, DELIMITERS))}, "
                         f"or None to detect it; got {delimiter!r}")
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except (LookupError, TypeError):
            raise ValueError(f"{WHERE}: encoding {encoding!r} is not one Python knows; try 'utf-8', 'cp1252' or "
                             "'latin-1', or None") from None
    return {"columns": checks.names(columns, "columns", WHERE), "drop": checks.names(drop, "drop", WHERE),
            "na_values": checks.strings(na_values, "na_values", WHERE), "dtype": checks.float_dtype(dtype, WHERE)}


def check_text(path: str, targets: list, feature_columns: list, several: bool, categorical: str) -> None:
    if several and (text := [col.name for col in targets if col.is_text]):
        raise ValueError(f"{path}: a list target is one column per class, of numbers (0/1), but {text[0]!r} holds "
                         "text; name a single text column as target to have it encoded")
    text = [col for col in feature_columns if col.is_text]
    if text and categorical == "error":
        raise ValueError(cells.text_message(path, text))


def handle_missing(path: str, used: dict, targets: list[int], how: str, lines: np.ndarray, na_values) -> dict:
    """The used columns with no missing cell left: an error, their rows dropped, or filled."""
    holes = [col for col in used.values() if col.missing.any()]
    if not holes:
        return used
    if how == "error":
        raise ValueError(cells.missing_message(path, holes, lines, na_values))
    if how == "drop":
        keep = ~np.any([col.missing for col in holes], axis=0)
        if not keep.any():
            raise ValueError(f"{path}: missing='drop' leaves no row: every row has a missing cell ("
                             + cells.missing_message(path, holes, lines, na_values).split(": ", 1)[1] + ")")
        return {j: col.keep(keep) for j, col in used.items()}
    if bad := [used[j] for j in targets if used[j].missing.any()]:
        where = cells.first_cells(bad[0], bad[0].missing, lines)
        raise ValueError(f"{path}: the target {bad[0].name!r} has missing cells ({where}); missing={how!r} fills "
                         "features only: pass missing='drop' to leave those rows out")
    return {j: cells.fill(path, col, how) if col.missing.any() else col for j, col in used.items()}


def features(path: str, columns: list, categorical: str, dtype: np.dtype) -> tuple[np.ndarray, list[str]]:
    arrays, names = [], []
    for col in columns:
        a, n = cells.encode(col, categorical)
        arrays += a
        names += n
    with np.errstate(over="ignore"):  # a number too large for dtype becomes inf, for overflow() to name
        x = np.column_stack(arrays).astype(dtype)
    overflow(path, x, names, dtype)
    return x, names


def labels(path: str, columns: list, several: bool, dtype: np.dtype):
    """(y, classes): numbers as ``dtype``, a text column as integer codes, several columns side by side."""
    if not columns:
        return None, None
    if several:
        with np.errstate(over="ignore"):
            y = np.column_stack([col.numbers for col in columns]).astype(dtype)
        overflow(path, y, [col.name for col in columns], dtype)
        return y, [col.name for col in columns]
    col = columns[0]
    if col.is_text:
        return encode_labels(col.cells)
    with np.errstate(over="ignore"):
        y = col.numbers.astype(dtype)
    overflow(path, y[:, None], [col.name], dtype)
    return y, None


def overflow(path: str, arr: np.ndarray, names: list[str], dtype: np.dtype) -> None:
    """Numbers that do not fit ``dtype`` (1e39 in float32) became inf: an error naming the column."""
    bad = ~np.isfinite(arr)
    if bad.any():
        column = names[int(np.argwhere(bad)[0][1])]
        raise ValueError(f"{path}: column {column!r} holds numbers too large for {dtype} (its largest is "
                         f"{np.finfo(dtype).max:.3g}): pass dtype='float64', or rescale the column")
