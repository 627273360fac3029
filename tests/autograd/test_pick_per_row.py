"""F.pick_per_row (a label's entry of each row): values, central differences, second derivatives, bad input."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_seminar as ts
from tinygrad_seminar import functional as F


def test_values_gradients_and_second_derivatives():
    rng = np.random.default_rng(0)
    a = ts.Tensor(rng.standard_normal((5, 4)), requires_grad=True)
    index = np.array([3, 0, 0, 2, 1])
    assert np.array_equal(F.pick_per_row(a, index).data, a.data[np.arange(5), index])
    assert ts.gradcheck(lambda t: (F.pick_per_row(t, index) ** 2).sum(), a)
    assert ts.gradgradcheck(lambda t: (F.pick_per_row(t.tanh(), index) ** 3).sum(), a)
    (F.pick_per_row(a, index) * 2).sum().backward()
    want = np.zeros((5, 4))
    want[np.arange(5), index] = 2
    assert np.array_equal(a.grad, want)


def test_agrees_with_torch_gather():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    a = rng.standard_normal((6, 3)).astype(np.float32)
    index = rng.integers(0, 3, 6)
    t = torch.tensor(a, requires_grad=True)
    out = t.gather(1, torch.tensor(index)[:, None])[:, 0]
    (out * torch.arange(6.0)).sum().backward()
    x = ts.Tensor(a, requires_grad=True)
    ours = F.pick_per_row(x, index)
    (ours * ts.Tensor(np.arange(6.0, dtype=np.float32))).sum().backward()
    assert np.array_equal(ours.data, out.detach().numpy()) and np.array_equal(x.grad, t.grad.numpy())


@pytest.mark.parametrize(("shape", "index"), [((3, 2), [0, 1]), ((3,), [0, 1, 0]), ((3, 2), [0.0, 1.0, 1.0])])
def test_bad_shapes_and_dtypes_are_refused(shape, index):
    with pytest.raises(ValueError, match="pick_per_row: a must have shape"):
        F.pick_per_row(ts.Tensor(np.ones(shape)), np.array(index))
