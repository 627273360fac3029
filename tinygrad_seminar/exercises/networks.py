"""Exercises on the softmax layer, in the slides' layout (classes in rows, samples in columns): the softmax
Jacobian and the softmax + CCE gradient. The references: ``ts.grad`` on float64 Tensors.
"""

from __future__ import annotations

import numpy as np

from ..rules.activations import softmax
from . import solutions
from .catalogue import Case, exercise
from .hints import Mapped, Variant, factor_p, sign, transposed
from .reference import gradients, jacobian, leaf

__all__ = ["softmax_cce_gradient", "softmax_jacobian"]

LARGE = np.array([1000.0, 0.0, -1000.0, 999.0])  # logits whose exp overflows unless shifted by the max


def _jacobian_case(title: str, z: np.ndarray) -> Case:
    return Case(title, {"z": z}, jacobian(lambda t: t.softmax(axis=0), z), info={"S": softmax(z)})


def _jacobian_cases(rng):
    zs = [("random", rng.normal(0, 2, int(rng.integers(2, 7)))) for _ in range(3)]
    zs += [("two classes", rng.normal(0, 2, 2)), ("a zero input (S uniform)", np.zeros(4)),
           ("large logits (|z| up to 1000)", LARGE)]
    return [_jacobian_case(title, z) for title, z in zs]


softmax_jacobian = exercise(
    id="softmax_jacobian", title="The softmax Jacobian", topic="7. Softmax and categorical cross-entropy",
    reference=solutions.softmax_jacobian,
    statement="""
    The softmax of the slides, S(z)_j = e^{z_j} / sum_i e^{z_i}, maps the m logits z of one sample to m
    probabilities. It is not elementwise: every S_i depends on every z_j. Return its Jacobian J (m, m),

        J[i, j] = dS_i / dz_j   (row i: the output S_i; column j: the input z_j),

    for z a 1-D array of m logits: one sample, the slides' column z in R^m. Mind large logits:
    S(z) = S(z - max z). The reference: ts.grad of each S_i (the engine's softmax).
    """,
    slips=(sign("J = diag(S) - S S^T: its diagonal S_i (1 - S_i) is positive"),
           Mapped(lambda out, case: np.diag(np.diag(out.expected)),
                  "only the diagonal: softmax is not elementwise; off the diagonal dS_i/dz_j = -S_i S_j"),
           Mapped(lambda out, case: out.expected - np.diag(case.info["S"]),
                  "the diagonal misses S_i: dS_i/dz_i = S_i - S_i^2 (J = diag(S) - S S^T)")),
)(_jacobian_cases)


def _cce_case(rng, title: str, Z: np.ndarray) -> Case:
    m, p = Z.shape
    Y = np.eye(m)[:, rng.integers(0, m, p)]  # one-hot columns
    (dZ,) = gradients(lambda z: -(Y * z.log_softmax(axis=0)).sum() / p, Z)
    rows = (leaf(Z, False).softmax(axis=1).numpy() - Y) / p  # y^ - y with y^ a softmax along each row
    (logits,) = gradients(lambda z: (0.5 * (z - Y) ** 2).sum() / p, Z)
    return Case(title, {"Z": Z, "Y": Y}, dZ, variants={"rows": {"output": rows}, "logits": {"output": logits}},
                info={"p": p})


def _cce_cases(rng):
    shapes = []
    for _ in range(3):
        m = int(rng.integers(2, 5))
        shapes.append(("random", (m, m + int(rng.integers(1, 4)))))
    Zs = [(title, rng.normal(0, 2, shape)) for title, shape in shapes]
    Zs += [("a batch of one", rng.normal(0, 2, (3, 1))), ("a zero input", np.zeros((3, 4))),
           ("large logits (|z| up to 1000)", np.stack([LARGE, LARGE[::-1], LARGE * 0.5]).T)]
    return [_cce_case(rng, title, Z) for title, Z in Zs]


softmax_cce_gradient = exercise(
    id="softmax_cce_gradient", title="The softmax + CCE gradient with respect to z",
    topic="7. Softmax and categorical cross-entropy", reference=solutions.softmax_cce_gradient,
    statement="""
    A softmax layer on p samples, Y^ = S(Z) down each column, with the mean categorical cross-entropy

        E = -1/p sum_i sum_j y_j^(i) log y^_j^(i).

    Return dE/dZ, of Z's shape. For one sample it is y^ - y (the slides' delta is its negative, y - y^);
    over the batch the mean divides by p. Shapes, the slides' layout: Z and Y are (m, p), m classes in
    rows, one sample per column; each column of Y is one-hot. Mind large logits. The reference: ts.grad of E.
    """,
    slips=(sign("the slides' delta = Y - Y^ is minus the gradient; dE/dZ = (Y^ - Y) / p"),
           factor_p("E = -1/p sum_i ... is a mean over the p samples: dE/dZ = (Y^ - Y) / p"),
           transposed("the slides put samples in columns: Z, Y and dE/dZ are (m, p)"),
           Variant("rows", "softmax along the wrong axis: classes are rows, so softmax runs down each column "
                   "(axis=0)"),
           Variant("logits", "the softmax is missing: this is (Z - Y) / p, with the logits where Y^ = S(Z) belongs")),
)(_cce_cases)
