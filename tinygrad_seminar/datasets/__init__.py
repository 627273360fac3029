"""Data for the models: toy data made in code, CSV files, pandas DataFrames, splitting, one-hot, scaling.

- ``toy.py``: ``moons``, ``circles``, ``blobs``, ``logic_gate`` (float32 x of shape (n, 2), integer y).
- ``csv_files.py``: ``load_csv``, built on ``table.py`` (the file as text cells), ``columns.py`` (target,
  columns, drop), ``cells.py`` (numbers, text, missing cells) and ``hints.py`` (the warnings).
- ``split.py``: ``train_test_split``; ``preprocessing.py``: ``one_hot``, ``standardize``.
- ``frames.py``: pandas DataFrames and Series as numpy arrays, without importing pandas (also used by
  ``fit``, ``evaluate`` and ``predict``); ``checks.py``: the argument checks.
"""

from .csv_files import NA_VALUES, load_csv
from .preprocessing import one_hot, standardize
from .split import train_test_split
from .toy import blobs, circles, logic_gate, moons

__all__ = ["NA_VALUES", "blobs", "circles", "load_csv", "logic_gate", "moons", "one_hot", "standardize",
           "train_test_split"]
