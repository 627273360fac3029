"""Replay templates: the common ops' forward and backward written straight into a ``ts.jit`` plan's code.

A template gives the lines an op's own ``forward`` and ``backward`` would run: the same numpy calls on the same
operands in the same order (``ndarray.sum`` is ``np.add.reduce`` beneath numpy's Python layer; ``max``,
``maximum.reduce``), so the replay stays bit-identical to the eager step while it skips the op's call, its
context and the engine's bookkeeping (a step of a 64-128-10 network: ~5 % fewer instructions, ~18 % less
time). Each template's lines use the plan's names: ``out`` the op's result (temporaries are ``out`` plus a
suffix), ``ins`` its inputs (names), ``g`` its output's gradient. The gradients a template returns are arrays
it just made, one per input (None where the input needs none), as the op's backward returns them.

An op with no template (a student's own Function, the rarer built-ins) replays through its own forward and
backward on a kept context (jit_code.py). tests/autograd/test_jit_templates.py checks each template against
its op, bit for bit.
"""

from __future__ import annotations

import numpy as np

from .ops import Affine, Relu, Sigmoid, SigmoidBCE, SoftmaxCE, SparseSoftmaxCE, Tanh

# the numpy functions the lines call, by the names they use (the generated function's closure holds them)
FUNCTIONS = {"ASARRAY": np.asarray, "ADDR": np.add.reduce, "MAXR": np.maximum.reduce, "MINR": np.minimum.reduce,
             "EXP": np.exp, "LOG": np.log, "LOGADDEXP": np.logaddexp, "MAXIMUM": np.maximum, "TANH": np.tanh,
             "WHERE": np.where, "ERRSTATE": np.errstate}


class Template:
    """One op's lines; ``fits`` says whether this call of the op (its kwargs, its inputs' shapes) can use them."""

    def fits(self, kwargs: dict, shapes: list) -> bool:
        return not kwargs

    def names(self, shapes: list) -> dict:
        """Objects the lines name beyond FUNCTIONS (constants made once per plan)."""
        return {}

    def forward(self, out: str, ins: list[str], shapes: list) -> list[str]:
        raise NotImplementedError

    def backward(self, out: str, ins: list[str], shapes: list, g: str, needs: tuple) -> tuple[list[str], list]:
        raise NotImplementedError


class AffineLines(Template):
    """Affine: out = x @ W.T (+ b, in place); dx = g @ W, dW = g.T @ x, db = g summed over rows."""

    def forward(self, out, ins, shapes):
        lines = [f"{out} = {ins[0]} @ {ins[1]}.T"]
        return lines + [f"{out} += {ins[2]}"] if len(ins) == 3 else lines

    def backward(self, out, ins, shapes, g, needs):
        grads = [f"{g} @ {ins[1]}" if needs[0] else None, f"{g}.T @ {ins[0]}" if needs[1] else None]
        if len(ins) == 3:
            grads.append(f"ADDR({g}, axis=0)" if needs[2] else None)
        return [], grads


class ReluLines(Template):
    """Relu: out = max(z, 0); dz = g (z > 0)."""

    def forward(self, out, ins, shapes):
        return [f"{out} = MAXIMUM({ins[0]}, 0)"]

    def backward(self, out, ins, shapes, g, needs):
        return [], [f"{g} * ({ins[0]} > 0)"]


class TanhLines(Template):
    """Tanh: out = tanh(z); dz = g (1 - out out)."""

    def forward(self, out, ins, shapes):
        return [f"{out} = TANH({ins[0]})"]

    def backward(self, out, ins, shapes, g, needs):
        return [], [f"{g} * (1 - {out} * {out})"]


class SigmoidLines(Template):
    """Sigmoid: out = exp(-logaddexp(0, -z)) (stable_sigmoid); dz = g out (1 - out)."""

    def forward(self, out, ins, shapes):
        return [f"{out} = EXP(-LOGADDEXP(0, -{ins[0]}))"]

    def backward(self, out, ins, shapes, g, needs):
        return [], [f"{g} * {out} * (1 - {out})"]


def log_softmax_lines(out: str, z: str) -> list[str]:
    """fused._log_softmax_parts: {out}s = z - max z, {out}p = S(z), {out}l = log sum e^{out}s, along the last axis."""
    return [f"{out}s = {z} - MAXR({z}, axis=-1, keepdims=True)", f"{out}e = EXP({out}s)",
            f"{out}t = ADDR({out}e, axis=-1, keepdims=True)", f"{out}p = {out}e / {out}t", f"{out}l = LOG({out}t)"]


