"""Gradient-checking exercises for a course: the seminar's derivations, graded against the engine.

    ts.exercises.ids()                          the catalogue, in the seminar's order
    print(ts.exercises.get("sigmoid_derivative").show())    the statement and a starter stub
    report = ts.exercises.check("sigmoid_derivative", my_function)
    report.passed, report.failures, print(report)

Every expected output is the engine's automatic gradient (``ts.grad`` on float64 Tensors), or for the
perceptron its rule; a wrong answer is reported with its case (shapes, seed), its first differing entry
and, when it matches a known slip, a hint (hints.py). A teacher adds an exercise with
``@ts.exercises.exercise(id=..., title=..., statement=...)`` over a builder of cases. The command line:
``python -m tinygrad_seminar exercises [show ID | check FILE.py [ID ...] [--json] [--timeout 30]]``.

The modules: catalogue.py (Exercise, Case, the registry, the decorator), check.py (CheckReport), hints.py
(the slips), runners.py (a numpy function or a ts.Function), reference.py (the engine's side), the exercises
in the seminar's order (neurons.py, derivatives.py, networks.py, backprop.py, framework.py), solutions.py
(the reference solutions), notebook.py (exercise notebooks), cli.py and worker.py (``exercises check`` runs
the file in a subprocess).
"""

from . import hints, solutions
from .catalogue import (
    Case,
    Exercise,
    UnknownExerciseError,
    all_exercises,
    cases,
    exercise,
    get,
    ids,
    register,
    starter_file,
    unregister,
)
from .check import CheckReport, Failure, Mismatch, check
from .notebook import notebook, write_notebooks
from .reference import gradients, jacobian
from .runners import NumpyFunction, ReturnError, Runner, TsFunction

# the catalogue, in the seminar's order: importing a module registers its exercises
from . import neurons, derivatives, networks, backprop, framework  # noqa: E402, F401, I001  isort: skip

__all__ = ["Case", "CheckReport", "Exercise", "Failure", "Mismatch", "NumpyFunction", "ReturnError", "Runner",
           "TsFunction", "UnknownExerciseError", "all_exercises", "cases", "check", "exercise", "get", "gradients",
           "hints", "ids", "jacobian", "notebook", "register", "solutions", "starter_file", "unregister",
           "write_notebooks"]
