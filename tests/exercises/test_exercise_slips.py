"""For every exercise, typical wrong solutions fail, and the report names the slip with its hint.

Each wrong solution below is the reference solution with one slip put in: a factor of 2 or of p, the opposite
sign, a transposed W, a missing phi', phi' at the wrong argument, or a slip of its own exercise (step(0),
ReLU's kink, an overflowing exp, a layer normalisation's missing terms).
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

import tinygrad_seminar as ts
from tinygrad_seminar.exercises import solutions as S


def sig(z):
    return 1 / (1 + np.exp(-z))


def naive_softmax(z, axis=0):
    return np.exp(z) / np.exp(z).sum(axis=axis, keepdims=True)


def softmax(z, axis=0):
    return naive_softmax(z - z.max(axis=axis, keepdims=True), axis)


# ---- neurons ----
def perceptron_strict_step(w, b, x, y, eta):
    y_hat = (w @ x + b > 0).astype(float)
    return w + eta * (y - y_hat) @ x.T, b + eta * (y - y_hat)


def perceptron_sign(w, b, x, y, eta):
    y_hat = (w @ x + b >= 0).astype(float)
    return w - eta * (y - y_hat) @ x.T, b - eta * (y - y_hat)


def sgd_twice(w, b, x, y, eta):
    return S.linear_sgd_update(w, b, x, y, 2 * eta)


def sgd_sign(w, b, x, y, eta):
    return S.linear_sgd_update(w, b, x, y, -eta)


def bgd_sum(w, b, X, Y, eta):
    return S.linear_bgd_update(w, b, X, Y, eta * X.shape[1])


def bgd_twice(w, b, X, Y, eta):
    return S.linear_bgd_update(w, b, X, Y, 2 * eta)


def sigmoid_sign(w, b, X, Y):
    dw, db = S.sigmoid_gradient(w, b, X, Y)
    return -dw, -db


def sigmoid_half(w, b, X, Y):
    dw, db = S.sigmoid_gradient(w, b, X, Y)
    return dw / 2, db / 2


def sigmoid_sum(w, b, X, Y):
    dw, db = S.sigmoid_gradient(w, b, X, Y)
    return dw * X.shape[1], db * X.shape[1]


def sigmoid_squared_error(w, b, X, Y):
    y_hat = sig(w @ X + b)
    err = -(Y - y_hat) * y_hat * (1 - y_hat) / X.shape[1]
    return err @ X.T, err.sum(axis=1, keepdims=True)


# ---- the delta rule's table ----
def dtanh_at_a(z, a):
    return 1 - np.tanh(a) ** 2


def dsigmoid_at_a(z, a):
    return sig(a) * (1 - sig(a))


# ---- softmax ----
def jacobian_diagonal_only(z):
    return np.diag(np.diag(S.softmax_jacobian(z)))


def jacobian_no_diag(z):
    s = softmax(z)
    return -np.outer(s, s)


def jacobian_naive_exp(z):
    s = naive_softmax(z)
    return np.diag(s) - np.outer(s, s)


# ---- backpropagation ----
def backprop_with(dphi=None, output_delta=None, p_scale=False):
    """The reference backprop with one thing changed: phi' of the table, the output delta, or a mean over p."""
    def solution(w, b, X, Y, eta, hidden_activation, output_activation):
        L, p = len(w) - 1, X.shape[1]
        names = [None] + [hidden_activation] * (L - 1) + [output_activation]
        d = {**{k: v[1] for k, v in ACTIVATIONS.items()}, **(dphi or {})}
        z, a = [None], [X]
        for l in range(1, L + 1):
            z.append(w[l] @ a[l - 1] + b[l])
            a.append(ACTIVATIONS[names[l]][0](z[l]))
        delta = [None] * (L + 1)
        delta[L] = (output_delta or (lambda Y, A: Y - A))(Y, a[L]) / (p if p_scale else 1)
        if output_activation in ("linear", "tanh", "relu"):
            delta[L] = delta[L] * d[output_activation](z[L], a[L])
        for l in range(L - 1, 0, -1):
            delta[l] = (w[l + 1].T @ delta[l + 1]) * d[names[l]](z[l], a[l])
        new_w = [None] + [w[l] + eta * delta[l] @ a[l - 1].T for l in range(1, L + 1)]
        new_b = [None] + [b[l] + eta * delta[l].sum(axis=1, keepdims=True) for l in range(1, L + 1)]
        return delta, new_w, new_b

    return solution


