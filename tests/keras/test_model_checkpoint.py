"""ModelCheckpoint, driven by scripted epoch logs."""

from __future__ import annotations

import pytest
from helpers import run_callbacks
from tinygrad_seminar.callbacks import ModelCheckpoint


def test_checkpoint_save_best_only_writes_only_on_improvement(tmp_path):
    path = tmp_path / "best.ckpt"
    cp = ModelCheckpoint(path, save_best_only=True)
    model, _ = run_callbacks(cp, [1.0, 0.8, 0.9, 0.7, 0.75])
    assert [w for _, _, w in model.saved] == [0, 1, 3]
    assert path.read_text() == "model 3"
    assert cp.best == 0.7


def test_checkpoint_save_best_only_in_max_mode(tmp_path):
    cp = ModelCheckpoint(tmp_path / "m", monitor="val_accuracy", save_best_only=True)
    model, _ = run_callbacks(cp, [0.5, 0.7, 0.6, 0.9], monitor="val_accuracy")
    assert [w for _, _, w in model.saved] == [0, 1, 3]


def test_checkpoint_saves_every_epoch_by_default_and_formats_the_path(tmp_path):
    cp = ModelCheckpoint(str(tmp_path / "ckpt-{epoch:02d}-{val_loss:.2f}.bin"))
    run_callbacks(cp, [1.0, 0.8, 0.9])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ckpt-01-1.00.bin", "ckpt-02-0.80.bin",
                                                         "ckpt-03-0.90.bin"]
    assert (tmp_path / "ckpt-02-0.80.bin").read_text() == "model 1"


def test_checkpoint_save_weights_only_and_creates_folders(tmp_path):
    cp = ModelCheckpoint(tmp_path / "a" / "b" / "w-{epoch}", save_weights_only=True)
    model, _ = run_callbacks(cp, [1.0])
    assert model.saved[0][0] == "weights"
    assert (tmp_path / "a" / "b" / "w-1").read_text() == "weights 0"


def test_checkpoint_unknown_field_names_the_filepath(tmp_path):
    cp = ModelCheckpoint(str(tmp_path / "{val_accuracy:.2f}"))
    with pytest.raises(KeyError, match=r"val_accuracy.*available fields: loss, val_loss, epoch"):
        run_callbacks(cp, [1.0])


def test_checkpoint_save_freq_in_batches(tmp_path):
    cp = ModelCheckpoint(str(tmp_path / "e{epoch}-b{batch}"), save_freq=3)
    run_callbacks(cp, [1.0, 1.0], steps=4)  # batches 0..3 in two epochs: saves after the 3rd and the 6th batch
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e1-b3", "e2-b2"]


@pytest.mark.parametrize("bad", ["batch", 0, -2, 1.5])
def test_checkpoint_rejects_a_bad_save_freq(bad):
    with pytest.raises(ValueError, match="save_freq"):
        ModelCheckpoint("x", save_freq=bad)


def test_checkpoint_without_the_monitor_warns_and_saves(tmp_path):
    cp = ModelCheckpoint(tmp_path / "m", save_best_only=True)
    with pytest.warns(UserWarning, match="val_loss"):
        model, _ = run_callbacks(cp, [1.0, 2.0], monitor="accuracy")
    assert len(model.saved) == 2


def test_checkpoint_verbose_messages(tmp_path, capsys):
    run_callbacks(ModelCheckpoint(tmp_path / "m", save_best_only=True, verbose=1), [1.0, 2.0])
    out = capsys.readouterr().out
    assert "Epoch 1: val_loss improved from inf to 1.00000, saving model to" in out
    assert "Epoch 2: val_loss did not improve from 1.00000" in out
