"""The hypothesis strategy of the CSV tests: a table of numbers written the ways spreadsheets and scripts write one."""

from __future__ import annotations

import hypothesis.extra.numpy as hnp
import numpy as np
from hypothesis import strategies as st


@st.composite
def csv_files(draw):
    """(data, values, names): the bytes of a CSV file, the float64 table it holds, and its column names.

    The numbers are written with a delimiter drawn from ',', ';' and tab (a ';' or tab file may write
    decimal commas, '1,5'), quoted or not, with spaces around them or not, CRLF or LF line ends, a blank
    line, a trailing delimiter in the header or the rows, UTF-8 with or without a byte-order mark, or
    UTF-16. Names never look like an identifier or a label, so the file loads without a warning.
    """
    n_rows, n_cols = draw(st.integers(1, 6)), draw(st.integers(2, 4))
    names = draw(st.lists(st.text("abcxz _", min_size=1, max_size=5).map(str.strip).filter(bool),
                          min_size=n_cols, max_size=n_cols, unique=True))
    values = draw(hnp.arrays(np.float64, (n_rows, n_cols), elements=st.floats(-1e6, 1e6, allow_subnormal=False)))
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    decimal_comma = delimiter != "," and draw(st.booleans())
    quote, space = draw(st.booleans()), draw(st.sampled_from(["", " "]))

    def cell(text):
        return f'{space}"{text}"{space}' if quote else f"{space}{text}{space}"

    def number(v):
        return repr(float(v)).replace(".", ",") if decimal_comma else repr(float(v))

    trailing = draw(st.sampled_from(["", "header", "rows", "both"]))
    header = delimiter.join(cell(n) for n in names) + (delimiter if trailing in ("header", "both") else "")
    lines = [delimiter.join(cell(number(v)) for v in row) + (delimiter if trailing in ("rows", "both") else "")
             for row in values]
    if draw(st.booleans()):
        lines.insert(draw(st.integers(0, len(lines))), "")
    end = draw(st.sampled_from(["\n", "\r\n"]))
    text = end.join([header, *lines]) + (end if draw(st.booleans()) else "")
    return text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))), values, names