ACTIVATIONS = {"linear": (lambda z: z, lambda z, a: np.ones_like(z)),
               "sigmoid": (sig, lambda z, a: a * (1 - a)),
               "tanh": (np.tanh, lambda z, a: (1 + a) * (1 - a)),
               "relu": (lambda z: np.maximum(z, 0), lambda z, a: (z > 0).astype(float)),
               "softmax": (softmax, None)}
ONES = {k: (lambda z, a: np.ones_like(z)) for k in ("sigmoid", "tanh", "relu", "linear")}
AT_Z = {"sigmoid": lambda z, a: z * (1 - z), "tanh": lambda z, a: (1 + z) * (1 - z)}


# ---- the framework ----
def dense_dW_transposed(x, W, b, g):
    return x.T @ g, g.sum(axis=0), g @ W


def dense_dx_transposed_W(x, W, b, g):
    return g.T @ x, g.sum(axis=0), g @ W.T


def dense_mean(x, W, b, g):
    return g.T @ x / len(x), g.sum(axis=0) / len(x), g @ W


class TanhAtX(ts.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.tanh(x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * (1 - x * x)


class TanhNoGradOutput(S.Tanh):
    @staticmethod
    def backward(ctx, grad_output):
        (a,) = ctx.saved_tensors
        return 1 - a * a


class TanhSign(S.Tanh):
    @staticmethod
    def backward(ctx, grad_output):
        (a,) = ctx.saved_tensors
        return grad_output * (a * a - 1)


class SoftplusAtOutput(ts.Function):
    @staticmethod
    def forward(ctx, x):
        y = np.logaddexp(0.0, x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * sig(y)


class SoftplusNaive(S.Softplus):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.log(1 + np.exp(x))


class SoftplusTimesItself(S.Softplus):
    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * np.logaddexp(0.0, x)


class LayerNormConstantStats(S.LayerNorm):
    @staticmethod
    def backward(ctx, grad_output):
        y, std = ctx.saved_tensors
        return grad_output / std


class LayerNormConstantVar(S.LayerNorm):
    @staticmethod
    def backward(ctx, grad_output):
        y, std = ctx.saved_tensors
        return (grad_output - grad_output.mean(axis=-1, keepdims=True)) / std


class LayerNormEpsOutside(S.LayerNorm):
    @staticmethod
    def forward(ctx, x):
        mean, std = x.mean(axis=-1, keepdims=True), x.std(axis=-1, keepdims=True) + 1e-5
        y = (x - mean) / std
        ctx.save_for_backward(y, std)
        return y


class LayerNormUnbiased(S.LayerNorm):
    @staticmethod
    def forward(ctx, x):
        std = np.sqrt(x.var(axis=-1, ddof=1, keepdims=True) + 1e-5)
        y = (x - x.mean(axis=-1, keepdims=True)) / std
        ctx.save_for_backward(y, std)
        return y


SLIPS = [
    ("perceptron_update", perceptron_strict_step, "step(0) = 1 on the slides"),
    ("perceptron_update", perceptron_sign, "the opposite step"),
    ("linear_sgd_update", sgd_twice, "a factor of 2: twice"),
    ("linear_sgd_update", sgd_sign, "the opposite sign"),
    ("linear_bgd_update", bgd_sum, "a factor of p: p times"),
    ("linear_bgd_update", bgd_twice, "a factor of 2: twice"),
    ("linear_bgd_update", lambda w, b, X, Y, eta: S.linear_bgd_update(w, b, X, Y, -eta), "the opposite sign"),
    ("sigmoid_gradient", sigmoid_sign, "the opposite sign"),
    ("sigmoid_gradient", sigmoid_half, "a factor of 2: half"),
    ("sigmoid_gradient", sigmoid_sum, "a factor of p: p times"),
    ("sigmoid_gradient", sigmoid_squared_error, "the gradient of the 1/2 squared error through sigma"),
    ("linear_derivative", lambda z, a: 1.0, "one number where an array is expected"),
    ("linear_derivative", lambda z, a: z, "phi(z), the activation itself"),
    ("linear_derivative", lambda z, a: -np.ones_like(z), "the opposite sign"),
    ("sigmoid_derivative", lambda z, a: z * (1 - z), "you evaluated that formula at z"),
    ("sigmoid_derivative", dsigmoid_at_a, "this is phi'(a)"),
    ("sigmoid_derivative", lambda z, a: a, "phi(z), the activation itself"),
    ("tanh_derivative", lambda z, a: (1 + z) * (1 - z), "you evaluated that formula at z"),
    ("tanh_derivative", dtanh_at_a, "this is phi'(a)"),
    ("tanh_derivative", lambda z, a: a * a - 1, "the opposite sign"),
    ("relu_derivative", lambda z, a: (z >= 0).astype(float), "ReLU's kink"),
    ("relu_derivative", lambda z, a: np.maximum(z, 0), "phi(z), the activation itself"),
    ("relu_derivative", lambda z, a: -(z > 0).astype(float), "the opposite sign"),
    ("softmax_jacobian", lambda z: -S.softmax_jacobian(z), "the opposite sign"),
    ("softmax_jacobian", jacobian_diagonal_only, "only the diagonal"),
    ("softmax_jacobian", jacobian_no_diag, "the diagonal misses S_i"),
    ("softmax_jacobian", jacobian_naive_exp, "nan or inf where the expected values are finite"),
    ("softmax_cce_gradient", lambda Z, Y: -S.softmax_cce_gradient(Z, Y), "the opposite sign"),
    ("softmax_cce_gradient", lambda Z, Y: S.softmax_cce_gradient(Z, Y) * Z.shape[1], "a factor of p: p times"),
    ("softmax_cce_gradient", lambda Z, Y: S.softmax_cce_gradient(Z, Y).T, "samples in columns"),
    ("softmax_cce_gradient", lambda Z, Y: (softmax(Z, axis=1) - Y) / Z.shape[1], "the wrong axis"),
    ("softmax_cce_gradient", lambda Z, Y: (Z - Y) / Z.shape[1], "the softmax is missing"),
    ("backprop", backprop_with(dphi=ONES), "a missing phi'"),
    ("backprop", backprop_with(dphi=AT_Z), "you evaluated that formula at z"),
    ("backprop", backprop_with(p_scale=True), "they do not divide by p"),
    ("backprop", backprop_with(output_delta=lambda Y, A: A - Y), "the opposite sign"),
    ("dense_backward", dense_dW_transposed, "dW has W's shape (units, inputs)"),
    ("dense_backward", dense_dx_transposed_W, "dx through a transposed W"),
    ("dense_backward", dense_mean, "they do not average"),
    ("tanh_function", TanhAtX, "you evaluated it at x"),
    ("tanh_function", TanhNoGradOutput, "must multiply by grad_output"),
    ("tanh_function", TanhSign, "the opposite sign"),
    ("softplus_function", SoftplusAtOutput, "this is sigma(y), at the output"),
    ("softplus_function", SoftplusNaive, "nan or inf where the expected values are finite"),
    ("softplus_function", SoftplusTimesItself, "multiplies by softplus itself"),
    ("layernorm_function", LayerNormConstantStats, "the mean and the standard deviation held constant"),
    ("layernorm_function", LayerNormConstantVar, "the variance held constant"),
    ("layernorm_function", LayerNormEpsOutside, "eps outside the square root"),
    ("layernorm_function", LayerNormUnbiased, "the unbiased variance"),
]


def test_every_exercise_has_at_least_two_typical_wrong_solutions_here():
    counts = Counter(exercise_id for exercise_id, _, _ in SLIPS)
    assert {i: counts[i] for i in ts.exercises.ids() if counts[i] < 2} == {}


@pytest.mark.parametrize("exercise_id, solution, hint", SLIPS,
                         ids=[f"{i}-{getattr(s, '__name__', 'lambda')}-{h[:24]}" for i, s, h in SLIPS])
def test_a_typical_wrong_solution_fails_with_the_matching_hint(exercise_id, solution, hint):
    report = ts.exercises.check(exercise_id, solution)
    assert not report.passed and not report
    assert report.failures
    assert any(hint in h for h in report.hints), (hint, report.hints, str(report))
    assert hint in str(report)
