"""The backpropagation exercise: delta^[l] for every layer, and the update of every w^[l] and b^[l], in the
slides' convention (docs/seminar.md): delta is minus p times the engine's gradient of the mean loss with
respect to z^[l], and the update adds eta delta^[l] a^[l-1]^T summed over the p columns.

The report lists every delta^[l] from the output layer down (the order backpropagation computes them), right
or wrong, and marks the first wrong one; then the updated w^[l] and b^[l].
"""

from __future__ import annotations

import numpy as np

from ..autograd import grad
from ..rules.losses import DEFAULT_LOSS
from . import solutions
from .catalogue import Case, exercise
from .hints import Negated, Scaled, missing_dphi, per_p, wrong_argument
from .reference import DERIVATIVE_SLIPS, activate, leaf
from .runners import ReturnError

__all__ = ["backprop", "engine_backprop"]

#: the table's pairs as the engine's losses, each the mean over the p columns (from the logits z where it can)
LOSSES = {"squared": lambda z, a, Y, p: (0.5 * (Y - a) ** 2).sum() / p,
          "bce": lambda z, a, Y, p: (z.softplus() - Y * z).sum() / p,
          "cce": lambda z, a, Y, p: -(Y * z.log_softmax(axis=0)).sum() / p}


LOSS_NAMES = {"squared": "1/2 squared error", "bce": "BCE", "cce": "CCE"}


def engine_backprop(w, b, X, Y, eta, hidden, output, wrong_dphi=None) -> dict:
    """The outputs the exercise expects, from ts.grad: delta^[l] = -p dE/dz^[l], w^[l] - eta p dE/dw^[l]...

    ``wrong_dphi``: a DERIVATIVE_SLIPS entry put into every activation's backward (a variant)."""
    L, p = len(w) - 1, X.shape[1]
    W, B = [None] + [leaf(m) for m in w[1:]], [None] + [leaf(v) for v in b[1:]]
    loss = DEFAULT_LOSS[output]
    a, zs = leaf(X, requires_grad=False), [None]
    for l in range(1, L + 1):
        zs.append(W[l] @ a + B[l])
        if l < L or loss == "squared":  # BCE and CCE are computed from the logits z^[L]
            a = activate(zs[l], hidden if l < L else output, wrong_dphi)
    E = LOSSES[loss](zs[L], a, np.asarray(Y, dtype=np.float64), p)
    from_engine = [g.numpy() for g in grad(E, zs[1:] + W[1:] + B[1:])]
    dz, dw, db = from_engine[:L], from_engine[L:2 * L], from_engine[2 * L:]
    out = {f"delta^[{l}]": -p * dz[l - 1] for l in range(L, 0, -1)}
    out.update({f"w^[{l}]": w[l] - eta * p * dw[l - 1] for l in range(1, L + 1)})
    out.update({f"b^[{l}]": b[l] - eta * p * db[l - 1] for l in range(1, L + 1)})
    return out


def _targets(rng, output: str, m: int, p: int) -> np.ndarray:
    if output == "sigmoid":
        return rng.integers(0, 2, (m, p)).astype(float)
    if output == "softmax":
        return np.eye(m)[:, rng.integers(0, m, p)]
    return rng.uniform(-0.9, 0.9, (m, p))


def _network_case(rng, title, dims, hidden, output, p, zero=False) -> Case:
    w = [None] + [rng.uniform(-1, 1, (dims[l], dims[l - 1])) for l in range(1, len(dims))]
    b = [None] + [rng.uniform(-1, 1, (dims[l], 1)) for l in range(1, len(dims))]
    X = np.zeros((dims[0], p)) if zero else rng.normal(size=(dims[0], p))
    Y, eta = _targets(rng, output, dims[-1], p), round(float(rng.uniform(0.05, 0.5)), 3)
    expected = engine_backprop(w, b, X, Y, eta, hidden, output)
    variants = {key: engine_backprop(w, b, X, Y, eta, hidden, output, make) for key, make in DERIVATIVE_SLIPS.items()}
    base = {f"{k}^[{l}]": v[l] for k, v in (("w", w), ("b", b)) for l in range(1, len(dims))}
    args = {"w": w, "b": b, "X": X, "Y": Y, "eta": eta, "hidden_activation": hidden, "output_activation": output}
    loss = LOSS_NAMES[DEFAULT_LOSS[output]]
    return Case(f"{title}: {len(dims) - 1} layers, {hidden} hidden, {output} output ({loss})", args, expected,
                base=base, variants=variants, info={"p": p})


