"""fit epochs and predict, float32, one BLAS thread: framework / efficient hand-written numpy, interleaved in one run.

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_fit.py [--repeat 20] [--quick]

Lines (issue 20, item 5):
  fit b=32, fit full, fit b=1: one epoch of fit over 1 797 x 64 (the digits' shape), 64 -> 128 relu -> 10, sparse
      cross-entropy from logits, SGD, no shuffling, at batch 32, at full batch (1 797) and at batch 1; against a
      mini-batch loop a careful student writes (ReLU as np.maximum, its derivative as a product with the mask, no
      boolean-mask assignment, no fancy indexing: one-hot labels made once, batches as slices).
  predict A, predict B: model.predict on 100 000 rows in batches of 1 024, for A (2 -> 16 tanh -> 1) and
      B (64 -> 128 relu -> 10), against numpy's forward pass over the same batches.
  fit setup: the time a fit call spends outside its batches (a fit over one batch less that batch's step), in ms.
Each contender is a column: "eager", "jit" (compile(jit_compile=True)), a PyTorch loop when torch is installed,
and whatever CONTENDERS gains. Ratios are medians of time per call over numpy's, timed in alternating turns.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads: one BLAS thread, as the aims assume

import numpy as np  # noqa: E402
from timing import interleaved_medians  # noqa: E402

import tinygrad_seminar as ts  # noqa: E402

LR = 0.01
FIT = dict(rows=1797, sizes=[64, 128, 10])
PREDICT = {"A": dict(sizes=[2, 16, 1], hidden="tanh"), "B": dict(sizes=[64, 128, 10], hidden="relu")}
PREDICT_ROWS, PREDICT_BATCH = 100_000, 1024
AIMS = {"fit b=32": "1.7 / 1.15", "predict A": "1.1", "predict B": "1.1"}  # issue 20: eager / jitted


def make_weights(sizes: list, rng) -> list:
    return [(rng.uniform(-0.3, 0.3, (o, i)).astype(np.float32), np.zeros(o, np.float32))
            for i, o in zip(sizes[:-1], sizes[1:])]


def framework_model(sizes: list, hidden: str, weights: list) -> ts.Sequential:
    layers = [ts.nn.Dense(w.shape[0], activation=hidden if k < len(weights) - 1 else None, input_dim=w.shape[1])
              for k, (w, _) in enumerate(weights)]
    model = ts.Sequential(layers)
    model.set_weights([a for w, b in weights for a in (w, b)])
    return model


# ---- numpy: what a careful student writes ----
def numpy_epoch(weights: list, x: np.ndarray, one_hot: np.ndarray, batch: int) -> None:
    """One epoch of mini-batch SGD on 64-128 relu-10 with softmax cross-entropy, in place on ``weights``."""
    (w1, b1), (w2, b2) = weights
    for start in range(0, len(x), batch):
        xb, yb = x[start:start + batch], one_hot[start:start + batch]
        z1 = xb @ w1.T
        z1 += b1
        a1 = np.maximum(z1, 0)
        z2 = a1 @ w2.T
        z2 += b2
        s = z2 - z2.max(axis=1, keepdims=True)
        e = np.exp(s)
        dz2 = e / e.sum(axis=1, keepdims=True)
        dz2 -= yb
        dz2 /= len(xb)
        da1 = dz2 @ w2
        da1 *= z1 > 0
        w2 -= LR * (dz2.T @ a1)
        b2 -= LR * dz2.sum(axis=0)
        w1 -= LR * (da1.T @ xb)
        b1 -= LR * da1.sum(axis=0)


def numpy_forward(weights: list, hidden: str, x: np.ndarray, batch: int) -> np.ndarray:
    """The model's outputs over ``x`` in batches, concatenated (as predict returns them)."""
    (w1, b1), (w2, b2) = weights
    outs = []
    for start in range(0, len(x), batch):
        z1 = x[start:start + batch] @ w1.T
        z1 += b1
        a1 = np.tanh(z1) if hidden == "tanh" else np.maximum(z1, 0)
        z2 = a1 @ w2.T
        z2 += b2
        outs.append(z2)
    return np.concatenate(outs)


