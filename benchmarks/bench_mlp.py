"""One full training step (forward, loss, backward, SGD step), float32: framework / hand-written numpy.

    python benchmarks/bench_mlp.py [--repeat 200]

Prints the median time of each and their ratio, measured in this one run (and PyTorch CPU with one
thread, if it is installed). Models (issue 4):
  A: 2 -> 16 tanh -> 1 sigmoid, BCE, batch 200
  B: 64 -> 128 relu -> 10 softmax, cross-entropy, batch 64
  C: 784 -> 256 relu -> 256 relu -> 10 softmax, cross-entropy, batch 128
The output activations are folded into the from-logits losses in all three implementations.
The last row, "B fit", times one epoch of model.fit over 1 024 samples with integer labels (16 steps
of 64, no shuffling) against the hand-written step looping over the same batches of one-hot labels.
"""

from __future__ import annotations

import argparse

import numpy as np
from timing import interleaved_medians

import tinygrad_seminar as ts

MODELS = {
    "A": dict(sizes=[2, 16, 1], hidden="tanh", batch=200, target="binary", aim=2.0),
    "B": dict(sizes=[64, 128, 10], hidden="relu", batch=64, target="classes", aim=1.5),
    "C": dict(sizes=[784, 256, 256, 10], hidden="relu", batch=128, target="classes", aim=1.15),
}
LR = 0.01


def make_data(spec, rng):
    x = rng.standard_normal((spec["batch"], spec["sizes"][0])).astype(np.float32)
    if spec["target"] == "binary":
        y = (rng.random((spec["batch"], 1)) < 0.5).astype(np.float32)
    else:
        y = np.eye(spec["sizes"][-1], dtype=np.float32)[rng.integers(0, spec["sizes"][-1], spec["batch"])]
    return x, y


def make_weights(sizes, rng):
    return [(rng.uniform(-0.3, 0.3, (o, i)).astype(np.float32), np.zeros(o, np.float32))
            for i, o in zip(sizes[:-1], sizes[1:])]


def numpy_step(weights, x, y, hidden, target):
    """The same step written by hand: what a careful student would write in numpy."""
    acts = [x]
    zs = []
    a = x
    for k, (w, b) in enumerate(weights):
        z = a @ w.T + b
        zs.append(z)
        if k < len(weights) - 1:
            a = np.tanh(z) if hidden == "tanh" else np.maximum(z, 0)
            acts.append(a)
    p = len(x)
    if target == "binary":
        loss = (np.logaddexp(0, z) - y * z).mean()
        dz = (np.exp(-np.logaddexp(0, -z)) - y) / y.size
    else:
        s = z - z.max(axis=1, keepdims=True)
        lse = np.log(np.exp(s).sum(axis=1, keepdims=True))
        loss = -(y * (s - lse)).sum() / p
        dz = (np.exp(s - lse) - y) / p
    for k in range(len(weights) - 1, -1, -1):
        w, b = weights[k]
        gw, gb = dz.T @ acts[k], dz.sum(axis=0)
        if k > 0:
            da = dz @ w
            dz = da * (1 - acts[k] ** 2) if hidden == "tanh" else da * (zs[k - 1] > 0)
        w -= LR * gw
        b -= LR * gb
    return loss


def framework_model(spec, weights):
    layers = []
    for k, (w, b) in enumerate(weights):
        act = spec["hidden"] if k < len(weights) - 1 else None
        layer = ts.nn.Dense(w.shape[0], activation=act, input_dim=w.shape[1])
        layer.weight.data[...] = w
        layer.bias.data[...] = b
        layers.append(layer)
    return ts.Sequential(layers)


def framework_step(model, opt, x, y, target):
    loss_fn = ts.losses.binary_crossentropy if target == "binary" else ts.losses.categorical_crossentropy
    opt.zero_grad()
    loss = loss_fn(y, model(x), from_logits=True)
    loss.backward()
    opt.step()
    return loss


