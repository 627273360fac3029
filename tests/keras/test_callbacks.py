import io
import re
import sys
import warnings

import numpy as np
import pytest
from tinygrad_seminar.callbacks import (
    Callback,
    CallbackList,
    EarlyStopping,
    History,
    LambdaCallback,
    LearningRateScheduler,
    ModelCheckpoint,
    ProgbarLogger,
)


class FakeOptimizer:
    def __init__(self, lr=0.1):
        self.lr = lr

    @property
    def learning_rate(self):
        return self.lr

    @learning_rate.setter
    def learning_rate(self, value):
        self.lr = value


class FakeModel:
    """What the callbacks need from a Model: weights as a dict of numpy arrays, save, stop_training, optimizer."""

    def __init__(self, live_state_dict=False):
        self.stop_training = False
        self.weights = {"w": np.zeros((2, 3)), "b": np.zeros(2)}
        self.optimizer = FakeOptimizer()
        self.saved = []  # (kind, path, value of w[0, 0] when saved)
        self.live_state_dict = live_state_dict

    def state_dict(self):
        return self.weights if self.live_state_dict else {k: v.copy() for k, v in self.weights.items()}

    def load_state_dict(self, d):
        self.weights = {k: np.array(v) for k, v in d.items()}

    def set_epoch_weights(self, epoch):  # weights that tell which epoch they come from, changed in place
        for v in self.weights.values():
            v[...] = epoch

    def _write(self, kind, path):
        with open(path, "w") as f:
            f.write(f"{kind} {self.weights['w'][0, 0]:g}")
        self.saved.append((kind, str(path), float(self.weights["w"][0, 0])))

    def save(self, path):
        self._write("model", path)

    def save_weights(self, path):
        self._write("weights", path)


def fit(callbacks, values, monitor="val_loss", model=None, steps=2):
    """Drive the hooks as fit will, with scripted epoch logs; returns (model, epochs run)."""
    model = model or FakeModel()
    cbs = CallbackList(callbacks if isinstance(callbacks, list) else [callbacks], model=model,
                       params={"epochs": len(values), "steps": steps, "verbose": 0})
    cbs.on_train_begin()
    ran = 0
    for epoch, value in enumerate(values):
        cbs.on_epoch_begin(epoch)
        model.set_epoch_weights(epoch)
        for batch in range(steps):
            cbs.on_train_batch_begin(batch)
            cbs.on_train_batch_end(batch, {"loss": 1.0})
        cbs.on_epoch_end(epoch, {"loss": 1.0, monitor: value})
        ran += 1
        if model.stop_training:
            break
    cbs.on_train_end()
    return model, ran


# EarlyStopping

def test_early_stopping_waits_patience_epochs_without_improvement():
    es = EarlyStopping(patience=2)
    model, ran = fit(es, [1.0, 0.9, 0.95, 0.92, 0.5, 0.4])
    assert ran == 4 and model.stop_training
    assert (es.stopped_epoch, es.best, es.best_epoch, es.wait) == (3, 0.9, 1, 2)


def test_early_stopping_patience_zero_stops_at_the_first_worse_epoch():
    _, ran = fit(EarlyStopping(patience=0), [1.0, 0.9, 0.95, 0.5])
    assert ran == 3


def test_early_stopping_never_stops_while_improving():
    model, ran = fit(EarlyStopping(patience=0), [5, 4, 3, 2, 1])
    assert ran == 5 and not model.stop_training


def test_early_stopping_min_delta_is_the_improvement_needed():
    values = [1.0, 0.95, 0.93, 0.5]
    assert fit(EarlyStopping(patience=1, min_delta=0.1), values)[1] == 2
    assert fit(EarlyStopping(patience=1, min_delta=-0.1), values)[1] == 2  # its sign does not matter
    assert fit(EarlyStopping(patience=1), values)[1] == 4