# ---- the contenders: name -> maker(setup) giving the callable to time, or None where it cannot run ----
def fit_model(weights: list, jit_compile: bool = False) -> ts.Sequential:
    model = framework_model(FIT["sizes"], "relu", weights)
    model.compile(optimizer=ts.optim.SGD(lr=LR), loss=ts.losses.SparseCategoricalCrossentropy(from_logits=True),
                  jit_compile=jit_compile)
    return model


def eager_fit(setup: dict, jit_compile: bool = False) -> Callable:
    model = fit_model(setup["weights"], jit_compile)
    x, labels, batch = setup["x"], setup["labels"], setup["batch"]
    return lambda: model.fit(x, labels, batch_size=batch, epochs=1, shuffle=False, verbose=0)


def eager_predict(setup: dict, jit_compile: bool = False) -> Callable:
    model = framework_model(setup["sizes"], setup["hidden"], setup["weights"])
    if jit_compile:
        model.compile(optimizer=ts.optim.SGD(lr=LR), loss="mse", jit_compile=True)
    x = setup["x"]
    return lambda: model.predict(x, batch_size=PREDICT_BATCH, verbose=0)


def jit_fit(setup: dict) -> Callable:
    """fit through compile(jit_compile=True): its steps replayed as ts.jit plans."""
    return eager_fit(setup, jit_compile=True)


def jit_predict(setup: dict) -> Callable:
    return eager_predict(setup, jit_compile=True)


def torch_net(sizes: list, hidden: str, weights: list):
    import torch  # optional: only this contender needs it

    torch.set_num_threads(1)
    mods = []
    for k, (w, b) in enumerate(weights):
        lin = torch.nn.Linear(w.shape[1], w.shape[0])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w))
            lin.bias.copy_(torch.from_numpy(b))
        mods += [lin] + ([torch.nn.Tanh() if hidden == "tanh" else torch.nn.ReLU()] if k < len(weights) - 1 else [])
    return torch, torch.nn.Sequential(*mods)


def torch_fit(setup: dict) -> Callable | None:
    try:
        torch, net = torch_net(FIT["sizes"], "relu", setup["weights"])
    except ImportError:
        return None
    opt = torch.optim.SGD(net.parameters(), lr=LR)
    x, labels, batch = torch.from_numpy(setup["x"]), torch.from_numpy(setup["labels"]), setup["batch"]

    def epoch():
        for start in range(0, len(x), batch):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(net(x[start:start + batch]), labels[start:start + batch]).backward()
            opt.step()

    return epoch


def torch_predict(setup: dict) -> Callable | None:
    try:
        torch, net = torch_net(setup["sizes"], setup["hidden"], setup["weights"])
    except ImportError:
        return None
    x = torch.from_numpy(setup["x"])

    def predict():
        with torch.no_grad():
            return np.concatenate([net(x[s:s + PREDICT_BATCH]).numpy() for s in range(0, len(x), PREDICT_BATCH)])

    return predict


# Each line's contenders beside numpy, one column each: a new way to run a step (a maker of the same signature)
# goes here.
CONTENDERS: dict[str, dict[str, Callable[[dict], Callable | None]]] = {
    "fit": {"eager": eager_fit, "jit": jit_fit, "torch": torch_fit},
    "predict": {"eager": eager_predict, "jit": jit_predict, "torch": torch_predict},
}


# ---- the workloads ----
def fit_setup(batch: int, rng) -> tuple[dict, Callable]:
    """The data, weights and numpy's epoch for one fit line; checks first that fit computes numpy's epoch."""
    x = rng.standard_normal((FIT["rows"], FIT["sizes"][0])).astype(np.float32)
    labels = rng.integers(0, FIT["sizes"][-1], FIT["rows"])
    one_hot = np.eye(FIT["sizes"][-1], dtype=np.float32)[labels]  # made once, outside the loop
    weights = make_weights(FIT["sizes"], rng)
    setup = dict(x=x, labels=labels, batch=batch, weights=weights)
    if batch >= 32:  # the two implementations must compute the same epoch before their times mean anything
        model = fit_model(weights)
        model.fit(x, labels, batch_size=batch, epochs=1, shuffle=False, verbose=0)
        mine = [(w.copy(), b.copy()) for w, b in weights]
        numpy_epoch(mine, x, one_hot, batch)
        for got, want in zip(model.get_weights(), [a for w, b in mine for a in (w, b)]):
            np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-5)
    weights_np = [(w.copy(), b.copy()) for w, b in weights]
    return setup, lambda: numpy_epoch(weights_np, x, one_hot, batch)


