"""How well a trained model does: the linear neuron's fit, and the confusion matrix of a classifier.

``regression`` draws the slides' fitted line (or predicted against true y for several inputs);
``confusion_matrix`` the counts of true against predicted class. ``confusion_counts`` gives those
counts as a plain array, and ``scores_on_rows`` the outputs of any model for samples in rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd import Tensor
from ..nn import Module
from ..rules import DenseNetwork, LinearNeuron, McCullochPitts, OneLayerNetwork, SigmoidNeuron
from .backend import axes
from .layout import resolve_layout, to_rows

if TYPE_CHECKING:  # matplotlib is imported only when a picture is made
    from matplotlib.figure import Figure

# The rules classes take samples in columns (X in R^{n x p}): each says so with layout = "columns".
# What gives scores: a framework model, a ts.rules object, or any callable on samples in rows.
ScoredModel = (Module | McCullochPitts | LinearNeuron | SigmoidNeuron | OneLayerNetwork | DenseNetwork
               | Callable[..., Any])


def takes_columns(model: object) -> bool:
    """Whether ``model`` takes samples in columns: every ``ts.rules`` class says ``layout = "columns"``."""
    return getattr(model, "layout", "rows") == "columns"


def scores_on_rows(model: ScoredModel, x) -> np.ndarray:
    """The outputs of ``model`` for the p samples in the rows of ``x``, as a (p, m) float array.

    A ``ts.rules`` object gets ``x.T`` (its samples in columns) and its ``predict`` is transposed
    back; a framework model is called in inference mode; any other callable is called on ``x``.
    """
    x = np.asarray(x, dtype=float)
    if takes_columns(model):
        out = model.predict(x.T).T
    elif isinstance(model, Module):
        with model.inference():
            out = model(x)
    elif callable(model):
        out = model(x)
    else:
        raise TypeError(f"expected a framework model, a ts.rules object or a callable; got {type(model).__name__}")
    out = np.asarray(out.data if isinstance(out, Tensor) else out, dtype=float)
    return out.reshape(len(x), -1)


def class_indices(y, who: str = "y") -> tuple[np.ndarray, int]:
    """Class labels 0..k-1 as an int array (p,), and k: from labels (p,) or (p, 1), or one-hot rows (p, k)."""
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] > 1:
        return np.argmax(y, axis=1), y.shape[1]
    if y.ndim > 2 or (y.ndim == 2 and y.shape[1] != 1):
        raise ValueError(f"{who}: expected class labels (p,) or (p, 1), or one-hot rows (p, k); got shape {y.shape}")
    flat = y.reshape(-1).astype(float)
    if flat.size == 0:
        raise ValueError(f"{who}: no samples")
    if np.any(flat != np.round(flat)) or flat.min() < 0:
        raise ValueError(f"{who}: class labels must be the integers 0, 1, ..., k-1; got values such as "
                         f"{np.unique(flat)[:5]}")
    labels = flat.astype(int)
    return labels, max(2, int(labels.max()) + 1)


def predicted_classes(y_pred) -> tuple[np.ndarray, int | None]:
    """Predicted classes from labels, or from scores: argmax over columns, a single column thresholded at 0.5.

    Also returns the number of classes the scores have (None for bare labels)."""
    y_pred = np.asarray(y_pred, dtype=float)
    if y_pred.ndim == 2 and y_pred.shape[1] > 1:
        return np.argmax(y_pred, axis=1), y_pred.shape[1]
    flat = y_pred.reshape(-1)
    if np.all(flat == np.round(flat)):
        return class_indices(flat, "confusion_matrix: y_pred")[0], None
    return (flat >= 0.5).astype(int), 2


def confusion_counts(y_true, y_pred, n_classes: int | None = None) -> np.ndarray:
    """C[i, j]: how many samples of true class i were predicted as class j (a (k, k) int array).

    ``y_true``: labels 0..k-1 or one-hot rows; ``y_pred``: labels, or scores (argmax over columns; a
    single column of probabilities thresholded at 0.5). ``n_classes`` fixes k (at least the classes seen).
    """
    true, k_true = class_indices(y_true, "confusion_matrix: y_true")
    pred, k_pred = predicted_classes(y_pred)
    if len(true) != len(pred):
        raise ValueError(f"confusion_matrix: y_true has {len(true)} samples and y_pred {len(pred)}")
    k = max(k_true, k_pred or 0, int(pred.max()) + 1)
    if n_classes is not None:
        if n_classes < k:
            raise ValueError(f"confusion_matrix: {n_classes} classes named, but the data has {k} (labels 0..{k - 1})")
        k = n_classes
    counts = np.zeros((k, k), dtype=int)
    np.add.at(counts, (true, pred), 1)
    return counts


def check_labels(y_true, y_pred, labels: Sequence[str]) -> None:
    """One name per class, or a ValueError: as many as the columns of one-hot y_true or of the scores,
    and at least as many as the labels seen (a class that never occurs may still be named)."""
    true, k_true = class_indices(y_true, "confusion_matrix: y_true")
    pred, k_pred = predicted_classes(y_pred)
    exact = {k_pred} if k_pred is not None else set()
    if np.ndim(y_true) == 2 and np.shape(y_true)[1] > 1:
        exact.add(k_true)
    seen = max(int(true.max()), int(pred.max())) + 1
    if len(exact) > 1 or (exact and len(labels) not in exact) or len(labels) < seen:
        k = " or ".join(map(str, sorted(exact))) if exact else f"at least {seen}"
        raise ValueError(f"confusion_matrix: {len(labels)} labels {list(labels)} for {k} classes")


def write_cells(ax, matrix: np.ndarray, fmt: str, dark: np.ndarray, fontsize: float = 9) -> None:
    """Write each value of ``matrix`` in its cell of an ``imshow`` at (column, row); white on ``dark`` cells."""
    for i, j in np.ndindex(*matrix.shape):
        ax.text(j, i, format(matrix[i, j], fmt), ha="center", va="center", fontsize=fontsize,
                color="white" if dark[i, j] else "black")


def confusion_matrix(y_true, y_pred, labels: Sequence[str] | None = None, ax=None) -> Figure:
    """The confusion matrix: row i, column j counts the samples of true class y = i predicted as ŷ = j.

    The diagonal holds the right answers; every count is written in its cell. ``y_pred`` may be
    class labels or the model's scores (argmax over the columns; one column thresholded at 0.5).
    ``labels`` names the classes, one name per class. Returns the Figure; the counts themselves are
    ``confusion_counts(y_true, y_pred)``.
    """
    if labels is not None:
        check_labels(y_true, y_pred, labels)
    counts = confusion_counts(y_true, y_pred, None if labels is None else len(labels))
    k = len(counts)
    names = [str(c) for c in range(k)] if labels is None else [str(name) for name in labels]
    fig, ax = axes(ax, figsize=(1.2 * k + 2.6, 1.1 * k + 2.0))
    ax.imshow(counts, cmap="Blues", vmin=0, vmax=max(1, counts.max()))
    write_cells(ax, counts, "d", counts > 0.5 * counts.max(), fontsize=13 if k <= 4 else 10)
    ax.set_xticks(range(k), names)
    ax.set_yticks(range(k), names)
    ax.set_xlabel(r"predicted class $\hat{y}$")
    ax.set_ylabel("true class $y$")
    right, total = int(np.trace(counts)), int(counts.sum())
    ax.set_title(f"confusion matrix: {right} of {total} right (accuracy {right / total:.1%})")
    return fig


def as_feature_rows(x, y) -> tuple[np.ndarray, np.ndarray]:
    """x as (p, n) rows of features and y as (p,) targets, or a ValueError naming the shapes."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    x = x.reshape(-1, 1) if x.ndim == 1 else x
    if x.ndim != 2 or (y.ndim == 2 and y.shape[1] != 1) or y.ndim > 2 or y.size != len(x):
        raise ValueError(f"regression: expected x of shape (p,) or (p, n) and y of shape (p,) or (p, 1), "
                         f"samples in rows; got x {x.shape} and y {y.shape}")
    return x, y.reshape(-1)


