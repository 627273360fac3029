"""``python -m tinygrad_seminar exercises``: list the exercises, show one, check a student's file.

    exercises [--with TEACHER.py]                 the catalogue, in the seminar's order
    exercises show ID [ID ...] [--stub | --notebook]   statements and starter stubs (one file, one notebook)
    exercises check FILE.py [ID ...] [--json] [--timeout 30]

``check`` runs the file in a subprocess (worker.py) and stops it after ``--timeout`` seconds: the exercise
it was checking then fails as timed out, and the others are checked in a fresh process. It prints a
verdict per exercise (with ``--json``, one JSON record a line: file, id, passed, message) and exits 1 if
any fails, 2 on a usage error (no such file, an unknown id), so that it can grade in CI. ``--with`` loads a
teacher's file of exercises (``@ts.exercises.exercise``) first, here and in the worker.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from .catalogue import UnknownExerciseError, all_exercises, get, starter_file
from .notebook import notebook
from .worker import load_source

__all__ = ["add_parser", "check_file", "listing", "run"]

PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the folder that holds tinygrad_seminar/


def add_parser(commands) -> None:
    """Add the ``exercises`` command to the top-level parser's subcommands."""
    teacher = argparse.ArgumentParser(add_help=False)
    teacher.add_argument("--with", dest="teacher", action="append", default=argparse.SUPPRESS, metavar="FILE.py",
                         help="a teacher's file of exercises to load first (repeatable)")
    parser = commands.add_parser("exercises", parents=[teacher], help="gradient-checking exercises: list them, "
                                 "show ID, check FILE.py")
    parser.set_defaults(run=run, teacher=[], action=None)
    actions = parser.add_subparsers(dest="action", metavar="{show,check}")
    show = actions.add_parser("show", parents=[teacher], help="print an exercise's statement and a starter stub")
    show.add_argument("ids", nargs="+", metavar="ID")
    form = show.add_mutually_exclusive_group()
    form.add_argument("--stub", action="store_true", help="print one Python file to fill in: the statements as "
                      "comments above the stubs")
    form.add_argument("--notebook", action="store_true", help="print a Jupyter notebook: a statement, a stub and "
                      "a check cell each")
    check = actions.add_parser("check", parents=[teacher], help="check a student's file in a subprocess")
    check.add_argument("file", metavar="FILE.py")
    check.add_argument("ids", nargs="*", metavar="ID", help="the exercises to check (default: every one the file "
                       "defines a function or class for)")
    check.add_argument("--json", action="store_true", help="one JSON record a line: file, id, passed, message")
    check.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                       help="stop the file after this long (default 30)")


def listing() -> str:
    lines = ["The exercises, in the seminar's order (exercises show ID: the statement and a starter):"]
    topic = None
    for ex in all_exercises():
        if ex.topic != topic:
            topic = ex.topic
            lines.append(f"\n{topic or 'More exercises'}")
        lines.append(f"  {ex.id:<22} {ex.title}")
    return "\n".join(lines)


def run(args) -> int:
    """The ``exercises`` command: 0 on success, 1 if a check fails, 2 on a usage error."""
    try:
        for k, path in enumerate(args.teacher):
            load_source(path, f"teacher_exercises_{k}")
        if args.action == "show":
            if args.stub or args.notebook:
                print(starter_file(args.ids) if args.stub else json.dumps(notebook(args.ids), indent=1))
                return 0
            for exercise_id in args.ids:
                print(get(exercise_id).show())
                print(f"Check it: python -m tinygrad_seminar exercises check FILE.py {exercise_id}\n")
            return 0
        if args.action == "check":
            for exercise_id in args.ids:
                get(exercise_id)
            if not Path(args.file).is_file():
                raise FileNotFoundError(f"no such file: {args.file}")
            return check_file(args.file, args.ids, as_json=args.json, timeout=args.timeout, teacher=args.teacher)
    except (UnknownExerciseError, FileNotFoundError) as e:
        print(f"exercises: {e.args[0] if e.args else e}", file=sys.stderr)
        return 2
    print(listing())
    return 0


def check_file(path: str, ids: list[str], as_json: bool = False, timeout: float = 30.0,
               teacher: list[str] = ()) -> int:
    """Check the file's solutions in subprocesses, print a verdict per exercise; 1 if any fails, else 0."""
    records = grade(path, ids or None, timeout, list(teacher))
    for r in records:
        if as_json:
            print(json.dumps({"file": path, **r}))
        else:
            print(f"{'PASS' if r['passed'] else 'FAIL'}  " + r["message"].replace("\n", "\n      "))
    passed = sum(r["passed"] for r in records)
    if not as_json:
        print(f"\n{path}: {passed} passed, {len(records) - passed} failed.")
    return 0 if records and passed == len(records) else 1


def grade(path: str, ids: list[str] | None, timeout: float, teacher: list[str]) -> list[dict]:
    """Records {id, passed, message}: run the worker, and again on what is left after a timeout or a crash."""
    records: list[dict] = []
    while True:
        events, stopped = run_worker(path, ids, timeout, teacher)
        done = {e["id"]: e for e in events if e["event"] == "done"}
        records += [{"id": i, "passed": e["passed"], "message": e["message"]} for i, e in done.items()]
        loaded = next((e for e in events if e["event"] == "loaded"), None)
        if loaded is None:
            error = next((e["message"] for e in events if e["event"] == "load_error"), stopped)
            records.append({"id": None, "passed": False, "message": f"{path} could not be loaded: {error}"})
            return records
        if not loaded["ids"]:
            records.append({"id": None, "passed": False, "message": f"{path} defines none of the exercises' functions"
                            f" or classes ({', '.join(ex.solution_name for ex in all_exercises())})"})
        running = [e["id"] for e in events if e["event"] == "start" and e["id"] not in done]
        records += [{"id": i, "passed": False, "message": f"{i} ({get(i).title}): FAILED. {stopped}"} for i in running]
        ids = [i for i in loaded["ids"] if i not in done and i not in running]
        if stopped is None or not ids:
            return records


def run_worker(path: str, ids: list[str] | None, timeout: float, teacher: list[str]) -> tuple[list[dict], str | None]:
    """The worker's events, and why it stopped early (None if it finished)."""
    with tempfile.TemporaryDirectory(prefix="ts-exercises-") as tmp:
        results, log = Path(tmp) / "results.jsonl", Path(tmp) / "output.txt"
        command = [sys.executable, "-m", "tinygrad_seminar.exercises.worker", "--results", str(results),
                   *(f"--with={t}" for t in teacher), path, *(ids or [])]
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(PACKAGE_ROOT),
                                                                         os.environ.get("PYTHONPATH")]))}
        with open(log, "w") as output:
            proc = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    env=env, start_new_session=hasattr(os, "killpg"))
            try:
                code, stopped = proc.wait(timeout=timeout), None
            except subprocess.TimeoutExpired:
                stop(proc)
                code, stopped = None, f"stopped after {timeout:g} s (the timeout): an endless loop?"
        if stopped is None and code != 0:
            tail = log.read_text(errors="replace").strip().splitlines()[-5:]
            stopped = f"the checking process ended with exit code {code}: " + " / ".join(tail)
        events = [json.loads(line) for line in results.read_text().splitlines()] if results.exists() else []
    return events, stopped


def stop(proc: subprocess.Popen) -> None:
    """Kill the worker (with whatever it started, where process groups exist) and wait for it."""
    if hasattr(os, "killpg"):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    else:
        proc.kill()
    proc.wait()