def test_early_stopping_mode_max_and_min():
    rising = [0.5, 0.6, 0.7, 0.8]
    assert fit(EarlyStopping(monitor="val_accuracy", patience=0), rising, monitor="val_accuracy")[1] == 4
    assert fit(EarlyStopping(monitor="val_accuracy", mode="min", patience=0), rising, "val_accuracy")[1] == 2
    assert fit(EarlyStopping(monitor="val_loss", mode="max", patience=0), rising)[1] == 4
    assert fit(EarlyStopping(monitor="val_loss", patience=0), rising)[1] == 2


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
    assert fit(EarlyStopping(patience=2, baseline=0.5), values)[1] == 3
    assert fit(EarlyStopping(patience=2, baseline=0.85), values)[1] == 4  # 0.8 beats it: as without baseline
    assert fit(EarlyStopping(patience=2), values)[1] == 4


def test_early_stopping_start_from_epoch_ignores_the_warm_up():
    worse_each_epoch = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert fit(EarlyStopping(patience=0), worse_each_epoch)[1] == 2
    es = EarlyStopping(patience=0, start_from_epoch=3)
    assert fit(es, worse_each_epoch)[1] == 5
    assert (es.best, es.best_epoch) == (4.0, 3)


@pytest.mark.parametrize("live", [False, True])  # live: state_dict hands out the model's own arrays
def test_restore_best_weights_loads_the_best_epochs_weights(live):
    model, ran = fit(EarlyStopping(patience=2, restore_best_weights=True), [1.0, 0.5, 0.7, 0.8, 0.1],
                     model=FakeModel(live_state_dict=live))
    assert ran == 4
    assert np.all(model.weights["w"] == 1) and np.all(model.weights["b"] == 1)


def test_without_restore_best_weights_the_last_weights_stay():
    model, _ = fit(EarlyStopping(patience=2), [1.0, 0.5, 0.7, 0.8])
    assert np.all(model.weights["w"] == 3)


def test_restore_best_weights_also_when_training_ran_to_the_end():
    model, ran = fit(EarlyStopping(patience=10, restore_best_weights=True), [1.0, 0.5, 0.7])
    assert ran == 3 and np.all(model.weights["w"] == 1)


def test_restore_best_weights_with_nothing_monitored_leaves_the_weights():
    es = EarlyStopping(patience=0, restore_best_weights=True, start_from_epoch=10)
    model, _ = fit(es, [1.0, 2.0])
    assert es.best_weights is None and np.all(model.weights["w"] == 1)


def test_early_stopping_warns_naming_the_available_metrics():
    with pytest.warns(UserWarning, match=r"`val_loss` which is not available.*loss, val_acc"):
        model, ran = fit(EarlyStopping(patience=0), [0.9, 0.8, 0.99], monitor="val_acc")
    assert ran == 3 and not model.stop_training


def test_early_stopping_can_be_reused():
    es = EarlyStopping(patience=0)
    fit(es, [1.0, 2.0])
    model, ran = fit(es, [5.0, 4.0, 3.0])
    assert ran == 3 and es.stopped_epoch == 0 and es.best == 3.0


def test_early_stopping_verbose_says_what_it_did(capsys):
    fit(EarlyStopping(patience=1, verbose=1, restore_best_weights=True), [1.0, 2.0, 3.0])
    out = capsys.readouterr().out
    assert "Epoch 2: early stopping" in out
    assert "Restoring model weights from the end of the best epoch: 1." in out


# ModelCheckpoint

def test_checkpoint_save_best_only_writes_only_on_improvement(tmp_path):
    path = tmp_path / "best.ckpt"
    cp = ModelCheckpoint(path, save_best_only=True)
    model, _ = fit(cp, [1.0, 0.8, 0.9, 0.7, 0.75])
    assert [w for _, _, w in model.saved] == [0, 1, 3]
    assert path.read_text() == "model 3"
    assert cp.best == 0.7


def test_checkpoint_save_best_only_in_max_mode(tmp_path):
    cp = ModelCheckpoint(tmp_path / "m", monitor="val_accuracy", save_best_only=True)
    model, _ = fit(cp, [0.5, 0.7, 0.6, 0.9], monitor="val_accuracy")
    assert [w for _, _, w in model.saved] == [0, 1, 3]


