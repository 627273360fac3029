"""Whole training loops: float32 end to end, XOR with a 2-4-1 network, four Gaussian blobs with softmax."""

from __future__ import annotations

import numpy as np
import pytest
from tinygrad_seminar.optim import SGD, Adam

import tinygrad_seminar as ts
from tinygrad_seminar import losses as L
from tinygrad_seminar import nn

# (output activation, loss, targets) for a 3 -> 8 -> 2 network on 16 samples
LABELS = np.arange(16) % 2
HEADS = [
    ("sigmoid", L.binary_crossentropy, np.eye(2)[LABELS]),  # float64 targets against float32 predictions
    (None, L.BinaryCrossentropy(from_logits=True), np.eye(2)[LABELS]),
    ("softmax", L.categorical_crossentropy, np.eye(2)[LABELS]),
    (None, L.SparseCategoricalCrossentropy(from_logits=True), LABELS),
    ("linear", L.mse, np.eye(2)[LABELS].tolist()),
]


@pytest.mark.parametrize("optimizer", [SGD, Adam])
@pytest.mark.parametrize("activation, loss_fn, targets", HEADS)
def test_a_float32_training_step_stays_float32(optimizer, activation, loss_fn, targets):
    ts.manual_seed(0)
    model = ts.Sequential([nn.Dense(8, activation="relu", input_dim=3), nn.Dropout(0.1),
                           nn.Dense(2, activation=activation, input_dim=8)])
    x = np.random.default_rng(0).standard_normal((16, 3))  # float64 data: the first layer casts it
    opt = optimizer(model.parameters(), lr=0.1)
    before = model.state_dict()
    assert len(before) == 4
    for _ in range(2):
        opt.zero_grad()
        out = model(x)
        loss = loss_fn(targets, out)
        loss.backward()
        opt.step()
        assert out.dtype == np.float32
        assert loss.dtype == np.float32
        assert all(p.grad.dtype == np.float32 for p in model.parameters())
        assert all(p.dtype == np.float32 for p in model.parameters())
    after = model.state_dict()
    assert all(not np.array_equal(before[name], after[name]) for name in before)


def test_sgd_trains_a_2_4_1_network_on_xor():
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
    y = np.array([[0], [1], [1], [0]], np.float32)
    ts.manual_seed(0)
    model = ts.Sequential([nn.Dense(4, activation="tanh", input_dim=2),
                           nn.Dense(1, activation="sigmoid", input_dim=4)])
    opt = SGD(model.parameters(), lr=0.5, momentum=0.9)
    first = L.binary_crossentropy(y, model(x)).item()
    for _ in range(500):
        opt.zero_grad()
        loss = L.binary_crossentropy(y, model(x))
        loss.backward()
        opt.step()
    assert loss.item() < 0.01 < first
    np.testing.assert_array_equal(model(x).data > 0.5, y == 1)  # 100% accuracy


def blobs(n: int, rng: np.random.Generator):
    """n points around four centres (the corners of a square of side 4), noise 0.8: about 1% overlap."""
    centres = np.array([[-2.0, -2.0], [-2.0, 2.0], [2.0, -2.0], [2.0, 2.0]])
    labels = rng.integers(0, 4, n)
    return (centres[labels] + rng.normal(0.0, 0.8, (n, 2))).astype(np.float32), labels


def test_a_softmax_network_separates_four_blobs():
    rng = np.random.default_rng(0)
    x, labels = blobs(400, rng)
    x_test, labels_test = blobs(400, rng)
    ts.manual_seed(0)
    model = ts.Sequential([nn.Dense(16, activation="tanh", input_dim=2),
                           nn.Dense(4, activation="softmax", input_dim=16)])
    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    chance = (model(x_test).data.argmax(axis=1) == labels_test).mean()
    for _ in range(100):
        opt.zero_grad()
        loss = L.sparse_categorical_crossentropy(labels, model(x))
        loss.backward()
        opt.step()
    np.testing.assert_allclose(model(x).data.sum(axis=1), 1.0, rtol=1e-5)  # softmax rows
    accuracy = (model(x_test).data.argmax(axis=1) == labels_test).mean()
    assert accuracy >= 0.95 > chance
