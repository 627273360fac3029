"""ts.plot.hidden_lines and ts.plot.weights: the slides' geometric representation, the weights as heatmaps."""

from __future__ import annotations

import re

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from pictures import assert_drawn  # noqa: E402

import tinygrad_seminar as ts  # noqa: E402
from tinygrad_seminar import plot  # noqa: E402

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0])
W1 = np.array([[2.0, 1.0], [-1.0, 3.0], [1.5, -2.0]])
B1 = np.array([-1.0, -0.5, 0.25])
W2 = np.array([[1.0, -2.0, 0.5]])


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def dense_model(w1=W1, b1=B1, w2=W2, activation="tanh"):
    """A framework model 2 -> units -> 1 with the given first-layer weights."""
    model = ts.Sequential([ts.nn.Dense(len(w1), activation=activation, input_dim=2, dtype="float64"),
                           ts.nn.Dense(len(w2), activation="sigmoid", input_dim=len(w1), dtype="float64")])
    model.layers[0].weight.data[...] = w1
    model.layers[0].bias.data[...] = b1
    model.layers[1].weight.data[...] = w2
    return model


def lines_of(ax) -> dict[str, np.ndarray]:
    """The drawn lines of a panel by label, their (x, y) points as rows."""
    return {line.get_label(): np.column_stack(line.get_data()) for line in ax.get_lines() if len(line.get_xdata())}


def scatters(ax) -> list[PathCollection]:
    """The panel's scatter plots (not its tinted half-planes), one per class in drawing order."""
    return [c for c in ax.collections if type(c) is PathCollection]


def points_of(ax) -> list[np.ndarray]:
    """The scatter points of a panel, one array per class in drawing order."""
    return [np.asarray(c.get_offsets()) for c in scatters(ax)]


def legend_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_hidden_lines_returns_a_figure_that_is_drawn(tmp_path):
    fig = plot.hidden_lines(dense_model(), XOR_X, XOR_Y)
    assert isinstance(fig, plt.Figure)
    assert len(fig.axes) == 2
    assert_drawn(fig, tmp_path / "hidden_lines.png")


def test_each_neurons_line_passes_through_points_where_its_net_input_is_zero():
    fig = plot.hidden_lines(dense_model(), XOR_X, XOR_Y)
    left = fig.axes[0]
    lines = lines_of(left)
    (x_lo, x_hi), (y_lo, y_hi) = left.get_xlim(), left.get_ylim()
    for j, (w, b) in enumerate(zip(W1, B1), start=1):
        ends = lines[f"$h_{{{j}}}$"]
        np.testing.assert_allclose(ends @ w + b, 0.0, atol=1e-9)
        assert np.all((ends[:, 0] >= x_lo - 1e-9) & (ends[:, 0] <= x_hi + 1e-9))  # clipped to the picture
        assert np.all((ends[:, 1] >= y_lo - 1e-9) & (ends[:, 1] <= y_hi + 1e-9))
        assert np.linalg.norm(ends[1] - ends[0]) > 0.1
    assert left.get_xlabel() == "$x_1$" and left.get_ylabel() == "$x_2$"


def test_the_limits_are_the_datas_plus_a_margin():
    left = plot.hidden_lines(dense_model(), XOR_X, XOR_Y).axes[0]
    assert left.get_xlim() == pytest.approx((-0.1, 1.1)) and left.get_ylim() == pytest.approx((-0.1, 1.1))


def test_the_data_is_drawn_by_class_with_a_marker_each():
    left = plot.hidden_lines(dense_model(), XOR_X, XOR_Y).axes[0]
    by_class = points_of(left)
    np.testing.assert_array_equal(by_class[0], XOR_X[XOR_Y == 0])
    np.testing.assert_array_equal(by_class[1], XOR_X[XOR_Y == 1])
    markers = [c.get_paths()[0].vertices.tobytes() for c in scatters(left)]
    assert markers[0] != markers[1]
    assert {"class 0", "class 1"} <= set(legend_texts(left))


