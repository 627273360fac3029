"""The step seam: fit, evaluate and predict loop over batches and call train_step / test_step / predict_step."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_seminar as ts
from tinygrad_seminar.keras import checks
from tinygrad_seminar.keras.losses import SparseCategoricalCrossentropy

CLIP = 0.05


class ClippedSequential(ts.Sequential):
    """Keras' "customizing fit()" example: clip the gradient's global norm, and log it."""

    def train_step(self, data):
        x, y = data
        y_pred = self(x)
        loss = self.compute_loss(x, y, y_pred)
        self.optimizer.zero_grad()
        loss.backward()
        params = self.trainable_parameters()
        norm = float(np.sqrt(sum(float((p.grad**2).sum()) for p in params)))
        for p in params:
            p.grad *= min(1.0, CLIP / norm)
        self.clipped_norms.append(float(np.sqrt(sum(float((p.grad**2).sum()) for p in params))))
        self.optimizer.step()
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss.data, sample_weight=len(y))
            else:
                metric.update_state(y.reshape(-1, 1), y_pred.data)
        return {**{m.name: m.result() for m in self.metrics}, "grad_norm": norm}


def blobs(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 2)).astype(np.float32)
    return x, (x[:, 0] + x[:, 1] > 0).astype(np.float32)


def test_a_subclass_overriding_train_step_trains_through_fit_with_history_and_callbacks():
    ts.manual_seed(0)
    model = ClippedSequential([ts.Input(shape=(2,)), ts.nn.Dense(8, activation="tanh"),
                               ts.nn.Dense(1, activation="sigmoid")])
    model.clipped_norms = []
    model.compile(optimizer=ts.optim.SGD(lr=1.0), loss="binary_crossentropy", metrics=["accuracy"])
    x, y = blobs()
    seen = []
    batch_logs = ts.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append(dict(logs)))
    history = model.fit(x, y, epochs=5, batch_size=16, verbose=0, callbacks=[batch_logs])
    assert set(history.history) == {"loss", "accuracy", "grad_norm"}
    assert len(history.history["loss"]) == 5 and len(seen) == 5 * 4
    assert all(set(logs) == {"loss", "accuracy", "grad_norm"} for logs in seen)
    assert max(model.clipped_norms) <= CLIP * (1 + 1e-5)  # the override ran on every batch
    assert len(model.clipped_norms) == 20
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_the_first_loss_inside_train_step_holds_only_that_steps_ops_and_nothing_ran_before(monkeypatch):
    applied = []
    original = ts.Function.apply.__func__

    def counting(cls, *args, **kwargs):
        applied.append(cls.__name__)
        return original(cls, *args, **kwargs)

    class Recording(ts.Sequential):
        def train_step(self, data):
            if not hasattr(self, "before_first_step"):
                self.before_first_step = list(applied)
                x, y = data
                loss = self.compute_loss(x, y, self(x))
                self.first_graph = sorted(type(t.grad_fn).__name__ for t in ts.engine.toposort([loss]))
            return super().train_step(data)

    ts.manual_seed(0)
    model = Recording([ts.Input(shape=(2,)), ts.nn.Dense(3, activation="tanh"), ts.nn.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = blobs(8)
    monkeypatch.setattr(ts.Function, "apply", classmethod(counting))
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    assert model.before_first_step == []  # fit ran no forward pass of its own before the first step
    # one forward (Affine, Tanh, Affine) and the mean squared error (Sub, Mul, Sum, Mul by 1/n)
    assert model.first_graph == sorted(["Affine", "Tanh", "Affine", "Sub", "Mul", "Sum", "Mul"])


def test_labels_are_checked_once_per_fit_not_once_per_batch(monkeypatch):
    calls = {"check_targets": 0, "checked call": 0}
    check, call = SparseCategoricalCrossentropy.check_targets, SparseCategoricalCrossentropy.__call__

    def counted_check(self, y, out_shape):
        calls["check_targets"] += 1
        return check(self, y, out_shape)

    def counted_call(self, y_true, y_pred):
        calls["checked call"] += 1
        return call(self, y_true, y_pred)

    monkeypatch.setattr(SparseCategoricalCrossentropy, "check_targets", counted_check)
    monkeypatch.setattr(SparseCategoricalCrossentropy, "__call__", counted_call)
    ts.manual_seed(0)
    model = ts.Sequential([ts.Input(shape=(2,)), ts.nn.Dense(3)])
    model.compile(optimizer="sgd", loss=ts.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    x = np.random.default_rng(1).standard_normal((60, 2)).astype(np.float32)
    labels = np.arange(60) % 3
    model.fit(x, labels, epochs=3, batch_size=4, verbose=0)  # 45 steps
    assert calls == {"check_targets": 1, "checked call": 1}


def test_bad_labels_are_refused_before_the_first_step():
    model = ts.Sequential([ts.Input(shape=(2,)), ts.nn.Dense(3)])
    model.compile(optimizer="sgd", loss=ts.losses.SparseCategoricalCrossentropy(from_logits=True))
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"integer labels in \[0, 2\] for a model with 3 outputs; got values from "
                                         r"0 to 3"):
        model.fit(np.zeros((8, 2)), np.arange(8) % 4, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))
    assert model.history is None


def test_a_subclassed_model_checks_its_targets_on_the_first_batch_before_any_update():
    class TwoLayers(ts.Model):
        def __init__(self):
            self.hidden, self.out = ts.nn.Dense(4, activation="relu"), ts.nn.Dense(3)

        def forward(self, x):
            return self.out(self.hidden(x))

    model = TwoLayers()
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    with pytest.raises(ValueError, match=r"expected one-hot targets of shape \(samples, 3\) but y has shape \(8,\)"):
        model.fit(np.zeros((8, 2)), np.arange(8) % 3, verbose=0)
    assert model.hidden.built and not model.optimizer.params  # built by the first batch, never stepped


def test_steps_run_through_one_replaceable_function_per_mode():
    ts.manual_seed(0)
    model = ts.Sequential([ts.Input(shape=(2,)), ts.nn.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = blobs(8)
    called = []
    model.train_function = lambda data: called.append("train") or {"loss": 0.0}
    model.test_function = lambda data: called.append("test") or {"loss": 1.0}
    model.predict_function = lambda data: called.append("predict") or np.zeros((len(data), 1))
    model.fit(x, y, epochs=1, batch_size=4, verbose=0, validation_data=(x, y))
    assert model.evaluate(x, y, verbose=0) == 1.0
    assert model.predict(x).shape == (8, 1)
    assert called == ["train", "train", "test", "test", "test", "predict"]


def test_a_loss_function_of_your_own_sees_targets_lined_up_with_one_output():
    seen = []

    def my_mse(y_true, y_pred):
        seen.append((np.shape(y_true), y_pred.shape))
        d = y_pred - y_true
        return (d * d).mean()

    ts.manual_seed(0)
    x = np.random.default_rng(0).standard_normal((64, 2)).astype(np.float32)
    model = ts.Sequential([ts.Input(shape=(2,)), ts.nn.Dense(1)])
    model.compile(optimizer=ts.optim.SGD(lr=0.1), loss=my_mse)
    model.fit(x, x[:, 0] + 0.5 * x[:, 1], epochs=40, verbose=0)
    assert set(seen) == {((32, 1), (32, 1))}
    np.testing.assert_allclose(model.get_weights()[0], [[1.0, 0.5]], atol=1e-3)


def test_a_custom_layer_without_an_output_shape_is_not_run_before_the_first_step(monkeypatch):
    calls = []

    class Twice(ts.nn.Module):
        def forward(self, x):
            calls.append(x.shape)
            return x * 2

    model = ts.Sequential([ts.Input(shape=(3,)), Twice(), ts.nn.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    calls.clear()
    model.fit(np.ones((8, 3), np.float32), np.ones(8, np.float32), batch_size=8, verbose=0)
    model.evaluate(np.ones((8, 3), np.float32), np.ones(8, np.float32), verbose=0)
    assert calls == [(8, 3), (8, 3)]  # one training step and one evaluation batch, nothing else


def test_integer_labels_reach_the_sparse_loss_as_integers_and_train_as_float_labels_do():
    assert checks.as_array(np.array([3, 1], np.uint8), "y", np.float32, integers=True).dtype == np.uint8
    assert checks.as_array(np.array([3, 1], np.uint8), "y", np.float32).dtype == np.float32  # any other loss
    rng = np.random.default_rng(0)
    x, labels = rng.standard_normal((20, 4)).astype(np.float32), rng.integers(0, 3, 20)
    weights = []
    for y in (labels, labels.astype(np.uint8), labels.astype(np.float32), list(labels)):
        ts.manual_seed(0)
        model = ts.Sequential([ts.nn.Dense(3, input_dim=4)])
        model.compile(optimizer="sgd", loss=ts.losses.SparseCategoricalCrossentropy(from_logits=True))
        model.fit(x, y, batch_size=8, epochs=2, verbose=0)
        weights.append(model.get_weights())
    for other in weights[1:]:
        for a, b in zip(weights[0], other):
            np.testing.assert_array_equal(a, b)
