import io
import re
import sys
import types

import pytest

from tinygrad_seminar.keras import progress
from tinygrad_seminar.keras.progress import Progbar, resolve_verbose

CONTROL = ("\r", "\b", "\x1b")
VALUES = {"loss": 0.69314, "accuracy": 0.5}


class FakeTTY(io.StringIO):
    def isatty(self):
        return True


class FlushCounter(io.StringIO):
    flushes = 0

    def flush(self):
        self.flushes += 1
        super().flush()


class FakeClock:
    """Stands in for progress._clock: returns the time the test sets."""

    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


@pytest.fixture
def clock(monkeypatch):
    c = FakeClock()
    monkeypatch.setattr(progress, "_clock", c)
    return c


@pytest.fixture(autouse=True)
def no_jupyter(monkeypatch):  # under a Jupyter kernel every stream counts as dynamic
    monkeypatch.delitem(sys.modules, "ipykernel", raising=False)


def run_epoch(bar, steps=7, clock=None, dt=0.5, first_dt=2.0, finalize=None):
    for step in range(1, steps + 1):
        if clock is not None:  # a slow first step (as Keras, left out of the time per step), then dt each
            clock.t += first_dt if step == 1 else dt
        bar.update(step, VALUES, finalize=finalize)


def test_verbose1_on_a_log_file_writes_only_the_final_line_without_control_characters():
    out = io.StringIO()
    run_epoch(Progbar(7, stream=out, interval=0))
    text = out.getvalue()
    assert not any(c in text for c in CONTROL)
    assert text.count("\n") == 1
    assert re.fullmatch(r"7/7 \[={30}\] - \d+s \d+(us|ms|s)/step - loss: 0\.6931 - accuracy: 0\.5000\n", text)


def test_verbose1_on_a_tty_redraws_with_carriage_return_and_ends_with_the_final_line(clock, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    out = FakeTTY()
    run_epoch(Progbar(7, stream=out, interval=0), clock=clock)
    text = out.getvalue()
    assert text.startswith("\r1/7 [")
    assert text.count("\r") == 7 and text.endswith("\n") and text.count("\n") == 1
    assert "\b" not in text and "\x1b" not in text
    assert "\r3/7 [===========>..................] - 3s elapsed - ETA: 2s - loss: 0.6931 - accuracy: 0.5000" in text
    final = text.rsplit("\r", 1)[1]
    assert final.startswith("7/7 [==============================] - 5s 500ms/step - loss: 0.6931")


def test_a_shorter_redraw_blanks_out_the_rest_of_the_previous_line():
    out = FakeTTY()
    bar = Progbar(3, stream=out, interval=0)
    bar.update(1, {"loss": 0.5, "a_long_metric_name": 0.25})
    first = out.getvalue()
    bar._values.clear()
    bar.update(2, {"loss": 0.5})
    second = out.getvalue()[len(first):]
    assert len(second) == len(first)
    assert second.rstrip(" ").endswith("loss: 0.5000")


def test_jupyter_counts_as_a_dynamic_display(monkeypatch):
    kernel_shell = types.SimpleNamespace(kernel=object())  # what get_ipython() is inside a Jupyter kernel
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: kernel_shell))
    out = io.StringIO()
    run_epoch(Progbar(7, stream=out, interval=0))
    assert out.getvalue().count("\r") == 7
    assert resolve_verbose("auto", out) == 1


def test_interval_throttles_redraws_but_never_the_final_line(clock):
    out = FakeTTY()
    run_epoch(Progbar(7, stream=out, interval=10.0), clock=clock, dt=0.5)
    text = out.getvalue()
    assert text.count("\r") == 2  # step 1 and the final line
    assert "7/7 [=" in text


