"""Crafted files for the loading tests: archives written by hand, a zip bomb made without compressing gigabytes."""

from __future__ import annotations

import json
import struct
import zlib

import numpy as np
from numpy.lib import format as npy


def npy_bytes(array: np.ndarray) -> bytes:
    """The .npy encoding of an array, as np.savez stores it."""
    header = {"descr": npy.dtype_to_descr(array.dtype), "fortran_order": False, "shape": array.shape}
    out = bytearray()
    npy.write_array_header_1_0(_Sink(out), header)
    return bytes(out) + array.tobytes()


class _Sink:
    def __init__(self, out: bytearray):
        self.out = out

    def write(self, data: bytes) -> None:
        self.out += data


def meta_bytes(meta) -> bytes:
    return npy_bytes(np.array(json.dumps(meta) if not isinstance(meta, str) else meta))


def write_zip(path, members: list[tuple[str, bytes, int, int, int]]) -> None:
    """A zip archive of (name, data as stored, method, crc, declared uncompressed size), written field by field."""
    body, central = bytearray(), bytearray()
    for name, data, method, crc, size in members:
        raw = name.encode()
        offset = len(body)
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(data), size, len(raw), 0)
        body += raw + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(data), size,
                               len(raw), 0, 0, 0, 0, 0, offset) + raw
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(body), 0)
    with open(path, "wb") as f:
        f.write(bytes(body) + bytes(central) + end)


def stored(name: str, data: bytes) -> tuple[str, bytes, int, int, int]:
    return name, data, 0, zlib.crc32(data), len(data)


def zeros_bomb(name: str, megabytes: int, declared: int | None = None) -> tuple[str, bytes, int, int, int]:
    """A deflated .npy of ``megabytes`` MiB of float32 zeros: about 1 KB per MiB, made by repeating one
    flushed deflate segment (identical after each full flush) instead of compressing it all."""
    count = megabytes * (1 << 20) // 4
    head = npy_bytes_with_shape(count)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    segment = c.compress(bytes(1 << 20)) + c.flush(zlib.Z_FULL_FLUSH)
    data = first + segment * megabytes + c.flush()
    size = len(head) + megabytes * (1 << 20)
    return name, data, 8, 0, size if declared is None else declared  # the CRC is never reached: refused before


def npy_bytes_with_shape(count: int) -> bytes:
    """The header alone of a float32 .npy of ``count`` elements."""
    header = {"descr": "<f4", "fortran_order": False, "shape": (count,)}
    out = bytearray()
    npy.write_array_header_1_0(_Sink(out), header)
    return bytes(out)
