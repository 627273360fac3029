"""Models, batches and steps shared by the ts.jit tests: one eager run and one jitted run, compared bit for bit."""

from __future__ import annotations

import numpy as np

import tinygrad_seminar as ts

WORKLOADS = {  # the three steps of benchmarks/bench_mlp.py (C at a small batch, to stay fast)
    "A": dict(sizes=[2, 16, 1], hidden="tanh", batch=200, loss=ts.losses.binary_crossentropy),
    "B": dict(sizes=[64, 128, 10], hidden="relu", batch=64, loss=ts.losses.categorical_crossentropy),
    "C": dict(sizes=[784, 256, 256, 10], hidden="relu", batch=8, loss=ts.losses.categorical_crossentropy),
}
OPTIMISERS = {
    "sgd_momentum": lambda ps: ts.optim.SGD(ps, lr=0.05, momentum=0.9),
    "sgd_nesterov": lambda ps: ts.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
    "adam": lambda ps: ts.optim.Adam(ps, lr=1e-2),
    "rmsprop": lambda ps: ts.optim.RMSprop(ps, lr=1e-2),
    "adagrad": lambda ps: ts.optim.Adagrad(ps, lr=1e-2),
}


def model_of(sizes: list, hidden: str, dropout: float = 0.0, seed: int = 0) -> ts.Sequential:
    ts.manual_seed(seed)
    layers = []
    for k, units in enumerate(sizes[1:]):
        last = k == len(sizes) - 2
        layers.append(ts.nn.Dense(units, activation=None if last else hidden, input_dim=sizes[k]))
        if dropout and not last:
            layers.append(ts.nn.Dropout(dropout))
    return ts.Sequential(layers)


def targets(loss, rng, p: int, width: int) -> np.ndarray:
    if loss is ts.losses.binary_crossentropy:
        return (rng.random((p, width)) < 0.5).astype(np.float32)
    if loss is ts.losses.sparse_categorical_crossentropy:
        return rng.integers(0, width, p)
    if loss in (ts.losses.mse, ts.losses.mae):
        return rng.standard_normal((p, width)).astype(np.float32)
    return np.eye(width, dtype=np.float32)[rng.integers(0, width, p)]


def batches(sizes: list, batch: int, loss, n_steps: int, short: int | None = None) -> list:
    """(x, y) pairs; with ``short``, every third batch has that many rows (an epoch's last batch)."""
    rng = np.random.default_rng(1)
    out = []
    for k in range(n_steps):
        p = short if short and k % 3 == 2 else batch
        x = ts.Tensor(rng.standard_normal((p, sizes[0])).astype(np.float32))
        out.append((x, targets(loss, rng, p, sizes[-1])))
    return out


def step_for(model, opt, loss):
    """A user's training step: zero_grad, forward, loss, backward, step; it returns the loss Tensor."""
    logits = loss not in (ts.losses.mse, ts.losses.mae)

    def step(x, y):
        opt.zero_grad()
        pred = model(x)
        value = loss(y, pred, from_logits=True) if logits else loss(y, pred)
        value.backward()
        opt.step()
        return value

    return step


def record(step, model, opt, data, seed: int = 7) -> list:
    """Per step: the loss, and copies of every parameter, gradient and optimiser state array."""
    ts.manual_seed(seed)  # dropout draws from the default generator: the same draws in both runs
    out = []
    for x, y in data:
        loss = step(x, y).item()
        params = [(p.data.copy(), None if p.grad is None else p.grad.copy()) for p in model.parameters()]
        state = [{k: np.copy(v) for k, v in st.items()} for st in opt.state]
        out.append((loss, params, state))
    return out


def assert_same(a: list, b: list) -> None:
    assert len(a) == len(b)
    for k, ((la, pa, sa), (lb, pb, sb)) in enumerate(zip(a, b)):
        assert la == lb, f"step {k}: loss {la} != {lb}"
        for (da, ga), (db, gb) in zip(pa, pb):
            assert np.array_equal(da, db), f"step {k}: a parameter differs"
            assert (ga is None) == (gb is None) and (ga is None or np.array_equal(ga, gb)), f"step {k}: a .grad differs"
        for x, y in zip(sa, sb):
            assert x.keys() == y.keys() and all(np.array_equal(x[n], y[n]) for n in x), f"step {k}: optimiser state"


def eager_and_jitted(spec: dict, make_opt, loss, dropout: float = 0.0, short: int | None = None, n: int = 20):
    """Run the same steps eagerly and through ts.jit(strict=True) (any fallback raises); they must agree."""
    data = batches(spec["sizes"], spec["batch"], loss, n, short)
    runs = []
    for jitted in (False, True):
        model = model_of(spec["sizes"], spec["hidden"], dropout)
        opt = make_opt(model.parameters())
        step = step_for(model, opt, loss)
        if jitted:
            step = ts.jit(step, strict=True)
        runs.append(record(step, model, opt, data))
    assert_same(*runs)
    return step
