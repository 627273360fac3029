"""A History in Jupyter: its learning curves as a PNG with matplotlib, a table of its logs without."""

from __future__ import annotations

import sys

import numpy as np

import tinygrad_seminar as ts


def history_of_a_small_fit():
    ts.manual_seed(0)
    model = ts.Sequential([ts.nn.Dense(4, activation="tanh", input_dim=2), ts.nn.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    x = np.random.default_rng(0).standard_normal((64, 2)).astype("float32")
    return model.fit(x, (x[:, :1] > 0).astype("float32"), epochs=3, verbose=0, validation_split=0.25)


def test_a_history_shows_its_learning_curves():
    bundle = history_of_a_small_fit()._repr_mimebundle_()
    assert bundle["image/png"][:8] == b"\x89PNG\r\n\x1a\n"
    assert bundle["text/plain"] == "<History: 3 epochs, loss, accuracy, val_loss, val_accuracy>"
    assert "text/html" not in bundle  # Jupyter would prefer a table to the picture


def test_without_matplotlib_a_history_shows_a_table_of_its_logs(monkeypatch):
    history = history_of_a_small_fit()
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    table = history._repr_mimebundle_()["text/html"]
    assert table.count("<tr><th>") == 1 + 3 and "<th>val_accuracy</th>" in table  # the header and 3 epochs
    assert f"<td>{history.history['loss'][0]:.4g}</td>" in table


def test_an_empty_history_is_plain_text():
    assert ts.callbacks.History()._repr_mimebundle_() == {"text/plain": "<History: 0 epochs, nothing recorded>"}
