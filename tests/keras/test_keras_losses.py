"""Keras' loss classes: names, aliases, from_logits, configs; what losses.get accepts."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_seminar as ts
from tinygrad_seminar import losses as L


def test_from_logits_matters_in_the_classes():
    z = ts.tensor([[2.0, -1.0]])
    assert L.CategoricalCrossentropy(from_logits=True)([[1.0, 0.0]], z).item() == pytest.approx(
        np.log(1 + np.exp(-3.0)), rel=1e-6)
    assert L.BinaryCrossentropy(from_logits=True).from_logits
    assert not L.BinaryCrossentropy().from_logits
    assert L.BinaryCrossentropy(from_logits=True).get_config() == {"name": "binary_crossentropy", "from_logits": True}


@pytest.mark.parametrize("name, cls", [
    ("mse", L.MeanSquaredError), ("mean_squared_error", L.MeanSquaredError),
    ("mae", L.MeanAbsoluteError), ("mean_absolute_error", L.MeanAbsoluteError),
    ("binary_crossentropy", L.BinaryCrossentropy), ("categorical_crossentropy", L.CategoricalCrossentropy),
    ("sparse_categorical_crossentropy", L.SparseCategoricalCrossentropy),
])
def test_get_by_keras_name(name, cls):
    loss = L.get(name)
    assert type(loss) is cls
    assert not loss.from_logits


def test_get_passes_objects_and_callables_through_and_rejects_the_rest():
    bce = L.BinaryCrossentropy(from_logits=True)
    assert L.get(bce) is bce
    assert L.get(L.mse) is L.mse
    with pytest.raises(TypeError, match="loss must be a name, a Loss or a callable, got int"):
        L.get(3)


def test_get_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError) as err:
        L.get("crossentropy")
    msg = str(err.value)
    assert msg.startswith("unknown loss 'crossentropy'; known: ")
    for name in ("mse", "mae", "binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy"):
        assert name in msg


def test_a_loss_class_given_to_get_is_instantiated():
    assert isinstance(ts.losses.get(ts.losses.MeanSquaredError), ts.losses.MeanSquaredError)
