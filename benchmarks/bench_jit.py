"""One training step, eager and through ``ts.jit``: each a ratio to hand-written numpy doing the same maths.

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_jit.py [--repeat 400]

The steps A, B and C of bench_mlp.py (forward, loss from logits, backward, SGD), timed interleaved in this one
process (see timing.py) with the hand-written numpy step, the eager step and the jitted step (and PyTorch's
with one thread, if installed). Before timing, the jitted step is checked to give the eager step's loss and
weights bit for bit. Aims (issue 20): jitted A <= 1.10, B <= 1.10, C <= 1.03; eager A <= 1.5, B <= 1.3, C <= 1.05.
The "floor" column is the same step in a bare eager engine (floor_engine.py): what Python's dispatch alone costs
here, below which no eager aim can be met on this machine. The last line is the RSS growth over 10 000 jitted
steps of B (aim: within 1 MB).
"""

from __future__ import annotations

import argparse

import numpy as np
from bench_mlp import (
    LR,
    MODELS,
    framework_model,
    framework_step,
    make_data,
    make_weights,
    numpy_step,
    torch_step_factory,
)
from floor_engine import floor_step_factory
from timing import interleaved_medians

import tinygrad_seminar as ts

AIMS = {"A": (1.5, 1.10), "B": (1.3, 1.10), "C": (1.05, 1.03)}  # (eager, jitted)


def contenders(spec: dict, x: np.ndarray, y: np.ndarray) -> dict:
    """name -> a function running one step; each owns its weights (all start equal)."""
    w = make_weights(spec["sizes"], np.random.default_rng(1))
    eager, jitted = framework_model(spec, w), framework_model(spec, w)
    opt_e, opt_j = ts.optim.SGD(eager.parameters(), lr=0.01), ts.optim.SGD(jitted.parameters(), lr=0.01)
    xt = ts.Tensor(x)  # converted once, as fit does for its data
    step = ts.jit(lambda xt, y: framework_step(jitted, opt_j, xt, y, spec["target"]), strict=True)
    for _ in range(3):  # the same steps on both: then they must hold the same weights, bit for bit
        assert framework_step(eager, opt_e, xt, y, spec["target"]).item() == step(xt, y).item()
    assert all(np.array_equal(a.data, b.data) for a, b in zip(eager.parameters(), jitted.parameters()))
    w_np = [(a.copy(), b.copy()) for a, b in w]
    floor = floor_step_factory(spec, w, x, y, LR)
    for _ in range(3):  # the floor engine computes numpy's step (to rounding: its loss is summed otherwise)
        floor()
        numpy_step(w_np, x, y, spec["hidden"], spec["target"])
    for (fw, fb), (nw, nb) in zip(floor.weights, w_np):
        np.testing.assert_allclose(fw.data, nw, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(fb.data, nb, rtol=1e-4, atol=1e-6)
    out = {"numpy": lambda: numpy_step(w_np, x, y, spec["hidden"], spec["target"]),
           "eager": lambda: framework_step(eager, opt_e, xt, y, spec["target"]),
           "jitted": lambda: step(xt, y), "floor": floor}
    torch_step = torch_step_factory(spec, w, x, y)
    if torch_step is not None:
        out["torch"] = torch_step
    return out


def rss_bytes() -> int:
    """The process's resident set size now (Linux: /proc/self/statm)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


def memory_growth(steps: int) -> int:
    """RSS growth over ``steps`` jitted steps of B (the losses not kept), after 100 to warm up."""
    spec = MODELS["B"]
    x, y = make_data(spec, np.random.default_rng(0))
    model = framework_model(spec, make_weights(spec["sizes"], np.random.default_rng(1)))
    opt = ts.optim.SGD(model.parameters(), lr=0.01)
    step = ts.jit(lambda xt, y: framework_step(model, opt, xt, y, spec["target"]), strict=True)
    xt = ts.Tensor(x)
    for _ in range(100):
        step(xt, y)
    before = rss_bytes()
    for _ in range(steps):
        step(xt, y)
    return rss_bytes() - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=400)
    parser.add_argument("--memory-steps", type=int, default=10_000)
    args = parser.parse_args()
    print(f"{'step':<6}{'numpy':>10}{'eager':>8}{'aim':>6}{'jitted':>8}{'aim':>6}{'floor':>8}{'torch':>8}"
          "   (ratios to numpy)")
    for name, spec in MODELS.items():
        x, y = make_data(spec, np.random.default_rng(0))
        fns = contenders(spec, x, y)
        times = dict(zip(fns, interleaved_medians(list(fns.values()), args.repeat)))
        t_np = times["numpy"]
        torch_col = f"{times['torch'] / t_np:8.2f}" if "torch" in times else f"{'-':>8}"
        aim_e, aim_j = AIMS[name]
        print(f"{name:<6}{t_np * 1e6:8.1f}us{times['eager'] / t_np:8.2f}{aim_e:6.2f}{times['jitted'] / t_np:8.2f}"
              f"{aim_j:6.2f}{times['floor'] / t_np:8.2f}{torch_col}")
    grown = memory_growth(args.memory_steps)
    print(f"RSS growth over {args.memory_steps} jitted steps of B: {grown / 2**20:.2f} MB (aim: within 1 MB)")


if __name__ == "__main__":
    main()
