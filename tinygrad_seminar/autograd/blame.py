"""Which op to blame when a gradient check fails: each op between the failing input and the output, re-checked alone.

How the re-check chooses: the gradient of an input ``w`` is wrong only if some op that ``w`` flows through
has a backward that is wrong for the input of that op through which ``w`` flows. So the re-check walks the
recorded graph in forward order and takes the ops on a path from ``w`` (or from the failing parameters) to
the output, each only with respect to its inputs on such a path. Each such op is re-run alone,
``type(node).apply(*copies, **node.kwargs)``, on float64 row-major copies of the values it was given, and
its backward is compared with central differences of its own forward, with the caller's tolerances (for a
large op, through 4 random probes of its output and a sample of ``max_entries`` entries of each input;
see jacobians.py). An op that fails alone is wrong whatever comes before or after it, so every op that
fails is named, in forward order, with its place in the graph and its input shapes: in a two-layer network
with a wrong activation in both layers, both are named. An op that cannot be re-run alone (its forward
raises outside the code around it, or it computes in float32 whatever it is given) is listed as not
re-checked: it is not cleared.
"""

from __future__ import annotations

import numpy as np

from .base import TensorBase, data_of
from .engine import toposort
from .jacobians import (
    agree,
    analytic_rows,
    copies64,
    derivative_jumps,
    identity_probes,
    numerical_columns,
    sample_entries,
)
from .ops.shape import Concatenate, Reshape
from .several import OutputOf
from .state import enable_grad

__all__ = ["blame", "recheck"]

PROBES = 4  # random probes of the output of an op with more than max_entries elements


def blame(out: TensorBase, sources, eps: float, atol: float, rtol: float, max_entries: int = 64,
          seed: int = 0) -> str:
    """Re-check alone every op on a path from ``sources`` to ``out``; say which disagree and which were not checked."""
    order = list(reversed(toposort([out])))  # forward order
    on_path = {id(s) for s in sources}
    rng = np.random.default_rng(seed)
    blamed, unchecked, kinks = [], [], []
    for n, t in enumerate(order, 1):
        node = t.grad_fn
        positions = [k for k, a in enumerate(node.inputs) if isinstance(a, TensorBase) and id(a) in on_path]
        if not positions:
            continue
        on_path.add(id(t))
        if isinstance(node, OutputOf):
            continue  # passes one output's gradient on as it is; the Function it reads is re-checked
        shapes = ", ".join(str(np.shape(data_of(a))) for a in node.inputs)
        where = f"{type(node).__name__} (node {n} of {len(order)} in forward order, inputs of shape {shapes})"
        verdict = recheck(node, positions, eps, atol, rtol, max_entries, rng)
        if isinstance(verdict, str):
            unchecked.append(f"{where}: {verdict}")
            continue
        failing, kinked = verdict
        if failing:
            blamed.append(f"{where}, for its input{'s' if len(failing) > 1 else ''} {', '.join(map(str, failing))}")
        if kinked:
            kinks.append(f"{where}, at input {', '.join(map(str, kinked))}")
    return describe(blamed, unchecked, kinks)


def recheck(node, positions: list, eps: float, atol: float, rtol: float, max_entries: int, rng) -> tuple | str:
    """(positions where the op's backward disagrees alone, positions where its derivative jumps), or why it cannot
    be re-checked. At a jump (a kink) central differences cannot judge the backward, so the op is not blamed."""
    cls, kwargs = type(node), node.kwargs

    def one_op(*xs):
        res = cls.apply(*xs, **kwargs)
        return joined(res) if type(res) is tuple else res  # several outputs: checked as one vector

    args = copies64(node.inputs)
    try:
        with enable_grad():
            res = one_op(*args)
    except Exception as e:  # whatever a student's op raises is reported, not skipped
        return f"re-run alone, its forward raised {type(e).__name__}: {e}"
    if not isinstance(res, TensorBase) or not res.requires_grad:
        return "re-run alone, its output does not depend on its inputs"
    if res.dtype != np.float64:
        return (f"given float64 inputs it computes in {res.dtype}, too coarse for central differences (a float32 "
                "layer casts what it is given: check a model with ts.gradcheck_module, which checks a float64 copy "
                "of it, or make the layer with dtype='float64')")
    n_out = res.data.size
    if n_out <= max_entries:
        probes = identity_probes(n_out)
    else:
        probes = rng.choice([-1.0, 1.0], (PROBES, n_out)) * rng.uniform(0.5, 1.5, (PROBES, n_out))
    checked = [args[k] for k in positions]
    failing, kinked = [], []
    try:
        for k, x, ja in zip(positions, checked, analytic_rows(res, checked, probes)):
            entries = sample_entries(x.data.size, max_entries, rng)
            if not agree(ja[:, entries], numerical_columns(one_op, args, x, probes, entries, eps), atol, rtol):
                (kinked if derivative_jumps(one_op, args, x, probes, entries, eps) else failing).append(k)
    except Exception as e:
        return f"re-checking it raised {type(e).__name__}: {e}"
    return failing, kinked


def joined(outputs: tuple) -> TensorBase | tuple:
    """The outputs that carry a gradient, flattened into one vector (to check a backward against differences)."""
    parts = [Reshape.apply(o, shape=(-1,)) for o in outputs if o.requires_grad]
    return outputs if not parts else Concatenate.apply(*parts, axis=0)


def describe(blamed: list, unchecked: list, kinks: list = ()) -> str:
    if kinks and not blamed:
        text = ("No op is to blame: the check ran at a point where a derivative jumps, where central differences "
                "average the two sides and no backward can match them:\n" + "\n".join(f"  {k}" for k in kinks)
                + "\nMove the point (e.g. biases or data not exactly 0 for a relu) and check again.")
        return text + ("\nNot re-checked (so not cleared), as they cannot be re-run alone:\n" + "\n".join(
            f"  {u}" for u in unchecked) if unchecked else "")
    if len(blamed) == 1:
        text = f"The op whose backward disagrees with its forward: {blamed[0]}."
    elif blamed:
        text = "The ops whose backward disagrees with their forward, in forward order:\n" + "\n".join(
            f"  {b}" for b in blamed)
    elif unchecked:
        text = ("Every op re-checked on the way from this input to the output agrees with central differences on "
                "its own, so look first at those that could not be re-checked (below).")
    else:
        text = ("Every op on the way from this input to the output agrees with central differences on its own. "
                "Look at what the graph does not record between them (.data, .numpy(), detach() or numpy in "
                "between), at randomness that changes from call to call, or at a point where a derivative jumps "
                "(relu at 0, a tie of max).")
    if unchecked:
        text += "\nNot re-checked (so not cleared), as they cannot be re-run alone:\n" + "\n".join(
            f"  {u}" for u in unchecked)
    return text
