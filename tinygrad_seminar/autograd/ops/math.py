"""Elementwise ops: arithmetic, matmul, and the activations, forward and backward side by side."""

from __future__ import annotations

import numpy as np

from .op import Op, data_of, log_of, sigmoid_of, stable_sigmoid


# ---- binary arithmetic ----
class Add(Op):
    label = "+"  # as written in code

    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, g):
        return g, g


class Sub(Op):
    label = "-"  # as written in code

    @staticmethod
    def forward(ctx, a, b):
        return a - b

    @staticmethod
    def backward(ctx, g):
        return g, -g


class Mul(Op):
    label = "*"  # as written in code

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        na, nb = ctx.needs_input_grad
        return (g * b if na else None), (g * a if nb else None)


class Div(Op):
    label = "/"  # as written in code

    @staticmethod
    def forward(ctx, a, b):
        out = a / b
        ctx.save_for_backward(b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        b, out = ctx.saved_tensors
        ga = g / b
        return ga, (-ga * out if ctx.needs_input_grad[1] else None)


class Pow(Op):
    label = "**"  # as written in code

    @staticmethod
    def forward(ctx, a, b):
        out = a**b
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, g):
        a, b, out = ctx.saved_tensors
        # at a = 0, d/da a^b = b a^(b-1) is 0 where b = 0, and d/db a^b = a^b log a is 0 where b >= 0 (as
        # PyTorch); shifting just those exponents and bases by 1 keeps 0 * inf (nan, and a warning) out of
        # both. Where b < 0 both are -inf (b * inf and inf * log 0), as PyTorch gives: no warning for those.
        at_zero, bb = data_of(a) == 0, data_of(b)
        if np.any(at_zero & (bb < 0)):
            with np.errstate(divide="ignore"):
                return _pow_grads(ctx, g, a, b, out, at_zero, bb)
        return _pow_grads(ctx, g, a, b, out, at_zero, bb)


def _pow_grads(ctx, g, a, b, out, at_zero, bb) -> tuple:
    na, nb = ctx.needs_input_grad
    ga = g * b * a ** (b - 1 + (at_zero & (bb == 0))) if na else None
    gb = g * out * log_of(a + (at_zero & (bb >= 0))) if nb else None
    return ga, gb


class Matmul(Op):
    """a @ b for 1-D, 2-D and batched operands, with numpy's rules for 1-D ones."""

    label = "@"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a @ b

    @staticmethod
    def backward(ctx, g):
        a, b = ctx.saved_tensors
        a1, b1 = a.ndim == 1, b.ndim == 1
        if a1:  # a is a row (1, k): restore the axis numpy dropped from g
            a, g = a.reshape(1, -1), g.reshape(g.shape[:-1] + (1,) + g.shape[-1:])
        if b1:  # b is a column (k, 1)
            b, g = b.reshape(-1, 1), g.reshape(g.shape + (1,))
        na, nb = ctx.needs_input_grad
        ga = g @ b.swapaxes(-1, -2) if na else None
        gb = a.swapaxes(-1, -2) @ g if nb else None
        if a1 and ga is not None:
            ga = ga.reshape(ga.shape[:-2] + ga.shape[-1:])
        if b1 and gb is not None:
            gb = gb.reshape(gb.shape[:-1])
        return ga, gb


class Maximum(Op):
    """Elementwise maximum; where both sides tie, each gets half the gradient."""

    pick, wins = staticmethod(np.maximum), staticmethod(np.greater)

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.save_for_backward(a, b)
        return cls.pick(a, b)

    @classmethod
    def backward(cls, ctx, g):
        a, b = ctx.saved_tensors
        a, b = data_of(a), data_of(b)
        share = (cls.wins(a, b) + 0.5 * (a == b)).astype(g.dtype)
        return g * share, g * (1 - share)


class Minimum(Maximum):
    pick, wins = staticmethod(np.minimum), staticmethod(np.less)


class Where(Op):
    """where(cond, a, b): cond is a constant boolean array."""

    @staticmethod
    def forward(ctx, cond, a, b):
        ctx.save_for_backward(cond)
        return np.where(cond, a, b)

    @staticmethod
    def backward(ctx, g):
        (cond,) = ctx.saved_tensors
        return None, g * cond, g * ~cond


# ---- unary ----
class Neg(Op):
    label = "neg"  # as written in code

    @staticmethod
    def forward(ctx, a):
        return -a

    @staticmethod
    def backward(ctx, g):
        return -g


class Exp(Op):
    @staticmethod
    def forward(ctx, a):
        out = np.exp(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        return g * ctx.saved_tensors[0]


class Log(Op):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.log(a)

    @staticmethod
    def backward(ctx, g):
        return g / ctx.saved_tensors[0]


class Sqrt(Op):
    @staticmethod
    def forward(ctx, a):
        out = np.sqrt(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        return g / (ctx.saved_tensors[0] * 2)


class Abs(Op):
    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.abs(a)

    @staticmethod
    def backward(ctx, g):
        return g * np.sign(data_of(ctx.saved_tensors[0]))


class Tanh(Op):
    @staticmethod
    def forward(ctx, a):
        out = np.tanh(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out = ctx.saved_tensors[0]
        return g * (1 - out * out)


class Sigmoid(Op):
    @staticmethod
    def forward(ctx, a):
        out = stable_sigmoid(a)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, g):
        out = ctx.saved_tensors[0]
        return g * out * (1 - out)


class Softplus(Op):
    """log(1 + e^z), computed as logaddexp(0, z): no overflow."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.logaddexp(0, a)

    @staticmethod
    def backward(ctx, g):
        return g * sigmoid_of(ctx.saved_tensors[0])


class Relu(Op):
    """max(z, 0); its derivative is taken as 0 at z = 0, as the slides' table has it."""

    @staticmethod
    def forward(ctx, a):
        ctx.save_for_backward(a)
        return np.maximum(a, 0)

    @staticmethod
    def backward(ctx, g):
        return g * (data_of(ctx.saved_tensors[0]) > 0)


class Clip(Op):
    @staticmethod
    def forward(ctx, a, lo=None, hi=None):
        ctx.save_for_backward(a)
        ctx.lo, ctx.hi = lo, hi
        return np.clip(a, lo, hi)

    @staticmethod
    def backward(ctx, g):
        a = data_of(ctx.saved_tensors[0])
        inside = np.ones(a.shape, bool)
        if ctx.lo is not None:
            inside &= a >= ctx.lo
        if ctx.hi is not None:
            inside &= a <= ctx.hi
        return g * inside


class Cast(Op):
    @staticmethod
    def forward(ctx, a, dtype):
        return a.astype(dtype)

    @staticmethod
    def backward(ctx, g):
        return g  # the engine casts back to the input's dtype


class Step(Op):
    """Heaviside: 1 where z >= 0 else 0 (McCulloch-Pitts). Its derivative is zero wherever it exists."""

    @staticmethod
    def forward(ctx, a):
        return (a >= 0).astype(a.dtype)

    @staticmethod
    def backward(ctx, g):
        return g * 0
