"""The slides' geometric representation of a dense network, and its weights as pictures.

``hidden_lines``: each neuron j of the first layer is the line w_j · x + b_j = 0 in the input plane,
and the layer maps the data to a^[1], where the output layer separates it. ``weights``: each w^[l]
as a heatmap, rows the neurons of layer l, columns its inputs. Both read a framework model (its
``ts.nn.Dense`` layers: Dense.weight is w^[l], shape (units, inputs)) or a ``ts.rules.DenseNetwork``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..autograd import no_grad
from ..nn import Dense, Module
from ..rules import DenseNetwork
from .backend import axes
from .evaluation import class_indices, write_cells
from .layout import resolve_layout, to_rows

if TYPE_CHECKING:  # matplotlib is imported only when a picture is made
    from matplotlib.figure import Figure

MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
CLASS_COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:brown", "tab:pink", "tab:olive", "tab:cyan")
TINTED = 4  # up to this many lines in a panel, each tints its side z_j > 0 (more would blur into grey)
LINE_COLOURS = ("#c0392b", "#1e8449", "#7d3c98", "#b7950b", "#2e4053", "#d35400", "#117a65", "#a93226")


@dataclass
class Layer:
    """One dense layer read from a model: w^[l] (units, inputs), b^[l] (units,), its name and activation."""

    w: np.ndarray
    b: np.ndarray
    name: str
    activation: str


def dense_layers(model: Module | DenseNetwork) -> list[Layer]:
    """The model's dense layers in order, as plain arrays; a ValueError for a model without one."""
    if isinstance(model, DenseNetwork):
        return [Layer(np.asarray(model.w[l], dtype=float), np.asarray(model.b[l], dtype=float).reshape(-1),
                      "dense", model.names[l]) for l in range(1, model.L + 1)]
    layers = [m for m in model.modules() if isinstance(m, Dense)] if isinstance(model, Module) else []
    if not layers:
        raise ValueError(f"{type(model).__name__} has no Dense layer: these pictures read a framework model with "
                         "ts.nn.Dense layers or a ts.rules.DenseNetwork")
    unbuilt = [layer.name for layer in layers if layer.weight is None]
    if unbuilt:
        raise ValueError(f"the Dense layers {unbuilt} have no weights yet: give them input_dim or call the model once")
    return [Layer(np.asarray(layer.weight.data, dtype=float),
                  np.zeros(layer.units) if layer.bias is None else np.asarray(layer.bias.data, dtype=float),
                  layer.name, layer.activation_name or "linear") for layer in layers]


def first_activations(model: Module | DenseNetwork, x: np.ndarray) -> np.ndarray:
    """a^[1] for the samples in the rows of x: the first dense layer's output, shape (p, units)."""
    if isinstance(model, DenseNetwork):
        return model.forward(x.T)[1][1].T
    layer = next(m for m in model.modules() if isinstance(m, Dense))
    with no_grad():
        return np.asarray(layer(x).data, dtype=float)


def clip_line(w: np.ndarray, b: float, box: np.ndarray) -> np.ndarray | None:
    """The segment of the line w · x + b = 0 inside box [[x1 min, x1 max], [x2 min, x2 max]], as 2 points
    (rows), or None when the line misses the box. w must not be 0."""
    p0 = -b * w / (w @ w)  # the line's point nearest the origin
    d = np.array([-w[1], w[0]])  # its direction
    lo, hi = -np.inf, np.inf
    for k in range(2):
        if abs(d[k]) < 1e-12 * np.abs(d).max():
            if not box[k, 0] <= p0[k] <= box[k, 1]:
                return None
            continue
        t1, t2 = sorted(((box[k, 0] - p0[k]) / d[k], (box[k, 1] - p0[k]) / d[k]))
        lo, hi = max(lo, t1), min(hi, t2)
    return None if lo >= hi else np.stack([p0 + lo * d, p0 + hi * d])


def limits(points: np.ndarray, margin: float = 0.1) -> np.ndarray:
    """[[min, max]] per column of ``points``, widened by ``margin`` of the range (0.5 when the range is 0)."""
    lo, hi = points.min(axis=0), points.max(axis=0)
    pad = np.where(hi > lo, margin * (hi - lo), 0.5)
    return np.stack([lo - pad, hi + pad], axis=1)


def draw_classes(ax, points: np.ndarray, labels: np.ndarray, k: int) -> None:
    """The samples as points, one colour and one marker per class (readable in black and white too)."""
    size, alpha = (60, 1.0) if len(points) <= 30 else (24, 0.9) if len(points) <= 300 else (14, 0.7)
    for c in range(k):
        mine = labels == c
        if mine.any():
            ax.scatter(points[mine, 0], points[mine, 1], s=size, alpha=alpha, marker=MARKERS[c % len(MARKERS)],
                       color=CLASS_COLOURS[c % len(CLASS_COLOURS)], edgecolors="black", linewidths=0.4,
                       label=f"class {c}", zorder=2)


