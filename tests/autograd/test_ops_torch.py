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
    "pad circular": (lambda t: F.pad(t, (2, 1, 1, 0), "circular"),
                     lambda t: __import__("torch").nn.functional.pad(t[None], (2, 1, 1, 0), "circular")[0]),
    "std correction=0": (lambda t: t.std(dim=0, correction=0), lambda t: t.std(dim=0, correction=0)),
    "var unbiased": (lambda t: t.var(dim=1, unbiased=True), lambda t: t.var(dim=1, unbiased=True)),
    "norm(axis=)": (lambda t: t.norm(1, axis=1, keepdims=True), lambda t: t.norm(1, dim=1, keepdim=True)),
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


EINSUMS = {  # spec: shapes; "..." broadcasts batch axes, a letter repeated in one operand takes a diagonal
    "...ij,...jk->...ik": [(2, 1, 2, 3), (4, 3, 2)], "...i->i": [(2, 3)], "i...->...": [(2, 3, 4)],
    "ii->i": [(3, 3)], "ii->": [(3, 3)], "iij->j": [(3, 3, 2)], "ii,ij->j": [(3, 3), (3, 2)],
    "...ii->...": [(2, 3, 3)], "...ij": [(2, 3, 4)], "ij,ij->ij": [(1, 3), (2, 3)],
}


@pytest.mark.parametrize("spec", sorted(EINSUMS))
def test_einsum_with_ellipsis_and_diagonals_agrees_with_pytorch(spec):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: the comparison with it is skipped")
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=s) for s in EINSUMS[spec]]
    xs = [ts.Tensor(a, requires_grad=True) for a in arrays]
    xts = [torch.tensor(a, requires_grad=True) for a in arrays]
    y, yt = F.einsum(spec, *xs), torch.einsum(spec, *xts)
    np.testing.assert_allclose(y.data, yt.detach().numpy(), rtol=1e-12)
    w = rng.normal(size=y.shape)
    (y * ts.Tensor(w)).sum().backward()
    (yt * torch.tensor(w)).sum().backward()
    for x, xt in zip(xs, xts):
        np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_the_leftovers_edge_cases_agree_with_pytorch():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: the comparison with it is skipped")
    bounds = [-1.0, -0.5, 1.0, 2.0]  # hardtanh at its bounds: gradient 0
    x, xt = ts.tensor(bounds, requires_grad=True), torch.tensor(bounds, requires_grad=True)
    x.hardtanh().sum().backward()
    torch.nn.functional.hardtanh(xt).sum().backward()
    np.testing.assert_array_equal(x.grad, xt.grad.numpy())
    c, ct = ts.tensor([3.0, 3.0, 3.0], requires_grad=True), torch.tensor([3.0, 3.0, 3.0], requires_grad=True)
    c.std(correction=1).backward()  # std at a constant: gradient 0
    ct.std().backward()
    np.testing.assert_array_equal(c.grad, ct.grad.numpy())
    with pytest.raises(RuntimeError, match="floor_divide"):  # // has no derivative in PyTorch
        (torch.tensor([3.0], requires_grad=True) // 2).sum().backward()
    with pytest.raises(RuntimeError, match="floor_divide"):
        (ts.tensor([3.0], requires_grad=True) // 2).sum().backward()
    scores = [[0.3, 0.9], [0.8, 0.1]]
    a, at = ts.tensor(scores).argmax(dim=1, keepdim=True), torch.tensor(scores).argmax(dim=1, keepdim=True)
    assert at.dtype == torch.int64 and a.dtype == np.int64 and a.shape == tuple(at.shape)
    np.testing.assert_array_equal(a.data, at.numpy())


@pytest.mark.parametrize("name", ["logsumexp", "argmax", "argmin", "cat", "stack"])
def test_out_of_range_axes_give_pytorchs_index_error(name):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: the comparison with it is skipped")
    calls = {"logsumexp": lambda m, t: t.logsumexp(5), "argmax": lambda m, t: t.argmax(5),
             "argmin": lambda m, t: t.argmin(-4), "cat": lambda m, t: m.cat([t, t], dim=5),
             "stack": lambda m, t: m.stack([t, t], dim=-5)}
    messages = []
    for module in (torch, ts):
        with pytest.raises(IndexError) as caught:
            calls[name](module, module.ones(2, 3))
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
