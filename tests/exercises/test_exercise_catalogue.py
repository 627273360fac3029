"""The catalogue: the seminar's exercises in order, their references pass, their cases are seeded and include the
edge cases, bad input is refused clearly, and a teacher's exercise joins the list and the checker."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import tinygrad_seminar as ts
from tinygrad_seminar.__main__ import main

SEMINAR_ORDER = ["perceptron_update", "linear_sgd_update", "linear_bgd_update", "sigmoid_gradient",
                 "linear_derivative", "sigmoid_derivative", "tanh_derivative", "relu_derivative", "softmax_jacobian",
                 "softmax_cce_gradient", "backprop", "dense_backward", "tanh_function", "softplus_function",
                 "layernorm_function"]
ONE_SAMPLE = {"perceptron_update", "linear_sgd_update", "softmax_jacobian"}  # one sample by their nature
SIGMOID = {"sigmoid_gradient", "linear_derivative", "sigmoid_derivative", "tanh_derivative", "relu_derivative"}
FUNCTIONS = {"tanh_function", "softplus_function", "layernorm_function"}


@pytest.fixture
def registry_restored():
    """Whatever a test registers is removed after it, so the catalogue stays the seminar's."""
    before = ts.exercises.ids()
    yield
    for exercise_id in ts.exercises.ids():
        if exercise_id not in before:
            ts.exercises.unregister(exercise_id)
    assert ts.exercises.ids() == before


def test_the_catalogue_is_in_the_seminars_order():
    assert ts.exercises.ids() == SEMINAR_ORDER
    topics = [ts.exercises.get(i).topic for i in SEMINAR_ORDER]
    assert topics == sorted(topics)  # "2. The perceptron" ... "9. The framework"


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("exercise_id", SEMINAR_ORDER)
def test_every_reference_passes_its_own_check(exercise_id, seed):
    ex = ts.exercises.get(exercise_id)
    report = ts.exercises.check(exercise_id, ex.reference, seed=seed)
    assert report.passed and report and not report.failures, str(report)
    assert "passed all" in str(report) and "rtol=1e-06, atol=1e-08" in str(report)


@pytest.mark.parametrize("exercise_id", SEMINAR_ORDER)
def test_cases_are_seeded_of_random_sizes_with_the_edge_cases(exercise_id):
    first, again, other = (ts.exercises.cases(exercise_id, seed=s) for s in (0, 0, 1))
    names = " | ".join(c.name for c in first)
    assert "zero input" in names
    assert exercise_id in ONE_SAMPLE or "a batch of one" in names
    assert exercise_id not in SIGMOID | FUNCTIONS or "saturated" in names
    assert all(c.seed == 0 for c in first) and [c.index for c in first] == list(range(len(first)))
    for a, b in zip(first, again):
        assert a.shapes == b.shapes
        for name in a.expected:
            np.testing.assert_array_equal(a.expected[name], b.expected[name])
    assert [c.shapes for c in first] != [c.shapes for c in other] or any(
        not np.array_equal(a.expected[k], b.expected[k]) for a, b in zip(first, other) for k in a.expected)


@pytest.mark.parametrize("exercise_id", SEMINAR_ORDER)
def test_the_statement_gives_the_layout_and_a_stub_and_keeps_the_reference_out(exercise_id):
    ex = ts.exercises.get(exercise_id)
    text = ex.show()
    assert "column" in text or "rows" in text  # the layout: the slides' (samples in columns) or the framework's
    keyword = "class" if exercise_id in FUNCTIONS else "def"
    assert f"{keyword} {ex.solution_name}(" in ex.stub()
    compile(ex.stub(), "<stub>", "exec")
    body = inspect.getsource(ex.reference).splitlines()[-1].strip()
    assert body not in text


def test_an_unknown_id_is_a_lookup_error_naming_the_argument_and_listing_the_ids():
    with pytest.raises(LookupError, match=r"exercise_id 'sigmoid_derivativ' names no exercise.*sigmoid_derivative"):
        ts.exercises.check("sigmoid_derivativ", lambda z, a: a)
    assert issubclass(ts.exercises.UnknownExerciseError, LookupError)