def draw_neuron_lines(ax, w: np.ndarray, b: np.ndarray, box: np.ndarray, name: str = "h", what: str = "") -> None:
    """Each row j of w as its line w_j · x + b_j = 0 clipped to ``box``, labelled name_j, with an arrow
    towards the side where z_j > 0, that side lightly tinted when there are at most ``TINTED`` lines; a
    neuron without a line in the box gets a legend entry saying why. ``what`` ends each line's legend entry."""
    shade = len(w) <= TINTED
    span = np.linalg.norm(box[:, 1] - box[:, 0])
    for j, (wj, bj) in enumerate(zip(w, b), start=1):
        label, colour = f"${name}_{{{j}}}$", LINE_COLOURS[(j - 1) % len(LINE_COLOURS)]
        if np.linalg.norm(wj) <= 1e-9 * max(1.0, abs(bj)):
            ax.plot([], [], color=colour, linestyle=":", label=f"{label}: $w_{{{j}}} \\approx 0$, no line")
            continue
        segment = clip_line(wj, bj, box)
        if segment is None:
            ax.plot([], [], color=colour, linestyle=":", label=f"{label}: its line is outside the picture")
            continue
        ax.plot(segment[:, 0], segment[:, 1], color=colour, linewidth=2, label=label + what, zorder=3)
        if shade:  # the half-plane z_j > 0, tinted: on the box's corners z_j is linear, so the contour is exact
            z = wj[0] * box[0][None, :] + wj[1] * box[1][:, None] + bj
            ax.contourf(box[0], box[1], z, levels=[0, np.inf], colors=[colour], alpha=0.07, zorder=1)
        middle, end = segment.mean(axis=0), segment[0] + (0.85 if j % 2 else 0.15) * (segment[1] - segment[0])
        arrow = ax.annotate("", xy=middle + 0.07 * span * wj / np.linalg.norm(wj), xytext=middle, zorder=3,
                            arrowprops={"arrowstyle": "->", "color": colour, "linewidth": 1.5})
        text = ax.text(*end, label, color=colour, fontsize=11, ha="center", va="center", zorder=4, clip_on=True,
                       bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
        for mark in (arrow, text):  # inside the axes: no room for them in the figure's layout
            mark.set_in_layout(False)


def hidden_space(a1: np.ndarray) -> tuple[np.ndarray, list[str], str]:
    """The points to draw for a^[1], their axis labels and the panel's title: a^[1] itself for 2 units,
    else its first two principal components (numpy SVD of the centred activations)."""
    units = a1.shape[1]
    if units == 2:
        return a1, ["$h_1 = a^{[1]}_1$", "$h_2 = a^{[1]}_2$"], "the data in the hidden layer's space $a^{[1]}$"
    if units == 1:
        return np.column_stack([a1[:, 0], np.zeros(len(a1))]), ["$h_1 = a^{[1]}_1$", ""], \
            "the data in the hidden layer's space $a^{[1]}$ (one unit)"
    centred = a1 - a1.mean(axis=0)
    _, s, vt = np.linalg.svd(centred, full_matrices=False)
    share = s ** 2 / max(float(np.sum(s ** 2)), 1e-300)
    return centred @ vt[:2].T, [f"principal component {i + 1} ({share[i]:.0%} of the variance)" for i in range(2)], \
        f"$a^{{[1]}}$ of {units} hidden units: its first two principal components"


def as_plane_points(x, y, who: str) -> tuple[np.ndarray, np.ndarray, int]:
    """x as (p, 2) float rows and y as class indices 0..k-1, or a ValueError naming the shapes."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"{who}: the picture is the input plane (x1, x2), so x must have two features, "
                         f"shape (p, 2) with samples in rows; got shape {x.shape}")
    labels, k = class_indices(y, f"{who}: y")
    if len(labels) != len(x):
        raise ValueError(f"{who}: x has {len(x)} samples and y {len(labels)}")
    return x, labels, k


def hidden_lines(model: Module | DenseNetwork, x, y, ax=None, *, layout: str | None = None) -> Figure:
    """The slides' geometric representation: each hidden neuron is a line in the input plane.

    Left: the data (x₁, x₂) by class, and for each neuron j of the first layer its line
    w_j · x + b_j = 0, clipped to the data's limits plus a margin (labelled h_j; an arrow, and for
    up to 4 neurons a light tint, mark the side where z_j > 0; a neuron with w_j ≈ 0 or a line
    outside the picture says so in the legend). Right: the data
    mapped into the first hidden layer's space a^[1], where the output layer draws its own line
    (shown when it has one neuron): a^[1] itself for 2 hidden units, its first two principal
    components for more (the title says so). ``model``: a framework model whose first layer is a
    ``ts.nn.Dense`` taking 2 inputs, or a ``ts.rules.DenseNetwork``; ``x`` (p, 2) in rows, or (2, p) in
    the slides' columns for a rules network (``layout`` as in ``decision_boundary``); ``y`` labels,
    or one-hot in the same layout. ``ax``: a pair of axes, or one Axes for the left panel alone.
    """
    x, y = to_rows(x, y, resolve_layout(model, layout, "hidden_lines"))
    x, labels, k = as_plane_points(x, y, "hidden_lines")
    layers = dense_layers(model)
    first = layers[0]
    if first.w.shape[1] != 2:
        raise ValueError(f"hidden_lines: the first dense layer takes {first.w.shape[1]} inputs; the input plane has 2")
    one_panel = ax is not None and not isinstance(ax, (list, tuple, np.ndarray))
    if one_panel or ax is None:
        fig, panels = axes(ax, ncols=2, figsize=(11.0, 6.4))
    else:
        fig, panels = np.ravel(ax)[0].figure, np.ravel(ax)
    if ax is None:
        fig.set_layout_engine("constrained")
    left = panels if one_panel else panels[0]
    box = limits(x)
    draw_classes(left, x, labels, k)
    draw_neuron_lines(left, first.w, first.b, box)
    side = "the arrow and the tint mark" if len(first.w) <= TINTED else "the arrow points to"
    neurons = "1 hidden neuron, the line" if len(first.w) == 1 else f"{len(first.w)} hidden neurons, each the line"
    finish_panel(left, box, ("$x_1$", "$x_2$"), f"{neurons} "
                 f"$w_j \\cdot x + b_j = 0$\n({side} the side where $z_j > 0$)")
    if not one_panel:
        draw_hidden_space(panels[1], first_activations(model, x), labels, k, layers)
    return fig


def draw_hidden_space(ax, a1: np.ndarray, labels: np.ndarray, k: int, layers: list[Layer]) -> None:
    """The right panel: the data in a^[1], with the output neuron's line when it lives in this plane."""
    points, (xlabel, ylabel), title = hidden_space(a1)
    draw_classes(ax, points, labels, k)
    box = limits(points)
    if a1.shape[1] == 2 and len(layers) > 1 and layers[1].w.shape == (1, 2):
        draw_neuron_lines(ax, layers[1].w, layers[1].b, box, name="o", what=": the output neuron's line")
    finish_panel(ax, box, (xlabel, ylabel), title)
    if a1.shape[1] == 1:  # one hidden unit: a line of points, the vertical axis means nothing
        ax.set_yticks([])