def test_with_two_hidden_units_the_right_panel_plots_a1_itself():
    net = ts.rules.DenseNetwork([2, 2, 1], seed=5)
    net.w[2], net.b[2] = np.array([[1.0, -1.0]]), np.array([[0.05]])  # its line crosses the hidden plane's data
    fig = plot.hidden_lines(net, XOR_X.T, XOR_Y)  # a rules network takes the slides' columns
    a1 = net.forward(XOR_X.T)[1][1].T
    right = fig.axes[1]
    by_class = points_of(right)
    np.testing.assert_allclose(by_class[0], a1[XOR_Y == 0])
    np.testing.assert_allclose(by_class[1], a1[XOR_Y == 1])
    assert "a^{[1]}" in right.get_title() and "principal" not in right.get_title()
    ends = lines_of(right)["$o_{1}$: the output neuron's line"]  # w^[2] a^[1] + b^[2] = 0 in the hidden plane
    np.testing.assert_allclose(ends @ net.w[2][0] + net.b[2][0, 0], 0.0, atol=1e-9)


def test_a_framework_model_with_two_hidden_units_maps_the_data_through_its_first_dense_layer():
    w1, b1 = np.array([[1.0, -1.0], [0.5, 2.0]]), np.array([0.1, -0.3])
    fig = plot.hidden_lines(dense_model(w1, b1, np.array([[1.0, 1.0]])), XOR_X, XOR_Y)
    a1 = np.tanh(XOR_X @ w1.T + b1)
    by_class = points_of(fig.axes[1])
    np.testing.assert_allclose(np.concatenate(by_class), np.concatenate([a1[XOR_Y == 0], a1[XOR_Y == 1]]))


def test_with_three_or_more_hidden_units_the_right_panel_shows_principal_components():
    fig = plot.hidden_lines(dense_model(), XOR_X, XOR_Y)
    right = fig.axes[1]
    assert "principal components" in right.get_title()
    assert "principal component 1" in right.get_xlabel()
    points = np.concatenate(points_of(right))
    a1 = np.tanh(XOR_X @ W1.T + B1)
    centred = a1 - a1.mean(axis=0)
    top2 = np.linalg.svd(centred, compute_uv=False)[:2] ** 2  # the variance along each of the first two PCs
    np.testing.assert_allclose(np.sum(points ** 2, axis=0), top2, rtol=1e-9)


def test_a_neuron_without_a_line_says_so_in_the_legend():
    w1 = np.array([[0.0, 0.0], [1.0, 1.0], [1.0, 0.0]])
    b1 = np.array([1.0, -1.0, -50.0])  # h3 is the line x1 = 50, far outside the data
    left = plot.hidden_lines(dense_model(w1, b1), XOR_X, XOR_Y).axes[0]
    texts = legend_texts(left)
    assert any(t.startswith("$h_{1}$") and "no line" in t for t in texts)
    assert any(t.startswith("$h_{3}$") and "outside" in t for t in texts)
    assert len(lines_of(left)) == 1  # only h2 is drawn


def test_y_may_be_a_column_or_one_hot():
    fig = plot.hidden_lines(dense_model(), XOR_X, XOR_Y.reshape(-1, 1))
    np.testing.assert_array_equal(points_of(fig.axes[0])[1], XOR_X[XOR_Y == 1])
    fig = plot.hidden_lines(dense_model(), XOR_X, np.eye(2)[XOR_Y])
    np.testing.assert_array_equal(points_of(fig.axes[0])[1], XOR_X[XOR_Y == 1])


def test_hidden_lines_draws_into_given_axes():
    fig, (left, right) = plt.subplots(1, 2)
    assert plot.hidden_lines(dense_model(), XOR_X, XOR_Y, ax=(left, right)) is fig
    assert len(lines_of(left)) == 3 and len(points_of(right)) == 2
    fig, ax = plt.subplots()
    assert plot.hidden_lines(dense_model(), XOR_X, XOR_Y, ax=ax) is fig  # one Axes: the lines alone
    assert len(fig.axes) == 1 and len(lines_of(ax)) == 3


@pytest.mark.parametrize("x, shape", [(np.zeros((4, 3)), "(4, 3)"), (np.zeros(4), "(4,)")])
def test_hidden_lines_needs_two_features(x, shape):
    with pytest.raises(ValueError, match=rf"two features.*got shape {re.escape(shape)}"):
        plot.hidden_lines(dense_model(), x, XOR_Y)


