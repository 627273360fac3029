"""NaN in training (issue 19, item 5): TerminateOnNaN, fit's report of the first invalid loss, and metrics of
NaN predictions, which are nan, never a plausible accuracy."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from helpers import X, Y, mlp
from tinygrad_seminar.callbacks import LambdaCallback, TerminateOnNaN

import tinygrad_seminar as ts
from tinygrad_seminar import nn
from tinygrad_seminar.keras import metrics

LABELS = np.arange(10) % 2


def exploding(metrics_=("accuracy",)) -> ts.Sequential:
    """A classifier whose SGD step at lr 1e30 overflows: its loss is finite on batch 1 and nan from batch 2 on."""
    ts.manual_seed(0)
    model = ts.Sequential([nn.Dense(8, activation="relu", input_dim=2), nn.Dense(2)])
    model.compile(optimizer=ts.optim.SGD(lr=1e30), metrics=list(metrics_),
                  loss=ts.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    return model


def batch_losses(store: list) -> LambdaCallback:
    return LambdaCallback(on_train_batch_end=lambda batch, logs: store.append(logs["loss"]))


def quiet_fit(model, **kwargs):
    """fit, numpy's overflow warnings silenced; fit's own warnings come back as a list."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", message=".*(overflow|invalid value)")
        history = model.fit(X, LABELS, batch_size=2, shuffle=False, verbose=0, **kwargs)
    return history, [w for w in caught if "fit:" in str(w.message)]


def test_the_probe_model_goes_nan_at_the_second_batch():
    losses = []
    history, _ = quiet_fit(exploding(), epochs=2, callbacks=[batch_losses(losses)])
    assert np.isfinite(losses[0]) and np.isnan(losses[1:]).all()
    assert len(losses) == 10 and np.isnan(history.history["loss"]).all()


def test_terminate_on_nan_stops_after_the_first_invalid_batch(capsys):
    losses = []
    history, _ = quiet_fit(exploding(), epochs=8, callbacks=[batch_losses(losses), TerminateOnNaN()])
    assert len(losses) == 2  # the batch that went nan was the last one trained
    assert history.epoch == [0]
    assert "Batch 1: Invalid loss, terminating training" in capsys.readouterr().out


def test_terminate_on_nan_with_raise_error_raises_naming_the_batch():
    with pytest.raises(RuntimeError, match=r"^NaN or Inf loss encountered at batch 1 \(loss nan\)"):
        quiet_fit(exploding(), epochs=8, callbacks=[TerminateOnNaN(raise_error=True)])


def test_terminate_on_nan_reacts_to_inf_too_and_not_to_finite_losses():
    model = mlp()
    callback = TerminateOnNaN()
    callback.set_model(model)
    for value in (0.5, 1e38):
        callback.on_train_batch_end(0, {"loss": value})
        assert not model.stop_training
    callback.on_train_batch_end(3, {"loss": float("inf")})
    assert model.stop_training
    with pytest.raises(RuntimeError, match="batch 4"):
        TerminateOnNaN(raise_error=True).on_train_batch_end(4, {"loss": -np.inf})


def test_terminate_on_nan_is_exported_where_the_other_callbacks_are():
    assert ts.callbacks.TerminateOnNaN is ts.keras.callbacks.TerminateOnNaN is TerminateOnNaN
    assert "TerminateOnNaN" in ts.keras.callbacks.__all__


@pytest.mark.parametrize("verbose", [0, 2])
def test_fit_reports_where_the_loss_first_became_invalid_once_per_fit(verbose):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        warnings.filterwarnings("ignore", message=".*(overflow|invalid value)")
        exploding().fit(X, LABELS, batch_size=2, epochs=3, shuffle=False, verbose=verbose)
    reports = [w for w in caught if "fit:" in str(w.message)]
    assert len(reports) == 1  # three epochs of nan, one report
    assert reports[0].category is RuntimeWarning
    assert str(reports[0].message).startswith("fit: the loss became nan at epoch 1/3, batch 2/5; ")
    assert reports[0].filename == __file__  # it points at the call of fit


def test_a_second_fit_failing_at_the_same_place_reports_again():
    """Python's default filter shows a warning once per place; a notebook cell run again must still see it."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.resetwarnings()
        warnings.filterwarnings("ignore", message=".*(overflow|invalid value)")
        for _ in range(2):
            exploding().fit(X, LABELS, batch_size=2, epochs=1, shuffle=False, verbose=0)
    assert sum("fit: the loss became nan" in str(w.message) for w in caught) == 2


def test_a_finite_fit_reports_nothing():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mlp().fit(X, Y, epochs=2, verbose=0)


@pytest.mark.filterwarnings("ignore:invalid value encountered")
def test_evaluate_on_nan_weights_gives_nan_metrics_not_a_plausible_accuracy():
    model = mlp(metrics=["accuracy", "precision", "recall", "auc", "mae"])
    model.fit(X, Y, epochs=1, verbose=0)
    assert np.isfinite(model.evaluate(X, Y, verbose=0)).all()
    model.layers[-1].weight.data[:] = np.nan
    results = model.evaluate(X, Y, verbose=0, return_dict=True)
    assert set(results) == {"loss", "accuracy", "precision", "recall", "auc", "mae"}
    assert all(np.isnan(v) for v in results.values()), results


@pytest.mark.parametrize("metric, y, out", [
    (metrics.SparseCategoricalAccuracy(), np.array([0, 1]), np.array([[np.nan, 0.0], [0.0, 1.0]])),
    (metrics.CategoricalAccuracy(), np.eye(2), np.array([[np.nan, 0.0], [0.0, 1.0]])),
    (metrics.BinaryAccuracy(), np.array([[1.0], [0.0]]), np.array([[np.nan], [0.0]])),
    (metrics.Precision(), np.array([[1.0], [0.0]]), np.array([[np.nan], [0.9]])),
    (metrics.AUC(), np.array([[1.0], [0.0]]), np.array([[np.nan], [0.9]])),
    (metrics.FunctionMetric(lambda y, p: 1.0), np.array([[1.0]]), np.array([[np.nan]])),
])
def test_one_nan_prediction_makes_the_metric_nan_until_reset(metric, y, out):
    metric.update_state(y, np.where(np.isnan(out), 0.0, out))
    assert np.isfinite(metric.result())
    metric.update_state(y, out)
    assert np.isnan(metric.result())
    metric.reset_state()
    metric.update_state(y, np.where(np.isnan(out), 0.0, out))
    assert np.isfinite(metric.result())
