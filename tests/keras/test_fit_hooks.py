"""fit's side of the callbacks and of the progress output: the hooks in Keras' order, and what verbose prints."""

from __future__ import annotations

import re

import pytest
from helpers import line_data, line_model
from tinygrad_seminar.callbacks import Callback


class Recorder(Callback):
    def __init__(self):
        super().__init__()
        self.calls, self.models, self.logs = [], set(), {}

    def _record(self, name, *args):
        self.calls.append((name, *args[:-1]))
        self.models.add(id(self.model))
        self.logs.setdefault(name, []).append(dict(args[-1] or {}))

    def on_train_begin(self, logs=None):
        self._record("train_begin", logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._record("epoch_begin", epoch, logs)

    def on_train_batch_begin(self, batch, logs=None):
        self._record("batch_begin", batch, logs)

    def on_train_batch_end(self, batch, logs=None):
        self._record("batch_end", batch, logs)

    def on_epoch_end(self, epoch, logs=None):
        self._record("epoch_end", epoch, logs)

    def on_train_end(self, logs=None):
        self._record("train_end", logs)


def test_a_custom_callback_sees_the_hooks_in_keras_order_with_self_model_set():
    x, y, xv, yv = line_data()
    model, recorder = line_model(), Recorder()
    model.fit(x[:20], y[:20], batch_size=8, epochs=2, validation_data=(xv, yv), callbacks=[recorder], verbose=0)
    epoch = [("batch_begin", 0), ("batch_end", 0), ("batch_begin", 1), ("batch_end", 1), ("batch_begin", 2),
             ("batch_end", 2)]
    assert recorder.calls == [("train_begin",), ("epoch_begin", 0), *epoch, ("epoch_end", 0), ("epoch_begin", 1),
                              *epoch, ("epoch_end", 1), ("train_end",)]
    assert recorder.models == {id(model)}
    assert recorder.params == {"epochs": 2, "steps": 3, "verbose": 0}
    assert all(set(logs) == {"loss"} for logs in recorder.logs["batch_end"])
    assert [set(logs) for logs in recorder.logs["epoch_end"]] == [{"loss", "val_loss"}] * 2
    assert recorder.logs["train_end"] == [recorder.logs["epoch_end"][-1]]


def test_callbacks_must_be_callback_instances():
    x, y, _, _ = line_data()
    with pytest.raises(TypeError, match=r"callbacks must be ts\.callbacks\.Callback instances; got <function"):
        line_model().fit(x, y, callbacks=[lambda epoch, logs: None], verbose=0)


# ---- progress output ----
CONTROL = ("\r", "\b", "\x1b")


def test_verbose_1_on_a_non_tty_prints_no_control_characters(capsys):
    x, y, _, _ = line_data()
    line_model().fit(x, y, batch_size=8, epochs=3, verbose=1)
    out = capsys.readouterr().out
    assert not [c for c in CONTROL if c in out]
    lines = out.splitlines()
    assert [line for line in lines if line.startswith("Epoch")] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]
    bars = [line for line in lines if not line.startswith("Epoch")]
    assert len(bars) == 3
    assert all(re.fullmatch(r"4/4 \[=+\] - \d+s \d+[mu]?s/step - loss: \d\.\d{4}(e-\d+)?", bar) for bar in bars), bars


@pytest.mark.parametrize("verbose", [2, "auto"])  # "auto" is 2 when stdout is not a terminal
def test_verbose_2_prints_one_line_per_epoch(capsys, verbose):
    x, y, xv, yv = line_data()
    line_model().fit(x, y, batch_size=8, epochs=3, validation_data=(xv, yv), verbose=verbose)
    out = capsys.readouterr().out
    assert not [c for c in CONTROL if c in out]
    lines = [line for line in out.splitlines() if not line.startswith("Epoch")]
    assert len(lines) == 3
    assert all(re.fullmatch(r"4/4 - \d+s - \d+[mu]?s/step - loss: \S+ - val_loss: \S+", line) for line in lines), lines


def test_verbose_0_prints_nothing(capsys):
    x, y, xv, yv = line_data()
    model = line_model()
    model.fit(x, y, batch_size=8, epochs=3, validation_data=(xv, yv), verbose=0)
    model.evaluate(x, y, verbose=0)
    model.predict(x, verbose=0)
    assert capsys.readouterr() == ("", "")
