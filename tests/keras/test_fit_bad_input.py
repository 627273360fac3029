"""Every bad input to compile / fit / evaluate / predict gets a clear message before training starts."""

from __future__ import annotations

import re

import numpy as np
import pytest
from helpers import X, Y, assert_unchanged, mlp

import tinygrad_seminar as ts
from tinygrad_seminar import nn


@pytest.mark.parametrize("method", ["fit", "evaluate"])
def test_fit_and_evaluate_before_compile(method):
    with pytest.raises(RuntimeError, match=rf"^call model\.compile\(optimizer=\.\.\., loss=\.\.\.\) before "
                                           rf"model\.{method}\(\)$"):
        getattr(mlp(compile_=False), method)(X, Y)


@pytest.mark.parametrize("method", ["fit", "evaluate"])
def test_x_and_y_of_different_lengths(method):
    with pytest.raises(ValueError, match=r"^x and y have different numbers of samples: x has shape \(10, 2\), "
                                         r"y has shape \(9,\)$"):
        getattr(mlp(), method)(X, Y[:9])


def test_validation_data_of_different_lengths():
    with pytest.raises(ValueError, match=r"validation_data\[0\] and validation_data\[1\] have different numbers of "
                                         r"samples: validation_data\[0\] has shape \(10, 2\), validation_data\[1\] "
                                         r"has shape \(4,\)"):
        mlp().fit(X, Y, validation_data=(X, Y[:4]))
    with pytest.raises(ValueError, match=r"^validation_data must be a tuple \(x_val, y_val\) or \(x_val, y_val, "
                                         r"val_sample_weight\), got a ndarray$"):
        mlp().fit(X, Y, validation_data=X)
    with pytest.raises(ValueError, match=r"got a tuple of 4 items$"):
        mlp().fit(X, Y, validation_data=(X, Y, None, None))


def test_validation_sample_weights_of_the_wrong_length_are_named():
    model = mlp()
    before = model.state_dict()
    with pytest.raises(ValueError, match=r"^validation_data\[2\] must have one weight per sample, shape \(10,\), "
                                         r"got \(4,\)$"):
        model.fit(X, Y, validation_data=(X, Y, np.ones(4)), verbose=0)
    assert_unchanged(before, model)


WIDTH = r"^Input of layer 'hidden' \(Dense\) is incompatible: expected shape \(None, 2\), received \(\w+, 3\)$"


@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
def test_a_feature_width_the_first_layer_does_not_accept(method):
    model = mlp()
    before = model.state_dict()
    args = (np.zeros((10, 3)),) if method == "predict" else (np.zeros((10, 3)), Y)
    with pytest.raises(ValueError, match=WIDTH):
        getattr(model, method)(*args)
    assert_unchanged(before, model)


def test_a_feature_width_the_input_does_not_accept():
    model = ts.Sequential([ts.Input(shape=(2,)), nn.Dense(1, name="hidden")])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match=WIDTH):
        model.fit(np.zeros((10, 3)), Y)
    with pytest.raises(ValueError, match=r"validation_data|hidden"):
        model.fit(X, Y, validation_data=(np.zeros((4, 3)), Y[:4]))


@pytest.mark.parametrize("where, name", [("x", "x"), ("y", "y"), ("x_val", r"validation_data\[0\]"),
                                         ("y_val", r"validation_data\[1\]")])
def test_nan_or_inf_names_the_argument_and_counts(where, name):
    data = {"x": X.copy(), "y": Y.copy(), "x_val": X.copy(), "y_val": Y.copy()}
    bad = data[where].reshape(-1)
    bad[[1, 3]] = np.nan
    bad[5] = -np.inf
    with pytest.raises(ValueError, match=rf"^{name} holds 2 NaN and 1 infinite values \(of {bad.size}\); clean or "
                                         rf"impute them first$"):
        mlp().fit(data["x"], data["y"], validation_data=(data["x_val"], data["y_val"]), verbose=0)


def test_nan_in_predict_and_evaluate():
    x = X.copy()
    x[0, 0] = np.inf
    with pytest.raises(ValueError, match=r"^x holds 0 NaN and 1 infinite values \(of 20\)"):
        mlp().predict(x)
    with pytest.raises(ValueError, match=rf"^y holds {int(Y.sum())} NaN and 0 infinite values \(of 10\)"):
        mlp().evaluate(X, np.where(Y > 0, np.nan, 0))


def test_labels_outside_0_1_for_binary_crossentropy():
    y = Y.copy()
    y[2] = 2
    with pytest.raises(ValueError, match=r"^binary_crossentropy: targets must lie in \[0, 1\]; y ranges over "
                                         r"\[0, 2\]$"):
        mlp().fit(X, y)
    with pytest.raises(ValueError, match=r"y ranges over \[-1, 1\]"):
        mlp().evaluate(X, 2 * Y - 1)


def softmax_model(loss) -> ts.Sequential:
    ts.manual_seed(0)
    model = ts.Sequential([nn.Dense(3, activation="softmax", input_dim=2)])
    model.compile(optimizer="sgd", loss=loss)
    return model


LABELS = np.arange(10) % 3


