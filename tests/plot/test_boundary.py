"""ts.plot.decision_boundary: the plane (x₁, x₂) shaded by the model's prediction, the data drawn over it.

The proof: the class shown on each cell of the shaded grid, read back from the QuadMesh that was drawn,
equals the model's own prediction at that cell's centre.
"""

from __future__ import annotations

import numpy as np
import pytest
from pictures import assert_drawn

import tinygrad_seminar as ts
from tinygrad_seminar import rules
from tinygrad_seminar.plot import decision_boundary
from tinygrad_seminar.plot.boundary import REGIONS_GID

matplotlib = pytest.importorskip("matplotlib")
from matplotlib.figure import Figure  # noqa: E402 - after the skip: these tests need the extra "plot"
from matplotlib.lines import AxLine  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    matplotlib.pyplot.close("all")


def shown_on_grid(fig) -> tuple[np.ndarray, np.ndarray]:
    """The shaded grid read back from the picture: each cell's centre (x₁, x₂), and what the cell shows."""
    mesh = next(c for ax in fig.axes for c in ax.collections if c.get_gid() == REGIONS_GID)
    corners = mesh.get_coordinates()  # (rows + 1, columns + 1, 2): the cells' corners
    centres = (corners[:-1, :-1] + corners[1:, 1:]) / 2
    return centres.reshape(-1, 2), np.asarray(mesh.get_array()).reshape(-1)


# two clouds of 40 points in rows, labelled by a line
POINTS = np.random.default_rng(0).normal(size=(40, 2))
LABELS = (POINTS[:, 0] - 0.5 * POINTS[:, 1] > 0.1).astype(int)


# ---- the proof: what is shown on the grid is what the model predicts there ----
def test_a_binary_framework_model_shows_its_probability_and_its_class_on_every_cell(tmp_path):
    model = ts.Sequential([ts.nn.Dense(1, activation="sigmoid", input_dim=2)])
    model.layers[0].weight.data[...] = [[2.0, -1.0]]
    model.layers[0].bias.data[...] = [-0.3]
    fig = decision_boundary(model, POINTS, LABELS, resolution=40)
    assert isinstance(fig, Figure)
    assert_drawn(fig, tmp_path / "binary.png")
    centres, shown = shown_on_grid(fig)
    assert len(shown) == 40 * 40
    with model.inference():
        y_hat = model(ts.tensor(centres)).numpy()[:, 0]
    np.testing.assert_allclose(shown, y_hat, atol=1e-6)  # the probability ŷ is shaded
    assert np.array_equal(shown >= 0.5, y_hat >= 0.5)


def test_a_three_class_framework_model_shows_its_argmax_on_every_cell(tmp_path):
    model = ts.Sequential([ts.nn.Dense(3, activation="softmax", input_dim=2)])
    model.layers[0].weight.data[...] = [[1.0, 0.2], [-1.0, 0.7], [0.1, -1.3]]
    model.layers[0].bias.data[...] = [0.1, 0.0, -0.2]
    x = np.random.default_rng(1).normal(size=(60, 2))
    one_hot = np.eye(3)[np.arange(60) % 3]
    fig = decision_boundary(model, x, one_hot, resolution=40)
    assert_drawn(fig, tmp_path / "three.png")
    centres, shown = shown_on_grid(fig)
    with model.inference():
        predicted = model(ts.tensor(centres)).numpy().argmax(axis=1)
    assert np.array_equal(shown, predicted)
    assert set(np.unique(shown)) == {0, 1, 2}


def test_a_rules_perceptron_takes_columns_because_its_type_says_so(tmp_path):
    X = np.array([[0, 0, 1, 1], [0, 1, 0, 1]])  # the slides' layout: samples are columns
    Y = np.array([[0, 1, 1, 1]])  # OR
    perceptron = rules.Perceptron(2, seed=0).fit(X, Y, epochs=20)
    fig = decision_boundary(perceptron, X, Y, resolution=40)  # no layout: the Perceptron says "columns"
    assert_drawn(fig, tmp_path / "perceptron.png")
    centres, shown = shown_on_grid(fig)
    assert np.array_equal(shown, perceptron.predict(centres.T)[0])
    assert "0 of 4 points misclassified" in fig.axes[0].get_title()


def test_a_bare_callable_with_layout_columns_is_called_on_columns_and_its_scores_taken_as_logits(tmp_path):
    seen = []

    def score(X):  # X is (2, P): samples in columns; a score above 0 means class 1
        seen.append(X.shape)
        return X[0] ** 2 + X[1] ** 2 - 1.0

    angle, radius = np.linspace(0, 6, 30), np.linspace(0.2, 1.8, 30)
    X = np.vstack([np.cos(angle), np.sin(angle)]) * radius
    fig = decision_boundary(score, X, (radius > 1).astype(int), layout="columns", resolution=40)
    assert_drawn(fig, tmp_path / "callable.png")
    assert all(shape[0] == 2 for shape in seen)
    centres, shown = shown_on_grid(fig)
    z = score(centres.T)
    np.testing.assert_allclose(shown, 1 / (1 + np.exp(-z)))  # outside [0, 1]: logits, ŷ = σ(z) is shaded
    assert np.array_equal(shown >= 0.5, z >= 0)
    assert "logits" in fig.axes[-1].get_ylabel()  # the colour bar says so


