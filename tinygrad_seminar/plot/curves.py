"""Curves over one variable: a training run's learning curves, the delta rule's table of activations,
and a function f(x) with its derivative f'(x) and its critical points, both derivatives by ``ts.grad``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from ..autograd import Tensor, grad
from ..keras.callbacks import EarlyStopping
from ..nn import functional
from ..rules import ACTIVATIONS
from ..rules.activations import dphi_of
from ..rules.optimization import f as slide_f
from .backend import axes, pyplot

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

TABLE = {  # the slide "Delta Rule": name, phi(z), phi'(z), in matplotlib's mathtext
    "linear": ("Linear or identity", "$z$", "$1$"),
    "sigmoid": ("Sigmoid", r"$1 / (1 + e^{-z})$", r"$\hat{y}\,(1 - \hat{y})$"),
    "tanh": ("Hyperbolic tangent", r"$\tanh(z)$", r"$(1 + \hat{y})(1 - \hat{y})$"),
    "relu": ("Rectified Linear Unit (ReLU)", r"$\max(0, z)$", r"$1$ if $z > 0$, $0$ if $z \leq 0$"),
}
RULES_CURVES = (("loss_", "loss"), ("errors_", "errors"))  # a ts.rules object's per-epoch lists
TITLES = {"loss": ("the loss E", "$E$"), "errors": ("the perceptron's mistakes", "mistakes in the epoch")}


def panels(who: str, ax: Axes | Sequence[Axes] | None, n: int, what: str) -> tuple[Figure, list[Axes]]:
    """(figure, n axes): new ones (side by side; four or more in two rows), or those given (one Axes when n
    is 1, else a sequence of n)."""
    if ax is None:
        ncols = n if n <= 3 else -(-n // 2)  # one row of up to three, else two rows
        nrows = -(-n // ncols)
        fig, made = pyplot().subplots(nrows, ncols, figsize=(4.6 * ncols, 3.9 * nrows), squeeze=False)
        for extra in made.ravel()[n:]:
            extra.set_visible(False)
        return fig, list(made.ravel()[:n])
    given = list(np.ravel(ax)) if isinstance(ax, (list, tuple, np.ndarray)) else [ax]
    if len(given) != n:
        raise ValueError(f"{who}: the picture has {n} panel(s), {what}; pass ax=None or a sequence of {n} axes "
                         f"(got {len(given)})")
    return given[0].figure, given


# ---- learning curves ----
def curves_of(history: Any) -> tuple[dict[str, np.ndarray], np.ndarray, str]:
    """The per-epoch values by name, the epochs counted from 1, and whose curves they are."""
    epochs, source = None, "training"
    if isinstance(history, Mapping):
        logs = dict(history)
    elif isinstance(getattr(history, "history", None), Mapping):  # a keras History
        logs, epochs = history.history, getattr(history, "epoch", None)
    else:
        logs = {name: getattr(history, attr) for attr, name in RULES_CURVES if getattr(history, attr, None) is not None}
        source = type(history).__name__
        if not logs:
            raise TypeError("learning_curves takes a History, its .history dict, or a ts.rules object with loss_ "
                            f"or errors_; got {type(history).__name__}")
    logs = {key: np.asarray(values, dtype=float).reshape(-1) for key, values in logs.items() if len(values)}
    if not logs:
        raise ValueError("learning_curves: the history is empty, no epoch was recorded (train for an epoch first)")
    n = max(len(v) for v in logs.values())
    if epochs is not None and len(epochs) == n:
        return logs, np.asarray(epochs) + 1, source
    return logs, np.arange(1, n + 1), source


def restored_epoch(best_epoch: int | EarlyStopping | None) -> int | None:
    """The best epoch, counted from 1, when it is known and its weights were restored; else None."""
    if isinstance(best_epoch, EarlyStopping):
        restored = best_epoch.restore_best_weights and best_epoch.best_weights is not None
        return best_epoch.best_epoch + 1 if restored else None
    if best_epoch is not None and int(best_epoch) < 1:
        raise ValueError(f"learning_curves: best_epoch counts epochs from 1; got {best_epoch!r}")
    return None if best_epoch is None else int(best_epoch)


def learning_curves(history: Any, ax: Axes | Sequence[Axes] | None = None, *,
                    best_epoch: int | EarlyStopping | None = None) -> Figure:
    """The learning curves: the loss E and each metric per epoch, training (circles) against validation
    (squares, dashed), one panel per quantity, loss first; epochs are counted from 1.

    ``history``: a keras ``History`` (what ``fit`` returns), its ``.history`` dict, or a ``ts.rules`` object
    with ``loss_`` (E per epoch) and/or ``errors_`` (the perceptron's mistakes per epoch). ``ax``: one Axes
    when there is one quantity, else a sequence with one Axes per quantity.

    The best epoch: a History does not know which callbacks ran, so pass ``best_epoch``, either the
    ``EarlyStopping`` callback given to ``fit`` (marked only when it restored the best weights, which
    EarlyStopping(restore_best_weights=True) does at the end of training) or an epoch number counted from 1
    (as EarlyStopping prints it). The marked epoch is a vertical line in every panel.
    """
    from matplotlib.ticker import MaxNLocator  # the optional extra: imported where a picture is made

    logs, epochs, source = curves_of(history)
    best = restored_epoch(best_epoch)
    names = list(dict.fromkeys(key.removeprefix("val_") for key in logs))
    names.sort(key=lambda name: name != "loss")  # the loss first, the metrics in their order
    fig, panes = panels("learning_curves", ax, len(names), ", ".join(names))
    for name, pane in zip(names, panes):
        title, ylabel = TITLES.get(name, (name, name))
        for key, style, label in ((name, "o-", "training"), (f"val_{name}", "s--", "validation")):
            if key in logs:
                values = logs[key]
                pane.plot(epochs[:len(values)], values, style, markersize=4, label=label,
                          markevery=max(1, len(values) // 25))
        if best is not None:
            pane.axvline(best, color="tab:red", linestyle=":", linewidth=1.5, label=f"best epoch {best}, restored")
        pane.set_title(f"{title} per epoch", fontsize=10)
        pane.set_xlabel("epoch")
        pane.set_ylabel(ylabel)
        pane.xaxis.set_major_locator(MaxNLocator(integer=True))
        if name == "errors":
            pane.yaxis.set_major_locator(MaxNLocator(integer=True))
        pane.legend(fontsize=8)
    versus = ": training and validation" if any(key.startswith("val_") for key in logs) else ""
    fig.suptitle(f"Learning curves of {source}{versus}" if source != "training" else f"Learning curves{versus}")
    fig.tight_layout()
    return fig


# ---- the delta rule's table ----
def engine_table(name: str, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """phi(z) by the framework's activation on a Tensor of z and phi'(z) by ``ts.grad``, checked against the
    slide's table (``ts.rules``): a RuntimeError if they differ anywhere."""
    zt = Tensor(z, requires_grad=True)
    a = functional.get_activation(name)(zt)
    (da,) = grad(a.sum(), zt)
    a, da = np.asarray(a, dtype=float), np.asarray(da, dtype=float)
    table_a = ACTIVATIONS[name][0](z)
    for what, ours, table in (("phi", a, table_a), ("phi'", da, dphi_of(name)(z, table_a))):
        if not np.allclose(ours, table, rtol=1e-7, atol=1e-9):
            i = int(np.argmax(np.abs(ours - table)))
            raise RuntimeError(f"activations: the engine's {what} of {name!r} differs from the delta rule's table at "
                               f"z = {z[i]:g}: {ours[i]!r} against {table[i]!r}")
    return a, da


def activations(names: Sequence[str] = ("linear", "sigmoid", "tanh", "relu"),
                ax: Axes | Sequence[Axes] | None = None) -> Figure:
    """The delta rule's table as a picture: for each activation, phi(z) (solid) and its derivative phi'(z)
    (dashed) on z in [-5, 5], one panel per name, titled as the table's row.

    phi'(z) is computed by the engine (``ts.grad`` through the framework's activation), and compared with the
    table's derivative (``ts.rules``, written through ŷ = phi(z)): a RuntimeError if they disagree, so the
    picture is also a check. ``ax``: one Axes for one name, else a sequence with one Axes per name.
    """
    names = [names] if isinstance(names, str) else list(names)
    unknown = [name for name in names if name not in ACTIVATIONS]
    if unknown or not names:
        raise ValueError(f"activations: unknown activation(s) {unknown}; the delta rule's table has "
                         f"{list(ACTIVATIONS)}")
    z = np.linspace(-5.0, 5.0, 401)  # z = 0 is a grid point: ReLU's kink, where the table and the engine take 0
    fig, panes = panels("activations", ax, len(names), ", ".join(names))
    for name, pane in zip(names, panes):
        title, phi, dphi = TABLE.get(name, (name, "", ""))
        a, da = engine_table(name, z)
        pane.axhline(0.0, color="grey", linewidth=0.6)
        pane.axvline(0.0, color="grey", linewidth=0.6)
        pane.plot(z, a, "-", color="tab:blue", linewidth=2, label=rf"$\varphi(z)$ = {phi}")
        pane.plot(z, da, "--", color="tab:orange", linewidth=2, label=rf"$\varphi'(z)$ = {dphi}")
        pane.set_title(title, fontsize=10)
        pane.set_xlabel("$z$")
        pane.set_ylabel(r"$\hat{y} = \varphi(z)$,  $\varphi'(z)$")
        pane.legend(loc="upper left", fontsize=8)
    fig.suptitle(r"The delta rule's table: $\varphi(z)$ and $\varphi'(z)$, the derivative by ts.grad "
                 "(checked against the table)", fontsize=11)
    fig.tight_layout()
    return fig


# ---- a function and its derivative ----
@dataclass(frozen=True)
class CriticalPoint:
    """A point where f'(x) = 0 and changes sign: a local ``"maximum"`` (+ to -) or ``"minimum"`` (- to +)."""

    x: float
    fx: float
    kind: str


def derivatives(f: Callable[[Tensor], Tensor], x) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """f(x), f'(x) and f''(x) at each x: f evaluated on a Tensor of x, f' by ``ts.grad(..., create_graph=True)``
    and f'' by ``ts.grad`` of f' (0 where f' no longer depends on x)."""
    xt = Tensor(np.asarray(x, dtype=float).reshape(-1), requires_grad=True)
    fx = f(xt)
    if not isinstance(fx, Tensor) or fx.shape != xt.shape:
        raise ValueError("derivative: f must take a Tensor of x values and return a Tensor of the same shape, "
                         f"f applied to each x (written with Tensor ops); got {type(fx).__name__} of shape "
                         f"{np.shape(fx)} for x of shape {xt.shape}")
    zeros = np.zeros(xt.shape)
    if not fx.requires_grad:  # f does not depend on x
        return np.asarray(fx, dtype=float), zeros, zeros
    (d1,) = grad(fx.sum(), xt, create_graph=True, allow_unused=True)
    if d1 is None or not d1.requires_grad:
        return np.asarray(fx, dtype=float), zeros if d1 is None else np.asarray(d1, dtype=float), zeros
    (d2,) = grad(d1.sum(), xt, allow_unused=True)
    return np.asarray(fx, dtype=float), np.asarray(d1, dtype=float), zeros if d2 is None else np.asarray(d2, float)


def refine(f: Callable[[Tensor], Tensor], low: float, high: float, sign_low: float) -> float:
    """The zero of f' in [low, high], where f' has the sign ``sign_low`` at low and the other at high:
    Newton's steps x <- x - f'(x)/f''(x), halving the bracket instead when a step would leave it."""
    x = 0.5 * (low + high)
    for _ in range(100):
        _, d1, d2 = (v[0] for v in derivatives(f, [x]))
        if d1 == 0.0:
            return x
        low, high = (x, high) if np.sign(d1) == sign_low else (low, x)
        step = x - d1 / d2 if d2 != 0.0 else np.nan
        new = step if low < step < high else 0.5 * (low + high)
        if abs(new - x) <= 1e-15 * max(1.0, abs(x)):
            return new
        x = new
    return x


def find_critical_points(f: Callable[[Tensor], Tensor] | None = None, x_range: tuple[float, float] = (-0.5, 3.0),
                         samples: int = 2001) -> list[CriticalPoint]:
    """The local maxima and minima of f inside ``x_range`` (default: the slide's f(x) = x(5 - 2x)^2): where
    f'(x), by ``ts.grad``, changes sign on a grid of ``samples`` points, each refined by ``refine``."""
    f = slide_f if f is None else f
    xs = np.linspace(float(x_range[0]), float(x_range[1]), int(samples))
    s = np.sign(derivatives(f, xs)[1])
    found = []
    for i in range(len(xs) - 1):
        if s[i] == 0.0 and i > 0 and s[i - 1] * s[i + 1] < 0:  # f' = 0 on a grid point, with a sign change
            found.append((xs[i], s[i - 1]))
        elif s[i] * s[i + 1] < 0:
            found.append((refine(f, xs[i], xs[i + 1], s[i]), s[i]))
    return [CriticalPoint(float(x), float(derivatives(f, [x])[0][0]), "maximum" if sign > 0 else "minimum")
            for x, sign in found]


def as_fraction(x: float) -> str:
    """x as a small fraction when it is one (5/6), else to four significant digits."""
    q = Fraction(x).limit_denominator(12)
    if abs(float(q) - x) < 1e-9 and q.denominator > 1:
        return f"{q} ≈ {x:.4g}"
    return f"{x:.4g}"


def derivative(f: Callable[[Tensor], Tensor] | None = None, x_range: tuple[float, float] = (-0.5, 3.0),
               critical_points: bool = True, ax: Axes | None = None) -> Figure:
    """A function f(x) (solid) and its derivative f'(x) (dashed), f' computed by ``ts.grad``; with
    ``critical_points`` the maxima (red triangle up) and minima (green triangle down) are marked where
    f'(x) = 0 (the hollow circles on f').

    Default: the slide's f(x) = x(5 - 2x)^2, with its maximum at x = 5/6 and its minimum at x = 5/2. Any
    scalar function of one variable written with Tensor ops works: f takes a Tensor of x values and returns
    f of each. The points are found by ``find_critical_points``: sign changes of f', refined by Newton's
    steps with f'' from ``ts.grad(..., create_graph=True)``.
    """
    low, high = (float(v) for v in x_range)
    if not low < high:
        raise ValueError(f"derivative: x_range must be (low, high) with low < high; got {x_range!r}")
    xs = np.linspace(low, high, 1001)
    fx, d1, _ = derivatives(slide_f if f is None else f, xs)
    points = find_critical_points(f, (low, high)) if critical_points else []
    fig, ax = axes(ax)
    name = "$f(x) = x(5 - 2x)^2$" if f is None else "$f(x)$"
    ax.axhline(0.0, color="grey", linewidth=0.8)
    ax.plot(xs, fx, "-", color="tab:blue", linewidth=2, label=name)
    ax.plot(xs, d1, "--", color="tab:orange", linewidth=2, label="$f'(x)$, by ts.grad")
    for p in points:
        up = p.kind == "maximum"
        ax.axvline(p.x, color="grey", linestyle=":", linewidth=1)
        ax.plot([p.x], [p.fx], "^" if up else "v", color="tab:red" if up else "tab:green", markersize=10,
                markeredgecolor="black", label=f"{p.kind} at x = {as_fraction(p.x)}", zorder=4)
        ax.plot([p.x], [0.0], "o", markerfacecolor="white", markeredgecolor="black", zorder=3)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$f(x)$,  $f'(x)$")
    kinds = " and the ".join(sorted({p.kind for p in points}))
    marked = f"\n$f'(x) = 0$ at the {kinds}" if points else ""
    ax.set_title(f"{name} and its derivative $f'(x)${marked}", fontsize=10)
    ax.legend(fontsize=8)
    return fig