def _network_cases(rng):
    def sizes(n_out):
        return [int(rng.integers(2, 5)), int(rng.integers(2, 6)), n_out]

    def p():
        return int(rng.integers(2, 7))

    return [_network_case(rng, "random", sizes(1), "tanh", "sigmoid", p()),
            _network_case(rng, "random", [*sizes(3)[:2], int(rng.integers(2, 5)), 3], "relu", "softmax", p()),
            _network_case(rng, "random", sizes(2), "sigmoid", "linear", p()),
            _network_case(rng, "random", sizes(2), "tanh", "tanh", p()),
            _network_case(rng, "a batch of one", sizes(2), "sigmoid", "sigmoid", 1),
            _network_case(rng, "a zero input", sizes(3), "tanh", "softmax", p(), zero=True)]


def _layers(what: str, value, L: int) -> list:
    """w, b or deltas as returned: a list with index 0 None (as ts.rules.backprop), or one without it."""
    if not isinstance(value, (list, tuple)):
        raise ReturnError(f"{what} must be a list (index 0 None, then layers 1..{L}); got {type(value).__name__}")
    value = list(value)
    if len(value) == L + 1 and value[0] is None:
        return value
    if len(value) == L:
        return [None, *value]
    raise ReturnError(f"{what} must list layers 1..{L} after index 0 None (as ts.rules.backprop): {L + 1} "
                      f"entries; got {len(value)}")


def _unpack(returned, case) -> dict:
    if not isinstance(returned, (tuple, list)) or len(returned) != 3:
        raise ReturnError("return (deltas, w, b): three lists, each with index 0 None")
    L = len(case.args["w"]) - 1
    deltas, w, b = (_layers(what, v, L) for what, v in zip(("deltas", "w", "b"), returned))
    out = {f"delta^[{l}]": deltas[l] for l in range(L, 0, -1)}
    out.update({f"w^[{l}]": w[l] for l in range(1, L + 1)})
    out.update({f"b^[{l}]": b[l] for l in range(1, L + 1)})
    return out


backprop = exercise(
    id="backprop", title="Backpropagation: every delta^[l] and the update", topic="8. Dense networks",
    reference=solutions.backprop, unpack=_unpack,
    signature="w, b, X, Y, eta, hidden_activation, output_activation",
    statement="""
    A dense network in the slides' notation: w^[l] (n_l, n_(l-1)), b^[l] (n_l, 1), the lists w and b with
    index 0 None so that w[l] is w^[l]; X (n_0, p) and Y (n_L, p), samples in columns.

        a^[0] = X,  z^[l] = w^[l] a^[l-1] + b^[l],  a^[l] = phi^[l](z^[l])
        delta^[L] = (Y - a^[L]) (.) phi'(z^[L])        (just Y - a^[L] for sigmoid + BCE, softmax + CCE)
        delta^[l] = (w^[l+1]^T delta^[l+1]) (.) phi'(z^[l])   for l = L-1, ..., 1
        w^[l] <- w^[l] + eta delta^[l] a^[l-1]^T,   b^[l] <- b^[l] + eta delta^[l] 1_p   (sums over the p columns)

    phi^[l] is hidden_activation for l < L ('linear', 'sigmoid', 'tanh' or 'relu') and output_activation
    for l = L; the loss is the summary table's pair: sigmoid -> BCE, softmax -> CCE, linear or tanh -> the
    1/2 squared error, whose delta keeps phi'. Return (deltas, new_w, new_b), three lists with index 0
    None, as ts.rules.backprop does. The reference: delta^[l] = -p dE/dz^[l] by ts.grad of the mean loss E.
    """,
    slips=(missing_dphi(), wrong_argument("z_for_a", "the table writes phi' through a = phi(z), and you evaluated "
                                                     "that formula at z (use a^[l], not z^[l])"),
           wrong_argument("dphi_at_a", "this is phi'(a^[l]); the derivative belongs at z^[l]"),
           per_p("the slides' delta and update sum over the p columns; they do not divide by p"),
           Scaled(lambda case: case.info["p"], "a factor of p: p times the expected"),
           Negated("the opposite sign: delta^[L] = Y - a^[L] (minus the gradient), and the update adds eta delta")),
)(_network_cases)