def test_verbose2_writes_one_line_per_epoch_with_time_per_step(clock):
    out = FakeTTY()  # even on a terminal, no redraws
    for _epoch in range(2):
        bar = Progbar(7, verbose=2, stream=out)
        run_epoch(bar, clock=clock, finalize=False)  # as ProgbarLogger does: batches never finalize
        bar.update(7, {"val_loss": 0.75}, finalize=True)
    lines = out.getvalue().splitlines()
    assert "\r" not in out.getvalue()
    assert len(lines) == 2
    assert lines[0] == "7/7 - 5s - 500ms/step - loss: 0.6931 - accuracy: 0.5000 - val_loss: 0.7500"


def test_verbose0_is_silent():
    out = io.StringIO()
    run_epoch(Progbar(7, verbose=0, stream=out))
    assert out.getvalue() == ""


def test_unknown_target_shows_the_count():
    out = io.StringIO()
    bar = Progbar(None, verbose=2, stream=out)
    bar.update(5, {"loss": 1.0}, finalize=True)
    assert out.getvalue().startswith("      5/Unknown - ")


def test_writes_to_sys_stdout_as_it_is_at_write_time(monkeypatch):
    bar = Progbar(2, verbose=2)
    later = io.StringIO()
    monkeypatch.setattr(sys, "stdout", later)
    bar.update(2, {"loss": 0.25})
    assert later.getvalue().startswith("2/2 - ")


def test_flushes_after_each_write():
    out = FlushCounter()
    bar = Progbar(7, verbose=2, stream=out)
    bar.update(7, VALUES)
    assert out.flushes == 1


@pytest.mark.parametrize("seconds,text", [(2.0, "2s/step"), (0.002, "2ms/step"), (2e-5, "20us/step"),
                                          (0.0, "0s/step")])
def test_step_time_units(seconds, text):
    assert progress._format_step_time(seconds, "step") == text


@pytest.mark.parametrize("seconds,text", [(1.7, "1s"), (75.0, "1:15"), (3725.0, "1:02:05")])
def test_eta_formats(seconds, text):
    assert progress._format_eta(seconds) == text


@pytest.mark.parametrize("value,text", [(0.69314, "0.6931"), (-0.5, "-0.5000"), (1e-5, "1.0000e-05"),
                                        (3, "3.0000"), ("n/a", "n/a")])
def test_value_format(value, text):
    assert progress._format_value(value) == text


def test_bar_drawing():
    bar = Progbar(7)
    assert bar._bar(3) == "3/7 [===========>..................]"
    assert bar._bar(7) == "7/7 [" + "=" * 30 + "]"
    assert Progbar(120)._bar(3) == "  3/120 [" + "." * 30 + "]"
    assert Progbar(120)._bar(5) == "  5/120 [>" + "." * 29 + "]"


def test_resolve_verbose():
    assert resolve_verbose("auto", io.StringIO()) == 2
    assert resolve_verbose("auto", FakeTTY()) == 1
    assert [resolve_verbose(v, io.StringIO()) for v in (0, 1, 2)] == [0, 1, 2]


@pytest.mark.parametrize("bad", ["1", "silent", 3, -1, None, 1.0])
def test_resolve_verbose_rejects_anything_else(bad):
    with pytest.raises(ValueError, match="verbose"):
        resolve_verbose(bad)


def test_progbar_rejects_unresolved_verbose():
    with pytest.raises(ValueError, match="resolve_verbose"):
        Progbar(3, verbose="auto")


def test_the_live_line_is_cut_to_the_terminal_width_so_it_never_wraps(clock, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    out = FakeTTY()
    run_epoch(Progbar(7, stream=out, interval=0), clock=clock)
    *live, final = out.getvalue().split("\r")[1:]
    assert live and all(len(line.rstrip()) <= 59 for line in live)
    assert final.startswith("7/7 [") and "accuracy: 0.5000" in final  # the last line is whole


def test_ipykernel_imported_outside_a_kernel_is_no_display(monkeypatch):
    """A harness that runs notebooks (nbclient) imports ipykernel; its own process is still a log file."""
    monkeypatch.setitem(sys.modules, "ipykernel", object())
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: None))
    out = io.StringIO()
    assert resolve_verbose("auto", out) == 2
