"""The file format: one numpy .npz archive at exactly the given path, written atomically, read safely.

The archive holds the arrays, and one entry ``__meta__`` with JSON (the format, its version, the kind
of file and what the kind needs). It is written to a temporary file beside the path and renamed, so an
earlier file survives any failure; it is read with ``allow_pickle=False``, so reading runs no code.
"""

from __future__ import annotations

import json
import os
import tempfile

import numpy as np

FORMAT = "tinygrad_seminar"
VERSION = 2  # 2: objects of the user's (registered by name) may appear in layer configs


def write(path, meta: dict, arrays: dict) -> None:
    """Write to a temporary file beside ``path``, then rename: an earlier file survives any failure."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"{path}: the folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        os.chmod(tmp, _file_mode(path))  # mkstemp makes 0600; keep what open() would give, or the old mode
        with os.fdopen(fd, "wb") as f:
            np.savez(f, __meta__=np.array(json.dumps(meta)), **arrays)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _file_mode(path: str) -> int:
    """The old file's mode, or what open() would give a new file (0666 less the umask)."""
    try:
        return os.stat(path).st_mode & 0o777
    except FileNotFoundError:
        pass
    try:  # Linux tells the umask without changing it (os.umask would, for every thread, for a moment)
        with open("/proc/self/status") as f:
            umask = next(int(line.split()[1], 8) for line in f if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError):
        umask = os.umask(0)
        os.umask(umask)
    return 0o666 & ~umask


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
