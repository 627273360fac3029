"""gradcheck_module: every trainable parameter of a model against central differences of its loss.

The model is duck-typed (``named_parameters()``, ``named_children()``, ``modules()``, ``eval()``: a
``ts.nn.Module``), since autograd imports nothing above it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np

from .base import TensorBase, data_of
from .blame import blame
from .engine import grad
from .jacobians import GradcheckError, agree, check_steps, perturbed_difference, reached, rel_error_text, sample_entries
from .random import default_generator
from .state import enable_grad, no_grad

__all__ = ["gradcheck_module"]


def float64_copy(module):
    """A deep copy of ``module`` in float64, in eval mode, sharing nothing with it.

    Every floating-point Tensor the copy's modules hold (parameters, and any other Tensor attribute) is cast
    to float64. A layer with a ``dtype`` (Dense) casts its input to it, and in float32 the hidden
    activations would be rounded to 7 digits, too coarse for central differences: it is set to float64.
    Eval mode, because a Dropout mask drawn afresh at every forward would make the loss random.
    """
    work = copy.deepcopy(module)
    for m in work.modules():
        for value in vars(m).values():
            for t in value if isinstance(value, (list, tuple)) else (value,):
                if isinstance(t, TensorBase) and t.data.dtype.kind == "f":
                    t.data = t.data.astype(np.float64)
        if isinstance(vars(m).get("dtype"), np.dtype) and m.dtype.kind == "f":
            m.dtype = np.dtype(np.float64)
    work.eval()
    return work


def owners(module) -> dict[str, object]:
    """Dotted prefix -> submodule, as named_parameters spells them ("" for the module itself)."""
    found, stack = {}, [("", module)]
    while stack:
        prefix, m = stack.pop()
        found[prefix] = m
        stack.extend((f"{prefix}{n}.", c) for n, c in m.named_children())
    return {p.rstrip("."): m for p, m in found.items()}


def spelled(path: str, index: tuple, layers: dict) -> str:
    """'0.weight[3, 2] (layer 'dense_1')': the entry in named_parameters' spelling, and its layer's name."""
    owner = max((p for p in layers if p == "" or path.startswith(p + ".")), key=len)
    name = getattr(layers[owner], "name", None)
    entry = path + (str(list(index)) if index else "")
    return entry + (f" (layer {name!r})" if isinstance(name, str) else "")


def as64(a):
    """The user's x or y as a float64 array (integers, labels say, as they are)."""
    if a is None:
        return None
    arr = np.asarray(data_of(a))
    return arr.astype(np.float64) if arr.dtype.kind == "f" else arr


def scalar_loss(loss_fn, work, x, y) -> TensorBase:
    state = default_generator().bit_generator.state  # a layer built on this first call draws its weights
    try:
        with enable_grad():
            value = loss_fn(y, work(x))
    finally:
        default_generator().bit_generator.state = state
    if not isinstance(value, TensorBase) or value.data.size != 1:
        raise ValueError(f"gradcheck_module: loss_fn(y_true, y_pred) must return a scalar Tensor, got "
                         f"{type(value).__name__} of shape {np.shape(data_of(value))}")
    return value


def gradcheck_module(module, loss_fn: Callable, x, y, max_entries: int = 64, seed: int = 0, eps: float = 1e-6,
                     atol: float = 1e-5, rtol: float = 1e-3) -> bool:
    """True when d loss / d p matches central differences of the loss for every trainable parameter p.

    ``loss_fn(y_true, y_pred)`` returns a scalar Tensor, in Keras' order (``ts.losses.mse``). The check
    runs on a float64 copy of ``module`` in eval mode (see ``float64_copy``), so ``module`` is left as it
    was: the analytic gradients come from one backward, the numerical ones from central differences of
    the loss at every entry of a parameter, or at ``max_entries`` entries drawn with
    ``np.random.default_rng(seed)`` when it has more. Raises ``GradcheckError`` naming each failing
    parameter's worst entry (``0.weight[3, 2] (layer 'dense_1')``) and the op to blame (blame.py), or a
    parameter that does not reach the loss.
    """
    if isinstance(max_entries, bool) or not isinstance(max_entries, (int, np.integer)) or max_entries < 1:
        raise ValueError(f"gradcheck_module: max_entries must be a whole number >= 1, got {max_entries!r}")
    check_steps("gradcheck_module", eps, atol, rtol)
    work, x, y = float64_copy(module), as64(x), as64(y)
    value = scalar_loss(loss_fn, work, x, y)
    named = [(n, p) for n, p in work.named_parameters() if p.requires_grad]
    if not named:
        raise ValueError("gradcheck_module: the module has no trainable parameter")
    layers = owners(work)
    cut = [n for (n, _), r in zip(named, reached(value, [p for _, p in named])) if not r]
    if cut:
        which = ", ".join(spelled(n, (), layers) for n in cut)
        raise GradcheckError(
            f"gradcheck_module: parameter{'s' if len(cut) > 1 else ''} {which} {'do' if len(cut) > 1 else 'does'} not "
            "reach the loss in the recorded graph, so no gradient of it can be checked. Likely causes: the forward "
            "does not use it, or the path from it leaves the graph through .data, .numpy(), detach() or numpy.")
    analytic = grad(value, [p for _, p in named], retain_graph=True)
    rng = np.random.default_rng(seed)

    def loss():
        with no_grad():
            return float(np.sum(data_of(loss_fn(y, work(x)))))

    failures, sources = [], []
    for (path, p), g in zip(named, analytic):
        entries = sample_entries(p.data.size, max_entries, rng)
        ja = np.asarray(g.data, dtype=np.float64).ravel()[entries]
        jn = np.array([perturbed_difference(loss, p.data, j, eps) for j in entries])
        if not agree(ja, jn, atol, rtol):
            failures.append(entry_report(path, p, entries, ja, jn, layers, atol, rtol, seed))
            sources.append(p)
    if not failures:
        return True
    raise GradcheckError(f"gradcheck_module failed for {len(failures)} of {len(named)} trainable parameters "
                         f"(atol={atol}, rtol={rtol}):\n" + "\n".join(failures) + "\n"
                         + blame(value, sources, eps, atol, rtol, max_entries, seed))


def entry_report(path, p, entries, ja, jn, layers, atol, rtol, seed) -> str:
    """One failing parameter: its worst entry, how many of the checked entries disagree, and a cut graph."""
    err = np.abs(ja - jn)
    excess = err / (atol + rtol * np.abs(jn))
    excess = np.where(np.isnan(excess), np.inf, excess)
    w = int(np.argmax(excess))
    index = tuple(int(i) for i in np.unravel_index(entries[w], p.shape))
    drawn = f" (drawn with seed {seed})" if len(entries) < p.data.size else ""
    text = (f"  {spelled(path, index, layers)}: analytic {ja[w]:.6g}, numerical {jn[w]:.6g}, abs error {err[w]:.3g}, "
            f"rel error {rel_error_text(err[w], jn[w])}; checked {len(entries)} of {p.data.size} entries{drawn}: "
            f"{int((excess > 1).sum())} disagree")
    if not ja.any() and (np.abs(jn) > atol).any():
        text += ". Its analytic gradient is zero there and the numerical one is not: the graph was probably cut"
    return text
