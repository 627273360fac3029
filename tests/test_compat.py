"""0.1's import paths and names still work, and name the modules where those now live (never a second copy)."""

from __future__ import annotations

import importlib

import pytest

import tinygrad_seminar as ts


@pytest.mark.parametrize("path, name, same_as", [
    ("tinygrad_seminar.optim", "SGD", lambda: ts.optim.SGD),
    ("tinygrad_seminar.losses", "BinaryCrossentropy", lambda: ts.losses.BinaryCrossentropy),
    ("tinygrad_seminar.callbacks", "EarlyStopping", lambda: ts.callbacks.EarlyStopping),
    ("tinygrad_seminar.callbacks.early_stopping", "EarlyStopping", lambda: ts.callbacks.EarlyStopping),
    ("tinygrad_seminar.metrics", "BinaryAccuracy", lambda: ts.metrics.BinaryAccuracy),
    ("tinygrad_seminar.functional", "log_softmax", lambda: ts.functional.log_softmax),
    ("tinygrad_seminar.engine", "toposort", lambda: ts.engine.toposort),
    ("tinygrad_seminar.engine", "no_grad", lambda: ts.no_grad),
    ("tinygrad_seminar.ops", "Add", lambda: ts.ops.Add),
    ("tinygrad_seminar.ops.fused", "SoftmaxCE", lambda: ts.ops.SoftmaxCE),
    ("tinygrad_seminar.saving", "load_model", lambda: ts.load_model),
    ("tinygrad_seminar.nn", "Sequential", lambda: ts.Sequential),
])
def test_an_old_import_path_gives_the_very_same_object(path, name, same_as):
    assert getattr(importlib.import_module(path), name) is same_as()


def test_a_callback_imported_by_a_submodule_path_is_one_fit_accepts():
    from tinygrad_seminar.callbacks.early_stopping import EarlyStopping

    assert isinstance(EarlyStopping(), ts.callbacks.Callback)


def test_nn_sequential_is_still_the_keras_model_that_compiles_and_fits():
    model = ts.nn.Sequential([ts.nn.Dense(1, input_dim=2)], "old_style")
    model.compile(optimizer="sgd", loss="mse")
    model.fit([[0.0, 1.0], [1.0, 0.0]], [1.0, 0.0], verbose=0)
    assert model.name == "old_style" and isinstance(model, ts.nn.containers.Sequential)
