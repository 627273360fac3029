"""Writing a file so that nothing is lost: to a temporary file beside it, then renamed over it.

Every file the package writes (saved models, pictures, pages) goes through ``atomic_write``. The guarantee:
after any crash (an error, a full disk, a kill) the target is the old or the new file, byte for byte; a
stale temporary is removed by the next save to that target. A temporary is named ``.NAME.PID.XXXXXXXX.tmp``
with the id of the process writing it, so a later save can tell a dead writer's leftover (removed) from a
live writer's file in progress (kept). On POSIX only: elsewhere there is no harmless "is it alive" probe.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from typing import BinaryIO


def atomic_write(path, write: Callable[[BinaryIO], object]) -> str:
    """Call ``write(f)`` on a temporary file beside ``path``, flush it to disk, rename it to ``path``; return path.

    After a crash at any moment the path holds the old or the new file, byte for byte; a temporary left by
    a process that no longer exists is removed by the next ``atomic_write`` to the same path.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"{path}: the folder {folder} does not exist")
    remove_stale_temporaries(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.{os.getpid()}.", suffix=".tmp", dir=folder)
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
    _sync_folder(folder)
    return path


def _sync_folder(folder: str) -> None:
    """Flush the rename itself to disk (POSIX), so a power cut after return keeps the new file."""
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temporaries_of(path) -> list[tuple[str, int]]:
    """(file name, writer's pid) of every temporary of ``path`` in its folder, as atomic_write names them."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    pattern = re.compile(re.escape(f".{os.path.basename(path)}.") + r"(\d+)\.[a-z0-9_]+\.tmp")
    out = []
    for entry in os.listdir(folder):
        match = pattern.fullmatch(entry)  # exact: the temporary of "a" never matches one of "a.1"
        if match:
            out.append((entry, int(match.group(1))))
    return out


def process_exists(pid: int) -> bool:
    """Whether a process with this id runs (POSIX: signal 0 probes without sending anything)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, and belongs to someone else
        return True
    return True


def remove_stale_temporaries(path) -> list[str]:
    """Remove the temporaries of ``path`` whose writing process no longer exists; return their names.

    A live writer's temporary (ours included: another thread may be writing) is kept. A reused pid keeps a
    dead writer's temporary until that process ends too: the check errs on the side of keeping.
    """
    if os.name != "posix":  # os.kill(pid, 0) would send CTRL_C_EVENT on Windows
        return []
    folder = os.path.dirname(os.path.abspath(os.fspath(path)))
    removed = []
    for name, pid in temporaries_of(path):
        if pid == os.getpid() or process_exists(pid):
            continue
        try:
            os.unlink(os.path.join(folder, name))
            removed.append(name)
        except (FileNotFoundError, PermissionError):  # another save removed it first; or not ours to remove
            pass
    return removed


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
