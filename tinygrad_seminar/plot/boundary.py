"""``decision_boundary``: the input plane (x₁, x₂) coloured by what a model predicts at each point.

A model is asked for its scores on a grid over the data. One score per point (binary): the picture
shades the probability ŷ and draws the contour ŷ = 0.5. Several scores (multi-class): one region per
class, the argmax. The shaded grid is a QuadMesh with gid ``REGIONS_GID``: its ``get_array()`` holds
what is shown at each grid point (ŷ for a binary model, the class index for several classes) and
its ``get_coordinates()`` the corners of the grid's cells, so a test reads back what was drawn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd import Tensor, no_grad
from ..nn import Module
from ..rules import OneLayerNetwork
from ..rules.activations import sigmoid
from .backend import axes
from .layout import resolve_layout

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

REGIONS_GID = "decision-regions"
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "p", "h")
COLOURS = ("tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:brown", "tab:pink", "tab:olive", "tab:cyan",
           "tab:gray", "gold")  # no red: red rings mark the misclassified points
MARGIN = 0.1  # the limits: the data's range widened by this fraction on each side


def points_of(x, layout: str) -> np.ndarray:
    """The data as points (p, 2): x is (p, 2) with samples in rows, or (2, p) with samples in columns."""
    x = np.asarray(x, dtype=float)
    want = (2, "p") if layout == "columns" else ("p", 2)
    axis = 0 if layout == "columns" else 1
    if x.ndim != 2 or x.shape[axis] != 2:
        hint = " (it looks transposed: pass x.T)" if x.ndim == 2 and x.shape[1 - axis] == 2 else ""
        raise ValueError(f"decision_boundary: x must hold two features x₁, x₂, shape {want} in the layout "
                         f"{layout!r}{hint}; got shape {x.shape}")
    return x.T if layout == "columns" else x


def labels_of(y, p: int, layout: str) -> np.ndarray:
    """Class indices (p,) from labels (p,), (p, 1), one-hot (p, k); in the columns layout (1, p) or (k, p)."""
    y = np.asarray(y, dtype=float)
    if y.ndim == 2 and layout == "columns":
        y = y.T
    if y.ndim == 2 and y.shape[1] > 1:
        y = y.argmax(axis=1)
    y = y.reshape(-1) if y.ndim == 2 and y.shape[1] == 1 else y
    if y.ndim != 1 or len(y) != p:
        want = "(p,), (1, p) or one-hot (k, p)" if layout == "columns" else "(p,), (p, 1) or one-hot (p, k)"
        raise ValueError(f"decision_boundary: y must hold one label per point of x, shape {want} with p = {p}; "
                         f"got shape {np.shape(y)}")
    labels = np.rint(y).astype(int)
    if not np.allclose(labels, y) or labels.min() < 0:
        raise ValueError("decision_boundary: y must hold class indices 0, 1, 2, ... (or one-hot rows)")
    return labels


def scores_on(model: Any, points: np.ndarray, layout: str) -> np.ndarray:
    """The model's scores at ``points`` (P, 2), one row per point: shape (P, k).

    A framework ``Module`` is called on a Tensor under ``model.inference()``; any other callable under
    ``no_grad()``; an object that is not callable but has ``predict`` (a ``ts.rules`` object) through it.
    """
    inputs = points if layout == "rows" else points.T
    if isinstance(model, Module):
        with model.inference():
            out = model(Tensor(inputs))
    elif callable(model):
        with no_grad():
            out = model(inputs)
    elif hasattr(model, "predict"):
        out = model.predict(inputs)
    else:
        raise TypeError(f"decision_boundary: the model must be callable or have predict(X); got {type(model).__name__}")
    out = np.asarray(out, dtype=float)
    want = "(P,) or (k, P)" if layout == "columns" else "(P,) or (P, k)"
    if out.ndim == 1 and len(out) == len(points):
        return out.reshape(-1, 1)
    if out.ndim == 2 and layout == "columns":
        out = out.T
    if out.ndim != 2 or out.shape[0] != len(points):
        raise ValueError(f"decision_boundary: the model returned scores of shape {np.shape(out)} for P = "
                         f"{len(points)} points in the layout {layout!r}; expected {want}")
    return out


def shown_and_classes(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """(what is shaded, the class, whether scores were logits) at each point.

    One score: ŷ itself when every score lies in [0, 1], else the scores are logits z and ŷ = σ(z);
    class 1 where ŷ >= 0.5. Several scores: the class is the argmax, and it is what is shaded.
    """
    if scores.shape[1] > 1:
        classes = scores.argmax(axis=1)
        return classes, classes, False
    s = scores[:, 0]
    logits = bool(s.min() < 0.0 or s.max() > 1.0)
    y_hat = sigmoid(s) if logits else s
    return y_hat, (y_hat >= 0.5).astype(int), logits


def lighter(colour: str, amount: float = 0.6) -> tuple[float, float, float]:
    """``colour`` mixed with white: a region's shade, under the points' full colour."""
    from matplotlib.colors import to_rgb  # the optional extra: imported where a picture is made

    return tuple(amount + (1.0 - amount) * c for c in to_rgb(colour))


def grid_over(points: np.ndarray, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """A ``resolution`` x ``resolution`` meshgrid (x₁, x₂) over the data's range plus the margin."""
    low, high = points.min(axis=0), points.max(axis=0)
    pad = np.where(high > low, (high - low) * MARGIN, 0.5)
    x1 = np.linspace(low[0] - pad[0], high[0] + pad[0], resolution)
    x2 = np.linspace(low[1] - pad[1], high[1] + pad[1], resolution)
    return np.meshgrid(x1, x2)