def test_checkpoint_saves_every_epoch_by_default_and_formats_the_path(tmp_path):
    cp = ModelCheckpoint(str(tmp_path / "ckpt-{epoch:02d}-{val_loss:.2f}.bin"))
    fit(cp, [1.0, 0.8, 0.9])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt-01-1.00.bin", "ckpt-02-0.80.bin",
                                                         "ckpt-03-0.90.bin"]
    assert (tmp_path / "ckpt-02-0.80.bin").read_text() == "model 1"


def test_checkpoint_save_weights_only_and_creates_folders(tmp_path):
    cp = ModelCheckpoint(tmp_path / "a" / "b" / "w-{epoch}", save_weights_only=True)
    model, _ = fit(cp, [1.0])
    assert model.saved[0][0] == "weights"
    assert (tmp_path / "a" / "b" / "w-1").read_text() == "weights 0"


def test_checkpoint_unknown_field_names_the_filepath(tmp_path):
    cp = ModelCheckpoint(str(tmp_path / "{val_accuracy:.2f}"))
    with pytest.raises(KeyError, match=r"val_accuracy.*available fields: loss, val_loss, epoch"):
        fit(cp, [1.0])


def test_checkpoint_save_freq_in_batches(tmp_path):
    cp = ModelCheckpoint(str(tmp_path / "e{epoch}-b{batch}"), save_freq=3)
    fit(cp, [1.0, 1.0], steps=4)  # batches 0..3 in two epochs: saves after the 3rd and the 6th batch
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e1-b3", "e2-b2"]


@pytest.mark.parametrize("bad", ["batch", 0, -2, 1.5])
def test_checkpoint_rejects_a_bad_save_freq(bad):
    with pytest.raises(ValueError, match="save_freq"):
        ModelCheckpoint("x", save_freq=bad)


def test_checkpoint_without_the_monitor_warns_and_saves(tmp_path):
    cp = ModelCheckpoint(tmp_path / "m", save_best_only=True)
    with pytest.warns(UserWarning, match="val_loss"):
        model, _ = fit(cp, [1.0, 2.0], monitor="accuracy")
    assert len(model.saved) == 2


def test_checkpoint_verbose_messages(tmp_path, capsys):
    fit(ModelCheckpoint(tmp_path / "m", save_best_only=True, verbose=1), [1.0, 2.0])
    out = capsys.readouterr().out
    assert "Epoch 1: val_loss improved from inf to 1.00000, saving model to" in out
    assert "Epoch 2: val_loss did not improve from 1.00000" in out


# LearningRateScheduler

def test_scheduler_with_epoch_and_lr():
    model = FakeModel()
    history = History()
    lrs = LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    fit([lrs, history], [1.0, 1.0, 1.0], model=model)  # History after the scheduler sees learning_rate
    assert model.optimizer.lr == pytest.approx(0.0125)
    assert history.history["learning_rate"] == pytest.approx([0.05, 0.025, 0.0125])


def test_scheduler_with_epoch_only():
    model = FakeModel()
    seen = []
    lrs = LearningRateScheduler(lambda epoch: 1.0 / (epoch + 1))
    fit([lrs, LambdaCallback(on_epoch_end=lambda e, logs: seen.append(model.optimizer.lr))], [1, 1, 1],
        model=model)
    assert seen == pytest.approx([1.0, 0.5, 1 / 3])
    assert isinstance(model.optimizer.lr, float)


def test_scheduler_accepts_numpy_and_int_results_and_uses_keras_name_when_no_lr():
    class KerasLikeOptimizer:
        learning_rate = 0.1

    model = FakeModel()
    model.optimizer = KerasLikeOptimizer()
    lrs = LearningRateScheduler(lambda epoch, lr: np.float32(lr * 2) if epoch else 1)
    fit(lrs, [1.0, 1.0], model=model)
    assert model.optimizer.learning_rate == 2.0


@pytest.mark.parametrize("bad", ["0.1", None, [0.1], float("nan"), True])
def test_scheduler_rejects_a_non_number(bad):
    with pytest.raises(ValueError, match=r"schedule must return a finite number.*epoch 0"):
        fit(LearningRateScheduler(lambda epoch, lr: bad), [1.0])


