"""The sparse softmax cross-entropy (``SparseSoftmaxCE``, issue 20) in the op table, against PyTorch's
``cross_entropy``, and the paths that must reach it: ``sparse_categorical_crossentropy(..., from_logits=True)``,
Keras' ``SparseCategoricalCrossentropy`` and ``fit`` with integer labels."""

from __future__ import annotations

import numpy as np
import pytest
import strategies as S
from hypothesis import given
from hypothesis import strategies as st
from op_table import Case, property_tests

import tinygrad_seminar as ts
from tinygrad_seminar.autograd.ops import SoftmaxCE, SparseSoftmaxCE


def np_sparse_ce(z, labels):
    """mean over rows of log sum_j e^(z_j) - z_label, in float64 with the max shifted out."""
    s = z - z.max(axis=1, keepdims=True)
    return np.mean(np.log(np.exp(s).sum(axis=1)) - s[np.arange(len(z)), labels])


@st.composite
def logits_and_labels(draw):
    labels, z = draw(S.labels_and_scores(S.arrays))
    return (z,), {"labels": labels}


OPS = [Case("sparse softmax cross-entropy", lambda z, labels: SparseSoftmaxCE.apply(z, labels), np_sparse_ce,
            logits_and_labels())]

(test_values_match_numpy, test_gradient_matches_central_differences, test_second_derivatives_match_central_differences,
 test_float32_in_float32_out_and_float32_gradients) = property_tests(OPS)


@given(pair=S.labels_and_scores(S.arrays))
def test_same_loss_and_gradient_as_against_the_one_hot_rows(pair):
    labels, z = pair
    sparse, dense = ts.Tensor(z, requires_grad=True), ts.Tensor(z, requires_grad=True)
    a = SparseSoftmaxCE.apply(sparse, labels)
    b = SoftmaxCE.apply(dense, np.eye(z.shape[1])[labels])
    a.backward()
    b.backward()
    assert a.item() == pytest.approx(b.item(), rel=1e-12, abs=1e-15)
    np.testing.assert_allclose(sparse.grad, dense.grad, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_against_pytorch_cross_entropy(dtype):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    z = (rng.standard_normal((37, 10)) * 4).astype(dtype)
    labels = rng.integers(0, 10, 37)
    ours = ts.Tensor(z, requires_grad=True)
    loss = ts.losses.sparse_categorical_crossentropy(labels, ours, from_logits=True)
    loss.backward()
    theirs = torch.tensor(z, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(theirs, torch.from_numpy(labels))
    expected.backward()
    rtol = 1e-5 if dtype == "float32" else 1e-12
    assert loss.dtype == np.dtype(dtype) and ours.grad.dtype == np.dtype(dtype)
    assert loss.item() == pytest.approx(expected.item(), rel=rtol)
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), rtol=rtol, atol=rtol * 1e-2)


def test_the_backward_makes_no_one_hot_matrix(monkeypatch):
    """softmax - one_hot is written as softmax with 1 taken off at each label: no (p, classes) zeros are made."""
    z = ts.Tensor(np.random.default_rng(0).standard_normal((6, 4)), requires_grad=True)
    loss = SparseSoftmaxCE.apply(z, np.array([0, 3, 1, 1, 2, 0]))

    def refuse(*args, **kwargs):
        raise AssertionError("np.zeros called: a one-hot matrix is being built")

    monkeypatch.setattr(np, "zeros", refuse)
    monkeypatch.setattr(np, "eye", refuse)
    loss.backward()
    assert z.grad.shape == (6, 4)


def test_the_function_and_the_keras_loss_reach_the_sparse_op():
    z = ts.Tensor(np.zeros((3, 4)), requires_grad=True)
    labels = np.array([0, 3, 1])
    assert type(ts.losses.sparse_categorical_crossentropy(labels, z, from_logits=True).grad_fn) is SparseSoftmaxCE
    assert type(ts.losses.SparseCategoricalCrossentropy(from_logits=True)(labels, z).grad_fn) is SparseSoftmaxCE
    from_probabilities = ts.losses.sparse_categorical_crossentropy(labels, z.softmax())
    assert from_probabilities.item() == pytest.approx(np.log(4))


def test_fit_with_integer_labels_trains_through_the_sparse_op():
    rng = np.random.default_rng(1)
    x, labels = rng.standard_normal((40, 5)).astype(np.float32), rng.integers(0, 3, 40)
    model = ts.Sequential([ts.nn.Dense(8, activation="relu", input_dim=5), ts.nn.Dense(3)])
    model.compile(optimizer=ts.optim.SGD(lr=0.1), loss=ts.losses.SparseCategoricalCrossentropy(from_logits=True),
                  jit_compile=False)  # the op's own forward on every batch (a replay writes it out: its template)
    seen = []
    original = SparseSoftmaxCE.forward

    def spy(ctx, z, lab):
        seen.append(lab.dtype.kind)
        return original(ctx, z, lab)

    SparseSoftmaxCE.forward = staticmethod(spy)
    try:
        history = model.fit(x, labels, epochs=3, batch_size=16, verbose=0)
    finally:
        SparseSoftmaxCE.forward = staticmethod(original)
    assert len(seen) == 9 and set(seen) == {"i"}  # every batch, on integer indices
    assert history.history["loss"][-1] < history.history["loss"][0]


@pytest.mark.parametrize("labels", [np.array([0, 4, 1]), np.array([0, -1, 1])])
def test_an_out_of_range_label_is_refused_before_any_work(labels):
    z = ts.Tensor(np.zeros((3, 4)), requires_grad=True)
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\] for 4 classes"):
        ts.losses.sparse_categorical_crossentropy(labels, z, from_logits=True)
    assert z.grad is None