def fit_label(model: ScoredModel) -> tuple[str, str]:
    """The legend of the prediction and the start of the title: the linear neuron's own equation when it is one."""
    if isinstance(model, LinearNeuron) and model.n_inputs == 1:
        return rf"$\hat{{y}} = {model.w[0, 0]:.3g}\,x {model.b[0, 0]:+.3g}$", r"the fitted line $\hat{y} = w\,x + b$"
    return r"the model's prediction $\hat{y}$", r"the model's prediction $\hat{y}$ over $x$"


def regression(model: ScoredModel, x, y, ax=None, *, layout: str | None = None) -> Figure:
    """The linear neuron's fit: the data (x, y) as points and the prediction ŷ as a line over the x range.

    With one input feature, ŷ is drawn over a grid spanning the data, with each sample's error
    y − ŷ as a thin vertical segment; with several, each sample's predicted ŷ against its true y,
    on the diagonal ŷ = y when the fit is perfect. The title gives the mean squared error
    mean (y − ŷ)². ``model``: a framework model, a ``ts.rules`` object or a callable. The data lie in the
    model's layout (a rules object takes the slides' columns: ``X`` (n, p), ``Y`` (1, p)); ``layout=``
    says it for a callable.
    """
    x, y = to_rows(x, y, resolve_layout(model, layout, "regression"))
    x, y = as_feature_rows(x, y)
    y_hat = scores_on_rows(model, x)
    if y_hat.shape[1] != 1:
        raise ValueError(f"regression draws one output; the model gives {y_hat.shape[1]} per sample")
    y_hat = y_hat[:, 0]
    mse = float(np.mean((y - y_hat) ** 2))
    fig, ax = axes(ax, figsize=(5.5, 4.2))
    if x.shape[1] == 1:
        if len(x) <= 60:
            ax.vlines(x[:, 0], y, y_hat, colors="0.45", linewidth=1.2, label=r"error $y - \hat{y}$")
        ax.scatter(x[:, 0], y, s=36, marker="o", color="tab:blue", edgecolors="black", linewidths=0.4,
                   label="data $(x, y)$", zorder=3)
        grid = np.linspace(x.min(), x.max(), 200)
        legend, title = fit_label(model)
        ax.plot(grid, scores_on_rows(model, grid[:, None])[:, 0], color="tab:red", linewidth=2, label=legend)
        ax.set_xlabel("$x$")
        ax.set_ylabel(r"$y$, $\hat{y}$")
        ax.set_title(f"{title}: MSE = {mse:.4g}")
    else:
        ends = [min(y.min(), y_hat.min()), max(y.max(), y_hat.max())]
        ax.plot(ends, ends, color="0.4", linestyle="--", linewidth=1, label=r"$\hat{y} = y$ (perfect fit)")
        ax.scatter(y, y_hat, s=36, marker="o", color="tab:blue", edgecolors="black", linewidths=0.4,
                   label="one sample", zorder=3)
        ax.set_xlabel("true $y$")
        ax.set_ylabel(r"predicted $\hat{y}$")
        ax.set_title(f"predicted against true, {x.shape[1]} inputs: MSE = {mse:.4g}")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return fig