def test_scheduler_does_not_hide_a_type_error_raised_inside_the_schedule():
    def schedule(epoch, lr):
        raise TypeError("inside the schedule")

    with pytest.raises(TypeError, match="inside the schedule"):
        fit(LearningRateScheduler(schedule), [1.0])


def test_scheduler_needs_an_optimizer():
    model = FakeModel()
    model.optimizer = None
    with pytest.raises(ValueError, match="optimizer"):
        fit(LearningRateScheduler(lambda e: 0.1), [1.0], model=model)


# LambdaCallback, History, CallbackList

def test_lambda_callback_calls_through():
    calls = []
    cb = LambdaCallback(
        on_train_begin=lambda logs: calls.append("train_begin"),
        on_epoch_begin=lambda epoch, logs: calls.append(("epoch_begin", epoch)),
        on_train_batch_begin=lambda batch, logs: calls.append(("batch_begin", batch)),
        on_train_batch_end=lambda batch, logs: calls.append(("batch_end", batch, logs["loss"])),
        on_epoch_end=lambda epoch, logs: calls.append(("epoch_end", epoch, logs["val_loss"])),
        on_train_end=lambda logs: calls.append("train_end"),
    )
    fit(cb, [0.5], steps=1)
    assert calls == ["train_begin", ("epoch_begin", 0), ("batch_begin", 0), ("batch_end", 0, 1.0),
                     ("epoch_end", 0, 0.5), "train_end"]


def test_lambda_callback_other_hooks_and_bad_names():
    seen = []
    cb = LambdaCallback(on_test_begin=lambda logs: seen.append("test"))
    cb.on_test_begin({})
    cb.on_epoch_end(0, {})  # not given: the base class' no-op
    assert seen == ["test"]
    with pytest.raises(TypeError, match="on_epoch_ending"):
        LambdaCallback(on_epoch_ending=print)
    with pytest.raises(TypeError, match="callable"):
        LambdaCallback(on_epoch_end=3)


def test_history_records_per_epoch_lists_and_sets_model_history():
    h = History()
    model, _ = fit(h, [0.9, 0.8, 0.7])
    assert h.epoch == [0, 1, 2]
    assert h.history == {"loss": [1.0, 1.0, 1.0], "val_loss": [0.9, 0.8, 0.7]}
    assert model.history is h


def test_history_reused_keeps_appending_as_keras_3():
    h = History()
    fit(h, [0.9, 0.8])
    fit(h, [0.7])
    assert h.epoch == [0]
    assert h.history["val_loss"] == [0.9, 0.8, 0.7]


def test_callback_list_dispatches_in_order_and_sets_model_and_params():
    order = []

    class Recorder(Callback):
        def __init__(self, name):
            super().__init__()
            self.name = name

        def on_epoch_end(self, epoch, logs=None):
            order.append(self.name)
            logs[self.name] = epoch  # the same logs dict goes to each callback

    a, b = Recorder("a"), Recorder("b")
    model = FakeModel()
    params = {"epochs": 1, "steps": 1, "verbose": 0}
    cbs = CallbackList([a, b], model=model, params=params)
    assert a.model is model and b.params is params
    logs = {}
    cbs.on_epoch_end(4, logs)
    assert order == ["a", "b"] and logs == {"a": 4, "b": 4}


def test_callback_list_has_every_hook_and_keeps_the_old_batch_names():
    class Old(Callback):  # Keras 2 style: on_batch_end
        ends = []

        def on_batch_end(self, batch, logs=None):
            self.ends.append(batch)

    cbs = CallbackList(Old())
    for hook in ("on_train_begin", "on_train_end", "on_test_begin", "on_test_end", "on_predict_begin",
                 "on_predict_end"):
        getattr(cbs, hook)()
    for hook in ("on_epoch_begin", "on_epoch_end", "on_test_batch_begin", "on_test_batch_end",
                 "on_predict_batch_begin", "on_predict_batch_end", "on_train_batch_begin"):
        getattr(cbs, hook)(0)
    cbs.on_train_batch_end(7, {"loss": 1.0})
    assert Old.ends == [7]