class SoftmaxCELines(Template):
    """SoftmaxCE: mean over rows of -sum_j y_j log S(z)_j (0 log 0 = 0); dz = (S(z) sum_j y_j - y) g / p."""

    def forward(self, out, ins, shapes):
        z, y = ins
        rows = int(np.prod(shapes[0][:-1], dtype=np.int64))  # z.size // z.shape[-1], as the op computes it
        inner = [*log_softmax_lines(out, z), f"{out} = ADDR({y} * ({out}l - {out}s), axis=None) / {rows}",
                 f"if {out} != {out}: {out} = ADDR(WHERE({y} != 0, {y} * ({out}l - {out}s), 0), axis=None) / {rows}"]
        return ['with ERRSTATE(over="ignore", invalid="ignore"):', *("    " + s for s in inner),
                f"{out} = ASARRAY({out})"]

    def backward(self, out, ins, shapes, g, needs):
        z, y = ins
        rows = int(np.prod(shapes[0][:-1], dtype=np.int64))
        return [], [f"({out}p * ADDR({y}, axis=-1, keepdims=True) - {y}) * ({g} / {rows})", None]


class SparseSoftmaxCELines(Template):
    """SparseSoftmaxCE: mean over rows of -log S(z)_label; dz = (S(z) - one_hot(label)) g / p. Labels out of range
    call the op's own forward, which raises its ValueError (and numpy's IndexError for labels that are no integers)."""

    def fits(self, kwargs, shapes):
        return not kwargs and len(shapes[0]) == 2

    def forward(self, out, ins, shapes):
        z, labels = ins
        p = shapes[0][0]
        # the op checks the labels' range first; here a negative label is checked (it would index from the end)
        # and a label too large fails the indexing: then the op's own forward raises its error (one reduction saved)
        return [f"if MINR({labels}, axis=None) < 0: SPARSE_CE({z}, {labels})", 'with ERRSTATE(over="ignore"):',
                *("    " + s for s in log_softmax_lines(out, z)),
                f"try: {out}q = {out}s[ROWS{p}, {labels}]", f"except IndexError: SPARSE_CE({z}, {labels})",
                f"{out} = ASARRAY(ADDR({out}l[:, 0] - {out}q, axis=None) / {p})"]

    def backward(self, out, ins, shapes, g, needs):
        p = shapes[0][0]
        return [f"{out}c = {g} / {p}", f"{out}d = {out}p * {out}c", f"{out}d[ROWS{p}, {ins[1]}] -= {out}c"], \
            [f"{out}d", None]

    def names(self, shapes):
        p = shapes[0][0]  # np.arange(p), made once per plan (the op makes it on every call)
        return {f"ROWS{p}": np.arange(p), "SPARSE_CE": raise_bad_labels}


def raise_bad_labels(z: np.ndarray, labels: np.ndarray) -> None:
    """The op's forward on labels out of range: it raises the ValueError an eager step raises."""
    SparseSoftmaxCE.forward(object.__new__(SparseSoftmaxCE), z, labels)


def raise_bad_targets(z: np.ndarray, y: np.ndarray) -> None:
    """The op's forward on targets outside [0, 1]: it raises the ValueError an eager step raises."""
    SigmoidBCE.forward(object.__new__(SigmoidBCE), z, y)


class SigmoidBCELines(Template):
    """SigmoidBCE: mean(logaddexp(0, z) - y z); dz = (sigma(z) - y) g / n. Targets outside [0, 1] (or NaN) call
    the op's own forward, which raises its ValueError."""

    def forward(self, out, ins, shapes):
        z, y = ins
        n = int(np.prod(shapes[1], dtype=np.int64))  # y.size
        return [f"if not (MINR({y}, axis=None) >= 0 and MAXR({y}, axis=None) <= 1): BCE({z}, {y})",
                f"{out} = ASARRAY(ADDR(LOGADDEXP(0, {z}) - {y} * {z}, axis=None) / {n})"]

    def names(self, shapes):
        return {"BCE": raise_bad_targets}

    def backward(self, out, ins, shapes, g, needs):
        z, y = ins
        n = int(np.prod(shapes[1], dtype=np.int64))
        return [], [f"(EXP(-LOGADDEXP(0, -{z})) - {y}) * ({g} / {n})", None]


TEMPLATES: dict[type, Template] = {Affine: AffineLines(), Relu: ReluLines(), Tanh: TanhLines(),
                                   Sigmoid: SigmoidLines(), SoftmaxCE: SoftmaxCELines(),
                                   SparseSoftmaxCE: SparseSoftmaxCELines(), SigmoidBCE: SigmoidBCELines()}