@pytest.mark.parametrize("exercise_id, solution", [
    ("sigmoid_derivative", 3.0),
    ("sigmoid_derivative", None),
    ("sigmoid_derivative", ts.exercises.solutions.Tanh),        # a class where a function is asked for
    ("tanh_function", ts.exercises.solutions.tanh_derivative),  # a function where a ts.Function is asked for
    ("tanh_function", int),
])
def test_a_solution_of_the_wrong_kind_is_a_type_error(exercise_id, solution):
    with pytest.raises(TypeError, match=f"solution: exercise '{exercise_id}' takes"):
        ts.exercises.check(exercise_id, solution)


def test_ids_must_be_new_identifiers(registry_restored):
    with pytest.raises(ValueError, match="already in the catalogue"):
        ts.exercises.exercise(id="backprop", title="t", statement="s")(lambda rng: [])
    with pytest.raises(ValueError, match="Python identifier"):
        ts.exercises.exercise(id="my exercise", title="t", statement="s")(lambda rng: [])
    with pytest.raises(LookupError):
        ts.exercises.unregister("no_such_exercise")


def add_cube_gradient():
    """A teacher's exercise, as docs/exercises.md writes one: d/dx sum(x^3), by ts.grad."""

    @ts.exercises.exercise(id="cube_gradient", title="The gradient of sum(x^3)", topic="Homework",
                           statement="Return d/dx sum(x^3) for a 1-D array x, of x's shape.",
                           slips=[ts.exercises.hints.Scaled(1 / 3, "the 3 of the power rule is missing")])
    def cube_gradient(rng):
        for title, x in [("random", rng.normal(size=int(rng.integers(2, 6)))), ("a zero input", np.zeros(3))]:
            t = ts.Tensor(x, requires_grad=True)          # float64, as x is
            (g,) = ts.grad((t ** 3).sum(), [t])
            yield ts.exercises.Case(title, {"x": x}, g.numpy())

    return cube_gradient


def test_a_teachers_exercise_is_listed_shown_and_checked(registry_restored, capsys):
    ex = add_cube_gradient()
    assert isinstance(ex, ts.exercises.Exercise)
    assert ts.exercises.ids()[-1] == "cube_gradient"
    assert main(["exercises"]) == 0
    listing = capsys.readouterr().out
    assert "Homework\n  cube_gradient" in listing and listing.index("layernorm_function") < listing.index("cube")
    assert main(["exercises", "show", "cube_gradient"]) == 0
    assert "def cube_gradient(x):" in capsys.readouterr().out
    assert ts.exercises.check("cube_gradient", lambda x: 3 * x ** 2).passed
    report = ts.exercises.check("cube_gradient", lambda x: x ** 2)
    assert not report and report.hints == ["the 3 of the power rule is missing"]
    ts.exercises.unregister("cube_gradient")
    assert "cube_gradient" not in ts.exercises.ids()


def test_the_same_definition_run_again_replaces_the_exercise(registry_restored):
    first = add_cube_gradient()
    second = add_cube_gradient()  # a notebook cell run twice, a teacher's file loaded again
    assert ts.exercises.ids().count("cube_gradient") == 1 and ts.exercises.get("cube_gradient") is second
    assert second is not first


@pytest.mark.parametrize("exercise_id, solution", [
    ("backprop", lambda w, b, X, Y, eta, h, o: ts.exercises.solutions.backprop(w, b, X, Y, eta / 2, h, o)),
    ("softmax_cce_gradient", lambda Z, Y: Z - Y),
    ("tanh_function", ts.exercises.solutions.Softplus),
    ("linear_bgd_update", lambda w, b, X, Y, eta: 1 / 0),
])
def test_checking_is_deterministic(exercise_id, solution):
    first, second = (ts.exercises.check(exercise_id, solution) for _ in range(2))
    assert str(first) == str(second) and first.to_dict() == second.to_dict()
    assert not first.passed
