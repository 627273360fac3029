"""The file format: one numpy .npz archive at exactly the given path, written atomically, read within bounds.

The archive holds the arrays, and one entry ``__meta__`` with JSON (the format, its version, the kind
of file and what the kind needs). It is written to a temporary file beside the path and renamed, so an
earlier file survives any failure. It is read member by member with the standard zipfile and npy readers,
never by unpickling: each member's header is checked (an npy array of a plain numeric dtype whose declared
size is the member's size) before anything is allocated, and no member is decompressed past its declared
size. Every problem is a ValueError naming the path (SECURITY.md lists the promises and their tests).
"""

from __future__ import annotations

import json
import os
import zipfile
import zlib
from collections.abc import Callable

import numpy as np
from numpy.lib import format as npy

from ..files import atomic_write

FORMAT = "tinygrad_seminar"
VERSION = 3  # 2: objects of the user's (registered by name) in layer configs; 3: the model's generator, fit's epoch
META_LIMIT = 4 << 20  # bytes of the __meta__ member (1M characters of JSON, stored as UCS-4)
DEPTH_LIMIT = 32  # nesting of the JSON description; ours is at most 5 deep
SLACK = 16 << 20  # decompressed bytes allowed beyond twice the file's size (we write uncompressed archives)
CHUNK = 1 << 20
NUMERIC_KINDS = "biuf"


def write(path, meta: dict, arrays: dict) -> None:
    """Write to a temporary file beside ``path``, then rename: an earlier file survives any failure."""
    atomic_write(path, lambda f: np.savez(f, __meta__=np.array(json.dumps(meta)), **arrays))


class DamagedFileError(ValueError):
    """A file that is not, or no longer, what this framework writes; the message names the path."""


def read(path, kinds: tuple[str, ...], check: Callable[[str, dict], None] | None = None) -> tuple[dict, dict]:
    """(description, {name: array}) of a file of one of ``kinds``; a ValueError naming the path otherwise.

    ``check(path, description)``, if given, runs before any array is read.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such file")
    with open(path, "rb") as f:
        head = f.read(4)
    if head != b"PK\x03\x04":  # else np.load would call a text or pickle file "pickled data" and suggest pickle.load
        raise DamagedFileError(f"{path} is not a {FORMAT} file: it is not a numpy .npz (zip) archive "
                               f"(it starts with {head!r})")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = _members(path, zf)
            meta = parse_meta(path, _read_member(path, zf, infos.pop("__meta__"), "U", META_LIMIT), kinds)
            if check is not None:
                check(path, meta)
            arrays = {name: _read_member(path, zf, info) for name, info in infos.items()}
    except (zipfile.BadZipFile, zlib.error, EOFError) as e:  # truncated or corrupted
        raise DamagedFileError(f"{path} is not a readable {FORMAT} file: {type(e).__name__}: {e}") from None
    return meta, arrays


def _members(path: str, zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """{array name: member}, each checked: an .npy name, stored or deflated, not encrypted, sizes in bounds."""
    infos: dict[str, zipfile.ZipInfo] = {}
    for info in zf.infolist():
        name = info.filename
        if not name.endswith(".npy") or name[:-4] in infos:
            raise DamagedFileError(f"{path}: the archive member {name!r} is not one array of a {FORMAT} file "
                                   "(a .npy name, once)")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 1:
            raise DamagedFileError(f"{path}: the archive member {name!r} is encrypted or compressed with method "
                                   f"{info.compress_type}; {FORMAT} files are stored or deflated")
        infos[name[:-4]] = info
    if "__meta__" not in infos:
        raise DamagedFileError(f"{path} is not a {FORMAT} file (it has no __meta__ entry)")
    total, size = sum(i.file_size for i in infos.values()), os.path.getsize(path)
    if total > 2 * size + SLACK:
        raise DamagedFileError(f"{path}: its members declare {total} bytes uncompressed in a file of {size} bytes; "
                               f"{FORMAT} writes uncompressed archives, so this is refused as a zip bomb")
    return infos


def _read_member(path: str, zf: zipfile.ZipFile, info: zipfile.ZipInfo, kinds: str = NUMERIC_KINDS,
                 limit: int | None = None) -> np.ndarray:
    """One array, its npy header checked against the member's declared size before the data is allocated."""
    where = f"{path}: the archive member {info.filename!r}"
    if limit is not None and info.file_size > limit:
        raise DamagedFileError(f"{where} declares {info.file_size} bytes, more than the {limit} allowed")
    with zf.open(info) as f:
        try:
            version = npy.read_magic(f)
            if version not in ((1, 0), (2, 0)):
                raise ValueError(f"npy format version {version} (1.0 and 2.0 are read)")
            reader = npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
            shape, fortran, dtype = reader(f)
        except (ValueError, TypeError, SyntaxError, RecursionError) as e:  # numpy's reasons for a bad header
            raise DamagedFileError(f"{where} is not a readable npy array ({e})") from None
        if dtype.hasobject or dtype.kind not in kinds or dtype.itemsize == 0:
            raise DamagedFileError(f"{where} holds an array of dtype {dtype}, which is not a plain number array "
                                   "(arrays that need pickle are never read)")
        if any(n < 0 for n in shape):
            raise DamagedFileError(f"{where} declares the shape {shape}, with a negative length")
        count = int(np.prod(shape, dtype=object))
        if count * dtype.itemsize != info.file_size - f.tell():
            raise DamagedFileError(f"{where} declares shape {shape} of {dtype}, {count * dtype.itemsize} bytes, "
                                   f"but holds {info.file_size - f.tell()} bytes of data")
        array = np.empty(count, dtype)
        view = memoryview(array.view(np.uint8).reshape(-1))
        done = 0
        while done < len(view):  # in chunks: never more than the declared size, never all at once in a buffer
            got = f.readinto(view[done:done + CHUNK])
            if not got:
                raise DamagedFileError(f"{where} ends after {done} of its {len(view)} bytes of data")
            done += got
    return array.reshape(shape, order="F" if fortran else "C")


