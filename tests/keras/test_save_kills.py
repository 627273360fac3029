"""Kills in the middle of save: a child saving in a loop is killed (SIGKILL) at varied moments, 60 times.
The file then loads as one whole version (old or new), and the next save leaves no temporary behind."""

from __future__ import annotations

import multiprocessing
import os

import numpy as np
import pytest

import tinygrad_seminar as ts
from tinygrad_seminar import files, nn, saving

pytestmark = pytest.mark.skipif(os.name != "posix", reason="fork and SIGKILL")


def model() -> ts.Sequential:
    ts.manual_seed(0)
    m = ts.Sequential([ts.Input(shape=(200,)), nn.Dense(300), nn.Dropout(0.1), nn.Dense(2)])  # about 250 KB
    m.compile(optimizer="adam", loss="mse")
    return m


def stamped(m: ts.Sequential, value: float) -> ts.Sequential:
    for p in m.parameters():
        p.data[...] = value
    return m


SAVES = {"save": lambda m, path: m.save(path), "save_weights": lambda m, path: m.save_weights(path),
         "checkpoint": lambda m, path: saving.save_checkpoint(m, path)}


def loaded_value(kind: str, path: str) -> float:
    """The one value every parameter of the file holds (a torn file would mix two, or not load)."""
    if kind == "save":
        m = ts.load_model(path)
    else:
        m = model()
        (m.load_weights if kind == "save_weights" else lambda p: saving.load_checkpoint(m, p))(path)
    values = np.unique(np.concatenate([p.data.ravel() for p in m.parameters()]))
    assert len(values) == 1, values
    return float(values[0])


def _save_forever(kind: str, path: str, first: int) -> None:
    m, n = model(), first
    while True:
        SAVES[kind](stamped(m, n), path)
        n += 1


@pytest.mark.parametrize("kind", list(SAVES))
def test_a_save_killed_at_any_moment_leaves_the_old_or_the_new_file(tmp_path, kind):
    path = str(tmp_path / "model.keras")
    SAVES[kind](stamped(model(), -1), path)
    ctx = multiprocessing.get_context("fork")  # forked children start at once: many kills in little time
    last, torn = -1.0, 0
    for k in range(20):
        child = ctx.Process(target=_save_forever, args=(kind, path, 1000 * k))
        child.start()
        child.join(0.002 + 0.004 * (k % 10))  # from before its first save to well into its loop
        child.kill()
        child.join()
        torn += bool(files.temporaries_of(path))
        value = loaded_value(kind, path)
        assert value == last or 1000 * k <= value < 1000 * (k + 1), (value, last, k)  # the old, or this child's
        last = value
    SAVES[kind](stamped(model(), 7), path)
    assert files.temporaries_of(path) == [] and os.listdir(tmp_path) == ["model.keras"]
    assert loaded_value(kind, path) == 7
    assert torn > 0  # some kills landed in the middle of a save
