"""Writing a file so that nothing is lost: to a temporary file beside it, then renamed over it.

Every file the package writes (saved models, pictures, pages) goes through ``atomic_write``: a failure
at any point (a full disk, an error, a kill) leaves an earlier file at the path as it was.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from typing import BinaryIO


def atomic_write(path, write: Callable[[BinaryIO], object]) -> str:
    """Call ``write(f)`` on a temporary file beside ``path``, flush it to disk, rename it to ``path``; return path."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"{path}: the folder {folder} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=folder)
    try:
        os.chmod(tmp, file_mode(path))  # mkstemp makes 0600; keep what open() would give, or the old mode
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def file_mode(path: str) -> int:
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
