"""Check analytic gradients against central differences, and name the op whose backward is wrong.

    numerical:  df/dx_j ~ (f(x + eps e_j) - f(x - eps e_j)) / (2 eps), in float64
    agreement:  |analytic - numerical| <= atol + rtol * |numerical|, element by element

An input that does not reach the output in the recorded graph is an error, never a pass: its gradient
would be zero whatever any backward does. An input whose analytic gradient is zero while the numerical
one is not fails with the word that the graph was probably cut. The op to blame is found as blame.py
describes; a whole model is checked by ``gradcheck_module`` (module_check.py).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .base import TensorBase, data_of
from .blame import blame
from .engine import grad
from .jacobians import (
    GradcheckError,
    agree,
    analytic_rows,
    check_steps,
    copies64,
    flat_output,
    identity_probes,
    numerical_columns,
    perturbed_difference,
    reached,
    rel_error,
    rel_error_text,
)
from .ops.shape import Concatenate
from .state import enable_grad, no_grad

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck", "numerical_grad"]

CUT = ("Its analytic gradient is zero everywhere and the numerical one is not: the graph was probably cut between "
       "this input and the output (.data, .numpy(), detach() or numpy in between), or a backward returns zeros "
       "(under gradgradcheck: or computes from the numbers of its inputs, so it is first-order only).\n")


def numerical_grad(fn: Callable, *inputs, eps: float = 1e-6) -> list[np.ndarray]:
    """Central differences of sum(fn(*inputs)) on float64 copies: one array per input."""
    args = copies64(inputs)
    grads = []
    for x in args:
        if not isinstance(x, TensorBase) or x.data.dtype.kind != "f":
            grads.append(None)
            continue
        g = [perturbed_difference(lambda: flat_output(fn, args).sum(), x.data, j, eps) for j in range(x.data.size)]
        grads.append(np.array(g, dtype=np.float64).reshape(x.shape))
    return grads


def unreached_message(x: TensorBase, pos: int) -> str:
    name = x.name or f"input{pos}"
    return (f"gradcheck: input {pos} ({name!r}, shape {x.shape}) does not reach the output in the recorded graph, "
            "so its gradient cannot be checked: it would pass as zero whatever any backward does. Likely causes: "
            "fn ignores this argument and uses a variable from outside instead (a model's own parameters, say: "
            "to check a model, use ts.gradcheck_module), or the path from it to the output leaves the graph "
            "through .data, .numpy(), detach() or numpy in between.")


def table(ja, jn, out_shape, in_shape, atol, rtol, name, rows=5) -> tuple[str, int]:
    """The worst elements, worst first (by how far each is beyond its tolerance), and the flat index of the worst."""
    err = np.abs(ja - jn)
    excess = err / (atol + rtol * np.abs(jn))
    excess = np.where(np.isnan(excess), np.inf, excess)
    order = np.argsort(excess, axis=None)[::-1][:rows]
    lines = [f"  {'d out[...]':>12} {'/ d ' + name + '[...]':>14} {'analytic':>12} {'numerical':>12} "
             f"{'abs err':>10} {'rel err':>10}"]
    for flat in order:
        k, j = np.unravel_index(flat, ja.shape)
        oi, ii = np.unravel_index(k, out_shape or (1,)), np.unravel_index(j, in_shape or (1,))
        lines.append(f"  {str(tuple(int(v) for v in oi)):>12} {str(tuple(int(v) for v in ii)):>14} "
                     f"{ja[k, j]:>12.6g} {jn[k, j]:>12.6g} {err[k, j]:>10.3g} {rel_error(err[k, j], jn[k, j]):>10.3g}")
    return "\n".join(lines), order[0]


def failure_message(x, pos, out, ja, jn, atol, rtol) -> str:
    name = x.name or f"input{pos}"
    out_shape = np.shape(data_of(out))
    rows, worst = table(ja, jn, out_shape, x.shape, atol, rtol, name)
    k, j = np.unravel_index(worst, ja.shape)
    ii = list(int(v) for v in np.unravel_index(j, x.shape or (1,)))
    oi = "" if out_shape == () else list(int(v) for v in np.unravel_index(k, out_shape))
    abs_err = abs(ja[k, j] - jn[k, j])
    cut = CUT if not ja.any() and (np.abs(jn) > atol).any() else ""
    return (f"gradcheck failed for input {pos} ({name!r}, shape {x.shape}): worst at d out{oi} / d {name}{ii}: "
            f"analytic {ja[k, j]:.6g}, numerical {jn[k, j]:.6g}, abs error {abs_err:.3g}, "
            f"rel error {rel_error_text(abs_err, jn[k, j])} (atol={atol}, rtol={rtol}).\n{cut}"
            f"The worst elements:\n{rows}\n")


def gradcheck(fn: Callable, *inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3) -> bool:
    """True when every input that requires grad has d fn / d input equal to central differences.

    ``fn`` takes the inputs (as float64 copies) and returns a Tensor; a non-scalar output is checked
    through its full Jacobian. Raises ``GradcheckError`` naming the input, the worst elements and
    the op whose backward is wrong, or naming an input that does not reach the output (an argument
    ``fn`` ignores, or one cut off by ``.data``, ``.numpy()``, ``detach()`` or numpy); the inputs are left
    unchanged.

    The op to blame (blame.py): every op on a path from the first failing input to the output is re-run
    alone on float64 copies of what it was given, and its backward compared with central differences of
    its own forward, only for its inputs on that path. Every op that disagrees alone is named, in forward
    order; an op that cannot be re-run alone is listed as not re-checked.
    """
    check_steps("gradcheck", eps, atol, rtol)
    return check(fn, inputs, eps, atol, rtol)


def check(fn: Callable, inputs, eps: float, atol: float, rtol: float, unreached_ok: bool = False) -> bool:
    """gradcheck; with ``unreached_ok`` an input the output does not reach counts as an analytic zero."""
    if not callable(fn):
        raise TypeError(f"gradcheck: fn must be a function of the inputs, got {fn!r} ({type(fn).__name__}); "
                        "call gradcheck(fn, *inputs)")
    positions = [i for i, x in enumerate(inputs) if isinstance(x, TensorBase) and x.requires_grad]
    if not positions:
        raise ValueError("gradcheck: no input requires grad; make one with requires_grad=True")
    args = copies64(inputs)
    with enable_grad():  # under no_grad too: the analytic side needs a graph
        out = fn(*args)
    checked = [args[i] for i in positions]
    reach = reached(out, checked)
    for pos, r in zip(positions, reach):
        if not r and not unreached_ok:
            raise GradcheckError(unreached_message(inputs[pos], pos))
    probes = identity_probes(int(np.size(data_of(out))))
    live = iter(analytic_rows(out, [x for x, r in zip(checked, reach) if r], probes))
    for pos, x, r in zip(positions, checked, reach):
        ja = next(live) if r else np.zeros((len(probes), x.data.size))
        jn = numerical_columns(fn, args, x, probes, range(x.data.size), eps)
        if not agree(ja, jn, atol, rtol):
            msg = failure_message(inputs[pos], pos, out, ja, jn, atol, rtol)
            if r and isinstance(out, TensorBase) and out.grad_fn is not None:
                msg += blame(out, [x], eps, atol, rtol)
            raise GradcheckError(msg)
    return True


def gradgradcheck(fn: Callable, *inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  seed: int = 0) -> bool:
    """gradcheck of x -> grad(fn(x), x, v, create_graph=True) for a fixed random v: second derivatives.

    A first derivative that does not depend on an input (fn linear in it) is checked as zero there.
    """
    check_steps("gradgradcheck", eps, atol, rtol)
    args = copies64(inputs)
    with no_grad():
        shape = np.shape(data_of(fn(*args)))
    v = np.random.default_rng(seed).standard_normal(shape)

    def first_derivatives(*xs):
        checked = [x for x in xs if isinstance(x, TensorBase) and x.requires_grad]
        with enable_grad():  # central differences call this under no_grad; it needs a graph all the same
            gs = grad(fn(*xs), checked, grad_outputs=v, create_graph=True, allow_unused=True)
        parts = [g.reshape(-1) for g in gs if g is not None]
        if not parts:
            raise GradcheckError("gradgradcheck: fn's output does not depend on any input that requires grad, so "
                                 "it has no first derivative to differentiate again; check fn with ts.gradcheck")
        return Concatenate.apply(*parts) if len(parts) > 1 else parts[0]

    return check(first_derivatives, inputs, eps, atol, rtol, unreached_ok=True)