def parse_meta(path: str, stored: np.ndarray, kinds: tuple[str, ...]) -> dict:
    """The JSON description: an object, not nested deeper than DEPTH_LIMIT, of our format and one of ``kinds``."""
    if stored.dtype.kind != "U" or stored.shape != ():
        raise DamagedFileError(f"{path}: its __meta__ entry is not one string (dtype {stored.dtype}, "
                               f"shape {stored.shape})")
    try:
        meta = json.loads(str(stored))
    except ValueError as e:  # not JSON, or a number of more digits than Python converts (4300)
        raise DamagedFileError(f"{path}: its __meta__ entry is not valid JSON ({e})") from None
    except RecursionError:
        raise DamagedFileError(f"{path}: its __meta__ entry is JSON nested too deeply to read") from None
    if not isinstance(meta, dict):
        raise DamagedFileError(f"{path} is not a {FORMAT} file (its __meta__ entry is a JSON "
                               f"{type(meta).__name__}, not an object)")
    depth = nesting(meta)
    if depth > DEPTH_LIMIT:
        raise DamagedFileError(f"{path}: its description is nested deeper than the {DEPTH_LIMIT} levels allowed")
    if meta.get("format") != FORMAT or meta.get("kind") not in kinds:
        raise DamagedFileError(f"{path} is not a {FORMAT} {' or '.join(kinds)} file "
                               f"(format {meta.get('format')!r}, kind {meta.get('kind')!r})")
    version = meta.get("version", 0)
    if not isinstance(version, int) or isinstance(version, bool) or version < 0:
        raise DamagedFileError(f"{path}: its format version must be a whole number >= 0, got {version!r}")
    if version > VERSION:
        raise DamagedFileError(f"{path} was written by a newer version (format version {version} > {VERSION})")
    return meta


def nesting(value) -> int:
    """How deep lists and dicts nest in ``value`` (1 for a flat one), counted without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        if children is None:
            continue
        deepest = max(deepest, depth)
        if depth <= DEPTH_LIMIT:  # deeper than the limit is refused anyway: no need to walk all of it
            stack.extend((child, depth + 1) for child in children)
    return deepest
