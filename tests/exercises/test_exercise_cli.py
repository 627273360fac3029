"""``python -m tinygrad_seminar exercises``: list, show, and check a student's file in a subprocess with a timeout.

The parent runs in this process (``main``); each check starts the worker as a real subprocess, so these
few tests are the slow ones of the folder (about a second a worker).
"""

from __future__ import annotations

import json
import sys
import textwrap

import pytest

import tinygrad_seminar as ts
from tinygrad_seminar.__main__ import main
from tinygrad_seminar.exercises.worker import load_source

HOMEWORK = '''
import numpy as np

print("a student's print does not disturb the grading")


def sigmoid_derivative(z, a):
    return a * (1 - a)


def relu_derivative(z, a):
    return (z > 0).astype(float)


def linear_bgd_update(w, b, X, Y, eta):      # a sum where the slides take a mean
    err = Y - (w @ X + b)
    return w + eta * err @ X.T, b + eta * err.sum(axis=1, keepdims=True)


def helper():
    return "not an exercise"
'''

TEACHER = '''
import numpy as np

import tinygrad_seminar as ts


@ts.exercises.exercise(id="cube_gradient", title="The gradient of sum(x^3)", statement="Return 3 x^2.")
def cube_gradient(rng):
    x = rng.normal(size=4)
    (g,) = ts.exercises.gradients(lambda t: (t ** 3).sum(), x)
    yield ts.exercises.Case("random", {"x": x}, g)
'''


@pytest.fixture
def homework(tmp_path):
    path = tmp_path / "homework.py"
    path.write_text(HOMEWORK)
    return str(path)


def test_the_list_and_show(capsys):
    assert main(["exercises"]) == 0
    out = capsys.readouterr().out
    positions = [out.index(f"  {i} ") for i in ts.exercises.ids()]
    assert positions == sorted(positions)
    assert main(["exercises", "show", "softmax_cce_gradient"]) == 0
    out = capsys.readouterr().out
    assert "E = -1/p sum_i sum_j y_j^(i) log y^_j^(i)" in out and "def softmax_cce_gradient(Z, Y):" in out
    assert "check FILE.py softmax_cce_gradient" in out


def test_usage_errors_exit_2_and_say_why(capsys, homework):
    assert main(["exercises", "show", "backprob"]) == 2
    err = capsys.readouterr().err
    assert "exercise_id 'backprob' names no exercise" in err and "backprop" in err
    assert main(["exercises", "check", homework + ".missing"]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["exercises", "check", homework, "nope"]) == 2


def test_two_right_and_one_wrong_exit_1_naming_the_wrong_one_and_json_gives_a_record_each(capsys, homework):
    assert main(["exercises", "check", homework]) == 1
    out = capsys.readouterr().out
    assert "FAIL  linear_bgd_update" in out and "hint: a factor of p" in out
    assert "PASS  sigmoid_derivative" in out and "PASS  relu_derivative" in out
    assert f"{homework}: 2 passed, 1 failed." in out
    assert "a student's print" not in out
    assert main(["exercises", "check", homework, "relu_derivative", "linear_bgd_update", "--json"]) == 1
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["id"], r["passed"], r["file"]) for r in records] == [("relu_derivative", True, homework),
                                                                   ("linear_bgd_update", False, homework)]
    assert "a factor of p" in records[1]["message"]


def test_a_file_that_loops_forever_is_stopped_by_the_timeout_and_the_rest_is_checked(capsys, tmp_path):
    path = tmp_path / "loops.py"
    path.write_text(textwrap.dedent('''
        def sigmoid_derivative(z, a):
            while True:
                pass


        def tanh_derivative(z, a):
            return (1 + a) * (1 - a)
    '''))
    assert main(["exercises", "check", str(path), "--timeout", "2"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  sigmoid_derivative (phi'(z) for Sigmoid): FAILED. stopped after 2 s (the timeout)" in out
    assert "PASS  tanh_derivative" in out


def test_a_teachers_file_of_exercises_is_listed_and_checked(capsys, tmp_path):
    teacher, student = tmp_path / "teacher.py", tmp_path / "student.py"
    teacher.write_text(TEACHER)
    student.write_text("def cube_gradient(x):\n    return 3 * x ** 2\n")
    before = ts.exercises.ids()
    try:
        assert main(["exercises", "--with", str(teacher)]) == 0
        assert "cube_gradient" in capsys.readouterr().out
        assert main(["exercises", "check", str(student), "--with", str(teacher)]) == 0
        assert "PASS  cube_gradient" in capsys.readouterr().out
    finally:
        for exercise_id in set(ts.exercises.ids()) - set(before):
            ts.exercises.unregister(exercise_id)
        for name in [n for n in sys.modules if n.startswith("teacher_exercises_")]:
            del sys.modules[name]


def test_the_same_file_gives_the_same_report_twice(homework):
    reports = []
    for k in range(2):
        module = load_source(homework, f"homework_{k}")
        reports.append([str(ts.exercises.check(i, getattr(module, i)))
                        for i in ("sigmoid_derivative", "relu_derivative", "linear_bgd_update")])
        del sys.modules[f"homework_{k}"]
    assert reports[0] == reports[1]


def test_show_stub_prints_one_file_to_fill_in(capsys, tmp_path):
    assert main(["exercises", "show", "sigmoid_derivative", "tanh_function", "--stub"]) == 0
    starter = tmp_path / "starter.py"
    starter.write_text(capsys.readouterr().out)
    text = starter.read_text()
    assert "def sigmoid_derivative(z, a):" in text and "class Tanh(ts.Function):" in text
    assert text.count("import numpy as np") == 1 and "#     Sigmoid              1 / (1 + e^-z)" in text
    module = load_source(starter, "starter_file")
    del sys.modules["starter_file"]
    report = ts.exercises.check("tanh_function", module.Tanh)
    assert "not written yet: raised NotImplementedError" in str(report) and "cases 2, 3, 4, 5, 6" in str(report)
