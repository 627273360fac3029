"""The catalogue: what an exercise is, its cases, the registry in the seminar's order, and the teacher's decorator.

An exercise is a builder of cases: ``builder(rng)`` makes, from ``np.random.default_rng(seed)``, the
inputs a student's solution is called with and the outputs the engine computes for them (its automatic
gradient, in float64; the perceptron's rule, which has no gradient). The check (check.py) calls the
solution on every case and compares. Each case may also carry *variants*: what a known slip would return
(hints.py), computed the same way, so that a wrong answer can be named.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .runners import NumpyFunction, ReturnError, Runner

__all__ = ["Case", "Exercise", "UnknownExerciseError", "all_exercises", "cases", "exercise", "get", "ids",
           "register", "starter_file", "unregister"]


class UnknownExerciseError(LookupError):
    """``exercise_id`` names no exercise of the catalogue; the message lists the ids there are."""


@dataclass(eq=False)
class Case:
    """One call of a solution: its arguments (in order), the expected outputs by name, and what slips would give.

    ``expected`` is one array (an exercise with one output) or a mapping name -> array, in the order the
    solution returns them. ``base``: for an output that is a value after a step (``w`` after the update),
    the value before it, so that hints compare steps (twice the step, the opposite step). ``variants``:
    slip name -> outputs as that slip would make them (hints.Variant). ``info``: whatever the exercise's
    hints need (``p``, the batch size, for a factor of p).
    """

    name: str
    args: Mapping[str, object]
    expected: object
    base: Mapping[str, np.ndarray] = field(default_factory=dict)
    variants: Mapping[str, Mapping[str, np.ndarray]] = field(default_factory=dict)
    info: Mapping[str, object] = field(default_factory=dict)
    seed: int | None = None  # set by Exercise.cases
    index: int = 0

    def __post_init__(self):
        if not isinstance(self.expected, Mapping):
            self.expected = {"output": self.expected}
        self.expected = {k: np.asarray(v, dtype=np.float64) for k, v in self.expected.items()}
        self.args = dict(self.args)

    @property
    def shapes(self) -> str:
        """The arguments' shapes (numbers by value), as a report shows them: ``X (3, 4), eta 0.1``."""
        parts = []
        for k, v in self.args.items():
            if isinstance(v, np.ndarray):
                parts.append(f"{k} {v.shape}")
            elif isinstance(v, (list, tuple)):
                parts.append(f"{k} [{', '.join(str(np.shape(e)) for e in v if e is not None)}]")
            else:
                parts.append(f"{k} {v!r}")
        return ", ".join(parts)

    def describe(self, total: int) -> str:
        return f'case {self.index + 1} of {total}, "{self.name}" (seed {self.seed}): {self.shapes}'


@dataclass(eq=False)
class Exercise:
    """An exercise of the catalogue. ``builder(rng)`` returns its cases (see Case); ``reference`` is a right
    solution (kept out of the statement); ``slips`` the hints that apply to it, tried in order."""

    id: str
    title: str
    statement: str
    builder: Callable[[np.random.Generator], Iterable[Case]]
    topic: str = ""
    signature: str | None = None
    reference: object = None
    slips: Sequence = ()
    solution_name: str = ""
    runner: Runner = field(default_factory=NumpyFunction)
    unpack: Callable | None = None  # (returned value, case) -> {output name: value}; None: by the case's outputs

    def __post_init__(self):
        self.solution_name = self.solution_name or self.id
        for what, name in (("id", self.id), ("solution_name", self.solution_name)):
            if not isinstance(name, str) or not name.isidentifier():
                raise ValueError(f"exercise: {what} must be a Python identifier (a student defines a function or "
                                 f"class of that name); got {name!r}")

    def cases(self, seed: int = 0) -> list[Case]:
        """The cases made from ``np.random.default_rng(seed)``: the same seed, the same cases."""
        made = list(self.builder(np.random.default_rng(seed)))
        for k, case in enumerate(made):
            if not isinstance(case, Case):
                raise TypeError(f"exercise {self.id!r}: its builder must yield Case objects; item {k} is a "
                                f"{type(case).__name__}")
            case.seed, case.index = seed, k
        return made

    def outputs_of(self, returned, case: Case) -> dict:
        """The solution's return value as {output name: value}, in the case's order; ReturnError if it does not fit."""
        if self.unpack is not None:
            return self.unpack(returned, case)
        names = list(case.expected)
        if len(names) == 1:
            return {names[0]: returned}
        if isinstance(returned, Mapping):
            return {k: returned.get(k) for k in names}
        if not isinstance(returned, (tuple, list)) or len(returned) != len(names):
            got = f"{len(returned)} values" if isinstance(returned, (tuple, list)) else type(returned).__name__
            raise ReturnError(f"return {len(names)} values, ({', '.join(names)}); the solution returned {got}")
        return dict(zip(names, returned))

    @property
    def params(self) -> str:
        """The parameters the student's function takes, as a stub writes them."""
        if self.signature is not None:
            return self.signature
        return ", ".join(self.cases(0)[0].args)

    def stub(self) -> str:
        """A starter the student fills in: the imports it needs and the function or class."""
        return f"{self.runner.imports}\n\n\n{self.runner.stub(self)}"

    def show(self) -> str:
        """The title, the statement and a starter stub, as ``exercises show ID`` prints them."""
        return f"{self.id}: {self.title}\n\n{inspect.cleandoc(self.statement)}\n\nStarter:\n\n{self.stub()}"


