"""pandas DataFrames and Series as numpy arrays, recognised without importing pandas.

The package never imports pandas: an object whose class comes from pandas is read through its own
methods (``dtypes``, ``iloc``, ``to_numpy``). Its columns become numbers as a model needs them:

- numeric columns stay as they are (nullable ``Int64`` / ``Float64`` ones give NaN for a missing value);
- bool columns (``pd.get_dummies`` makes them) become 0 and 1;
- category columns become their codes (0, 1, ... in the order of the categories, NaN for a missing one);
- an object column holding only numbers becomes those numbers.

Text (object or string dtype), dates and anything else are refused with a TypeError that names the
columns and the fix. Whatever is not a pandas object is handed back untouched.
"""

from __future__ import annotations

import numbers

import numpy as np


def is_pandas(value) -> bool:
    """Whether ``value`` is a pandas object (DataFrame, Series, Index, Categorical...)."""
    return type(value).__module__.partition(".")[0] == "pandas"


def is_frame(value) -> bool:
    return is_pandas(value) and hasattr(value, "columns") and hasattr(value, "dtypes")


def to_array(value, name: str):
    """A DataFrame or Series as a numeric numpy array; anything else as it is. Text columns: TypeError."""
    if not is_pandas(value):
        return value
    if is_frame(value):
        return frame_array(value, name)
    values = column_array(value)
    if values is None:
        raise TypeError(series_message(value, name))
    return values


def labels_of(value, name: str):
    """Like ``to_array``, but a Series of text comes back as an object array of its values (labels)."""
    if is_pandas(value) and not is_frame(value) and is_text(value):
        return np.asarray(value.to_numpy(dtype=object))
    return to_array(value, name)


def frame_array(frame, name: str) -> np.ndarray:
    """Every column as numbers, side by side: an array of shape (rows, columns)."""
    arrays, refused = [], []
    for j, (label, dtype) in enumerate(frame.dtypes.items()):
        values = column_array(frame.iloc[:, j])
        if values is None:
            refused.append((label, dtype))
        else:
            arrays.append(values)
    if refused:
        labels = [label for label, _ in refused]
        listed = ", ".join(f"{label!r} ({dtype})" for label, dtype in refused)
        raise TypeError(
            f"{name} is a DataFrame with columns that are not numbers: {listed}. Encode them first: "
            f"{name} = pd.get_dummies({name}, columns={labels}) gives one 0/1 column per value (or drop them); "
            "a CSV file loads encoded with ts.datasets.load_csv(path, categorical='onehot')")
    if not arrays:
        return np.zeros((len(frame), 0))
    return np.column_stack(arrays)


def is_text(column) -> bool:
    """Whether a pandas column holds text: string dtype, or object dtype with a value that is not a number."""
    dtype = column.dtype
    if str(dtype) in ("category",) or getattr(dtype, "kind", "O") != "O":
        return False
    if str(dtype) in ("string", "str") or str(dtype).startswith("string["):
        return True
    return any(not is_number_or_missing(v) for v in column.to_numpy(dtype=object))


def is_number_or_missing(v) -> bool:
    return v is None or type(v).__name__ == "NAType" or (isinstance(v, numbers.Real) and not isinstance(v, str))


def column_array(column) -> np.ndarray | None:
    """One pandas column (Series, Index, Categorical) as a 1-D numeric array, or None when it is not numbers."""
    dtype = column.dtype
    if str(dtype) == "category":
        codes = column.cat.codes if hasattr(column, "cat") else column.codes
        codes = np.asarray(codes, dtype=np.float64)
        codes[codes < 0] = np.nan  # pandas' code for a missing value
        return codes
    kind = getattr(dtype, "kind", "O")
    if kind in "iuf" and isinstance(dtype, np.dtype):
        return np.asarray(column.to_numpy())
    if kind in "biuf":  # numpy bool, or a nullable extension dtype (Int64, Float64, boolean) with pd.NA
        return np.asarray(column.to_numpy(dtype=np.float64, na_value=np.nan))
    if kind == "O" and not is_text(column):
        values = column.to_numpy(dtype=object)
        return np.array([np.nan if v is None or type(v).__name__ == "NAType" else v for v in values], np.float64)
    return None


def series_message(series, name: str) -> str:
    dtype = series.dtype
    sample = next((v for v in series.to_numpy(dtype=object) if not is_number_or_missing(v)), None)
    shown = f", e.g. {sample!r}" if sample is not None else ""
    if getattr(dtype, "kind", "O") in "mM":
        return (f"{name} holds dates or durations (dtype {dtype}{shown}), not numbers: turn them into numbers "
                f"first, e.g. {name}.dt.year, or drop them")
    return (f"{name} holds text (dtype {dtype}{shown}), not numbers: encode it first, e.g. "
            f"{name}.astype('category').cat.codes for labels 0, 1, ... in sorted order, or pd.get_dummies({name}) "
            "for one 0/1 column per value")