def draw_regions(ax: Axes, xx: np.ndarray, yy: np.ndarray, shown: np.ndarray, k: int, logits: bool) -> None:
    """The shaded grid (gid REGIONS_GID) and the boundary: ŷ = 0.5 for one score, the class borders for several."""
    from matplotlib.colors import LinearSegmentedColormap, ListedColormap
    from matplotlib.lines import Line2D

    if k == 1:
        cmap = LinearSegmentedColormap.from_list("y_hat", [lighter(COLOURS[0]), "white", lighter(COLOURS[1])])
        mesh = ax.pcolormesh(xx, yy, shown, cmap=cmap, vmin=0.0, vmax=1.0, shading="nearest", rasterized=True)
        ax.contour(xx, yy, shown, levels=[0.5], colors="black", linewidths=1.5)
        bar = ax.figure.colorbar(mesh, ax=ax, fraction=0.05, pad=0.02)
        bar.set_label(r"$\hat{y} = \sigma(z)$, the scores $z$ taken as logits" if logits else r"$\hat{y}$")
        ax.add_line(Line2D([], [], color="black", linewidth=1.5, label=r"$\hat{y} = 0.5$"))  # the legend's entry
    else:
        cmap = ListedColormap([lighter(c) for c in COLOURS[:k]])
        mesh = ax.pcolormesh(xx, yy, shown, cmap=cmap, vmin=-0.5, vmax=k - 0.5, shading="nearest", rasterized=True)
        ax.contour(xx, yy, shown, levels=np.arange(k - 1) + 0.5, colors="black", linewidths=1.0)
    mesh.set_gid(REGIONS_GID)


def one_vs_all_lines(ax: Axes, model: Any) -> bool:
    """A ``OneLayerNetwork``'s neurons: each line w_k·x + b_k = 0, dashed in its class's colour. Whether drawn."""
    from matplotlib.lines import Line2D

    if not isinstance(model, OneLayerNetwork) or model.n_inputs != 2 or model.n_outputs < 2:
        return False
    for k, (w, b) in enumerate(zip(model.W, model.b.ravel())):
        if not w.any():
            continue
        p0 = -b * w / (w @ w)  # the line's point nearest the origin, and its direction (-w₂, w₁)
        ax.axline(tuple(p0), tuple(p0 + np.array([-w[1], w[0]])), color=COLOURS[k % len(COLOURS)],
                  linestyle="--", linewidth=1.5)
    ax.add_line(Line2D([], [], color="grey", linestyle="--", linewidth=1.5,
                       label="one vs all"))
    return True


