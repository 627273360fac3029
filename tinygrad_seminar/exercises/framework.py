"""Exercises on the framework, samples in rows: a Dense layer's backward, and your own op, a ``ts.Function``
subclass (Tanh, Softplus, a layer normalisation) with its forward and backward in numpy. A Function is
checked through the engine: ``Cls.apply(x)`` against the engine's own op, its gradient by ``ts.grad`` with
a random upstream gradient, and ``ts.gradcheck``, whose report names the op whose backward disagrees with
its forward.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import solutions
from .catalogue import Case, exercise
from .hints import Variant, per_p, sign, transposed
from .reference import DERIVATIVE_SLIPS, activate, derivative, gradients, leaf
from .runners import TsFunction

__all__ = ["dense_backward", "layernorm_function", "softplus_function", "tanh_function"]

EPS = 1e-5
SATURATED = np.array([[30.0, -30.0, 0.5, -0.5], [-30.0, 30.0, 1.0, -1.0]])
API = """Write it as a subclass of ts.Function with two static methods, numpy in and numpy out:
    forward(ctx, x) returns the output (save what backward needs: ctx.save_for_backward(...)), and
    backward(ctx, grad_output) returns dE/dx = grad_output times the derivative (read ctx.saved_tensors).
    Checked: {cls}.apply(x) on a float64 Tensor x (rows are samples) against the engine's
        {op},
    its gradient by ts.grad with a random grad_output, and ts.gradcheck, whose report names the op to blame."""
NO_GRAD_OUTPUT = Variant("no_grad_output", "the backward must multiply by grad_output (the chain rule): this is "
                         "the derivative alone")


def _dense_case(rng, title: str, batch: int, n_in: int, units: int, zero: bool = False) -> Case:
    x = np.zeros((batch, n_in)) if zero else rng.normal(size=(batch, n_in))
    W, b, g = rng.normal(size=(units, n_in)), rng.normal(size=units), rng.normal(size=(batch, units))
    dx, dW, db = gradients(lambda x_, W_, b_: x_ @ W_.T + b_, x, W, b, grad_output=g)
    variants = {}
    if units == n_in:  # dx through W instead of W^T: only a square W lets it run
        (wrong_dx,) = gradients(lambda x_: x_ @ W, x, grad_output=g)
        variants["W_not_transposed"] = {"dx": wrong_dx}
    return Case(title, {"x": x, "W": W, "b": b, "grad_output": g}, {"dW": dW, "db": db, "dx": dx},
                variants=variants, info={"p": batch})


def _dense_cases(rng):
    made = []
    for _ in range(3):
        n_in = int(rng.integers(2, 5))
        made.append(_dense_case(rng, "random", int(rng.integers(2, 6)), n_in, n_in + int(rng.integers(1, 3))))
    made.append(_dense_case(rng, "a square W (units = inputs)", 4, 3, 3))
    made.append(_dense_case(rng, "a batch of one", 1, 3, 2))
    made.append(_dense_case(rng, "a zero input", 3, 2, 4, zero=True))
    return made


dense_backward = exercise(
    id="dense_backward", title="A Dense layer's backward", topic="9. The framework: layers and Functions",
    reference=solutions.dense_backward,
    statement="""
    A Dense layer without activation, in the framework's layout (rows are samples, as in PyTorch and
    Keras): x is (batch, inputs), W is (units, inputs) (it is the slides' w^[l]), b is (units,), and

        out = x @ W.T + b,   of shape (batch, units).

    Given grad_output = dE/d out (batch, units), the upstream gradient, return (dW, db, dx): dE/dW of
    W's shape, dE/db of b's shape, dE/dx of x's shape. The reference: ts.grad through the engine.
    """,
    slips=(transposed("dW has W's shape (units, inputs): dW = grad_output^T x, not x^T grad_output"),
           Variant("W_not_transposed", "dx through a transposed W: dx = grad_output @ W (W is (units, inputs))"),
           per_p("grad_output already carries the loss's 1/batch: dW and db sum over the rows, they do not "
                 "average"),
           sign("the backward passes dE/d out on as it is: no minus sign (the slides' delta is the one with it)")),
)(_dense_cases)


def _function_case(title: str, x: np.ndarray, g: np.ndarray, op: Callable, variants: dict) -> Case:
    with np.errstate(all="ignore"):  # a variant may divide by zero (a zero input); it then explains nothing
        (dx,) = gradients(op, x, grad_output=g)
        made = {key: make(x, g) for key, make in variants.items()}
    return Case(title, {"x": x, "grad_output": g}, {"forward": op(leaf(x, False)).numpy(), "backward": dx},
                variants=made)


def _builder(op: Callable, variants: dict, extra: tuple = ()):
    def build(rng):
        xs = [("random", rng.normal(0, 2, (int(rng.integers(2, 5)), int(rng.integers(2, 6))))) for _ in range(3)]
        xs += [("a batch of one", rng.normal(0, 2, (1, 4))), ("a zero input", np.zeros((2, 4))),
               ("a saturated input (x = +-30)", SATURATED), *extra]
        return [_function_case(title, x, rng.normal(size=x.shape), op, variants) for title, x in xs]

    return build


def _backward(op: Callable) -> Callable:
    """A variant whose forward is right and whose backward is the engine's for ``op``."""
    return lambda x, g: {"backward": gradients(op, x, grad_output=g)[0]}


tanh_function = exercise(
    id="tanh_function", title="Your own Function: Tanh", topic="9. The framework: layers and Functions",
    solution_name="Tanh", runner=TsFunction(), reference=solutions.Tanh,
    statement=f"""
    y = tanh(x), elementwise; its derivative, from the delta rule's table: (1 + y)(1 - y).
    {API.format(cls="Tanh", op="x.tanh()")}
    """,
    slips=(Variant("z_for_a", "the derivative at the wrong argument: (1 + y)(1 - y) takes the output y = tanh(x); "
                   "you evaluated it at x (save the output in forward)"),
           Variant("dphi_at_a", "the derivative at the wrong argument: this is tanh'(y), at the output; it belongs "
                   "at x: 1 - tanh(x)^2"),
           NO_GRAD_OUTPUT, sign("the derivative of tanh is positive: 1 - tanh(x)^2")),
)(_builder(lambda t: t.tanh(), {**{key: _backward(lambda t, make=make: activate(t, "tanh", make))
                                   for key, make in DERIVATIVE_SLIPS.items() if key != "missing_dphi"},
                                "no_grad_output": lambda x, g: {"backward": derivative("tanh", x)}}))


softplus_function = exercise(
    id="softplus_function", title="Your own Function: Softplus", topic="9. The framework: layers and Functions",
    solution_name="Softplus", runner=TsFunction(), reference=solutions.Softplus,
    statement=f"""
    y = softplus(x) = log(1 + e^x), elementwise; its derivative is the sigmoid, sigma(x) = 1 / (1 + e^-x).
    Mind large x: log(1 + e^x) = np.logaddexp(0, x) does not overflow.
    {API.format(cls="Softplus", op="x.softplus()")}
    """,
    slips=(Variant("dphi_at_a", "the derivative at the wrong argument: this is sigma(y), at the output; it belongs "
                   "at x: sigma(x)"),
           Variant("phi", "the backward multiplies by softplus itself; the derivative is sigma(x)"),
           NO_GRAD_OUTPUT, sign("the derivative of softplus, sigma(x), is positive")),
)(_builder(lambda t: t.softplus(),
           {"dphi_at_a": lambda x, g: {"backward": gradients(lambda t: t.softplus(), np.logaddexp(0, x),
                                                             grad_output=g)[0]},
            "phi": lambda x, g: {"backward": g * np.logaddexp(0, x)},
            "no_grad_output": lambda x, g: {"backward": gradients(lambda t: t.softplus().sum(), x)[0]}},
           extra=(("large inputs (x = +-1000)", np.array([[1000.0, -1000.0, 2.0], [-1000.0, 1000.0, -2.0]])),)))


def _std(t, ddof: int = 0):
    return (t.var(axis=-1, keepdims=True, ddof=ddof) + EPS).sqrt()


def _layernorm(t):
    return (t - t.mean(axis=-1, keepdims=True)) / _std(t)


def _both(op: Callable) -> Callable:
    """A variant whose forward and backward are the engine's for ``op``."""
    return lambda x, g: {"forward": op(leaf(x, False)).numpy(), "backward": gradients(op, x, grad_output=g)[0]}


layernorm_function = exercise(
    id="layernorm_function", title="Your own Function: a layer normalisation",
    topic="9. The framework: layers and Functions", solution_name="LayerNorm", runner=TsFunction(),
    reference=solutions.LayerNorm,
    statement=f"""
    A layer normalisation over the last axis, without scale or shift, eps = 1e-5:

        y = (x - mean(x)) / sqrt(var(x) + eps),   mean and var over the last axis (var divides by its length).

    Every y_i depends on every x_j of its row, through the mean and the variance: the backward has
    those terms.
    {API.format(cls="LayerNorm", op="(x - x.mean(-1)) / sqrt(x.var(-1) + eps)")}
    """,
    slips=(Variant("constant_stats", "the mean and the standard deviation held constant (grad_output / "
                   "sqrt(var + eps)): both depend on every x_j of the row, and their terms are missing"),
           Variant("constant_var", "the variance held constant: its term, -y mean(grad_output * y) / sqrt(var + "
                   "eps), is missing"),
           Variant("eps_outside", "eps outside the square root: divide by sqrt(var + eps)"),
           Variant("unbiased_var", "the unbiased variance (ddof=1): a layer normalisation divides by the number of "
                   "features"),
           NO_GRAD_OUTPUT, sign("the opposite sign")),
)(_builder(_layernorm, {
    "constant_stats": _backward(lambda t: (t - t.mean(axis=-1, keepdims=True).detach()) / _std(t).detach()),
    "constant_var": _backward(lambda t: (t - t.mean(axis=-1, keepdims=True)) / _std(t).detach()),
    "eps_outside": _both(lambda t: (t - t.mean(axis=-1, keepdims=True)) / (t.var(axis=-1, keepdims=True).sqrt() + EPS)),
    "unbiased_var": _both(lambda t: (t - t.mean(axis=-1, keepdims=True)) / _std(t, ddof=1)),
    "no_grad_output": lambda x, g: {"backward": gradients(lambda t: _layernorm(t).sum(), x)[0]}}))
