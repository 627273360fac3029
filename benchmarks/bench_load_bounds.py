"""Loading crafted files: each is refused, and this prints the peak memory and time it took, per file.

    python benchmarks/bench_load_bounds.py

Each load runs in a fresh child process, which reports its peak RSS (VmHWM, Linux) after importing the
package and after the load, and the load's time. The bound promised in SECURITY.md: peak below
64 MB + 4 x the file's size, and 2 s plus the time to read the file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

import tinygrad_seminar as ts
from tinygrad_seminar import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "keras"))
from crafted_files import meta_bytes, stored, write_zip, zeros_bomb  # noqa: E402

CHILD = """
import sys, time, tinygrad_seminar as ts

def peak_kb():  # VmHWM: this process's own peak (ru_maxrss would carry the parent's peak across exec)
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))

base = peak_kb()
start = time.perf_counter()
try:
    ts.load_model(sys.argv[1]); outcome = "loaded"
except ValueError as e:
    outcome = "refused: " + str(e).split(": ", 1)[1][:70]
elapsed = time.perf_counter() - start
print(base, peak_kb(), f"{elapsed:.3f}", outcome)
"""


def write(path, meta, arrays) -> None:
    with open(path, "wb") as f:
        np.savez(f, __meta__=np.array(meta if isinstance(meta, str) else json.dumps(meta)), **arrays)


def files(folder: Path) -> dict[str, Path]:
    ts.manual_seed(0)
    model = ts.Sequential([ts.Input(shape=(3,)), nn.Dense(4), nn.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.save(folder / "small")
    with np.load(folder / "small") as f:
        arrays = {k: f[k] for k in f.files}
    meta = json.loads(str(arrays.pop("__meta__")))
    out = {}
    for units in (12000, 40000):
        label = f"Dense({units}) on {units} inputs"
        out[label] = folder / f"dense{units}"
        layers = [{**meta["layers"][0], "units": units}, meta["layers"][1]]
        write(out[label], {**meta, "input_dim": units, "layers": layers}, arrays)
    out["zip bomb (3.9 GB in 4 MB)"] = folder / "bomb"
    write_zip(out["zip bomb (3.9 GB in 4 MB)"], [stored("__meta__.npy", meta_bytes(meta)),
                                                 zeros_bomb("0.weight.npy", 3900)])
    out["JSON nested 100 000 deep"] = folder / "deep"
    write(out["JSON nested 100 000 deep"], json.dumps(meta)[:-1] + ', "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
          arrays)
    big = ts.Sequential([ts.Input(shape=(1000,)), nn.Dense(1000), nn.Dense(1000)])
    big.compile(optimizer="adam", loss="mse")
    big.fit(np.zeros((2, 1000), np.float32), np.zeros((2, 1000), np.float32), verbose=0)
    out["genuine, 2M parameters + Adam"] = folder / "genuine"
    big.save(out["genuine, 2M parameters + Adam"])
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
        print(f"{'file':32s} {'size':>9s} {'peak RSS growth':>16s} {'bound':>9s} {'time':>7s}  outcome")
        for label, path in files(Path(folder)).items():
            out = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, env=env,
                                 check=True).stdout.split(" ", 3)
            size = os.path.getsize(path)
            growth = (int(out[1]) - int(out[0])) / 1024
            print(f"{label:32s} {size / 1e6:7.2f}MB {growth:13.1f} MB {64 + 4 * size / 2**20:6.0f} MB "
                  f"{float(out[2]):6.2f}s  {out[3].strip()}")


if __name__ == "__main__":
    main()
