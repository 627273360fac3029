"""Softmax and its cross-entropies on logits near the float32 maximum (issue 19): z - max z may leave the float
range; it must give the exact answer (the term's e^ is 0), not nan, and no overflow warning."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinygrad_seminar as ts
from tinygrad_seminar import keras
from tinygrad_seminar.autograd.ops import SoftmaxCE, SparseSoftmaxCE

EDGE = np.array([[3e38, -3e38, 0.0]], np.float32)
# (target as a label, as a one-hot or soft row, the loss float32 gives: 0, an overflow to inf, 3e38)
TARGETS = [(0, [1.0, 0.0, 0.0], 0.0), (1, [0.0, 1.0, 0.0], np.inf), (2, [0.0, 0.0, 1.0], 3e38)]


def loss_and_grad(op, target):
    z = ts.Tensor(EDGE, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow (nor invalid value) warning on the way
        loss = op.apply(z, target)
        loss.backward()
    return float(loss), z.grad


@pytest.mark.parametrize("label, row, expected", TARGETS)
def test_cross_entropy_from_logits_near_the_float32_maximum(label, row, expected):
    sparse, g_sparse = loss_and_grad(SparseSoftmaxCE, np.array([label]))
    dense, g_dense = loss_and_grad(SoftmaxCE, np.array([row], np.float32))
    assert sparse == dense == pytest.approx(expected, rel=1e-6)
    hot = np.eye(3, dtype=np.float32)[label]
    expected_grad = np.array([1.0, 0.0, 0.0], np.float32) - hot  # softmax(z) - y, softmax(z) = (1, 0, 0) exactly
    np.testing.assert_array_equal(g_sparse[0], expected_grad)
    np.testing.assert_array_equal(g_dense[0], expected_grad)


def test_soft_targets_with_zeros_where_log_p_is_minus_inf_are_not_nan():
    """0 log 0 = 0: PyTorch's soft-target cross_entropy gives nan here, the sparse one 0; both give 0 here."""
    loss, grad = loss_and_grad(SoftmaxCE, np.array([[1.0, 0.0, 0.0]], np.float32))
    assert loss == 0.0 and not np.signbit(loss)
    np.testing.assert_array_equal(grad, np.zeros((1, 3), np.float32))


def test_softmax_and_log_softmax_near_the_float32_maximum():
    z = ts.Tensor(EDGE, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p, log_p = z.softmax(), z.log_softmax()
        log_p[0, 0].backward()
    np.testing.assert_array_equal(p.data, [[1.0, 0.0, 0.0]])
    top = EDGE[0, 0]
    # z - max z in float32: 0, -6e38 (beyond the float range: -inf, as PyTorch has it), 0 - 3e38
    np.testing.assert_array_equal(log_p.data, [[0.0, -np.inf, EDGE[0, 2] - top]])
    np.testing.assert_array_equal(z.grad, [[0.0, 0.0, 0.0]])


def test_the_keras_losses_from_logits_near_the_float32_maximum():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert float(keras.losses.sparse_categorical_crossentropy(np.array([0]), EDGE, from_logits=True)) == 0.0
        assert float(keras.losses.categorical_crossentropy(np.eye(3, dtype=np.float32)[:1], EDGE,
                                                           from_logits=True)) == 0.0


def test_ordinary_logits_are_unchanged_bit_for_bit():
    z = np.random.default_rng(0).standard_normal((16, 5)).astype(np.float32)
    y = np.eye(5, dtype=np.float32)[np.arange(16) % 5]
    s = z - z.max(axis=-1, keepdims=True)
    log_p = s - np.log(np.exp(s).sum(axis=-1, keepdims=True))
    assert float(SoftmaxCE.apply(ts.Tensor(z), y)) == -(y * log_p).sum() / 16
    np.testing.assert_array_equal(ts.Tensor(z).log_softmax().data, log_p)


@pytest.mark.parametrize("label", [0, 1, 2])
def test_against_pytorch(label):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: the comparison with it is skipped")
    zt = torch.tensor(EDGE, requires_grad=True)
    expected = torch.nn.functional.cross_entropy(zt, torch.tensor([label]))
    expected.backward()
    loss, grad = loss_and_grad(SparseSoftmaxCE, np.array([label]))
    assert loss == pytest.approx(expected.item(), rel=1e-6)
    np.testing.assert_array_equal(grad, zt.grad.numpy())
    np.testing.assert_array_equal(ts.Tensor(EDGE).log_softmax().data,
                                  torch.log_softmax(torch.tensor(EDGE), dim=-1).numpy())
