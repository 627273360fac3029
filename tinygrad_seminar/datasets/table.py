"""A CSV file read as text cells: the header's names and one row of cells per sample, with line numbers.

Read with the standard library's ``csv`` module (quotes, doubled quotes, line breaks inside quotes,
CRLF), so it needs no extra package. What the course's files (and spreadsheets) bring is handled here:

- the encoding: UTF-8 with or without a byte-order mark (Excel's "CSV UTF-8"), UTF-16 with one
  (Excel's "Unicode text"), or the ``encoding`` given;
- the delimiter, when not given: whichever of ``,``, ``;`` and tab splits the header into most names;
- blank lines, and lines with no value at all (only delimiters), are skipped;
- a trailing delimiter: a last header name that is empty over empty cells (``a,b,c,``), or rows with
  one more, empty cell than the header has names, is no column;
- cells and names lose their surrounding spaces; an empty name in the header becomes ``Unnamed: j``
  (pandas' name), a name used twice is an error.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from dataclasses import dataclass

import numpy as np

DELIMITERS = (",", ";", "\t")


@dataclass
class Table:
    path: str
    header: list[str]
    rows: list[list[str]]  # the cells as read (column() strips them), len(header) each
    lines: np.ndarray  # the line of the file each row starts on
    delimiter: str

    def column(self, j: int) -> list[str]:
        return [row[j].strip() for row in self.rows]


def read_table(path: str, delimiter: str | None = None, encoding: str | None = None) -> Table:
    text = read_text(path, encoding)
    delimiter = delimiter or detect_delimiter(text)
    records = list(records_of(path, text, delimiter))
    if not records:
        raise ValueError(f"{path}: the file is empty; expected a header line of column names, then rows")
    if len(records) == 1:
        raise ValueError(f"{path}: the file holds only a header line, {records[0][1]}, and no rows")
    header_line, header = records[0]
    body = records[1:]
    width = header_width(header, [cells for _, cells in body])
    header = column_names(path, [name.strip() for name in header[:width]])
    if len(header) == 1 and (other := [d for d in DELIMITERS if d != delimiter and d in header[0]]):
        raise ValueError(f"{path}: the header has one column {header[0]!r} when split at {delimiter!r}; is the file "
                         f"{other[0]!r}-separated? Pass delimiter={other[0]!r}, or leave delimiter=None to detect it")
    rows = []
    for line, cells in body:
        if len(cells) > width and not any(c.strip() for c in cells[width:]):
            cells = cells[:width]  # a trailing delimiter: empty cells past the last column
        if len(cells) != width:
            raise ValueError(f"{path}, line {line}: {len(cells)} values for {width} columns "
                             f"(the header on line {header_line} names {shorten(header)})" + hint(cells, delimiter))
        rows.append(cells)
    return Table(path, header, rows, np.array([line for line, _ in body]), delimiter)


def read_text(path: str, encoding: str | None) -> str:
    if not os.path.exists(path):
        raise FileNotFoundError(f"load_csv: there is no file {path!r} (relative paths start from the current "
                                f"folder, {os.getcwd()})")
    with open(path, "rb") as f:
        raw = f.read()
    if encoding is None:
        encoding = "utf-16" if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-8-sig"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as e:
        raise ValueError(
            f"{path}: byte {raw[e.start]:#04x} at offset {e.start} is not {encoding} text. Pass the file's "
            "encoding, e.g. encoding='cp1252' (Excel on Windows) or 'latin-1', or save it as 'CSV UTF-8'") from None
    return text.removeprefix("\ufeff")  # a byte-order mark left by an explicit encoding='utf-8'


def detect_delimiter(text: str) -> str:
    """The one of ``,``, ``;`` and tab that splits the first non-blank line into most fields (ties: that order)."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    fields = {d: len(next(csv.reader([first], delimiter=d), [])) for d in DELIMITERS}
    return max(DELIMITERS, key=lambda d: fields[d])  # max keeps the first of equals


def records_of(path: str, text: str, delimiter: str):
    """(first line, cells) of each record that holds a value."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
    end = 0
    try:
        for cells in reader:
            start, end = end + 1, reader.line_num
            if any(c.strip() for c in cells):
                yield start, cells
    except csv.Error as e:
        raise ValueError(f"{path}, line {reader.line_num}: the CSV cannot be read: {e}") from None


def header_width(header: list[str], rows: list[list[str]]) -> int:
    """The number of columns: trailing header names that are empty over empty (or absent) cells are none."""
    width = len(header)
    while width and not header[width - 1].strip() and not any(len(r) >= width and r[width - 1].strip() for r in rows):
        width -= 1
    return width


def column_names(path: str, header: list[str]) -> list[str]:
    names = [name or f"Unnamed: {j}" for j, name in enumerate(header)]
    seen: dict[str, int] = {}
    for j, name in enumerate(names):
        if name in seen:
            raise ValueError(f"{path}: the header names {name!r} twice (columns {seen[name]} and {j}, counting "
                             "from 0): rename one in the file, so that each column can be chosen by its name")
        seen[name] = j
    return names


def shorten(names: list[str], most: int = 8) -> str:
    shown = ", ".join(repr(n) for n in names[:most])
    return f"[{shown}{', ...' if len(names) > most else ''}]"


def hint(cells: list[str], delimiter: str) -> str:
    if delimiter == "," and any(";" in c for c in cells):
        return "; is the file ';'-separated? Pass delimiter=';'"
    return "; a cell holding the delimiter must be quoted, as in \"a, b\""
