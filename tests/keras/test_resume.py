"""Training resumes bit for bit: the model owns the generator fit draws from (shuffling, dropout masks), save
writes it with fit's next epoch, load_model restores both and leaves ts.default_generator() as it was."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tinygrad_seminar as ts
from tinygrad_seminar import nn

ROOT = Path(__file__).resolve().parents[2]
OPTIMIZERS = ["sgd", "adam", "rmsprop", "adagrad"]
RNG = np.random.default_rng(3)
X = RNG.standard_normal((40, 3)).astype(np.float32)
Y = (X[:, :1] + X[:, 1:2] > 0).astype(np.float32)


def make(optimizer: str, seed: int = 0) -> ts.Sequential:
    ts.manual_seed(seed)
    model = ts.Sequential([ts.Input(shape=(3,)), nn.Dense(8, activation="relu"), nn.Dropout(0.3),
                           nn.Dense(1, activation="sigmoid")])
    model.compile(optimizer=optimizer, loss="binary_crossentropy")
    return model


def train(model: ts.Sequential, epochs: int, initial_epoch: int = 0, **kwargs) -> ts.Sequential:
    model.fit(X, Y, epochs=epochs, initial_epoch=initial_epoch, batch_size=8, verbose=0, **kwargs)
    return model


def same(a: dict, b: dict) -> bool:
    return list(a) == list(b) and all(np.array_equal(a[k], b[k]) for k in a)


CHILD = """
import sys, numpy as np, tinygrad_seminar as ts
sys.path.insert(0, sys.argv[2])
from test_resume import X, Y, train
folder = sys.argv[1]
for name in sys.argv[3:]:
    before = ts.default_generator().bit_generator.state
    model = ts.load_model(f"{folder}/{name}.keras")
    assert ts.default_generator().bit_generator.state == before, "load_model moved the default generator"
    assert model.next_epoch == 2, model.next_epoch
    train(model, 4, initial_epoch=model.next_epoch)
    np.savez(f"{folder}/{name}.after.npz", **model.state_dict())
"""


def test_two_epochs_save_load_in_a_fresh_process_two_more_is_four_epochs_bit_for_bit(tmp_path):
    for name in OPTIMIZERS:
        train(make(name), 2).save(tmp_path / f"{name}.keras")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    subprocess.run([sys.executable, "-c", CHILD, str(tmp_path), str(Path(__file__).parent), *OPTIMIZERS],
                   check=True, env=env, cwd=tmp_path, timeout=120)
    for name in OPTIMIZERS:
        with np.load(tmp_path / f"{name}.after.npz") as f:
            resumed = {k: f[k] for k in f.files}
        assert same(resumed, train(make(name), 4).state_dict()), name


def test_the_test_can_fail_a_model_whose_generator_is_not_restored_drifts(tmp_path):
    """Without its generator (a fresh one), the same load + fit differs: shuffling and dropout do matter."""
    train(make("adam"), 2).save(tmp_path / "m.keras")
    model = ts.load_model(tmp_path / "m.keras")
    model.generator = np.random.default_rng(12345)
    assert not same(train(model, 4, initial_epoch=2).state_dict(), train(make("adam"), 4).state_dict())


def test_load_model_and_load_weights_leave_the_default_generator_unchanged(tmp_path):
    model = train(make("adam"), 1)
    model.save(tmp_path / "m.keras")
    model.save_weights(tmp_path / "w")
    ts.manual_seed(42)
    before = ts.default_generator().bit_generator.state
    ts.load_model(tmp_path / "m.keras")
    fresh = ts.Sequential([nn.Dense(8, activation="relu"), nn.Dropout(0.3), nn.Dense(1, activation="sigmoid")])
    fresh.load_weights(tmp_path / "w")  # built here, from zeros: the file's weights replace them
    assert fresh.built and same(fresh.state_dict(), model.state_dict())
    assert ts.default_generator().bit_generator.state == before


def test_fit_draws_from_the_models_generator_not_the_default_one():
    model = make("sgd")
    before = ts.default_generator().bit_generator.state
    assert isinstance(model.generator, np.random.Generator)  # seeded now: one draw from the default generator
    after_seeding = ts.default_generator().bit_generator.state
    assert after_seeding != before
    train(model, 2)
    assert ts.default_generator().bit_generator.state == after_seeding


def old_format(path: Path) -> None:
    """Rewrite a file as format 2 wrote it: no generator, no next epoch (the fields 3 added)."""
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files}
    meta = json.loads(str(arrays.pop("__meta__")))
    for key in ("generator", "next_epoch"):
        del meta[key]
    meta["version"] = 2
    with open(path, "wb") as f:
        np.savez(f, __meta__=np.array(json.dumps(meta)), **arrays)


def test_a_file_of_the_earlier_format_still_loads_and_trains_reproducibly(tmp_path):
    model = train(make("rmsprop"), 2)
    model.save(tmp_path / "old.keras")
    old_format(tmp_path / "old.keras")
    before = ts.default_generator().bit_generator.state
    loaded = ts.load_model(tmp_path / "old.keras")
    assert ts.default_generator().bit_generator.state == before
    assert loaded.next_epoch == 0 and loaded._generator is None  # seeded by manual_seed's generator at first fit
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    runs = []
    for _ in range(2):
        ts.manual_seed(9)
        runs.append(train(ts.load_model(tmp_path / "old.keras"), 4, initial_epoch=2).state_dict())
    assert same(*runs)


class Interrupt(ts.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 2:
            raise KeyboardInterrupt("the machine went down")


@pytest.mark.parametrize("name", ["adam", "sgd"])
def test_backup_and_restore_resumes_an_interrupted_fit_bit_for_bit(tmp_path, name):
    backup = tmp_path / "backup"
    with pytest.raises(KeyboardInterrupt):
        train(make(name), 4, callbacks=[ts.callbacks.BackupAndRestore(backup), Interrupt()])
    assert os.listdir(backup) == ["latest.checkpoint"]
    model = make(name, seed=1)  # rebuilt in code; the backup replaces its weights, state and generator
    history = train(model, 4, callbacks=[ts.callbacks.BackupAndRestore(backup)]).history.history
    assert len(history["loss"]) == 2  # epochs 3 and 4
    assert same(model.state_dict(), train(make(name), 4).state_dict())
    assert not backup.exists()  # delete_checkpoint=True: removed once fit finished


def test_backup_and_restore_keeps_the_backup_when_asked_and_backs_up_every_n_batches(tmp_path):
    backup = tmp_path / "b"
    train(make("adam"), 1, callbacks=[ts.callbacks.BackupAndRestore(backup, save_freq=2, delete_checkpoint=False)])
    assert os.listdir(backup) == ["latest.checkpoint"]
    model = make("adam")
    assert ts.saving.load_checkpoint(model, backup / "latest.checkpoint") == 0  # mid-epoch: that epoch again


@pytest.mark.parametrize("kwargs, error", [
    ({"backup_dir": ""}, ValueError), ({"backup_dir": None}, ValueError),
    ({"backup_dir": "b", "save_freq": 0}, ValueError), ({"backup_dir": "b", "save_freq": "batch"}, ValueError),
    ({"backup_dir": "b", "delete_checkpoint": "yes"}, TypeError)])
def test_backup_and_restore_checks_its_arguments(kwargs, error):
    with pytest.raises(error, match="BackupAndRestore: "):
        ts.callbacks.BackupAndRestore(**kwargs)
