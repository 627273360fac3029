"""Exercises on the delta rule's table: phi'(z) for linear, sigmoid, tanh and ReLU, each written ``f(z, a)``
through y^ = a where the slide does. The reference: the engine's derivative, ``ts.grad`` of sum(phi(z)).
"""

from __future__ import annotations

import numpy as np

from ..rules.activations import ACTIVATIONS
from . import solutions
from .catalogue import Case, exercise
from .hints import Mapped, Negated, Variant
from .reference import DERIVATIVE_SLIPS, derivative

__all__ = ["linear_derivative", "relu_derivative", "sigmoid_derivative", "tanh_derivative"]

#: name -> (the slide's name, phi, phi' as the table writes it)
TABLE = {"linear": ("Linear or identity", "z", "1"),
         "sigmoid": ("Sigmoid", "1 / (1 + e^-z)", "y^(1 - y^)"),
         "tanh": ("Hyperbolic tangent", "tanh(z)", "(1 + y^)(1 - y^)"),
         "relu": ("Rectified Linear Unit (ReLU)", "max(0, z)", "1 if z > 0, 0 if z <= 0")}

COMMON = (Variant("phi", "this is phi(z), the activation itself, not its derivative"),
          Negated("the opposite sign: this is the derivative of -phi"))
THROUGH_A = (Variant("z_for_a", "phi' at the wrong argument: the table writes phi' through y^ = a = phi(z), and "
                     "you evaluated that formula at z (pass a, not z)"),
             Variant("dphi_at_a", "phi' at the wrong argument: this is phi'(a), the derivative at the output "
                     "a = phi(z); it belongs at z (the table's y^(1 - y^) already is phi'(z))"))


def _kink(out, case):
    """ReLU's derivative taken as 1 at z = 0 (z >= 0): None when no entry of z is 0."""
    z = case.args["z"]
    return np.where(z == 0, 1.0, out.expected) if (z == 0).any() else None


SLIPS = {"linear": COMMON, "sigmoid": THROUGH_A + COMMON, "tanh": THROUGH_A + COMMON,
         "relu": (Mapped(_kink, "at z = 0, ReLU's kink, the slide (and the engine) take phi'(0) = 0: write z > 0, "
                         "not z >= 0"), *COMMON)}


def _derivative_case(name: str, title: str, z: np.ndarray) -> Case:
    a = ACTIVATIONS[name][0](z)
    variants = {key: {"output": make(name)(z, a)} for key, make in DERIVATIVE_SLIPS.items()}
    variants["phi"] = {"output": a}
    return Case(title, {"z": z, "a": a}, derivative(name, z), variants=variants)


def _builder(name: str):
    def build(rng):
        n = int(rng.integers(1, 5))
        zs = [("random", rng.normal(0, 2, (n, int(rng.integers(2, 6))))) for _ in range(3)]
        zs += [("a batch of one", rng.normal(0, 2, (n, 1))), ("a zero input", np.zeros((n, 3))),
               ("a saturated sigmoid (z = +-30)", np.array([[30.0, -30.0, 0.5], [-30.0, 30.0, -0.5]]))]
        return [_derivative_case(name, title, z) for title, z in zs]

    return build


def _table_exercise(name: str):
    slide_name, phi, dphi = TABLE[name]
    return exercise(
        id=f"{name}_derivative", title=f"phi'(z) for {slide_name}", topic="6. The delta rule's table",
        reference=getattr(solutions, f"{name}_derivative"), slips=SLIPS[name],
        statement=f"""
        The delta rule w <- w + eta (y - y^) phi'(z) x^T needs phi'(z). The slide's table:

            Function name        Function          Derivative
            {slide_name:<20} {phi:<17} {dphi}

        Return phi'(z), elementwise: an array of z's shape. You are given z and a = phi(z), since the
        table writes the derivative through the output y^ = a where it can. z has any shape (here (n, p):
        n neurons, p samples in columns). The reference: the engine's derivative, ts.grad of sum(phi(z)).
        """,
    )(_builder(name))


linear_derivative = _table_exercise("linear")
sigmoid_derivative = _table_exercise("sigmoid")
tanh_derivative = _table_exercise("tanh")
relu_derivative = _table_exercise("relu")
