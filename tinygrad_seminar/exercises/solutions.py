"""Reference solutions of the catalogue, written as a student would write them: numpy only, named after the
exercises' ids (the Functions after their classes), each standing alone (a notebook's cell can hold it).
They are kept out of the statements; the tests and the notebooks check them, and
``python -m tinygrad_seminar exercises check`` passes on this very file.
"""

import numpy as np

# ts.Function, as a student writes it: when the package imports this module its root is still loading, so ts is
# the autograd package here, where Function lives (in a student's file it is `import tinygrad_seminar as ts`)
import tinygrad_seminar.autograd as ts


# ---- 2. the perceptron; 4. the linear neuron; 5. the sigmoid neuron (samples in columns) ----
def perceptron_update(w, b, x, y, eta):
    y_hat = (w @ x + b >= 0).astype(float)  # step(0) = 1
    return w + eta * (y - y_hat) @ x.T, b + eta * (y - y_hat)


def linear_sgd_update(w, b, x, y, eta):
    err = y - (w @ x + b)
    return w + eta * err @ x.T, b + eta * err


def linear_bgd_update(w, b, X, Y, eta):
    p = X.shape[1]
    err = Y - (w @ X + b)
    return w + eta / p * err @ X.T, b + eta / p * err.sum(axis=1, keepdims=True)


def sigmoid_gradient(w, b, X, Y):
    p = X.shape[1]
    y_hat = 1 / (1 + np.exp(-(w @ X + b)))
    return -(Y - y_hat) @ X.T / p, -(Y - y_hat).sum(axis=1, keepdims=True) / p


# ---- 6. the delta rule's table ----
def linear_derivative(z, a):
    return np.ones_like(z)


def sigmoid_derivative(z, a):
    return a * (1 - a)


def tanh_derivative(z, a):
    return (1 + a) * (1 - a)


def relu_derivative(z, a):
    return (z > 0).astype(float)


# ---- 7. softmax and categorical cross-entropy ----
def softmax_jacobian(z):
    e = np.exp(z - z.max())
    s = e / e.sum()
    return np.diag(s) - np.outer(s, s)


def softmax_cce_gradient(Z, Y):
    e = np.exp(Z - Z.max(axis=0, keepdims=True))  # softmax down each column
    return (e / e.sum(axis=0, keepdims=True) - Y) / Z.shape[1]


# ---- 8. backpropagation ----
def backprop(w, b, X, Y, eta, hidden_activation, output_activation):
    def softmax(z):
        e = np.exp(z - z.max(axis=0, keepdims=True))
        return e / e.sum(axis=0, keepdims=True)

    phi = {"linear": lambda z: z, "sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh,
           "relu": lambda z: np.maximum(z, 0), "softmax": softmax}
    dphi = {"linear": lambda z, a: np.ones_like(z), "sigmoid": lambda z, a: a * (1 - a),
            "tanh": lambda z, a: (1 + a) * (1 - a), "relu": lambda z, a: (z > 0).astype(float)}
    L = len(w) - 1
    names = [None] + [hidden_activation] * (L - 1) + [output_activation]
    z, a = [None], [X]
    for l in range(1, L + 1):
        z.append(w[l] @ a[l - 1] + b[l])
        a.append(phi[names[l]](z[l]))
    delta = [None] * (L + 1)
    delta[L] = Y - a[L]  # sigmoid + BCE, softmax + CCE
    if output_activation in ("linear", "tanh", "relu"):  # the 1/2 squared error keeps phi'
        delta[L] = delta[L] * dphi[output_activation](z[L], a[L])
    for l in range(L - 1, 0, -1):
        delta[l] = (w[l + 1].T @ delta[l + 1]) * dphi[names[l]](z[l], a[l])
    new_w = [None] + [w[l] + eta * delta[l] @ a[l - 1].T for l in range(1, L + 1)]
    new_b = [None] + [b[l] + eta * delta[l].sum(axis=1, keepdims=True) for l in range(1, L + 1)]
    return delta, new_w, new_b


# ---- 9. the framework: a Dense layer's backward, your own Functions (samples in rows) ----
def dense_backward(x, W, b, grad_output):
    return grad_output.T @ x, grad_output.sum(axis=0), grad_output @ W


class Tanh(ts.Function):
    @staticmethod
    def forward(ctx, x):
        a = np.tanh(x)
        ctx.save_for_backward(a)
        return a

    @staticmethod
    def backward(ctx, grad_output):
        (a,) = ctx.saved_tensors
        return grad_output * (1 - a * a)


class Softplus(ts.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return np.logaddexp(0.0, x)  # log(1 + e^x), without overflow

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * np.exp(-np.logaddexp(0.0, -x))  # sigma(x)


class LayerNorm(ts.Function):
    eps = 1e-5

    @staticmethod
    def forward(ctx, x):
        mean = x.mean(axis=-1, keepdims=True)
        std = np.sqrt(x.var(axis=-1, keepdims=True) + LayerNorm.eps)
        y = (x - mean) / std
        ctx.save_for_backward(y, std)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        y, std = ctx.saved_tensors
        g = grad_output
        return (g - g.mean(axis=-1, keepdims=True) - y * (g * y).mean(axis=-1, keepdims=True)) / std
