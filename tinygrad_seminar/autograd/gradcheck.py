"""Check analytic gradients against central differences, and name the op whose backward is wrong.

    numerical:  df/dx_j ~ (f(x + eps e_j) - f(x - eps e_j)) / (2 eps), in float64
    agreement:  |analytic - numerical| <= atol + rtol * |numerical|, element by element
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .base import data_of
from .engine import grad, toposort
from .ops.shape import Concatenate
from .state import enable_grad, no_grad
from .tensor import Tensor


class GradcheckError(AssertionError):
    """An analytic gradient disagrees with central differences; the message says where."""


def _copies64(inputs):
    """float64 copies of every input; Tensors keep their requires_grad."""
    out = []
    for x in inputs:
        if isinstance(x, Tensor):
            t = Tensor(np.array(x.data, dtype=np.float64) if x.dtype.kind == "f" else x.data.copy())
            out.append(t.requires_grad_(True) if x.requires_grad else t)
        else:
            out.append(x)
    return out


def _flat_output(fn, args) -> np.ndarray:
    with no_grad():
        out = fn(*args)
    return np.array(data_of(out), dtype=np.float64).ravel()


def numerical_grad(fn: Callable, *inputs, eps: float = 1e-6) -> list[np.ndarray]:
    """Central differences of sum(fn(*inputs)) on float64 copies: one array per input."""
    args = _copies64(inputs)
    grads = []
    for x in args:
        if not isinstance(x, Tensor) or x.dtype.kind != "f":
            grads.append(None)
            continue
        g = np.zeros(x.shape)
        flat = x.data.reshape(-1)  # a view: perturbing it perturbs x
        for j in range(flat.size):
            v = flat[j]
            flat[j] = v + eps
            fp = _flat_output(fn, args).sum()
            flat[j] = v - eps
            fm = _flat_output(fn, args).sum()
            flat[j] = v
            g.flat[j] = (fp - fm) / (2 * eps)
        grads.append(g)
    return grads


def _numerical_jacobian(fn, args, x, eps):
    flat = x.data.reshape(-1)
    cols = []
    for j in range(flat.size):
        v = flat[j]
        flat[j] = v + eps
        fp = _flat_output(fn, args)
        flat[j] = v - eps
        fm = _flat_output(fn, args)
        flat[j] = v
        cols.append((fp - fm) / (2 * eps))
    return np.stack(cols, axis=1) if cols else np.zeros((0, 0))


def _analytic_jacobians(fn, args, checked):
    out = fn(*args)
    n_out = int(np.size(data_of(out)))
    rows = [np.zeros((n_out, x.size)) for x in checked]
    if not isinstance(out, Tensor) or not out.requires_grad:
        return out, rows
    for k in range(n_out):
        seed = np.zeros(out.shape, dtype=out.dtype)
        seed.flat[k] = 1
        gs = grad(out, checked, grad_outputs=seed, retain_graph=True, allow_unused=True)
        for r, g in zip(rows, gs):
            if g is not None:
                r[k] = g.data.ravel()
    return out, rows


def _compare(fn, args, eps, atol, rtol):
    """(position, analytic, numerical) of the first checked input whose Jacobian disagrees, or None."""
    checked = [x for x in args if isinstance(x, Tensor) and x.requires_grad]
    out, analytic = _analytic_jacobians(fn, args, checked)
    positions = [i for i, x in enumerate(args) if isinstance(x, Tensor) and x.requires_grad]
    for pos, x, ja in zip(positions, checked, analytic):
        jn = _numerical_jacobian(fn, args, x, eps)
        if not np.allclose(ja, jn, atol=atol, rtol=rtol, equal_nan=False):
            return out, pos, ja, jn
    return out, None, None, None


def _table(ja, jn, out_shape, in_shape, atol, rtol, name, rows=5) -> str:
    err = np.abs(ja - jn)
    excess = err / (atol + rtol * np.abs(jn))
    excess = np.where(np.isnan(excess), np.inf, excess)
    order = np.argsort(excess, axis=None)[::-1][:rows]
    lines = [f"  {'d out[...]':>12} {'/ d ' + name + '[...]':>14} {'analytic':>12} {'numerical':>12} "
             f"{'abs err':>10} {'rel err':>10}"]
    for flat in order:
        k, j = np.unravel_index(flat, ja.shape)
        oi, ii = np.unravel_index(k, out_shape or (1,)), np.unravel_index(j, in_shape or (1,))
        rel = err[k, j] / max(abs(jn[k, j]), 1e-300)
        lines.append(f"  {str(tuple(int(v) for v in oi)):>12} {str(tuple(int(v) for v in ii)):>14} "
                     f"{ja[k, j]:>12.6g} {jn[k, j]:>12.6g} {err[k, j]:>10.3g} {rel:>10.3g}")
    return "\n".join(lines), order[0]


def _blame(out: Tensor, eps, atol, rtol) -> str:
    """Re-check every op of the graph on its own, in forward order; describe the first that fails."""
    for node_out in reversed(toposort([out])):
        node = node_out.grad_fn
        cls = type(node)
        args = _copies64(node.inputs)
        if not any(isinstance(a, Tensor) and a.requires_grad for a in args):
            continue
        try:
            def one_op(*xs, cls=cls, kw=node.kwargs):
                return cls.apply(*xs, **kw)

            res, pos, ja, jn = _compare(one_op, args, eps, atol, rtol)
        except Exception:  # an op that cannot be re-run alone is not the one to blame
            continue
        if pos is not None and res.dtype == np.float64:
            shapes = ", ".join(str(np.shape(data_of(a))) for a in node.inputs)
            return (f"The op whose backward disagrees with its forward: {cls.__name__} (inputs of shape "
                    f"{shapes}), for its input {pos}.")
    return "Every op agrees on its own, so look at how fn combines them (a detach, .data, or numpy in between)."


def gradcheck(fn: Callable, *inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3) -> bool:
    """True when every input that requires grad has d fn / d input equal to central differences.

    ``fn`` takes the inputs (as float64 copies) and returns a Tensor; a non-scalar output is checked
    through its full Jacobian. Raises ``GradcheckError`` naming the input, the worst elements and
    the op whose backward is wrong; the inputs are left unchanged.
    """
    if not any(isinstance(x, Tensor) and x.requires_grad for x in inputs):
        raise ValueError("gradcheck: no input requires grad; make one with requires_grad=True")
    args = _copies64(inputs)
    out, pos, ja, jn = _compare(fn, args, eps, atol, rtol)
    if pos is None:
        return True
    x = inputs[pos]
    name = x.name or f"input{pos}"
    table, worst = _table(ja, jn, np.shape(data_of(out)), x.shape, atol, rtol, name)
    k, j = np.unravel_index(worst, ja.shape)
    ii = tuple(int(v) for v in np.unravel_index(j, x.shape or (1,)))
    out_shape = np.shape(data_of(out))
    oi = "" if out_shape == () else list(int(v) for v in np.unravel_index(k, out_shape))
    abs_err = abs(ja[k, j] - jn[k, j])
    msg = (f"gradcheck failed for input {pos} ({name!r}, shape {x.shape}): worst at d out{oi} / "
           f"d {name}{list(ii)}: analytic {ja[k, j]:.6g}, numerical {jn[k, j]:.6g}, abs error {abs_err:.3g}, "
           f"rel error {abs_err / max(abs(jn[k, j]), 1e-300):.3g} (atol={atol}, rtol={rtol}).\n"
           f"The worst elements:\n{table}\n")
    if isinstance(out, Tensor) and out.requires_grad:
        msg += _blame(out, eps, atol, rtol)
    raise GradcheckError(msg)


def gradgradcheck(fn: Callable, *inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  seed: int = 0) -> bool:
    """gradcheck of x -> grad(fn(x), x, v, create_graph=True) for a fixed random v: second derivatives."""
    args = _copies64(inputs)
    with no_grad():
        shape = np.shape(data_of(fn(*args)))
    v = np.random.default_rng(seed).standard_normal(shape)

    def first_derivatives(*xs):
        checked = [x for x in xs if isinstance(x, Tensor) and x.requires_grad]
        with enable_grad():  # central differences call this under no_grad; it needs a graph all the same
            gs = grad(fn(*xs), checked, grad_outputs=v, create_graph=True, allow_unused=True)
        parts = [g.reshape(-1) for g in gs if g is not None]
        return Concatenate.apply(*parts) if len(parts) > 1 else parts[0]

    return gradcheck(first_derivatives, *inputs, eps=eps, atol=atol, rtol=rtol)
