"""Checking a solution: every case run, every output compared, the first difference and a hint reported.

    agreement:  np.allclose(received, expected, rtol=1e-6, atol=1e-8) in float64, with equal shapes

A case fails when an output differs (its first differing entry, in row-major order, is reported with the
expected and received values), has another shape, cannot be read as numbers, when the solution raises
(the exception and the line of the solution are reported) or returns the wrong number of values, or
when the runner's own verdict fails (``ts.gradcheck`` for a ``ts.Function``). Every case is run, so
``CheckReport.failures`` has one Failure per failing case; its ``str`` shows the first in full.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .catalogue import Case, Exercise, get
from .hints import ATOL, RTOL, Output, close, explain
from .runners import ReturnError

__all__ = ["CheckReport", "Failure", "Mismatch", "check", "compare"]

LIBRARIES = (Path(__file__).resolve().parents[1], Path(np.__file__).resolve().parent)
TOLERANCE = f"np.allclose, rtol={RTOL:g}, atol={ATOL:g}, float64"


@dataclass(eq=False)
class Mismatch:
    """How one output differs: ``kind`` is "values", "shape", "nonfinite" or "type"; ``index`` the first
    differing entry (values, nonfinite), with the ``expected`` and ``received`` numbers there."""

    output: str
    kind: str
    text: str
    index: tuple | None = None
    expected: float | None = None
    received: float | None = None
    hint: str | None = None


def as_numbers(value) -> np.ndarray | None:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    return arr


def compare(name: str, expected: np.ndarray, value) -> tuple[Mismatch | None, np.ndarray | None]:
    """(None, received) if ``value`` is close to ``expected``, else (how it differs, received as float64 or None)."""
    received = None if value is None else as_numbers(value)
    if received is None:
        what = "None (a `return` missing?)" if value is None else f"a {type(value).__name__} that is not numbers"
        return Mismatch(name, "type", f"returned {what}; expected an array of shape {expected.shape}"), None
    if received.shape != expected.shape:
        return Mismatch(name, "shape", f"returned shape {received.shape}, expected {expected.shape}"), received
    if close(received, expected):
        return None, received
    bad = ~np.isclose(received, expected, rtol=RTOL, atol=ATOL)
    index = tuple(int(i) for i in np.argwhere(bad)[0])
    e, r = float(expected[index]), float(received[index])
    kind = "values" if np.isfinite(received).all() else "nonfinite"
    where = f"[{', '.join(map(str, index))}]" if index else "(the scalar)"
    return Mismatch(name, kind, f"first differing entry {where}: expected {e:.8g}, received {r:.8g} "
                                f"({int(bad.sum())} of {bad.size} entries differ)", index, e, r), received


@dataclass(eq=False)
class Failure:
    """One failing case: which (``case``: its name, seed, shapes), each output's verdict (``outputs``: name ->
    Mismatch, or None where right), or ``error`` (what it raised or returned), and ``notes`` (ts.gradcheck's)."""

    case: Case
    total: int
    outputs: dict = field(default_factory=dict)
    error: str | None = None
    notes: str | None = None

    @property
    def wrong(self) -> list[Mismatch]:
        return [m for m in self.outputs.values() if m is not None]

    @property
    def first(self) -> Mismatch | None:
        """The first wrong output, in the order the solution returns them."""
        return next(iter(self.wrong), None)

    @property
    def output(self) -> str | None:
        return None if self.first is None else self.first.output

    @property
    def hints(self) -> list[str]:
        return list(dict.fromkeys(m.hint for m in self.wrong if m.hint))

    def summary(self) -> str:
        """One line: the case and what went wrong first."""
        if self.error is not None:
            return f"{self.case.describe(self.total)}: {self.error.splitlines()[0]}"
        first = self.first
        if first is None:
            return f"{self.case.describe(self.total)}: {(self.notes or '').splitlines()[0]}"
        return f"{self.case.describe(self.total)}: {first.output} {first.text}"

    def __str__(self) -> str:
        lines = [self.case.describe(self.total)]
        if self.error is not None:
            lines.append(f"  {self.error}")
        elif len(self.outputs) == 1:
            lines.append(f"  {self.first.output}: {self.first.text}" if self.first else "  the output is right")
        else:
            first = self.output
            for name, m in self.outputs.items():
                verdict = "right" if m is None else f"wrong, {m.text}"
                lines.append(f"  {name}: {verdict}{'   <- the first wrong one' if name == first else ''}")
        lines += [f"  hint: {h}" for h in self.hints]
        if self.notes:
            lines.append("  " + self.notes.replace("\n", "\n  ").rstrip())
        return "\n".join(lines)


@dataclass(eq=False)
class CheckReport:
    """What ``check`` found: ``passed`` (also the report's truth value), ``failures`` (one per failing case),
    and a readable ``str``: the verdict, the first failure in full, the other failing cases in a line each."""

    exercise_id: str
    title: str
    seed: int
    cases: int
    failures: list[Failure]

    @property
    def passed(self) -> bool:
        return not self.failures

    def __bool__(self) -> bool:
        return self.passed

    @property
    def hints(self) -> list[str]:
        return list(dict.fromkeys(h for f in self.failures for h in f.hints))

    def __str__(self) -> str:
        head = f"{self.exercise_id} ({self.title})"
        if self.passed:
            return f"{head}: passed all {self.cases} cases (seed {self.seed}; {TOLERANCE})."
        lines = [f"{head}: FAILED {len(self.failures)} of {self.cases} cases (seed {self.seed}; {TOLERANCE}).",
                 f"First failure: {self.failures[0]}"]
        if len(self.failures) > 1:
            lines.append("Also failing:")
            first_error = self.failures[0].error
            same = [f for f in self.failures[1:] if first_error is not None and f.error == first_error]
            lines += [f"  {f.summary()}" for f in self.failures[1:] if f not in same]
            if same:
                lines.append(f"  case{'s' if len(same) > 1 else ''} {', '.join(str(f.case.index + 1) for f in same)}"
                             f" ({', '.join(dict.fromkeys(f.case.name for f in same))}): the same error")
        more = [h for h in self.hints if h not in self.failures[0].hints]
        lines += [f"Hint from the other cases: {h}" for h in more]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """The record ``exercises check --json`` prints: id, passed, message."""
        return {"id": self.exercise_id, "passed": self.passed, "message": str(self)}


def raised(e: BaseException) -> str:
    """``raised ValueError: ...`` and the innermost line of the traceback outside this package and numpy:
    the solution's line, usually."""
    frames = traceback.extract_tb(e.__traceback__)
    theirs = [f for f in frames if not any(Path(f.filename).is_relative_to(d) for d in LIBRARIES)]
    frame = (theirs or frames or [None])[-1]
    where = f" (at {frame.filename}, line {frame.lineno}: {frame.line})" if frame is not None else ""
    if isinstance(e, NotImplementedError):
        return f"not written yet: raised NotImplementedError{where}"
    return f"raised {type(e).__name__}: {e}{where}"


def check_case(ex: Exercise, solution, case: Case, total: int) -> Failure | None:
    """None if the solution gets this case right, else the Failure."""
    with np.errstate(all="ignore"):  # a student's overflow shows as nan or inf in the report, not as warnings
        return run_case(ex, solution, case, total)


def run_case(ex: Exercise, solution, case: Case, total: int) -> Failure | None:
    try:
        outputs = ex.outputs_of(ex.runner.run(solution, case), case)
    except ReturnError as e:
        return Failure(case, total, error=f"the returned value does not fit: {e}")
    except Exception as e:
        return Failure(case, total, error=raised(e), notes=ex.runner.verify(solution, case))
    verdicts = {}
    for name, expected in case.expected.items():
        mismatch, received = compare(name, expected, outputs.get(name))
        if mismatch is not None:
            mismatch.hint = explain(Output(name, expected, received, case.base.get(name)), case, ex.slips)
        verdicts[name] = mismatch
    notes = ex.runner.verify(solution, case)
    if any(m is not None for m in verdicts.values()) or notes is not None:
        return Failure(case, total, outputs=verdicts, notes=notes)
    return None


def check(exercise_id: str, solution, seed: int = 0) -> CheckReport:
    """Run ``solution`` on every case of the exercise (made from ``np.random.default_rng(seed)``) and report.

    ``solution``: a function (numpy in, numpy out), or for a Function exercise a ``ts.Function`` subclass;
    anything else is a TypeError. An unknown ``exercise_id`` is an UnknownExerciseError (a LookupError)
    listing the ids there are. The same solution and seed give the same report.
    """
    ex = get(exercise_id)
    ex.runner.validate(solution, ex)
    made = ex.cases(seed)
    failures = [f for case in made if (f := check_case(ex, solution, case, len(made))) is not None]
    return CheckReport(ex.id, ex.title, seed, len(made), failures)
