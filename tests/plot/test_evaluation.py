"""ts.plot.regression and ts.plot.confusion_matrix; ts.plot without matplotlib."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import matplotlib.pyplot as plt  # noqa: E402
from pictures import assert_drawn  # noqa: E402

import tinygrad_seminar as ts  # noqa: E402
from tinygrad_seminar import plot  # noqa: E402
from tinygrad_seminar.plot.evaluation import confusion_counts, scores_on_rows  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def linear_neuron(w: float = 2.0, b: float = 1.0) -> ts.rules.LinearNeuron:
    neuron = ts.rules.LinearNeuron(1, seed=0)
    neuron.w, neuron.b = np.array([[w]]), np.array([[b]])
    return neuron


# ---- regression ----
def test_regression_with_one_feature_draws_the_data_and_the_fitted_line(tmp_path):
    x = np.array([3.0, -1.0, 0.5, 2.0, -2.0, 1.0, -0.5, 2.5, -1.5, 0.0, 1.5, -1.2])
    y = 2.0 * x + 1.0 + np.array([0.5, -0.3, 0.2, 0.4, -0.6, -0.2, 0.3, -0.5, 0.1, 0.6, -0.4, 0.2])
    fig = plot.regression(linear_neuron(), x, y)  # a rules object: samples go in as columns
    assert isinstance(fig, plt.Figure)
    ax = fig.axes[0]
    (line,) = ax.get_lines()
    grid, y_hat = line.get_data()
    assert grid[0] == -2.0 and grid[-1] == 3.0 and np.all(np.diff(grid) > 0)  # over the x range, sorted
    np.testing.assert_allclose(y_hat, 2.0 * grid + 1.0)
    points = np.asarray(ax.collections[-1].get_offsets())
    np.testing.assert_array_equal(points, np.column_stack([x, y]))
    mse = np.mean((y - (2 * x + 1)) ** 2)
    assert f"MSE = {mse:.4g}" in ax.get_title()
    assert ax.get_xlabel() == "$x$" and r"\hat{y}" in ax.get_ylabel()
    assert_drawn(fig, tmp_path / "regression.png")


def test_regression_with_several_features_plots_predicted_against_true(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 3))
    y = x @ np.array([1.0, -2.0, 0.5]) + rng.normal(0, 0.2, 30)
    model = ts.Sequential([ts.nn.Dense(1, input_dim=3, dtype="float64")])
    model.layers[0].weight.data[...] = [[1.0, -2.0, 0.5]]
    fig = plot.regression(model, x, y.reshape(-1, 1))
    ax = fig.axes[0]
    y_hat = x @ np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(np.asarray(ax.collections[0].get_offsets()), np.column_stack([y, y_hat]))
    diagonal = np.column_stack(ax.get_lines()[0].get_data())
    np.testing.assert_allclose(diagonal[:, 0], diagonal[:, 1])
    assert "predicted" in ax.get_title() and f"MSE = {np.mean((y - y_hat) ** 2):.4g}" in ax.get_title()
    assert ax.get_xlabel() == "true $y$" and ax.get_ylabel() == r"predicted $\hat{y}$"
    assert_drawn(fig, tmp_path / "regression_many.png")


def test_regression_takes_a_bare_callable_on_rows_and_draws_into_a_given_axes():
    fig, ax = plt.subplots()
    x = np.linspace(0, 1, 8)
    assert plot.regression(lambda rows: rows ** 2, x, x ** 2, ax=ax) is fig
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), ax.get_lines()[0].get_xdata() ** 2)
    assert "MSE = 0" in ax.get_title()


def test_regression_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"got x \(5, 1\) and y \(4,\)"):
        plot.regression(linear_neuron(), np.zeros(5), np.zeros(4))
    with pytest.raises(ValueError, match="draws one output; the model gives 2"):
        plot.regression(lambda rows: np.zeros((len(rows), 2)), np.zeros(5), np.zeros(5))


def test_scores_on_rows_reads_each_kind_of_model_in_its_layout():
    x = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]])
    mp = ts.rules.McCullochPitts([1.0, 1.0], -4.0)  # columns: predict sees x.T
    np.testing.assert_array_equal(scores_on_rows(mp, x), [[0.0], [1.0], [1.0]])

    class Columns:
        layout = "columns"

        def predict(self, X):
            return X[:1] * 10

    np.testing.assert_array_equal(scores_on_rows(Columns(), x), [[0.0], [20.0], [40.0]])
    np.testing.assert_array_equal(scores_on_rows(lambda rows: rows.sum(axis=1), x), [[1.0], [5.0], [9.0]])
    with pytest.raises(TypeError, match="got int"):
        scores_on_rows(3, x)


# ---- confusion matrix ----
Y_TRUE = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2])
Y_PRED = np.array([0, 1, 0, 1, 1, 2, 0, 2, 1])
HAND_COUNT = np.array([[2, 1, 0],   # true 0: predicted 0, 1, 0
                       [0, 2, 0],   # true 1: predicted 1, 1
                       [1, 1, 2]])  # true 2: predicted 2, 0, 2, 1


def test_confusion_counts_equal_a_hand_count():
    np.testing.assert_array_equal(confusion_counts(Y_TRUE, Y_PRED), HAND_COUNT)


def test_confusion_counts_take_scores_one_hot_and_probabilities():
    scores = np.eye(3)[Y_PRED] * 0.7 + 0.1  # argmax over the columns gives Y_PRED
    np.testing.assert_array_equal(confusion_counts(np.eye(3)[Y_TRUE], scores), HAND_COUNT)
    np.testing.assert_array_equal(confusion_counts(Y_TRUE.reshape(-1, 1), Y_PRED.reshape(-1, 1)), HAND_COUNT)
    probabilities = np.array([[0.2], [0.7], [0.5], [0.49], [0.9]])  # thresholded at 0.5: 0, 1, 1, 0, 1
    np.testing.assert_array_equal(confusion_counts([0, 1, 0, 0, 1], probabilities), [[2, 1], [0, 2]])
    np.testing.assert_array_equal(confusion_counts([0, 0, 1], [0, 0, 0]), [[2, 0], [1, 0]])  # k is at least 2


def test_confusion_matrix_writes_each_count_in_its_cell(tmp_path):
    fig = plot.confusion_matrix(Y_TRUE, Y_PRED, labels=["cat", "dog", "bird"])
    assert isinstance(fig, plt.Figure)
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.images[0].get_array(), HAND_COUNT)
    cells = {(round(t.get_position()[1]), round(t.get_position()[0])): t for t in ax.texts}
    for (i, j), count in np.ndenumerate(HAND_COUNT):
        assert cells[i, j].get_text() == str(count)
    assert cells[0, 0].get_color() == "white" and cells[1, 0].get_color() == "black"  # contrast with the cell
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog", "bird"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["cat", "dog", "bird"]
    assert ax.get_ylabel() == "true class $y$" and ax.get_xlabel() == r"predicted class $\hat{y}$"
    assert "6 of 9 right" in ax.get_title()
    assert_drawn(fig, tmp_path / "confusion.png")


def test_confusion_matrix_labels_must_name_each_class():
    with pytest.raises(ValueError, match=r"2 labels \['a', 'b'\] for at least 3 classes"):
        plot.confusion_matrix(Y_TRUE, Y_PRED, labels=["a", "b"])
    with pytest.raises(ValueError, match="4 labels .* for 3 classes"):
        plot.confusion_matrix(Y_TRUE, np.eye(3)[Y_PRED], labels=["a", "b", "c", "d"])
    fig = plot.confusion_matrix([0, 1, 1], [0, 1, 0], labels=["a", "b", "never seen"])  # a class with no sample
    assert fig.axes[0].images[0].get_array().shape == (3, 3)


def test_confusion_errors_name_the_problem():
    with pytest.raises(ValueError, match="y_true has 3 samples and y_pred 2"):
        confusion_counts([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="integers 0, 1, ..., k-1"):
        confusion_counts([-1, 1, 1], [0, 1, 1])


# ---- without matplotlib ----
NET = ts.rules.DenseNetwork([2, 2, 1], seed=0)


@pytest.mark.parametrize("draw", [
    pytest.param(lambda: plot.confusion_matrix([0, 1], [0, 1]), id="confusion_matrix"),
    pytest.param(lambda: plot.regression(lambda rows: rows, np.zeros(3), np.zeros(3)), id="regression"),
    pytest.param(lambda: plot.hidden_lines(NET, np.eye(2), [0, 1]), id="hidden_lines"),
    pytest.param(lambda: plot.weights(NET), id="weights"),
])
def test_without_matplotlib_a_picture_raises_an_import_error_naming_the_extra(monkeypatch, draw):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now raises ImportError
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r'pip install "tinygrad_seminar\[plot\]"'):
        draw()


def test_importing_the_package_does_not_import_matplotlib():
    code = ("import sys, tinygrad_seminar, tinygrad_seminar.plot; "
            "print('matplotlib' in sys.modules, 'matplotlib.pyplot' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_a_rules_object_takes_the_data_in_the_slides_columns():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (1, 12))  # (n, p), as on the slides
    Y = 2 * X + 1
    net = ts.rules.LinearNeuron(1, seed=0).fit(X, Y, epochs=200, learning_rate=0.1, solver="bgd")
    fig = plot.regression(net, X, Y)
    fitted = max(fig.axes[0].lines, key=lambda line: len(line.get_xdata()))  # ŷ over a grid spanning x
    np.testing.assert_allclose(fitted.get_ydata(), 2 * np.asarray(fitted.get_xdata()) + 1, atol=0.05)
    with pytest.raises(ValueError, match="regression: layout must be 'rows', 'columns' or None"):
        plot.regression(net, X, Y, layout="cols")
