"""Bad input to the workflow: compile, fit, evaluate, predict, callbacks, saving and the datasets helpers.

As in test_bad_input.py: the call, the exception type, and a pattern naming the argument and what was given.
A fit refused this way has changed nothing (the weights, the history): the checks run before any work.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import X, Y, assert_unchanged, mlp
from tinygrad_seminar.callbacks import (
    CSVLogger,
    EarlyStopping,
    ModelCheckpoint,
    ReduceLROnPlateau,
    TerminateOnNaN,
)

import tinygrad_seminar as ts
from tinygrad_seminar import keras


def case(call, error, pattern, id):  # noqa: A002 - pytest's name
    return pytest.param(call, error, pattern, id=id)


FIT = [  # keyword arguments of fit (on X, Y unless given), the error, the pattern
    case(dict(epochs=True), TypeError, r"^epochs must be a whole number >= 0, got True \(bool\)", "epochs-True"),
    case(dict(shuffle="no"), TypeError, r"^shuffle must be True or False, got 'no' \(str\)", "shuffle-no"),
    case(dict(validation_split="0.2"), TypeError, r"^validation_split must be a number in \[0, 1\), got '0\.2' "
         r"\(str\)", "validation_split-text"),
    case(dict(validation_split=None), TypeError, r"^validation_split must be a number in \[0, 1\), got None "
         r"\(NoneType\); 0\.0 \(the default\) splits nothing off", "validation_split-None"),
    case(dict(x=[[1.0, 2.0], [3.0]], y=[0.0, 1.0]), ValueError, r"^x is ragged: its rows have lengths 1, 2; a model "
         r"takes a rectangular array", "ragged-x"),
    case(dict(validation_data=([[1.0, 2.0], [3.0]], [0.0, 1.0])), ValueError, r"^validation_data\[0\] is ragged",
         "ragged-validation"),
    case(dict(initial_epoch=1.5), TypeError, r"^initial_epoch must be a whole number >= 0, got 1\.5", "initial_epoch"),
    case(dict(validation_split=0.2, validation_freq="a"), TypeError, r"^validation_freq must be a whole number >= 1 "
         r"or a list of epochs \(from 1\), got 'a'", "validation_freq-text"),
    case(dict(validation_split=0.2, validation_freq=0), ValueError, r"^validation_freq must be a whole number >= 1, "
         r"got 0", "validation_freq-0"),
    case(dict(callbacks=5), TypeError, r"^callbacks must be a list of ts\.callbacks\.Callback, got 5", "callbacks-int"),
    case(dict(batch_size=2.0), TypeError, r"^batch_size must be a whole number >= 1, got 2\.0", "batch_size-float"),
    case(dict(verbose="yes"), ValueError, r"verbose must be \"auto\", 0 \(silent\), 1 .*got verbose='yes'",
         "verbose-text"),
    case(dict(x="abc"), TypeError, r"^x must be numeric, got dtype <U3", "x-text"),
    case(dict(sample_weight=np.ones(3)), ValueError, r"sample_weight must have one weight per sample", "weights-len"),
]


@pytest.mark.parametrize("kwargs, error, pattern", FIT)
def test_fit_refuses_bad_arguments_before_any_work(kwargs, error, pattern):
    model = mlp()
    before = model.state_dict()
    kwargs = {"x": X, "y": Y, "verbose": 0, **kwargs}
    with pytest.raises(error, match=pattern):
        model.fit(**kwargs)
    assert_unchanged(before, model)
    assert model.history is None


WORKFLOW = [
    case(lambda: mlp(compile_=False).compile(optimizer="sgd", loss="mse", metrics=5), TypeError,
         r"^metrics must be a list of names, Metrics or callables, got 5 \(int\)", "compile-metrics-int"),
    case(lambda: mlp(compile_=False).compile(optimizer=5, loss="mse"), TypeError,
         r"optimizer must be a name or an optimiser, got int", "compile-optimizer-int"),
    case(lambda: mlp(compile_=False).compile(loss="foo"), ValueError, r"unknown loss 'foo'; known: mse",
         "compile-loss-unknown"),
    case(lambda: mlp().evaluate(X, Y, return_dict="y", verbose=0), TypeError,
         r"^return_dict must be True or False, got 'y'", "evaluate-return_dict"),
    case(lambda: mlp().predict(np.zeros(2)), ValueError, r"x has shape \(2,\), but a model takes one row per sample",
         "predict-1d"),
    case(lambda: mlp().predict(np.full((2, 2), np.nan)), ValueError, r"^x holds 4 NaN and 0 infinite values",
         "predict-nan"),
    case(lambda: mlp().save(""), ValueError, r"^save: path must name a file, such as 'model\.keras'; got ''",
         "save-empty"),
    case(lambda: mlp().save(5), TypeError, r"^save: path must be a string or a pathlib\.Path, got 5 \(int\)",
         "save-int"),
    case(lambda: mlp().save_weights(""), ValueError, r"^save_weights: path must name a file", "save_weights-empty"),
    case(lambda: ts.Sequential([5]), TypeError, r"Sequential\.add expects a layer \(a Module\), got int",
         "Sequential-int-layer"),
    case(lambda: keras.optimizers.SGD(learning_rate="a"), TypeError, r"SGD: learning_rate must be a real number",
         "keras-SGD-text"),
]

CALLBACKS = [
    case(lambda: EarlyStopping(patience="3"), TypeError, r"^EarlyStopping: patience must be a whole number \(int\), "
         r"got '3' \(str\)", "EarlyStopping-patience-text"),
    case(lambda: EarlyStopping(patience=-1), ValueError, r"EarlyStopping: patience must be a whole number >= 0",
         "EarlyStopping-patience-negative"),
    case(lambda: EarlyStopping(min_delta="a"), TypeError, r"EarlyStopping: min_delta must be a real number",
         "EarlyStopping-min_delta"),
    case(lambda: EarlyStopping(baseline="a"), TypeError, r"EarlyStopping: baseline must be a real number",
         "EarlyStopping-baseline"),
    case(lambda: EarlyStopping(monitor=3), TypeError, r"EarlyStopping: monitor must be the name of a logged value",
         "EarlyStopping-monitor"),
    case(lambda: EarlyStopping(restore_best_weights="yes"), TypeError,
         r"EarlyStopping: restore_best_weights must be True or False", "EarlyStopping-restore"),
    case(lambda: ReduceLROnPlateau(factor="a"), TypeError, r"ReduceLROnPlateau: factor must be a real number",
         "ReduceLROnPlateau-factor"),
    case(lambda: ReduceLROnPlateau(cooldown=-1), ValueError, r"ReduceLROnPlateau: cooldown must be a whole number "
         r">= 0", "ReduceLROnPlateau-cooldown"),
    case(lambda: ModelCheckpoint(None), TypeError, r"ModelCheckpoint: filepath must be a string or a pathlib\.Path",
         "ModelCheckpoint-None"),
    case(lambda: ModelCheckpoint("m.keras", save_best_only="yes"), TypeError,
         r"ModelCheckpoint: save_best_only must be True or False", "ModelCheckpoint-flag"),
    case(lambda: CSVLogger(""), ValueError, r"CSVLogger: filename must name a file", "CSVLogger-empty"),
    case(lambda: CSVLogger("log.csv", append="yes"), TypeError, r"CSVLogger: append must be True or False",
         "CSVLogger-append"),
    case(lambda: TerminateOnNaN("yes"), TypeError, r"TerminateOnNaN: raise_error must be True or False",
         "TerminateOnNaN-flag"),
]

DATASETS = [
    case(lambda: ts.datasets.moons(n="a"), TypeError, r"moons: n must be a whole number \(int\), got 'a'",
         "moons-n-text"),
    case(lambda: ts.datasets.moons(n=-1), ValueError, r"moons: n must be a whole number >= 0, got -1",
         "moons-n-negative"),
    case(lambda: ts.datasets.moons(noise="a"), TypeError, r"moons: noise must be a real number", "moons-noise"),
    case(lambda: ts.datasets.circles(factor=2), ValueError, r"circles: factor must be in \[0, 1\], got 2",
         "circles-factor"),
    case(lambda: ts.datasets.blobs(centers=0), ValueError, r"blobs: centers must be a whole number >= 1",
         "blobs-centers"),
    case(lambda: ts.datasets.blobs(rng=1), TypeError, r"blobs: rng must be a numpy Generator", "blobs-rng"),
    case(lambda: ts.datasets.logic_gate(5), TypeError, r"logic_gate: name must be one of and, or, xor, got 5",
         "logic_gate-int"),
    case(lambda: ts.datasets.train_test_split([[1, 2], [3]], [0, 1]), ValueError,
         r"train_test_split: x is ragged", "train_test_split-ragged"),
    case(lambda: keras.utils.to_categorical([0, 1], num_classes="a"), TypeError,
         r"to_categorical: num_classes must be a whole number \(int\), got 'a'", "to_categorical-text"),
]


@pytest.mark.parametrize("call, error, pattern", WORKFLOW + CALLBACKS + DATASETS)
def test_bad_input_to_the_workflow_is_refused_with_a_clear_message(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_a_bad_callback_argument_fails_when_it_is_made_not_mid_training():
    with pytest.raises(TypeError, match="patience"):
        EarlyStopping(monitor="loss", patience="3")  # before: accepted, then a TypeError once the loss stalled


def test_save_into_a_directory_names_a_file_to_use(tmp_path):
    with pytest.raises(ValueError, match=r"is a directory; name a file inside it, such as '.*model\.keras'"):
        mlp().save(tmp_path)
    assert list(tmp_path.iterdir()) == []
