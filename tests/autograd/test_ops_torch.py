"""The ops of issue 17 against PyTorch itself: values and gradients on one fixed input each.

PyTorch is not a dependency: without it these tests skip, and say so. The property tables
(test_ops*.py) check the same ops against numpy and central differences everywhere.
"""

from __future__ import annotations

import numpy as np
import pytest
import tinygrad_seminar.functional as F

import tinygrad_seminar as ts

X = np.array([[0.3, -0.7, 0.2], [0.9, -0.4, 0.6]])

PAIRS = {  # name: (ours, PyTorch's), each a function of one tensor
    **{n: (lambda t, n=n: getattr(t, n)(), lambda t, n=n: getattr(t, n)()) for n in (
        "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "log1p", "expm1", "erf", "square",
        "reciprocal", "sign", "floor", "ceil", "round", "trunc", "exp", "tanh", "sigmoid", "abs")},
    "gelu": (lambda t: t.gelu(), lambda t: __import__("torch").nn.functional.gelu(t)),
    "silu": (lambda t: t.silu(), lambda t: __import__("torch").nn.functional.silu(t)),
    "selu": (lambda t: t.selu(), lambda t: __import__("torch").nn.functional.selu(t)),
    "softsign": (lambda t: t.softsign(), lambda t: __import__("torch").nn.functional.softsign(t)),
    "hardtanh": (lambda t: t.hardtanh(-0.5, 0.5), lambda t: __import__("torch").nn.functional.hardtanh(t, -0.5, 0.5)),
    "std": (lambda t: t.std(dim=1, ddof=1), lambda t: t.std(dim=1)),
    "logsumexp": (lambda t: t.logsumexp(dim=1), lambda t: t.logsumexp(dim=1)),
    "prod": (lambda t: t.prod(dim=0), lambda t: t.prod(dim=0)),
    "norm": (lambda t: t.norm(), lambda t: t.norm()),
    "cumsum": (lambda t: t.cumsum(dim=1), lambda t: t.cumsum(dim=1)),
    "cumprod": (lambda t: t.cumprod(1), lambda t: t.cumprod(1)),
    "flip": (lambda t: t.flip(0, 1), lambda t: t.flip((0, 1))),
    "roll": (lambda t: t.roll(1, 1), lambda t: t.roll(1, 1)),
    "tril": (lambda t: t.tril(), lambda t: t.tril()),
    "repeat": (lambda t: t.repeat(2, 1), lambda t: t.repeat(2, 1)),
    "pad reflect": (lambda t: F.pad(t, (1, 1), "reflect"),
                    lambda t: __import__("torch").nn.functional.pad(t[None], (1, 1), "reflect")[0]),
    "einsum": (lambda t: F.einsum("ij,kj->ik", t, t), lambda t: __import__("torch").einsum("ij,kj->ik", t, t)),
    "mod": (lambda t: t % 0.25, lambda t: t % 0.25),
}


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_values_and_gradients_agree_with_pytorch(name):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: the comparison with it is skipped")
    ours, theirs = PAIRS[name]
    x = ts.Tensor(X, requires_grad=True)
    xt = torch.tensor(X, requires_grad=True)
    y, yt = ours(x), theirs(xt)
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-7, atol=1e-10)
    y.sum().backward()
    yt.sum().backward()
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-7, atol=1e-10)
