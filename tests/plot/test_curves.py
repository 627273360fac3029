"""ts.plot's curves: learning_curves (a training run), activations (the delta rule's table, a check of the
engine's derivatives) and derivative (f(x) = x(5 - 2x)², f' by ts.grad, its critical points)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pictures import assert_drawn

import tinygrad_seminar as ts
from tinygrad_seminar import rules
from tinygrad_seminar.plot import activations, curves, derivative, learning_curves
from tinygrad_seminar.plot.curves import find_critical_points

matplotlib = pytest.importorskip("matplotlib")
from matplotlib.figure import Figure  # noqa: E402 - after the skip: these tests need the extra "plot"

ROOT = Path(__file__).resolve().parents[2]
# a small separable problem: 40 points, a line through them, and 10 more to validate on
DATA = np.random.default_rng(0).normal(size=(50, 2))
TARGETS = (DATA[:, 0] + DATA[:, 1] > 0).astype(float)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    matplotlib.pyplot.close("all")


def curve(ax, label: str):
    """The line of ``ax`` with this legend label."""
    return next(line for line in ax.get_lines() if line.get_label() == label)


# ---- learning_curves ----
def test_a_history_gives_one_panel_per_quantity_training_against_validation_epochs_from_1(tmp_path):
    ts.manual_seed(0)
    model = ts.Sequential([ts.nn.Dense(1, activation="sigmoid", input_dim=2)])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(DATA, TARGETS, epochs=4, batch_size=10, validation_split=0.2, verbose=0)
    fig = learning_curves(history)
    assert isinstance(fig, Figure)
    assert_drawn(fig, tmp_path / "history.png")
    loss, accuracy = fig.axes
    assert "loss E" in loss.get_title() and loss.get_ylabel() == "$E$"
    assert "accuracy" in accuracy.get_title()
    np.testing.assert_array_equal(curve(loss, "training").get_xdata(), [1, 2, 3, 4])
    np.testing.assert_allclose(curve(loss, "training").get_ydata(), history.history["loss"])
    np.testing.assert_allclose(curve(loss, "validation").get_ydata(), history.history["val_loss"])
    np.testing.assert_allclose(curve(accuracy, "validation").get_ydata(), history.history["val_accuracy"])
    assert all(ax.get_xlabel() == "epoch" for ax in fig.axes)


def test_the_best_epoch_is_marked_when_early_stopping_restored_it():
    ts.manual_seed(0)
    model = ts.Sequential([ts.nn.Dense(1, activation="sigmoid", input_dim=2)])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    stop = ts.callbacks.EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True)
    history = model.fit(DATA, TARGETS, epochs=5, batch_size=10, validation_split=0.2, verbose=0, callbacks=[stop])
    (ax,) = learning_curves(history, best_epoch=stop).axes
    marked = curve(ax, f"best epoch {stop.best_epoch + 1}, restored")
    assert list(marked.get_xdata()) == [stop.best_epoch + 1] * 2


def test_no_best_epoch_is_marked_when_early_stopping_did_not_restore_the_weights():
    stop = ts.callbacks.EarlyStopping(monitor="loss")  # restore_best_weights=False
    (ax,) = learning_curves({"loss": [0.9, 0.5, 0.6]}, best_epoch=stop).axes
    assert [line.get_label() for line in ax.get_lines()] == ["training"]
    (ax,) = learning_curves({"loss": [0.9, 0.5, 0.6]}, best_epoch=2).axes  # or the epoch, counted from 1
    assert list(curve(ax, "best epoch 2, restored").get_xdata()) == [2, 2]


def test_a_history_dict_and_the_rules_objects_lists_are_accepted(tmp_path):
    fig = learning_curves({"loss": [1.0, 0.5, 0.25], "val_loss": [1.1, 0.7, 0.6], "mae": [3, 2, 1]})
    assert [ax.get_title() for ax in fig.axes] == ["the loss E per epoch", "mae per epoch"]
    X, Y = np.array([[0, 0, 1, 1], [0, 1, 0, 1]]), np.array([[0, 1, 1, 0]])
    perceptron = rules.Perceptron(2, seed=0).fit(X, Y, epochs=6)  # XOR: it keeps making mistakes
    fig = learning_curves(perceptron)
    assert_drawn(fig, tmp_path / "perceptron.png")
    (ax,) = fig.axes
    assert "mistakes" in ax.get_title() and "Perceptron" in fig.get_suptitle()
    np.testing.assert_array_equal(curve(ax, "training").get_ydata(), perceptron.errors_)
    neuron = rules.LinearNeuron(2, seed=0).fit(X, Y, epochs=5)
    np.testing.assert_allclose(curve(learning_curves(neuron).axes[0], "training").get_ydata(), neuron.loss_)


def test_a_given_axes_takes_one_quantity_and_a_sequence_takes_several():
    fig, ax = matplotlib.pyplot.subplots()
    assert learning_curves({"loss": [1.0, 0.5]}, ax=ax) is fig
    with pytest.raises(ValueError, match="2 panel"):
        learning_curves({"loss": [1.0, 0.5], "accuracy": [0.5, 0.8]}, ax=ax)
    fig, (left, right) = matplotlib.pyplot.subplots(1, 2)
    assert learning_curves({"loss": [1.0, 0.5], "accuracy": [0.5, 0.8]}, ax=(left, right)) is fig


def test_an_empty_history_is_refused():
    with pytest.raises(ValueError, match="empty"):
        learning_curves({})
    with pytest.raises(ValueError, match="empty"):
        learning_curves(ts.callbacks.History())
    with pytest.raises(ValueError, match="empty"):
        learning_curves(rules.Perceptron(2))  # not trained yet
    with pytest.raises(TypeError, match="History"):
        learning_curves([0.5, 0.4])


# ---- activations ----
def test_the_table_drawn_is_the_engines_phi_and_derivative_and_equals_the_rules_table(tmp_path):
    fig = activations()
    assert_drawn(fig, tmp_path / "activations.png")
    assert [ax.get_title() for ax in fig.axes] == ["Linear or identity", "Sigmoid", "Hyperbolic tangent",
                                                    "Rectified Linear Unit (ReLU)"]
    for name, ax in zip(("linear", "sigmoid", "tanh", "relu"), fig.axes):
        phi_line, dphi_line = [line for line in ax.get_lines() if line.get_label().startswith(r"$\varphi")]
        z = phi_line.get_xdata()
        assert (z.min(), z.max()) == (-5.0, 5.0) and 0.0 in z
        phi, _ = rules.ACTIVATIONS[name]
        np.testing.assert_allclose(phi_line.get_ydata(), phi(z))
        np.testing.assert_allclose(dphi_line.get_ydata(), rules.activations.dphi_of(name)(z, phi(z)))
        assert ax.get_xlabel() == "$z$"


def test_a_derivative_that_disagrees_with_the_table_raises(monkeypatch):
    monkeypatch.setattr(curves, "dphi_of", lambda name: lambda z, a: a * (1 - a) + 1e-3)
    with pytest.raises(RuntimeError, match="differs from the delta rule's table"):
        activations(["sigmoid"])


def test_one_name_and_an_unknown_name():
    fig, ax = matplotlib.pyplot.subplots()
    assert activations(["tanh"], ax=ax) is fig
    with pytest.raises(ValueError, match=r"unknown activation.*'swish'.*'linear', 'sigmoid', 'tanh', 'relu'"):
        activations(["sigmoid", "swish"])


# ---- derivative ----
def test_the_slides_function_has_its_maximum_at_5_6_and_its_minimum_at_5_2():
    found = find_critical_points()
    assert [p.kind for p in found] == ["maximum", "minimum"]
    assert abs(found[0].x - 5 / 6) < 1e-6 and abs(found[1].x - 5 / 2) < 1e-6
    assert found[0].fx == pytest.approx(rules.f(5 / 6))


def test_the_picture_draws_f_and_its_derivative_and_marks_the_critical_points(tmp_path):
    fig = derivative()
    assert_drawn(fig, tmp_path / "derivative.png")
    (ax,) = fig.axes
    f_line, df_line = curve(ax, "$f(x) = x(5 - 2x)^2$"), curve(ax, "$f'(x)$, by ts.grad")
    x = f_line.get_xdata()
    assert (x.min(), x.max()) == (-0.5, 3.0)
    np.testing.assert_allclose(f_line.get_ydata(), rules.f(x))
    np.testing.assert_allclose(df_line.get_ydata(), rules.df(x))
    assert curve(ax, "maximum at x = 5/6 ≈ 0.8333").get_xdata()[0] == pytest.approx(5 / 6, abs=1e-6)
    assert curve(ax, "minimum at x = 5/2 ≈ 2.5").get_xdata()[0] == pytest.approx(5 / 2, abs=1e-6)
    assert "maximum and the minimum" in ax.get_title()


def test_any_function_written_with_tensor_ops_works():
    found = find_critical_points(lambda x: x * x * x - 3 * x, (-2.0, 2.0))
    assert [(p.kind, round(p.x, 9)) for p in found] == [("maximum", -1.0), ("minimum", 1.0)]
    assert find_critical_points(lambda x: x.exp(), (-1.0, 1.0)) == []
    ax = derivative(lambda x: x.tanh() * 2, x_range=(-2, 2), critical_points=False).axes[0]
    np.testing.assert_allclose(curve(ax, "$f'(x)$, by ts.grad").get_ydata(), 2 / np.cosh(np.linspace(-2, 2, 1001)) ** 2)


def test_a_function_that_is_not_elementwise_or_a_backwards_range_is_refused():
    with pytest.raises(ValueError, match="same shape"):
        derivative(lambda x: (x * x).sum())
    with pytest.raises(ValueError, match="low < high"):
        derivative(x_range=(3.0, -0.5))


# ---- matplotlib, only when a picture is made ----
def test_importing_the_pictures_does_not_import_matplotlib_and_without_it_the_error_names_the_extra():
    code = ("import sys; sys.modules['matplotlib'] = None\n"  # matplotlib cannot be imported
            "import tinygrad_seminar, tinygrad_seminar.plot as plot\n"
            "try:\n    plot.derivative()\nexcept ImportError as e:\n    print(e)\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert 'pip install "tinygrad_seminar[plot]"' in out.stdout
