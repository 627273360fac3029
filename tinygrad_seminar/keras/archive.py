"""The file format: one numpy .npz archive at exactly the given path, written atomically, read safely.

The archive holds the arrays, and one entry ``__meta__`` with JSON (the format, its version, the kind
of file and what the kind needs). It is written to a temporary file beside the path and renamed, so an
earlier file survives any failure; it is read with ``allow_pickle=False``, so reading runs no code.
"""

from __future__ import annotations

import json
import os

import numpy as np

from ..files import atomic_write

FORMAT = "tinygrad_seminar"
VERSION = 2  # 2: objects of the user's (registered by name) may appear in layer configs


def write(path, meta: dict, arrays: dict) -> None:
    """Write to a temporary file beside ``path``, then rename: an earlier file survives any failure."""
    atomic_write(path, lambda f: np.savez(f, __meta__=np.array(json.dumps(meta)), **arrays))


def read(path, kinds: tuple[str, ...]) -> tuple[dict, dict]:
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such file")
    with open(path, "rb") as f:
        head = f.read(4)
    if head != b"PK\x03\x04":  # else np.load would call a text or pickle file "pickled data" and suggest pickle.load
        raise ValueError(f"{path} is not a {FORMAT} file: it is not a numpy .npz (zip) archive "
                         f"(it starts with {head!r})")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {k: archive[k] for k in archive.files}
    except Exception as e:  # truncated, corrupted, or not an archive at all
        raise ValueError(f"{path} is not a readable {FORMAT} file: {type(e).__name__}: {e}") from None
    if not isinstance(arrays, dict) or "__meta__" not in arrays:
        raise ValueError(f"{path} is not a {FORMAT} file (it has no __meta__ entry)")
    try:
        meta = json.loads(str(arrays.pop("__meta__")))
    except json.JSONDecodeError as e:
        raise ValueError(f"{path}: its __meta__ entry is not valid JSON ({e})") from None
    if not isinstance(meta, dict):
        raise ValueError(f"{path} is not a {FORMAT} file (its __meta__ entry is a JSON {type(meta).__name__}, "
                         "not an object)")
    if meta.get("format") != FORMAT or meta.get("kind") not in kinds:
        raise ValueError(f"{path} is not a {FORMAT} {' or '.join(kinds)} file "
                         f"(format {meta.get('format')!r}, kind {meta.get('kind')!r})")
    if meta.get("version", 0) > VERSION:
        raise ValueError(f"{path} was written by a newer version (format version {meta['version']} > {VERSION})")
    return meta, arrays
