"""The worker of ``exercises check``: loads a student's file in its own process and checks its solutions.

    python -m tinygrad_seminar.exercises.worker --results PATH [--with TEACHER.py ...] FILE.py [ID ...]

It appends one JSON object a line to PATH, flushed at once, so that the parent (cli.py) knows how far it
got when it has to stop it: ``{"event": "loaded", "ids": [...]}`` once the file is imported (the ids it
will check: those given, else every exercise whose function or class the file defines at top level), then
``{"event": "start", "id": ...}`` and ``{"event": "done", "id": ..., "passed": ..., "message": ...}`` per
exercise, or ``{"event": "load_error", "message": ...}`` if the file cannot be imported.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import traceback
from pathlib import Path
from types import ModuleType

from .catalogue import get, ids
from .check import check

__all__ = ["load_source", "main"]


def load_source(path: str | Path, name: str) -> ModuleType:
    """Import the Python file ``path`` as a module called ``name`` (its folder first on sys.path)."""
    path = Path(path).resolve()
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.parent))
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def verdict(exercise_id: str, module: ModuleType, path: str) -> dict:
    ex = get(exercise_id)
    solution = vars(module).get(ex.solution_name)
    if solution is None:
        return {"passed": False, "message": f"{ex.id} ({ex.title}): FAILED. {path} defines no "
                                            f"{ex.solution_name} at top level."}
    try:
        report = check(ex.id, solution)
    except BaseException as e:  # noqa: BLE001 - a TypeError (not a function), or sys.exit() in the solution
        return {"passed": False, "message": f"{ex.id} ({ex.title}): FAILED. {type(e).__name__}: {e}"}
    return {"passed": report.passed, "message": str(report)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tinygrad_seminar.exercises.worker")
    parser.add_argument("--results", required=True)
    parser.add_argument("--with", dest="teacher", action="append", default=[])
    parser.add_argument("file")
    parser.add_argument("ids", nargs="*")
    args = parser.parse_args(argv)
    with open(args.results, "a", encoding="utf-8") as out:
        def emit(**record):
            out.write(json.dumps(record) + "\n")
            out.flush()

        try:
            for k, teacher in enumerate(args.teacher):
                load_source(teacher, f"teacher_exercises_{k}")
            module = load_source(args.file, "student_solution")
        except BaseException:  # noqa: BLE001 - whatever the file does at import is reported, sys.exit() included
            emit(event="load_error", message=traceback.format_exc(limit=-3))
            return 1
        todo = args.ids or [i for i in ids() if get(i).solution_name in vars(module)]
        emit(event="loaded", ids=todo)
        for exercise_id in todo:
            emit(event="start", id=exercise_id)
            emit(event="done", id=exercise_id, **verdict(exercise_id, module, args.file))
    return 0


if __name__ == "__main__":
    sys.exit(main())