def test_the_default_resolution_is_300_cells_a_side():
    fig = decision_boundary(lambda points: points[:, 0] > 0, POINTS, LABELS)
    assert shown_on_grid(fig)[1].shape == (300 * 300,)


# ---- what else the picture shows ----
def test_every_rules_class_says_its_samples_are_columns():
    for cls in (rules.McCullochPitts, rules.Perceptron, rules.LinearNeuron, rules.SigmoidNeuron,
                rules.OneLayerNetwork, rules.DenseNetwork):
        assert cls.layout == "columns", cls.__name__


def test_a_one_layer_network_gets_one_dashed_line_per_class_through_its_weights(tmp_path):
    net = rules.OneLayerNetwork(2, 3, activation="softmax", seed=0)
    X = np.random.default_rng(2).normal(size=(2, 30))
    fig = decision_boundary(net, X, np.arange(30) % 3, resolution=30)
    assert_drawn(fig, tmp_path / "one_layer.png")
    lines = [a for a in fig.axes[0].get_children() if isinstance(a, AxLine)]
    assert len(lines) == 3
    for line, w, b in zip(lines, net.W, net.b.ravel()):
        for point in (line.get_xy1(), line.get_xy2()):
            assert w @ np.asarray(point) + b == pytest.approx(0.0, abs=1e-9)  # on w_k·x + b_k = 0
    assert "one vs all" in fig.axes[0].get_title()


def test_a_framework_model_gets_no_one_vs_all_lines():
    model = ts.Sequential([ts.nn.Dense(3, activation="softmax", input_dim=2)])
    x = np.random.default_rng(3).normal(size=(30, 2))
    fig = decision_boundary(model, x, np.arange(30) % 3, resolution=20)
    assert not [a for a in fig.axes[0].get_children() if isinstance(a, AxLine)]


def test_each_class_has_its_own_marker_and_colour_and_the_misclassified_are_ringed():
    fig = decision_boundary(lambda points: np.ones(len(points)), POINTS, LABELS, resolution=20)  # always class 1
    ax = fig.axes[0]
    drawn = {c.get_label(): c for c in ax.collections}
    class0, class1, ringed = drawn["class 0"], drawn["class 1"], drawn["misclassified"]
    assert class0.get_paths()[0] != class1.get_paths()[0]  # markers differ, so a grey printout tells them apart
    assert not np.allclose(class0.get_facecolor(), class1.get_facecolor())
    np.testing.assert_allclose(ringed.get_offsets(), POINTS[LABELS == 0])  # every class-0 point is wrong
    assert f"{np.sum(LABELS == 0)} of 40 points misclassified" in ax.get_title()


def test_the_axes_are_x1_and_x2_and_the_limits_are_the_data_plus_a_margin():
    ax = decision_boundary(lambda points: points[:, 0], POINTS, LABELS, resolution=20).axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("$x_1$", "$x_2$")
    (x1_low, x1_high), (x2_low, x2_high) = ax.get_xlim(), ax.get_ylim()
    assert x1_low < POINTS[:, 0].min() and x1_high > POINTS[:, 0].max()
    assert x2_low < POINTS[:, 1].min() and x2_high > POINTS[:, 1].max()
    assert x1_high - x1_low == pytest.approx(1.2 * np.ptp(POINTS[:, 0]))
    assert "decision boundary" in ax.get_title()


def test_a_given_axes_is_drawn_on_and_its_figure_returned():
    fig, ax = matplotlib.pyplot.subplots()
    assert decision_boundary(lambda points: points[:, 0], POINTS, LABELS, resolution=20, ax=ax) is fig
    assert any(c.get_gid() == REGIONS_GID for c in ax.collections)


# ---- clear errors ----
def test_an_unknown_layout_is_refused():
    with pytest.raises(ValueError, match="layout must be 'rows', 'columns' or None"):
        decision_boundary(lambda points: points[:, 0], POINTS, LABELS, layout="samples")


def test_data_without_exactly_two_features_is_refused_with_its_shape():
    with pytest.raises(ValueError, match=r"two features.*\(10, 3\)"):
        decision_boundary(lambda points: points[:, 0], np.zeros((10, 3)), np.zeros(10))


def test_rows_given_to_a_rules_object_are_refused_with_a_hint():
    perceptron = rules.Perceptron(2, seed=0)
    with pytest.raises(ValueError, match=r"pass x\.T"):
        decision_boundary(perceptron, np.zeros((5, 2)), np.zeros(5))


def test_labels_that_do_not_match_the_points_are_refused():
    with pytest.raises(ValueError, match=r"one label per point.*p = 40.*\(7,\)"):
        decision_boundary(lambda points: points[:, 0], POINTS, np.zeros(7))
    with pytest.raises(ValueError, match="class indices"):
        decision_boundary(lambda points: points[:, 0], POINTS, np.full(40, 0.5))
