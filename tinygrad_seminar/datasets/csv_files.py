"""``load_csv``: a numeric CSV file with a header as (x, y, feature names)."""

from __future__ import annotations

import csv
import os

import numpy as np


def load_csv(path, target: str | int | list = -1, delimiter: str = ","):
    """Read a numeric CSV with a header: (x, y, feature names), float32.

    ``target`` names or indexes y's column, or lists several (one-hot targets, say): y is then 2-D.
    """
    path = os.fspath(path)
    with open(path, newline="", encoding="utf-8-sig") as f:  # utf-8-sig: Excel's byte-order mark
        reader = csv.reader(f, delimiter=delimiter)
        rows = [(reader.line_num, r) for r in reader if r]  # line numbers for errors, blank lines skipped
    if len(rows) < 2:
        raise ValueError(f"{path}: expected a header and at least one row")
    header, body = [h.strip() for h in rows[0][1]], rows[1:]
    if len(header) == 1 and delimiter == "," and ";" in header[0]:
        raise ValueError(f"{path}: the header has one column {header[0]!r}; is the file ';'-separated? "
                         "Pass delimiter=';'")
    targets = target if isinstance(target, (list, tuple)) else [target]
    cols = []
    for t in targets:
        if isinstance(t, str):
            if t not in header:
                raise ValueError(f"{path}: no column named {t!r}; the columns are {header}")
            cols.append(header.index(t))
        else:
            cols.append(int(t) % len(header))
    data = np.empty((len(body), len(header)))
    for i, (line, row) in enumerate(body):
        if len(row) != len(header):
            raise ValueError(f"{path}, line {line}: {len(row)} values for {len(header)} columns")
        for j, v in enumerate(row):
            try:
                data[i, j] = float(v)
            except ValueError:
                raise ValueError(f"{path}, line {line}, column {header[j]!r}: {v!r} is not a number "
                                 "(drop or encode text columns, and fill missing values, before loading)") from None
    features = [h for j, h in enumerate(header) if j not in cols]
    y = data[:, cols] if isinstance(target, (list, tuple)) else data[:, cols[0]]
    return np.delete(data, cols, axis=1).astype(np.float32), y.astype(np.float32), features