def draw_data(ax: Axes, points: np.ndarray, labels: np.ndarray, predicted: np.ndarray) -> int:
    """The points by class, each with its own marker and colour; the misclassified ringed in red. Returns how many."""
    size = 36 if len(points) <= 200 else 16  # many points: smaller marks, so the regions still show
    for c in np.unique(labels):
        at = labels == c
        ax.scatter(points[at, 0], points[at, 1], marker=MARKERS[c % len(MARKERS)], color=COLOURS[c % len(COLOURS)],
                   edgecolors="black", linewidths=0.5, s=size, label=f"class {c}", zorder=3)
    wrong = predicted != labels
    if wrong.any():
        ax.scatter(points[wrong, 0], points[wrong, 1], marker="o", s=4 * size, facecolors="none", edgecolors="red",
                   linewidths=1.4, label="misclassified", zorder=4)
    return int(wrong.sum())


def model_name(model: Any) -> str:
    """The model's class, or a function's name ("the model" for a lambda)."""
    name = getattr(model, "__name__", None) or type(model).__name__
    return "the model" if name == "<lambda>" else name


def decision_boundary(model: Any, x, y, *, layout: str | None = None, resolution: int = 300,
                      ax: Axes | None = None) -> Figure:
    """The input plane (x₁, x₂) coloured by the model's prediction ŷ, with the data drawn over it.

    Binary (one score per point): ŷ shaded from class 0 to class 1 and the boundary ŷ = 0.5 drawn. If a score
    falls outside [0, 1] anywhere on the grid, the scores are taken as logits z and ŷ = σ(z) is shaded (the
    colour bar says so). Several scores: one region per class, class = argmax_k ŷ_k; a ``ts.rules``
    ``OneLayerNetwork`` also gets its one-vs-all lines w_k·x + b_k = 0. The points are drawn by class, each
    with its own marker and colour; the misclassified are ringed in red. Limits: the data plus a margin.

    ``model``: a framework model (``ts.nn.Module``), a ``ts.rules`` object (``predict``), or any callable
    returning scores. ``layout``: "rows" (samples are rows: x is (p, 2), y is (p,), (p, 1) or one-hot
    (p, k)) or "columns" (the slides' layout: x is (2, p), y is (p,), (1, p) or (k, p)); None reads the
    model's ``layout`` attribute ("columns" on every ``ts.rules`` class), else "rows". The model is
    called in the same layout. y holds class indices 0, 1, ... or one-hot rows. The shaded grid,
    ``resolution`` points a side, is the QuadMesh with gid ``REGIONS_GID`` (see the module's docstring).
    """
    layout = resolve_layout(model, layout, "decision_boundary")
    if int(resolution) < 2:
        raise ValueError(f"decision_boundary: resolution must be at least 2 grid points a side; got {resolution!r}")
    points = points_of(x, layout)
    labels = labels_of(y, len(points), layout)
    xx, yy = grid_over(points, int(resolution))
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    scores = scores_on(model, np.concatenate([grid, points]), layout)  # one call: one verdict on logits
    shown, classes, logits = shown_and_classes(scores)
    made = ax is None
    fig, ax = axes(ax)
    if made:  # room for the colour bar and for the legend under the plane
        fig.set_layout_engine("constrained")
    draw_regions(ax, xx, yy, shown[:len(grid)].reshape(xx.shape), scores.shape[1], logits)
    lines = one_vs_all_lines(ax, model)
    wrong = draw_data(ax, points, labels, classes[len(grid):])
    ax.set_xlim(xx[0, 0], xx[0, -1])
    ax.set_ylim(yy[0, 0], yy[-1, 0])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    what = r"decision boundary $\hat{y} = 0.5$" if scores.shape[1] == 1 else r"regions, class = argmax$_k\ \hat{y}_k$"
    wrong = f"{wrong} of {len(points)} points misclassified"
    if lines:
        wrong += r"; dashed: one vs all, $w_k \cdot x + b_k = 0$"
    ax.set_title(f"{model_name(model)}: {what}\n{wrong}", fontsize=10)
    handles, _ = ax.get_legend_handles_labels()
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=min(len(handles), 4), fontsize=8, frameon=False)
    return fig