def test_hidden_lines_errors_name_the_problem():
    with pytest.raises(ValueError, match="x has 4 samples and y 3"):
        plot.hidden_lines(dense_model(), XOR_X, XOR_Y[:3])
    with pytest.raises(ValueError, match="Tanh has no Dense layer"):
        plot.hidden_lines(ts.nn.Tanh(), XOR_X, XOR_Y)
    three_inputs = ts.Sequential([ts.nn.Dense(2, input_dim=3)])
    with pytest.raises(ValueError, match="takes 3 inputs"):
        plot.hidden_lines(three_inputs, XOR_X, XOR_Y)


# ---- weights ----
def test_weights_draws_one_heatmap_per_dense_layer(tmp_path):
    fig = plot.weights(dense_model())
    assert isinstance(fig, plt.Figure)
    heatmaps = [ax for ax in fig.axes if ax.get_title()]
    assert len(heatmaps) == 2
    assert_drawn(fig, tmp_path / "weights.png")


@pytest.mark.parametrize("source", ["framework", "rules"])
def test_each_heatmap_is_w_l_on_a_colour_scale_symmetric_about_zero(source):
    net = ts.rules.DenseNetwork([2, 3, 2], seed=0)
    model = net if source == "rules" else net.to_model()
    fig = plot.weights(model)
    heatmaps = [ax for ax in fig.axes if ax.get_title()]
    for l, ax in enumerate(heatmaps, start=1):
        image = ax.images[0]
        np.testing.assert_allclose(image.get_array(), net.w[l])
        vmin, vmax = image.get_clim()
        assert vmin == -vmax and vmax == pytest.approx(np.abs(net.w[l]).max())
        assert image.get_cmap().name == "RdBu_r"  # diverging: white at 0
        assert ax.get_ylabel() == f"neuron j of layer {l}" and ax.get_xlabel().startswith("input k")
    assert heatmaps[0].get_title().startswith("$w^{[1]}$") and "2→3" in heatmaps[0].get_title()
    assert heatmaps[1].get_title().startswith("$w^{[2]}$") and "3→2" in heatmaps[1].get_title()
    assert len(fig.axes) == 4  # each heatmap has its colour bar


def test_weights_into_a_given_axes_needs_exactly_one_dense_layer():
    fig, ax = plt.subplots()
    one = ts.Sequential([ts.nn.Dense(3, input_dim=2)])
    assert plot.weights(one, ax=ax) is fig
    np.testing.assert_allclose(ax.images[0].get_array(), one.layers[0].weight.data)
    with pytest.raises(ValueError, match="has 2 dense layers"):
        plot.weights(dense_model(), ax=ax)


def test_weights_of_a_model_without_a_dense_layer_is_an_error_naming_its_type():
    with pytest.raises(ValueError, match="Tanh has no Dense layer"):
        plot.weights(ts.nn.Tanh())
    with pytest.raises(ValueError, match="str has no Dense layer"):
        plot.weights("not a model")
    with pytest.raises(ValueError, match="no weights yet"):
        plot.weights(ts.Sequential([ts.nn.Dense(3)]))


def test_with_few_neurons_each_tints_the_side_where_its_net_input_is_positive():
    left = plot.hidden_lines(dense_model(), XOR_X, XOR_Y).axes[0]
    tints = [c for c in left.collections if type(c) is not PathCollection]
    assert len(tints) == 3 and "tint" in left.get_title()
    for (w, b), tint in zip(zip(W1, B1), tints):
        corners = np.concatenate([path.vertices for path in tint.get_paths()])
        assert np.all(corners @ w + b >= -1e-9) and np.any(corners @ w + b > 0.1)


def test_one_hidden_unit_puts_the_data_on_the_h1_axis():
    fig = plot.hidden_lines(ts.rules.DenseNetwork([2, 1, 1], seed=0), XOR_X.T, XOR_Y)
    assert fig.axes[0].get_title().startswith("1 hidden neuron, the line")
    points = np.concatenate(points_of(fig.axes[1]))
    np.testing.assert_array_equal(points[:, 1], 0.0)
    assert "one unit" in fig.axes[1].get_title() and len(fig.axes[1].get_yticks()) == 0