def test_categorical_crossentropy_with_integer_labels():
    with pytest.raises(ValueError, match=r"^categorical_crossentropy: expected one-hot targets of shape \(samples, 3\) "
                                         r"but y has shape \(10,\) \(integer labels\?\); use "
                                         r"sparse_categorical_crossentropy, or one-hot encode y$"):
        softmax_model("categorical_crossentropy").fit(X, LABELS)
    with pytest.raises(ValueError, match=r"but y has shape \(10, 1\)"):
        softmax_model("categorical_crossentropy").evaluate(X, LABELS[:, None])


def test_sparse_categorical_crossentropy_with_one_hot_targets():
    with pytest.raises(ValueError, match=r"^sparse_categorical_crossentropy: y looks one-hot \(shape \(10, 3\)\) but "
                                         r"this loss takes integer labels of shape \(samples,\); use "
                                         r"categorical_crossentropy, or y.argmax\(axis=1\)$"):
        softmax_model("sparse_categorical_crossentropy").fit(X, ts.datasets.one_hot(LABELS, 3))


@pytest.mark.parametrize("labels, shown", [(LABELS + 1, "from 1 to 3"), (LABELS - 0.5, "from -0.5 to 1.5")])
def test_sparse_labels_must_be_whole_numbers_within_the_outputs(labels, shown):
    with pytest.raises(ValueError, match=rf"^sparse_categorical_crossentropy: y must hold integer labels in \[0, 2\] "
                                         rf"for a model with 3 outputs; got values {shown}$"):
        softmax_model("sparse_categorical_crossentropy").fit(X, labels)


@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
def test_empty_data(method):
    args = (np.zeros((0, 2)),) if method == "predict" else (np.zeros((0, 2)), np.zeros(0))
    with pytest.raises(ValueError, match=r"^x is empty \(shape \(0, 2\)\): there is nothing to train or evaluate on$"):
        getattr(mlp(), method)(*args)
    with pytest.raises(ValueError, match=r"^x is empty \(shape \(0,\)\)"):
        getattr(mlp(), method)(*([[]] if method == "predict" else [[], []]))


def test_missing_or_non_numeric_data():
    with pytest.raises(ValueError, match=r"^y is None: pass an array of shape \(samples, \.\.\.\)$"):
        mlp().fit(X)
    with pytest.raises(ValueError, match=r"^y is None"):
        mlp().evaluate(X)
    with pytest.raises(ValueError, match=r"^validation_data\[1\] is None"):
        mlp().fit(X, Y, validation_data=(X, None))
    with pytest.raises(TypeError, match=r"^x must be numeric, got dtype <U1 \(text such as 'a'\): a model needs "):
        mlp().fit([["a", "b"]], [1])
    with pytest.raises(ValueError, match=r"^x must have a sample axis, got a scalar$"):
        mlp().predict(3.0)


def test_batch_size_none_means_32_as_in_keras():
    model = mlp()
    assert model.predict(X, batch_size=None).shape == (10, 1)
    assert np.isfinite(model.evaluate(X, Y, batch_size=None, verbose=0))
    assert len(model.fit(X, Y, batch_size=None, verbose=0).history["loss"]) == 1


@pytest.mark.parametrize("bad, error", [(0, ValueError), (-1, ValueError), (1.5, TypeError), (True, TypeError)])
@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
def test_batch_size_below_one_or_not_a_whole_number(method, bad, error):
    args = (X,) if method == "predict" else (X, Y)
    with pytest.raises(error, match=rf"^batch_size must be a whole number >= 1, got {re.escape(repr(bad))}$"):
        getattr(mlp(), method)(*args, batch_size=bad)


@pytest.mark.parametrize("bad", [-0.1, 1.0, 1.5])
def test_validation_split_outside_0_1(bad):
    with pytest.raises(ValueError, match=rf"^validation_split must be in \[0, 1\), got {bad}$"):
        mlp().fit(X, Y, validation_split=bad)


def test_a_validation_split_that_leaves_nothing_to_train_on():
    with pytest.raises(ValueError, match=r"^validation_split=0\.95 of 10 samples leaves 0 to train on and 10 to "
                                         r"validate on$"):
        mlp().fit(X, Y, validation_split=0.95)


@pytest.mark.parametrize("bad, error", [(-1, ValueError), (1.5, TypeError), ("3", TypeError), (True, TypeError)])
def test_epochs_must_be_a_whole_number(bad, error):
    with pytest.raises(error, match=rf"^epochs must be a whole number >= 0, got {re.escape(repr(bad))}"):
        mlp().fit(X, Y, epochs=bad)


def test_an_unknown_verbose_value():
    with pytest.raises(ValueError, match=r"verbose must be \"auto\", 0 \(silent\), 1 \(progress bar\) or 2"):
        mlp().fit(X, Y, verbose=3)


def test_bad_input_changes_nothing():
    model = mlp()
    before = model.state_dict()
    for bad in [lambda: model.fit(X, Y[:9]), lambda: model.fit(X, Y * 2), lambda: model.fit(X, Y, batch_size=0)]:
        with pytest.raises(ValueError):
            bad()
        assert_unchanged(before, model)
        assert model.history is None


def test_a_one_dimensional_x_gets_the_reshape_for_a_feature_and_for_a_sample():
    with pytest.raises(ValueError, match=r"^x has shape \(2,\), but a model takes one row per sample.*for a "
                                         r"single feature write x\.reshape\(-1, 1\), for a single sample "
                                         r"x\.reshape\(1, -1\)$"):
        mlp().predict(np.zeros(2))
