"""The other callbacks: the scheduler, LambdaCallback, History, CallbackList, ProgbarLogger."""

from __future__ import annotations

import io
import re
import sys
import warnings

import numpy as np
import pytest
from helpers import FakeModel, run_callbacks
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

import tinygrad_seminar as ts


def test_scheduler_with_epoch_and_lr():
    model = FakeModel()
    history = History()
    lrs = LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    run_callbacks([lrs, history], [1.0, 1.0, 1.0], model=model)  # History after the scheduler sees learning_rate
    assert model.optimizer.lr == pytest.approx(0.0125)
    assert history.history["learning_rate"] == pytest.approx([0.05, 0.025, 0.0125])


def test_scheduler_with_epoch_only():
    model = FakeModel()
    seen = []
    lrs = LearningRateScheduler(lambda epoch: 1.0 / (epoch + 1))
    run_callbacks([lrs, LambdaCallback(on_epoch_end=lambda e, logs: seen.append(model.optimizer.lr))], [1, 1, 1],
        model=model)
    assert seen == pytest.approx([1.0, 0.5, 1 / 3])
    assert isinstance(model.optimizer.lr, float)


def test_scheduler_accepts_numpy_and_int_results_and_uses_keras_name_when_no_lr():
    class KerasLikeOptimizer:
        learning_rate = 0.1

    model = FakeModel()
    model.optimizer = KerasLikeOptimizer()
    lrs = LearningRateScheduler(lambda epoch, lr: np.float32(lr * 2) if epoch else 1)
    run_callbacks(lrs, [1.0, 1.0], model=model)
    assert model.optimizer.learning_rate == 2.0


@pytest.mark.parametrize("bad", ["0.1", None, [0.1], float("nan"), True])
def test_scheduler_rejects_a_non_number(bad):
    with pytest.raises(ValueError, match=r"schedule must return a finite number.*epoch 0"):
        run_callbacks(LearningRateScheduler(lambda epoch, lr: bad), [1.0])


def test_scheduler_does_not_hide_a_type_error_raised_inside_the_schedule():
    def schedule(epoch, lr):
        raise TypeError("inside the schedule")

    with pytest.raises(TypeError, match="inside the schedule"):
        run_callbacks(LearningRateScheduler(schedule), [1.0])


def test_scheduler_needs_an_optimizer():
    model = FakeModel()
    model.optimizer = None
    with pytest.raises(ValueError, match="optimizer"):
        run_callbacks(LearningRateScheduler(lambda e: 0.1), [1.0], model=model)


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
    run_callbacks(cb, [0.5], steps=1)
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
    model, _ = run_callbacks(h, [0.9, 0.8, 0.7])
    assert h.epoch == [0, 1, 2]
    assert h.history == {"loss": [1.0, 1.0, 1.0], "val_loss": [0.9, 0.8, 0.7]}
    assert model.history is h


def test_history_reused_keeps_appending_as_keras_3():
    h = History()
    run_callbacks(h, [0.9, 0.8])
    run_callbacks(h, [0.7])
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
        run_callbacks([EarlyStopping(patience=1), ModelCheckpoint(tmp_path / "m", save_best_only=True), History()],
            [1.0, 0.5, 0.7])


def test_fit_evaluate_and_predict_call_the_batch_hooks_of_callbacks_that_act_on_them_only():
    class Old(Callback):  # Keras 2's name for the end of a training batch
        def __init__(self):
            super().__init__()
            self.seen = []

        def on_batch_end(self, batch, logs=None):
            self.seen.append(("train", batch, sorted(logs)))

        def on_test_batch_begin(self, batch, logs=None):
            self.seen.append(("test", batch, logs))

        def on_predict_batch_end(self, batch, logs=None):
            self.seen.append(("predict", batch, logs["outputs"].shape))

    old, starts = Old(), []
    on_object = LambdaCallback(on_train_batch_begin=lambda batch, logs: starts.append(batch))
    model = ts.Sequential([ts.nn.Dense(2, input_dim=3)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.ones((5, 3), np.float32), np.zeros((5, 2), np.float32)
    model.fit(x, y, batch_size=2, verbose=0, callbacks=[old, on_object])
    model.evaluate(x, y, batch_size=4, verbose=0, callbacks=[old])
    model.predict(x, batch_size=3, verbose=0, callbacks=[old])
    assert starts == [0, 1, 2]
    assert old.seen == [("train", 0, ["loss"]), ("train", 1, ["loss"]), ("train", 2, ["loss"]),
                        ("test", 0, {}), ("test", 1, {}), ("predict", 0, (3, 2)), ("predict", 1, (2, 2))]
    quiet = CallbackList([History(), Callback()])
    assert quiet.batch_hook("on_train_batch_end") is None and quiet.batch_hook("on_predict_batch_begin") is None
    assert CallbackList([old]).batch_hook("on_test_batch_end") is None
