"""atomic_write's temporaries: named with the writer's pid; a later write removes those of dead writers only."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys

import pytest

from tinygrad_seminar import files

pytestmark = pytest.mark.skipif(os.name != "posix", reason="stale temporaries are recognised on POSIX only")


def dead_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def touch(path) -> None:
    with open(path, "wb") as f:
        f.write(b"half a file")


def test_the_temporary_carries_the_writers_pid(tmp_path):
    seen = []
    files.atomic_write(tmp_path / "t.bin", lambda f: seen.extend(files.temporaries_of(tmp_path / "t.bin")))
    assert [pid for _, pid in seen] == [os.getpid()]
    assert os.listdir(tmp_path) == ["t.bin"]


def test_a_write_removes_dead_writers_temporaries_and_keeps_live_ones(tmp_path):
    target = tmp_path / "model.keras"
    dead, sleeper = dead_pid(), subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        names = {"dead": f".model.keras.{dead}.abc123xy.tmp", "live": f".model.keras.{sleeper.pid}.q1w2e3r4.tmp",
                 "ours": f".model.keras.{os.getpid()}.zzzzzzzz.tmp",  # another thread of ours may be writing it
                 "other target": f".model.keras.1.{dead}.abc123xy.tmp",  # a temporary of "model.keras.1"
                 "not a temporary": f".model.keras.{dead}.tmp", "user's file": f"model.keras.{dead}.abc.tmp"}
        for name in names.values():
            touch(tmp_path / name)
        files.atomic_write(target, lambda f: f.write(b"new"))
        left = set(os.listdir(tmp_path))
        assert names["dead"] not in left
        assert left == {"model.keras"} | (set(names.values()) - {names["dead"]})
        assert target.read_bytes() == b"new"
    finally:
        sleeper.kill()
        sleeper.wait()
    files.atomic_write(target, lambda f: f.write(b"newer"))  # now the sleeper is dead too
    assert names["live"] not in os.listdir(tmp_path)


def test_a_failed_write_removes_its_own_temporary_and_keeps_the_old_file(tmp_path):
    target = tmp_path / "keep.txt"
    files.atomic_write(target, lambda f: f.write(b"old"))

    def fail(f):
        f.write(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        files.atomic_write(target, fail)
    assert os.listdir(tmp_path) == ["keep.txt"] and target.read_bytes() == b"old"


def _write_forever(path: str) -> None:
    n = 0
    while True:
        files.atomic_write(path, lambda f, n=n: f.write(str(n).encode() * 200_000))
        n += 1


def test_killed_writers_leave_the_old_or_the_new_file_and_no_stale_temporary(tmp_path):
    """30 writers killed at varied moments (SIGKILL): the target is always one whole version."""
    target = str(tmp_path / "t.txt")
    files.atomic_write(target, lambda f: f.write(b"start"))
    ctx = multiprocessing.get_context("fork")
    left_behind = 0
    for k in range(30):
        child = ctx.Process(target=_write_forever, args=(target,))
        child.start()
        child.join(0.001 * (k % 10) + 0.002)
        child.kill()
        child.join()  # reaped: a zombie would still answer os.kill(pid, 0)
        left_behind += bool(files.temporaries_of(target))
        data = open(target, "rb").read()
        assert data == b"start" or data == data[:len(data) // 200_000] * 200_000
    files.atomic_write(target, lambda f: f.write(b"end"))
    assert files.temporaries_of(target) == []
    assert open(target, "rb").read() == b"end"
    assert left_behind > 0  # some kills did land in the middle of a write