def test_callback_list_rejects_what_is_not_a_callback():
    with pytest.raises(TypeError, match="Callback instances.*print"):
        CallbackList([History(), print])


def test_callback_defaults():
    cb = Callback()
    assert cb.model is None and cb.params == {}
    cb.on_train_batch_end(0, {"loss": 1.0})  # no-ops


# ProgbarLogger

def drive_logger(verbose, epochs=2, steps=3):
    logger = ProgbarLogger(verbose)
    cbs = CallbackList([logger], model=FakeModel(), params={"epochs": epochs, "steps": steps, "verbose": verbose})
    cbs.on_train_begin()
    for epoch in range(epochs):
        cbs.on_epoch_begin(epoch)
        for batch in range(steps):
            cbs.on_train_batch_begin(batch)
            cbs.on_train_batch_end(batch, {"loss": 0.5 + batch, "accuracy": 0.25})
        cbs.on_test_begin()  # validation inside fit prints nothing
        cbs.on_test_batch_end(0, {"loss": 9.0})
        cbs.on_test_end({"loss": 9.0})
        cbs.on_epoch_end(epoch, {"loss": 1.5, "accuracy": 0.25, "val_loss": 0.75, "val_accuracy": 1.0})
    cbs.on_train_end()


def test_progbar_logger_verbose2_one_line_per_epoch(capsys, monkeypatch):
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    drive_logger(2)
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and len(lines) == 4
    assert re.fullmatch(r"3/3 - \d+s - \d+(us|ms|s)/step - loss: 1\.5000 - accuracy: 0\.2500 - val_loss: 0\.7500 "
                        r"- val_accuracy: 1\.0000", lines[1])


def test_progbar_logger_verbose1_in_a_log_file_is_clean(capsys, monkeypatch):
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)
    drive_logger(1)
    out = capsys.readouterr().out
    assert not any(c in out for c in ("\r", "\b", "\x1b"))
    lines = out.splitlines()
    assert len(lines) == 4 and lines[1].startswith("3/3 [" + "=" * 30 + "] - ")
    assert lines[1].endswith("- loss: 1.5000 - accuracy: 0.2500 - val_loss: 0.7500 - val_accuracy: 1.0000")


def test_progbar_logger_verbose1_on_a_terminal_shows_running_values(monkeypatch):
    class FakeTTY(io.StringIO):
        def isatty(self):
            return True

    out = FakeTTY()
    monkeypatch.setattr(sys, "stdout", out)
    drive_logger(1, epochs=1)
    text = out.getvalue()
    assert "Epoch 1/1" not in text  # Keras prints the epoch line only when there are several
    assert "\r1/3 [" in text and "ETA:" in text and "loss: 0.5000" in text
    assert text.endswith("val_accuracy: 1.0000\n")


def test_progbar_logger_silent_and_from_params(capsys):
    drive_logger(0)
    assert capsys.readouterr().out == ""
    logger = ProgbarLogger()
    logger.set_params({"epochs": 1, "steps": 1, "verbose": 2})
    assert logger.verbose == 2


def test_progbar_logger_outside_fit_shows_evaluate_and_predict(capsys):
    logger = ProgbarLogger(2)
    logger.set_params({"epochs": 1, "steps": 2, "verbose": 2})
    logger.on_test_begin()
    logger.on_test_batch_end(0, {"loss": 1.0})
    logger.on_test_batch_end(1, {"loss": 2.0})
    logger.on_test_end({"loss": 1.5})
    logger.on_predict_begin()
    logger.on_predict_batch_end(0, {"outputs": "ignored"})
    logger.on_predict_end()
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("2/2 - ") and lines[0].endswith("loss: 1.5000")
    assert "outputs" not in lines[1]


def test_no_warnings_in_a_normal_run(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit([EarlyStopping(patience=1), ModelCheckpoint(tmp_path / "m", save_best_only=True), History()],
            [1.0, 0.5, 0.7])