def torch_step_factory(spec, weights, x, y):
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(1)
    mods = []
    for k, (w, b) in enumerate(weights):
        lin = torch.nn.Linear(w.shape[1], w.shape[0])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(w))
            lin.bias.copy_(torch.from_numpy(b))
        mods.append(lin)
        if k < len(weights) - 1:
            mods.append(torch.nn.Tanh() if spec["hidden"] == "tanh" else torch.nn.ReLU())
    net = torch.nn.Sequential(*mods)
    opt = torch.optim.SGD(net.parameters(), lr=LR)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    loss_fn = torch.nn.BCEWithLogitsLoss() if spec["target"] == "binary" else torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(net(tx), ty)
        loss.backward()
        opt.step()

    return step


def measure(spec: dict, repeat: int) -> tuple[float, float, float | None]:
    """Median seconds per step: numpy, framework, PyTorch (None if not installed)."""
    rng = np.random.default_rng(0)
    x, y = make_data(spec, rng)
    w_np = make_weights(spec["sizes"], rng)
    # the two implementations must compute the same step before their times mean anything
    check = framework_model(spec, w_np)
    l_fw = framework_step(check, ts.optim.SGD(check.parameters(), lr=LR), x, y, spec["target"]).item()
    l_np = numpy_step([(w.copy(), b.copy()) for w, b in w_np], x, y, spec["hidden"], spec["target"])
    assert abs(l_np - l_fw) < 1e-4 * max(1.0, abs(l_np)), (l_np, l_fw)
    model = framework_model(spec, w_np)
    opt = ts.optim.SGD(model.parameters(), lr=LR)
    xt = ts.Tensor(x)  # converted once, as fit does for its data; numpy's side gets its array as it is
    fns = [lambda: numpy_step(w_np, x, y, spec["hidden"], spec["target"]),
           lambda: framework_step(model, opt, xt, y, spec["target"])]
    torch_step = torch_step_factory(spec, w_np, x, y)
    times = interleaved_medians(fns + ([torch_step] if torch_step else []), repeat)
    return times[0], times[1], (times[2] if torch_step else None)


def measure_fit(repeat: int) -> tuple[float, float]:
    """Seconds per step of one fit epoch with integer labels, and of numpy's loop over the same batches."""
    spec, n, batch = MODELS["B"], 1024, 64
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, spec["sizes"][0])).astype(np.float32)
    labels = rng.integers(0, spec["sizes"][-1], n)
    one_hot = np.eye(spec["sizes"][-1], dtype=np.float32)[labels]  # a careful student converts once
    w_np = make_weights(spec["sizes"], rng)
    model = framework_model(spec, w_np)
    model.compile(optimizer=ts.optim.SGD(lr=LR), loss=ts.losses.SparseCategoricalCrossentropy(from_logits=True))

    def numpy_epoch():
        for start in range(0, n, batch):
            numpy_step(w_np, x[start:start + batch], one_hot[start:start + batch], spec["hidden"], spec["target"])

    def framework_epoch():
        model.fit(x, labels, batch_size=batch, epochs=1, shuffle=False, verbose=0)

    steps = n // batch
    t_np, t_fw = interleaved_medians([numpy_epoch, framework_epoch], max(1, repeat // steps))
    return t_np / steps, t_fw / steps


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    print(f"{'model':<6}{'numpy':>12}{'framework':>12}{'ratio':>8}{'aim':>6}{'torch ratio':>13}")
    for name, spec in MODELS.items():
        t_np, t_fw, t_th = measure(spec, args.repeat)
        torch_col = f"{t_th / t_np:13.2f}" if t_th else f"{'-':>13}"
        print(f"{name:<6}{t_np * 1e6:10.1f}us{t_fw * 1e6:10.1f}us{t_fw / t_np:8.2f}{spec['aim']:6.2f}{torch_col}")
    t_np, t_fw = measure_fit(args.repeat)
    print(f"{'B fit':<6}{t_np * 1e6:10.1f}us{t_fw * 1e6:10.1f}us{t_fw / t_np:8.2f}{'-':>6}{'-':>13}")


if __name__ == "__main__":
    main()
