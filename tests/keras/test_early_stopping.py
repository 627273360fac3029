"""EarlyStopping, driven by scripted epoch logs."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import FakeModel, run_callbacks
from tinygrad_seminar.callbacks import EarlyStopping


def test_early_stopping_waits_patience_epochs_without_improvement():
    es = EarlyStopping(patience=2)
    model, ran = run_callbacks(es, [1.0, 0.9, 0.95, 0.92, 0.5, 0.4])
    assert ran == 4 and model.stop_training
    assert (es.stopped_epoch, es.best, es.best_epoch, es.wait) == (3, 0.9, 1, 2)


def test_early_stopping_patience_zero_stops_at_the_first_worse_epoch():
    _, ran = run_callbacks(EarlyStopping(patience=0), [1.0, 0.9, 0.95, 0.5])
    assert ran == 3


def test_early_stopping_never_stops_while_improving():
    model, ran = run_callbacks(EarlyStopping(patience=0), [5, 4, 3, 2, 1])
    assert ran == 5 and not model.stop_training


def test_early_stopping_min_delta_is_the_improvement_needed():
    values = [1.0, 0.95, 0.93, 0.5]
    assert run_callbacks(EarlyStopping(patience=1, min_delta=0.1), values)[1] == 2
    assert run_callbacks(EarlyStopping(patience=1, min_delta=-0.1), values)[1] == 2  # its sign does not matter
    assert run_callbacks(EarlyStopping(patience=1), values)[1] == 4


def test_early_stopping_mode_max_and_min():
    rising = [0.5, 0.6, 0.7, 0.8]
    assert run_callbacks(EarlyStopping(monitor="val_accuracy", patience=0), rising, monitor="val_accuracy")[1] == 4
    assert run_callbacks(EarlyStopping(monitor="val_accuracy", mode="min", patience=0), rising, "val_accuracy")[1] == 2
    assert run_callbacks(EarlyStopping(monitor="val_loss", mode="max", patience=0), rising)[1] == 4
    assert run_callbacks(EarlyStopping(monitor="val_loss", patience=0), rising)[1] == 2


@pytest.mark.parametrize("monitor,mode", [
    ("val_loss", "min"), ("loss", "min"), ("val_mae", "min"), ("mse", "min"), ("val_accuracy", "max"),
    ("acc", "max"), ("val_binary_accuracy", "max"), ("r2_score", "max"), ("val_precision", "max"),
    ("recall", "max"), ("val_auc", "max"),
])
def test_early_stopping_auto_mode_from_the_name(monitor, mode):
    assert EarlyStopping(monitor=monitor).mode == mode


def test_unknown_mode_warns_and_falls_back_to_auto():
    with pytest.warns(UserWarning, match="mode 'biggest' is unknown"):
        es = EarlyStopping(monitor="val_accuracy", mode="biggest")
    assert es.mode == "max"


def test_early_stopping_baseline_does_not_reset_the_wait_until_beaten():
    values = [0.9, 0.8, 0.85, 0.84, 0.83]
    assert run_callbacks(EarlyStopping(patience=2, baseline=0.5), values)[1] == 3
    assert run_callbacks(EarlyStopping(patience=2, baseline=0.85), values)[1] == 4  # 0.8 beats it: as without baseline
    assert run_callbacks(EarlyStopping(patience=2), values)[1] == 4


def test_early_stopping_start_from_epoch_ignores_the_warm_up():
    worse_each_epoch = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert run_callbacks(EarlyStopping(patience=0), worse_each_epoch)[1] == 2
    es = EarlyStopping(patience=0, start_from_epoch=3)
    assert run_callbacks(es, worse_each_epoch)[1] == 5
    assert (es.best, es.best_epoch) == (4.0, 3)


@pytest.mark.parametrize("live", [False, True])  # live: state_dict hands out the model's own arrays
def test_restore_best_weights_loads_the_best_epochs_weights(live):
    model, ran = run_callbacks(EarlyStopping(patience=2, restore_best_weights=True), [1.0, 0.5, 0.7, 0.8, 0.1],
                     model=FakeModel(live_state_dict=live))
    assert ran == 4
    assert np.all(model.weights["w"] == 1) and np.all(model.weights["b"] == 1)


def test_without_restore_best_weights_the_last_weights_stay():
    model, _ = run_callbacks(EarlyStopping(patience=2), [1.0, 0.5, 0.7, 0.8])
    assert np.all(model.weights["w"] == 3)


def test_restore_best_weights_also_when_training_ran_to_the_end():
    model, ran = run_callbacks(EarlyStopping(patience=10, restore_best_weights=True), [1.0, 0.5, 0.7])
    assert ran == 3 and np.all(model.weights["w"] == 1)


def test_restore_best_weights_with_nothing_monitored_leaves_the_weights():
    es = EarlyStopping(patience=0, restore_best_weights=True, start_from_epoch=10)
    model, _ = run_callbacks(es, [1.0, 2.0])
    assert es.best_weights is None and np.all(model.weights["w"] == 1)


def test_early_stopping_warns_naming_the_available_metrics():
    with pytest.warns(UserWarning, match=r"`val_loss` which is not available.*loss, val_acc"):
        model, ran = run_callbacks(EarlyStopping(patience=0), [0.9, 0.8, 0.99], monitor="val_acc")
    assert ran == 3 and not model.stop_training


def test_early_stopping_can_be_reused():
    es = EarlyStopping(patience=0)
    run_callbacks(es, [1.0, 2.0])
    model, ran = run_callbacks(es, [5.0, 4.0, 3.0])
    assert ran == 3 and es.stopped_epoch == 0 and es.best == 3.0


def test_early_stopping_verbose_says_what_it_did(capsys):
    run_callbacks(EarlyStopping(patience=1, verbose=1, restore_best_weights=True), [1.0, 2.0, 3.0])
    out = capsys.readouterr().out
    assert "Epoch 2: early stopping" in out
    assert "Restoring model weights from the end of the best epoch: 1." in out