def predict_setup(name: str, rng) -> tuple[dict, Callable]:
    spec = PREDICT[name]
    x = rng.standard_normal((PREDICT_ROWS, spec["sizes"][0])).astype(np.float32)
    weights = make_weights(spec["sizes"], rng)
    setup = dict(x=x, weights=weights, **spec)
    out = eager_predict(setup)()
    np.testing.assert_allclose(out, numpy_forward(weights, spec["hidden"], x, PREDICT_BATCH), rtol=1e-5, atol=1e-6)
    return setup, lambda: numpy_forward(weights, spec["hidden"], x, PREDICT_BATCH)


def line(name: str, kind: str, setup: dict, numpy_fn: Callable, repeat: int) -> dict[str, float]:
    """Ratio of each contender's median time to numpy's, timed in alternating turns."""
    names, fns = [], [numpy_fn]
    for contender, make in CONTENDERS[kind].items():
        fn = make(setup)
        if fn is not None:
            names.append(contender)
            fns.append(fn)
    times = interleaved_medians(fns, repeat, chunk=1)
    return {"numpy ms": times[0] * 1e3, **{n: t / times[0] for n, t in zip(names, times[1:])}}


def setup_cost(jit_compile: bool | str, repeat: int) -> float:
    """fit's per-call setup in seconds: a fit over one batch of 32 rows, less that batch's train_step, interleaved."""
    rng = np.random.default_rng(1)
    model = framework_model(FIT["sizes"], "relu", make_weights(FIT["sizes"], rng))
    model.compile(optimizer=ts.optim.SGD(lr=LR), loss=ts.losses.SparseCategoricalCrossentropy(from_logits=True),
                  jit_compile=jit_compile)
    x, labels = rng.standard_normal((32, FIT["sizes"][0])).astype(np.float32), rng.integers(0, FIT["sizes"][-1], 32)
    xt = ts.Tensor(x)  # (fit's one batch runs eagerly: its first batch checks every target)
    fit_time, step_time = interleaved_medians([lambda: model.fit(x, labels, epochs=1, shuffle=False, verbose=0),
                                               lambda: model.train_step((xt, labels))], repeat)
    return fit_time - step_time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20, help="turns per line (batch 1 takes a fifth)")
    parser.add_argument("--quick", action="store_true", help="3 turns per line: a smoke run, not a measurement")
    args = parser.parse_args()
    repeat = 3 if args.quick else args.repeat
    rng = np.random.default_rng(0)
    rows = {}
    for label, batch in (("fit b=32", 32), ("fit full", FIT["rows"]), ("fit b=1", 1)):
        setup, numpy_fn = fit_setup(batch, rng)
        rows[label] = line(label, "fit", setup, numpy_fn, max(3, repeat // 5) if batch == 1 else repeat)
    for name in PREDICT:
        setup, numpy_fn = predict_setup(name, rng)
        rows[f"predict {name}"] = line(name, "predict", setup, numpy_fn, repeat)
    columns = [c for c in dict.fromkeys(k for r in rows.values() for k in r) if c != "numpy ms"]
    print(f"{'line':<11}{'numpy':>11}" + "".join(f"{c:>9}" for c in columns) + f"{'aim':>11}")
    for label, r in rows.items():
        cells = "".join(f"{r[c]:9.2f}" if c in r else f"{'-':>9}" for c in columns)
        aim = f"{AIMS.get(label, '-'):>11}"
        print(f"{label:<11}{r['numpy ms']:9.2f}ms{cells}{aim}")
    costs = {mode: setup_cost(mode, 30 if args.quick else 100 * repeat) for mode in (False, "auto")}
    print("fit setup: " + ", ".join(f"{c * 1e3:.3f} ms with jit_compile={m!r}" for m, c in costs.items())
          + " (aim: under 0.2 ms)")


if __name__ == "__main__":
    main()
