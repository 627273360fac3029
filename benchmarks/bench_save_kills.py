"""Kills in the middle of saving, many of them: the target must always load whole, and no temporary may pile up.

    python benchmarks/bench_save_kills.py [--kills 600] [--width 400]

A forked child saves in a loop (model.save, save_weights, ModelCheckpoint and BackupAndRestore inside fit)
and is killed with SIGKILL after a varied delay; then the target is loaded and checked (one whole version:
every parameter holds the same stamp), and the temporaries beside it are counted. Last, one more save must
leave none. POSIX only.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import tempfile

import numpy as np

import tinygrad_seminar as ts
from tinygrad_seminar import files, nn, saving


def model(width: int) -> ts.Sequential:
    ts.manual_seed(0)
    m = ts.Sequential([ts.Input(shape=(width,)), nn.Dense(width), nn.Dropout(0.1), nn.Dense(2)])
    m.compile(optimizer="adam", loss="mse")
    return m


def stamp(m, value: float):
    for p in m.parameters():
        p.data[...] = value
    return m


class Stamp(ts.callbacks.Callback):
    """Before each epoch's save, every parameter takes the next stamp (so a torn file shows two stamps)."""

    def __init__(self, first: int):
        super().__init__()
        self.n = first

    def on_epoch_end(self, epoch, logs=None):
        stamp(self.model, self.n)
        self.n += 1


def child(kind: str, path: str, first: int, width: int) -> None:
    m = model(width)
    if kind in ("checkpoint_callback", "backup"):
        x, y = np.zeros((4, width), np.float32), np.zeros((4, 2), np.float32)
        saver = (ts.callbacks.ModelCheckpoint(path) if kind == "checkpoint_callback"
                 else ts.callbacks.BackupAndRestore(os.path.dirname(path), delete_checkpoint=False))
        m.fit(x, y, epochs=10**9, verbose=0, shuffle=False, callbacks=[Stamp(first), saver])
    n = first
    while True:
        stamp(m, n)
        (m.save if kind == "save" else m.save_weights)(path)
        n += 1


def value_of(kind: str, path: str, width: int) -> float:
    if kind in ("save", "checkpoint_callback"):
        m = ts.load_model(path)
    else:
        m = model(width)
        if kind == "backup":
            saving.load_checkpoint(m, path)
        else:
            m.load_weights(path)
    values = np.unique(np.concatenate([p.data.ravel() for p in m.parameters()]))
    if len(values) != 1:
        raise AssertionError(f"torn file: {values}")
    return float(values[0])


def save_once(kind: str, m, path: str) -> None:
    if kind == "backup":
        saving.save_checkpoint(m, path)
    else:
        (m.save if kind in ("save", "checkpoint_callback") else m.save_weights)(path)


def run(kind: str, kills: int, width: int, folder: str) -> dict:
    name = "latest.checkpoint" if kind == "backup" else "model.keras"
    path = os.path.join(folder, kind, name)
    os.makedirs(os.path.dirname(path))
    first = stamp(model(width), -1)
    save_once(kind, first, path)
    rng = np.random.default_rng(0)
    ctx = multiprocessing.get_context("fork")
    stats = {"kills": 0, "mid_save": 0, "most_temporaries": 0, "old": 0, "new": 0}
    last = value_of(kind, path, width)
    for k in range(kills):
        p = ctx.Process(target=child, args=(kind, path, 1000 * (k + 1), width))
        p.start()
        p.join(rng.uniform(0.002, 0.06 if kind in ("save", "save_weights") else 0.3))  # fit takes longer to start
        p.kill()
        p.join()
        stats["kills"] += 1
        temps = files.temporaries_of(path)
        stats["mid_save"] += bool(temps)
        stats["most_temporaries"] = max(stats["most_temporaries"], len(temps))
        value = value_of(kind, path, width)
        stats["old" if value == last else "new"] += 1
        last = value
    save_once(kind, first, path)
    stats["temporaries_after_one_more_save"] = len(files.temporaries_of(path))
    return stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=600, help="kills in all, shared by the four ways of saving")
    parser.add_argument("--width", type=int, default=400, help="the model's width (400: about 2.6 MB a file)")
    args = parser.parse_args()
    kinds = ["save", "save_weights", "checkpoint_callback", "backup"]
    with tempfile.TemporaryDirectory() as folder:
        for kind in kinds:
            stats = run(kind, args.kills // len(kinds), args.width, folder)
            print(f"{kind:20s} " + "  ".join(f"{k}={v}" for k, v in stats.items()))
            assert stats["temporaries_after_one_more_save"] == 0


if __name__ == "__main__":
    main()
