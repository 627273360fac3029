"""The known slips, each an object that says whether it explains a wrong output.

A slip transforms the reference (or takes what the engine computed with the slip put in, a *variant* of
the case) and compares it with what the student returned, with the check's own tolerance. An exercise
lists the slips that apply to it, in the order they are tried; the generic ones (a transposed result,
the right numbers in another shape, a scalar for an array, nan or inf) are tried after them. The
first that explains the output gives the hint. Every comparison is ``np.allclose(received, expected,
rtol=RTOL, atol=ATOL)`` in float64.

    Scaled(k, text)       received step = k * expected step (k a number, or a function of the case)
    Negated(text)         the opposite sign
    Transposed(text)      the transpose of the expected matrix
    Variant(key, text)    what the case's variants[key] holds: the engine's result with the slip put in
    Mapped(fn, text)      fn(output, case), a transformation of the expected output
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["ATOL", "RTOL", "GENERIC", "Mapped", "Negated", "NonFinite", "Output", "SameNumbers", "Scalar", "Scaled",
           "Slip", "Transposed", "Variant", "close", "explain", "factor_p", "factor_two", "half", "missing_dphi",
           "per_p", "sign", "transposed", "wrong_argument"]

RTOL, ATOL = 1e-6, 1e-8


def close(received: np.ndarray | None, expected: np.ndarray) -> bool:
    """Same shape, and np.allclose with the check's tolerance (rtol 1e-6, atol 1e-8)."""
    return (received is not None and received.shape == expected.shape
            and bool(np.allclose(received, expected, rtol=RTOL, atol=ATOL)))


@dataclass(eq=False)
class Output:
    """One output of one case as a hint sees it: the expected array, what came back (float64, or None if it
    could not be read as numbers), and the value before the step (None for an output that is no step)."""

    name: str
    expected: np.ndarray
    received: np.ndarray | None
    base: np.ndarray | None = None

    def step(self, values: np.ndarray) -> np.ndarray:
        return values if self.base is None else values - self.base


class Slip:
    """A known slip: ``explains(output, case)`` says whether it turns the reference into what was returned."""

    text = ""

    def explains(self, out: Output, case) -> bool:
        raise NotImplementedError


class Scaled(Slip):
    """The step times ``factor`` (a number, or a function of the case: the batch size p, say)."""

    def __init__(self, factor: float | Callable, text: str):
        self.factor, self.text = factor, text

    def explains(self, out: Output, case) -> bool:
        k = self.factor(case) if callable(self.factor) else self.factor
        if k == 1 or out.received is None or out.received.shape != out.expected.shape:
            return False
        want = out.step(out.expected)
        return bool(np.any(want != 0)) and close(out.step(out.received), k * want)


class Negated(Scaled):
    def __init__(self, text: str):
        super().__init__(-1.0, text)


class Transposed(Slip):
    """The transpose of the expected matrix (a transposed W, or rows for columns)."""

    def __init__(self, text: str = "the transpose of the expected matrix: rows and columns swapped (a transposed W?)"):
        self.text = text

    def explains(self, out: Output, case) -> bool:
        r, e = out.received, out.expected
        return (r is not None and r.ndim == 2 and e.ndim == 2 and not close(e.T, e)
                and close(r.T, e))


class Variant(Slip):
    """What the engine computes with the slip put in: ``case.variants[key][output name]``."""

    def __init__(self, key: str, text: str):
        self.key, self.text = key, text

    def explains(self, out: Output, case) -> bool:
        variant = case.variants.get(self.key, {}).get(out.name)
        return variant is not None and not close(np.asarray(variant), out.expected) \
            and close(out.received, np.asarray(variant, dtype=np.float64))


class Mapped(Slip):
    """``fn(output, case)``: the expected output transformed (None where the slip cannot be told)."""

    def __init__(self, fn: Callable, text: str):
        self.fn, self.text = fn, text

    def explains(self, out: Output, case) -> bool:
        if out.received is None:
            return False
        want = self.fn(out, case)
        return want is not None and not close(want, out.expected) and close(out.received, want)


class SameNumbers(Slip):
    text = "the right numbers in the wrong shape: reshape (or drop or add the axis of length 1) to the expected shape"

    def explains(self, out: Output, case) -> bool:
        r, e = out.received, out.expected
        return (r is not None and r.shape != e.shape and r.size == e.size and r.ndim > 0
                and close(r.reshape(e.shape), e))


class Scalar(Slip):
    text = ("one number where an array is expected: numpy broadcasts it in a formula, but return an array of the "
            "expected shape (np.ones_like(z), np.full(shape, value))")

    def explains(self, out: Output, case) -> bool:
        return out.received is not None and out.received.ndim == 0 and out.expected.ndim > 0


class NonFinite(Slip):
    text = ("nan or inf where the expected values are finite: an exp overflowed? Compute from the logits stably: "
            "softmax of z - max(z), np.logaddexp(0, z) for log(1 + e^z)")

    def explains(self, out: Output, case) -> bool:
        r = out.received
        return (r is not None and r.shape == out.expected.shape and not np.isfinite(r).all()
                and bool(np.isfinite(out.expected).all()))


GENERIC: tuple[Slip, ...] = (Transposed(), SameNumbers(), Scalar(), NonFinite())


def explain(out: Output, case, slips: Sequence[Slip]) -> str | None:
    """The text of the first slip (the exercise's, then the generic ones) that explains this output, else None."""
    for slip in (*slips, *GENERIC):
        if slip.explains(out, case):
            return slip.text
    return None


# ---- the slips the issue lists, with their usual words ----
def factor_two(why: str = "the 1/2 of the slides' loss cancels the 2 of the square") -> Scaled:
    return Scaled(2.0, f"a factor of 2: twice the expected step or gradient; {why}")


def half(why: str = "the slides' loss has no 1/2 here") -> Scaled:
    return Scaled(0.5, f"a factor of 2: half the expected step or gradient; {why}")


def factor_p(why: str = "the loss is a mean over the p samples: divide the sum by p") -> Scaled:
    return Scaled(lambda case: case.info["p"], f"a factor of p: p times the expected (a sum where a mean belongs); "
                  f"{why}")


def per_p(why: str = "the slides' rule sums over the p samples; do not divide by p") -> Scaled:
    return Scaled(lambda case: 1.0 / case.info["p"], f"a factor of p: the expected divided by p (a mean where a sum "
                  f"belongs); {why}")


def sign(why: str = "delta is minus the gradient, delta = y - y^, and the slides' update adds eta * delta") -> Negated:
    return Negated(f"the opposite sign; {why}")


def transposed(why: str = "W has shape (n_out, n_in)") -> Transposed:
    return Transposed(f"the transpose of the expected matrix: a transposed W? {why}")


def missing_dphi(why: str = "delta^[l] = (w^[l+1]^T delta^[l+1]) (.) phi'(z^[l]): multiply by phi'") -> Variant:
    return Variant("missing_dphi", f"a missing phi': this is what the engine computes with phi' taken as 1; {why}")


def wrong_argument(key: str, what: str) -> Variant:
    return Variant(key, f"phi' at the wrong argument: {what}")