_REGISTRY: dict[str, Exercise] = {}


def _origin(builder) -> tuple:
    return getattr(builder, "__module__", None), getattr(builder, "__qualname__", None)


def register(ex: Exercise) -> Exercise:
    """Add ``ex`` at the end of the catalogue. An id already there is a ValueError, unless the same definition
    runs again (the same module and name of builder: a notebook cell run twice, a file loaded again): then
    the new one replaces the old, in its place."""
    old = _REGISTRY.get(ex.id)
    if old is not None and _origin(old.builder) != _origin(ex.builder):
        raise ValueError(f"exercise: the id {ex.id!r} is already in the catalogue (unregister it first)")
    _REGISTRY[ex.id] = ex
    return ex


def unregister(exercise_id: str) -> Exercise:
    """Remove an exercise from the catalogue (a teacher's, say, at the end of a test) and return it."""
    get(exercise_id)
    return _REGISTRY.pop(exercise_id)


def get(exercise_id: str) -> Exercise:
    """The exercise called ``exercise_id``, or UnknownExerciseError listing the ids there are."""
    if exercise_id not in _REGISTRY:
        raise UnknownExerciseError(f"exercise_id {exercise_id!r} names no exercise; the catalogue has: "
                                   f"{', '.join(_REGISTRY)}")
    return _REGISTRY[exercise_id]


def ids() -> list[str]:
    """Every exercise's id, in the seminar's order (a teacher's exercises after)."""
    return list(_REGISTRY)


def all_exercises() -> list[Exercise]:
    return list(_REGISTRY.values())


def cases(exercise_id: str, seed: int = 0) -> list[Case]:
    """The cases a check with this seed runs: a report's "case 3 of 6" is ``cases(id, seed)[2]``."""
    return get(exercise_id).cases(seed)


def exercise(id: str, title: str, statement: str, *, topic: str = "", signature: str | None = None,  # noqa: A002
             reference=None, slips: Sequence = (), solution_name: str | None = None, runner: Runner | None = None,
             unpack: Callable | None = None) -> Callable:
    """Decorate a builder of cases to add an exercise to the catalogue (and to ``exercises check``).

    The builder takes a ``np.random.Generator`` and yields ``Case`` objects whose expected outputs the
    engine computes (``ts.grad`` on float64 Tensors). ``signature``: the student's parameters as a stub
    writes them (default: the first case's argument names). ``slips``: hints (``ts.exercises.hints``).
    ``runner``: how a solution is called (default ``NumpyFunction()``; ``TsFunction()`` for a
    ``ts.Function`` subclass). Returns the Exercise.
    """

    def wrap(builder: Callable) -> Exercise:
        return register(Exercise(id=id, title=title, statement=statement, builder=builder, topic=topic,
                                 signature=signature, reference=reference, slips=tuple(slips),
                                 solution_name=solution_name or id, runner=runner or NumpyFunction(),
                                 unpack=unpack))

    return wrap


def starter_file(exercise_ids: Sequence[str]) -> str:
    """One Python file for a student: each exercise's statement as comments above its stub, the imports once."""
    chosen = [get(i) for i in exercise_ids]
    imports = max((ex.runner.imports for ex in chosen), key=len)
    parts = [f'"""Exercises: {", ".join(exercise_ids)}.\n\nCheck: python -m tinygrad_seminar exercises check '
             f'THIS_FILE.py\n"""\n\n{imports}\n']
    for ex in chosen:
        comment = "\n".join(f"# {line}".rstrip() for line in inspect.cleandoc(ex.statement).splitlines())
        parts.append(f"# ---- {ex.id}: {ex.title} ----\n{comment}\n{ex.runner.stub(ex)}")
    return "\n\n".join(parts)
