"""What fit's cheaper setup (issue 20) must not change: the tree walk's names and order, the penalties of layers
made by the first batch, and the optimiser's binding."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_seminar as ts
from tinygrad_seminar import keras


def reference_named_parameters(module, prefix=""):
    """The walk as it was written before (children through named_children, parameters attribute by attribute)."""
    seen, out, stack = set(), [], [(prefix, module)]
    while stack:
        pre, m = stack.pop()
        for name, value in vars(m).items():
            items = list(enumerate(value)) if isinstance(value, (list, tuple)) else [(None, value)]
            for i, v in items:
                if isinstance(v, ts.nn.Parameter) and id(v) not in seen:
                    seen.add(id(v))
                    out.append((pre + name if i is None else f"{pre}{name}.{i}", v))
        stack.extend(reversed([(f"{pre}{n}.", c) for n, c in m.named_children()]))
    return out


class Tangle(ts.nn.Module):
    """Parameters beside modules, in lists and tuples, a shared one, a nested Sequential, a frozen one."""

    def __init__(self):
        self.scale = ts.nn.Parameter(np.ones(2))
        self.blocks = [ts.nn.Dense(3, input_dim=2), ts.nn.Parameter(np.zeros(3))]
        self.inner = ts.nn.Sequential(ts.nn.Dense(2, input_dim=3), ts.nn.Dense(1, input_dim=2))
        self.pair = (self.scale, ts.nn.Parameter(np.ones(1), requires_grad=False))
        self.label, self.count, self.rng = "tangle", 3, np.random.default_rng(0)


def test_the_one_pass_walk_names_and_orders_parameters_as_before():
    for module in (Tangle(), ts.Sequential([Tangle(), ts.nn.Dense(2, input_dim=1)])):
        want = reference_named_parameters(module)
        got = list(module.named_parameters())
        assert [n for n, _ in got] == [n for n, _ in want]
        assert all(a is b for (_, a), (_, b) in zip(got, want))
        assert module.trainable_parameters() == [p for _, p in want if p.requires_grad]
    assert [n for n, _ in Tangle().named_children()] == ["blocks.0", "inner"]


def test_a_regularized_layer_made_by_the_first_batch_is_penalised_on_every_batch():
    class Lazy(ts.Model):
        def forward(self, x):
            if not hasattr(self, "dense"):
                self.dense = keras.layers.Dense(1, kernel_regularizer=keras.regularizers.l2(0.5), use_bias=False)
            return self.dense(x)

    rng = np.random.default_rng(2)
    x, y = rng.standard_normal((12, 3)).astype("float32"), rng.standard_normal((12, 1)).astype("float32")
    model = Lazy()
    model.compile(optimizer=ts.optim.SGD(lr=0.0), loss="mse")  # lr 0: every batch sees the same kernel
    seen = []
    model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0,
              callbacks=[ts.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(logs["loss"]))])
    k = model.dense.kernel.data
    penalty = 0.5 * float((k ** 2).sum())
    batch = [float(np.mean((x[i:i + 4] @ k - y[i:i + 4]) ** 2)) + penalty for i in (0, 4, 8)]
    running = [np.mean(batch[:n]) for n in (1, 2, 3)]  # the logs hold the epoch's running mean
    np.testing.assert_allclose(seen, running + running, rtol=1e-5)
    model.extra = keras.layers.Dense(1, kernel_regularizer="l2", input_dim=1)  # after fit: found again
    assert len(model.losses) == 2


def test_fit_rebinds_a_compiled_optimiser_when_layers_are_frozen_and_keeps_its_state():
    model = ts.Sequential([ts.nn.Dense(3, input_dim=2), ts.nn.Dense(1)])
    model.compile(optimizer=ts.optim.Adam(lr=0.01), loss="mse")
    x, y = np.ones((4, 2), "float32"), np.ones((4, 1), "float32")
    model.fit(x, y, verbose=0, batch_size=4)
    kept = model.optimizer.state[-1]
    model.layers[0].trainable = False
    model.fit(x, y, verbose=0, batch_size=4)
    assert model.optimizer.params == model.layers[1].parameters() and model.optimizer.state[-1] is kept


def test_rebind_still_checks_a_new_list():
    p = ts.nn.Parameter(np.zeros(2))
    opt = ts.optim.SGD([p], lr=0.1)
    assert opt.rebind([p]) is opt
    with pytest.raises(ValueError, match="appears more than once"):
        opt.rebind([p, p])
    with pytest.raises(TypeError, match="only floating-point tensors train"):
        opt.rebind([ts.Tensor(np.zeros(2, int))])


@pytest.mark.parametrize("x", [np.array([[1.0, np.nan]]), np.array([[np.inf, 0.0]])])
def test_fit_still_refuses_non_finite_features_before_any_work(x):
    model = ts.Sequential([ts.nn.Dense(1, input_dim=2)])
    model.compile(optimizer="sgd", loss="mse")
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"^x holds \d NaN and \d infinite values"):
        model.fit(x, np.zeros((1, 1)), verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


@pytest.mark.filterwarnings("ignore:overflow encountered in cast")  # numpy says so too, then fit refuses
def test_whole_number_features_skip_the_scan_only_where_they_cannot_overflow():
    model = ts.Sequential([ts.nn.Dense(1, input_dim=1, dtype="float16")])
    model.compile(optimizer="sgd", loss="mse")
    with pytest.raises(ValueError, match="infinite"):  # 70 000 is beyond float16's 65 504
        model.fit(np.array([[70_000]]), np.zeros((1, 1)), verbose=0)