def finish_panel(ax, box: np.ndarray, labels: tuple[str, str], title: str) -> None:
    """Limits, axis labels and title; equal scales when the two ranges are comparable (so the arrows
    are at right angles to their lines); the legend below the panel, off the data."""
    ax.set(xlim=box[0], ylim=box[1], xlabel=labels[0], ylabel=labels[1])
    ranges = box[:, 1] - box[:, 0]
    if ranges.max() <= 3 * ranges.min():
        ax.set_aspect("equal", adjustable="box")
    ax.set_title(title, fontsize=10)
    entries = len(ax.get_legend_handles_labels()[1])
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=min(4, entries), frameon=False)


def weights(model: Module | DenseNetwork, ax=None) -> Figure:
    """Each dense layer's weights w^[l] as a heatmap: row j is neuron j of layer l, column k its input k.

    The colour is signed and centred on 0 (red positive, blue negative, white 0, the same scale
    both ways), with a colour bar; small matrices also show each w_jk. Titles read
    ``w^[1] (dense, 2→16, tanh)``. ``model``: a framework model with ``ts.nn.Dense`` layers or a
    ``ts.rules.DenseNetwork``. ``ax``: one Axes, for a model with exactly one dense layer.
    """
    layers = dense_layers(model)
    if ax is not None and len(layers) != 1:
        raise ValueError(f"weights: ax= holds one heatmap, but {type(model).__name__} has {len(layers)} dense "
                         "layers; call weights(model) without ax for one panel per layer")
    fig, panels = axes(ax, ncols=len(layers), figsize=(4.8 * len(layers), 4.2))
    if ax is None:
        fig.set_layout_engine("constrained")
    for l, (layer, panel) in enumerate(zip(layers, np.atleast_1d(panels)), start=1):
        draw_weight_matrix(panel, layer, l)
    return fig


def draw_weight_matrix(ax, layer: Layer, l: int) -> None:
    """One heatmap of w^[l], symmetric colour limits, neurons and inputs numbered from 1 as in the slides."""
    w = layer.w
    units, inputs = w.shape
    top = max(float(np.abs(w).max()), 1e-12)
    image = ax.imshow(w, cmap="RdBu_r", vmin=-top, vmax=top, aspect="auto", interpolation="nearest")
    ax.figure.colorbar(image, ax=ax, label=f"$w^{{[{l}]}}_{{jk}}$")
    if units <= 16 and inputs <= 8:
        write_cells(ax, w, ".2f", np.abs(w) > 0.6 * top)
    for axis, n in ((ax.xaxis, inputs), (ax.yaxis, units)):
        ticks = np.arange(n) if n <= 20 else np.arange(0, n, max(1, n // 8))
        axis.set_ticks(ticks, [str(t + 1) for t in ticks])
    source = "$x_k$" if l == 1 else f"$a^{{[{l - 1}]}}_k$"
    ax.set_xlabel(f"input k ({source})")
    ax.set_ylabel(f"neuron j of layer {l}")
    ax.set_title(f"$w^{{[{l}]}}$ ({layer.name}, {inputs}→{units}, {layer.activation})", fontsize=10)
