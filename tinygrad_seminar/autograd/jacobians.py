"""What the gradient checks share: float64 copies, Jacobians both ways, reach, and how errors are spelt.

A Jacobian is compared through probes: rows ``v`` of a matrix ``V`` over the output's elements. The
analytic side is ``v^T J`` (one backward with ``grad_outputs=v``), the numerical side the central
difference of ``v . f`` at each entry of the input. With ``V`` the identity that is the full Jacobian,
element by element (``gradcheck``); for a large output a few random probes stand in for it, and for a
large input a sample of its entries (the op-by-op re-check in blame.py).
"""

from __future__ import annotations

import numpy as np

from . import arguments
from .base import TensorBase, data_of
from .engine import grad, toposort
from .state import enable_grad, no_grad

__all__ = ["GradcheckError", "agree", "analytic_rows", "copy64", "copies64", "flat_output", "identity_probes",
           "numerical_columns", "perturbed_difference", "reached", "rel_error", "rel_error_text", "sample_entries"]


def check_steps(owner: str, eps, atol, rtol) -> None:
    """eps in (0, 1] (a step of 0 divides by zero), atol and rtol >= 0: else the error naming the argument."""
    arguments.real(eps, "eps", owner, lo=0, hi=1, lo_open=True)
    arguments.real(atol, "atol", owner, lo=0)
    arguments.real(rtol, "rtol", owner, lo=0)


class GradcheckError(AssertionError):
    """An analytic gradient disagrees with central differences, or cannot be checked; the message says where."""


def copy64(x: TensorBase) -> TensorBase:
    """A leaf copy of ``x`` of its own class, in row-major order, float64 if ``x`` is floating; keeps requires_grad.

    ``np.array(w.T)`` keeps the column-major order of a transposed view, and ``data.reshape(-1)`` of
    such a copy is a copy again: the checker once perturbed that "flat view", changed nothing, found
    every numerical derivative 0 and blamed the right op after a ``.T``. Copies are row-major now, and
    ``perturbed_difference`` indexes the array itself.
    """
    data = x.data
    t = type(x).from_array(np.array(data, dtype=np.float64 if data.dtype.kind == "f" else data.dtype, order="C"),
                           name=x.name)
    return t.requires_grad_(True) if x.requires_grad else t


def copies64(inputs) -> list:
    """float64 copies of every Tensor among ``inputs`` (see ``copy64``); anything else as it is."""
    return [copy64(x) if isinstance(x, TensorBase) else x for x in inputs]


def flat_output(fn, args) -> np.ndarray:
    """fn(*args) run without recording, as a flat float64 array."""
    with no_grad():
        out = fn(*args)
    return np.array(data_of(out), dtype=np.float64).ravel()


def perturbed_difference(f, data: np.ndarray, j: int, eps: float):
    """(f() at data[j] + eps  -  f() at data[j] - eps) / (2 eps): ``data`` is changed in place and restored."""
    idx = np.unravel_index(j, data.shape)
    v = data[idx]
    try:
        data[idx] = v + eps
        fp = f()
        data[idx] = v - eps
        fm = f()
    finally:
        data[idx] = v
    return (fp - fm) / (2 * eps)


def derivative_jumps(fn, args, x: TensorBase, probes: np.ndarray, entries, eps: float) -> bool:
    """Whether at one of ``entries`` of ``x`` the one-sided differences disagree: a kink (relu at exactly 0).

    Central differences average the two sides there, so no backward can match them; for a smooth function
    the two sides differ by about eps * f'', far below the threshold.
    """
    f = lambda: flat_output(fn, args)  # noqa: E731 - read at each nudge
    base = f()
    for j in entries:
        idx = np.unravel_index(j, x.data.shape)
        v = x.data[idx]
        try:
            x.data[idx] = v + eps
            right = probes @ ((f() - base) / eps)
            x.data[idx] = v - eps
            left = probes @ ((base - f()) / eps)
        finally:
            x.data[idx] = v
        if not np.allclose(right, left, atol=1e-3, rtol=1e-2):
            return True
    return False


def identity_probes(n: int) -> np.ndarray:
    """The probes of the full Jacobian: one per output element."""
    return np.eye(n)


def sample_entries(size: int, max_entries: int, rng: np.random.Generator) -> np.ndarray:
    """Every flat index of an array of ``size`` elements, or ``max_entries`` of them drawn by ``rng``, in order."""
    if size <= max_entries:
        return np.arange(size)
    return np.sort(rng.choice(size, max_entries, replace=False))


def analytic_rows(out: TensorBase, checked: list, probes: np.ndarray) -> list:
    """For each checked tensor, ``probes @ J`` (probes x its size) from one backward per probe."""
    rows = [np.zeros((len(probes), x.data.size)) for x in checked]
    if not checked:
        return rows
    for k, v in enumerate(probes):
        with enable_grad():
            gs = grad(out, checked, grad_outputs=v.reshape(out.shape).astype(out.dtype), retain_graph=True,
                      allow_unused=True)
        for r, g in zip(rows, gs):
            if g is not None:
                r[k] = np.asarray(data_of(g), dtype=np.float64).ravel()
    return rows


def numerical_columns(fn, args, x: TensorBase, probes: np.ndarray, entries, eps: float) -> np.ndarray:
    """``probes @ J`` at the given entries of ``x`` (an element of ``args``), by central differences."""
    cols = [probes @ perturbed_difference(lambda: flat_output(fn, args), x.data, j, eps) for j in entries]
    return np.stack(cols, axis=1) if cols else np.zeros((len(probes), 0))


def agree(analytic: np.ndarray, numerical: np.ndarray, atol: float, rtol: float) -> bool:
    return bool(np.allclose(analytic, numerical, atol=atol, rtol=rtol, equal_nan=False))


def reached(out, tensors) -> list[bool]:
    """For each tensor: is it ``out``, or an input of some op of the graph recorded from it to the leaves?"""
    seen = set()
    if isinstance(out, TensorBase):
        seen.add(id(out))
        for t in toposort([out]):
            seen.update(id(p) for p in t.grad_fn.inputs if isinstance(p, TensorBase))
    return [id(t) in seen for t in tensors]


def rel_error(abs_err: float, numerical: float) -> float:
    return abs_err / abs(numerical) if numerical != 0 else float("inf")


def rel_error_text(abs_err: float, numerical: float) -> str:
    """The relative error, or "inf" and why, when the numerical derivative is exactly 0."""
    if numerical == 0:
        return "inf (the numerical derivative is 0, so only the abs error says how far off the analytic one is)"
    return f"{abs_err / abs(numerical):.3g}"
