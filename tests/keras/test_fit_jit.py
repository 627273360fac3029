"""compile(jit_compile=...): fit, evaluate and predict through ts.jit plans give what eager mode gives, bit for bit."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tinygrad_seminar as ts
from tinygrad_seminar.autograd.jit import Jitted


def data(n: int = 200, width: int = 5, classes: int = 3):
    rng = np.random.default_rng(0)
    return rng.standard_normal((n, width)).astype(np.float32), rng.integers(0, classes, n)


def model_of(jit_compile, optimizer="adam", dropout: float = 0.2, metrics=("accuracy",)):
    ts.manual_seed(0)
    model = ts.keras.Sequential([ts.keras.layers.Dense(16, activation="relu", input_shape=(5,)),
                                 ts.keras.layers.Dropout(dropout), ts.keras.layers.Dense(3)])
    model.compile(optimizer=optimizer, loss=ts.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=list(metrics), jit_compile=jit_compile)
    return model


def run(jit_compile, **kwargs) -> tuple:
    x, y = data()
    model = model_of(jit_compile, **kwargs)
    callbacks = [ts.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.8),
                 ts.callbacks.EarlyStopping(patience=1, restore_best_weights=True)]
    history = model.fit(x, y, batch_size=32, epochs=5, validation_split=0.2, callbacks=callbacks, verbose=0)
    return (history.history, model.get_weights(), model.predict(x, batch_size=64, verbose=0),
            model.evaluate(x, y, batch_size=48, verbose=0, return_dict=True), model)


@pytest.mark.parametrize("optimizer", ["sgd", "adam", "rmsprop", "adagrad"])
def test_fit_with_validation_callbacks_and_dropout_is_the_eager_fit(optimizer):
    eager, jitted = run(False, optimizer=optimizer), run(True, optimizer=optimizer)
    assert eager[0] == jitted[0]  # every loss, metric and learning rate of every epoch
    assert all(np.array_equal(a, b) for a, b in zip(eager[1], jitted[1]))
    assert np.array_equal(eager[2], jitted[2]) and eager[3] == jitted[3]
    model = jitted[4]
    train = model.make_train_function().jitted
    assert train.replays > 0 and train.eager_calls == 0, train.explain()
    assert model.make_predict_function().replays > 0


def largest_gap(y_true, y_pred) -> float:
    return float(np.max(np.abs(np.asarray(y_true, np.float64).reshape(-1) - np.asarray(y_pred).reshape(-1))))


TASKS = {  # (output units, loss, metrics, targets from rng)
    "classes": (3, ts.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                ["accuracy", "SparseCategoricalAccuracy"], lambda rng, n: rng.integers(0, 3, n)),
    "binary": (1, ts.keras.losses.BinaryCrossentropy(from_logits=True), ["accuracy", "precision", "recall", "auc"],
               lambda rng, n: (rng.random((n, 1)) < 0.4).astype(np.float32)),
    "regression": (1, "mse", ["mae", "mse", "rmse", "r2_score", largest_gap],
                   lambda rng, n: rng.standard_normal((n, 1)).astype(np.float32)),
}


@pytest.mark.parametrize("task", list(TASKS))
def test_every_metric_and_sample_weights(task):
    units, loss, metrics, make_y = TASKS[task]
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((150, 5)).astype(np.float32), make_y(rng, 150)
    w = np.linspace(0.5, 1.5, len(x)).astype(np.float32)
    runs = []
    for jit_compile in (False, True):
        ts.manual_seed(0)
        model = ts.keras.Sequential([ts.keras.layers.Dense(8, activation="tanh", input_shape=(5,)),
                                     ts.keras.layers.Dense(units)])
        model.compile(optimizer="rmsprop", loss=loss, metrics=metrics, jit_compile=jit_compile)
        h = model.fit(x, y, sample_weight=w, batch_size=25, epochs=3, verbose=0, validation_data=(x[:40], y[:40]))
        runs.append((h.history, model.get_weights(), model.evaluate(x, y, verbose=0)))
    assert runs[0][0] == runs[1][0] and runs[0][2] == runs[1][2]
    assert all(np.array_equal(a, b) for a, b in zip(runs[0][1], runs[1][1]))
    assert model.make_train_function().jitted.replays > 0


def test_auto_keeps_an_overridden_train_step_eager_and_true_refuses_it():
    class Custom(ts.keras.Sequential):
        def train_step(self, data):
            return super().train_step(data)

    layers = [ts.keras.layers.Dense(2, input_shape=(5,))]
    model = Custom(layers)
    model.compile(optimizer="sgd", loss="mse", jit_compile="auto")
    assert model.make_train_function() == model.train_step
    with pytest.raises(ValueError, match="overrides train_step"):
        Custom(layers).compile(optimizer="sgd", loss="mse", jit_compile=True)
    with pytest.raises(ValueError, match="jit_compile must be False, True or 'auto'"):
        model.compile(optimizer="sgd", loss="mse", jit_compile="yes")


def test_a_keras_optimizer_with_a_schedule_and_a_resumed_fit():
    x, y = data()
    runs = []
    for jit_compile in (False, True):
        ts.manual_seed(0)
        model = ts.keras.Sequential([ts.keras.layers.Dense(16, activation="relu", input_shape=(5,)),
                                     ts.keras.layers.Dropout(0.3), ts.keras.layers.Dense(3)])
        schedule = ts.keras.optimizers.schedules.ExponentialDecay(0.05, decay_steps=3, decay_rate=0.5)
        model.compile(optimizer=ts.keras.optimizers.Adam(learning_rate=schedule),
                      loss=ts.keras.losses.SparseCategoricalCrossentropy(from_logits=True), jit_compile=jit_compile)
        first = model.fit(x, y, batch_size=40, epochs=2, shuffle=True, verbose=0).history
        model.set_weights(model.get_weights())  # new arrays: the plan is captured again
        second = model.fit(x, y, batch_size=40, epochs=4, initial_epoch=2, shuffle=True, verbose=0).history
        runs.append((first, second, model.get_weights(), model.optimizer.iterations))
    assert runs[0][:2] == runs[1][:2] and runs[0][3] == runs[1][3] == 20
    assert all(np.array_equal(a, b) for a, b in zip(runs[0][2], runs[1][2]))


def test_batch_normalization_stays_eager_in_training_and_its_moving_statistics_are_never_stale():
    x, y = data()
    runs = []
    for jit_compile in (False, "auto"):
        ts.manual_seed(0)
        model = ts.keras.Sequential([ts.keras.layers.Dense(8, input_shape=(5,)),
                                     ts.keras.layers.BatchNormalization(), ts.keras.layers.Dense(3)])
        model.compile(optimizer="adam", loss=ts.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      jit_compile=jit_compile)
        h = model.fit(x, y, batch_size=20, epochs=3, validation_split=0.2, verbose=0)  # validation: eval plans
        runs.append((h.history, model.get_weights(), model.predict(x, verbose=0)))
    assert runs[0][0] == runs[1][0] and np.array_equal(runs[0][2], runs[1][2])
    assert all(np.array_equal(a, b) for a, b in zip(runs[0][1], runs[1][1]))
    assert "moving statistics" in model.make_train_function().jitted.explain()
    with pytest.raises(ts.JitError, match="moving statistics"):
        model.compile(optimizer="adam", loss=ts.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      jit_compile=True)
        model.fit(x, y, batch_size=20, epochs=1, verbose=0)


def freeze(model):
    model.layers[0].trainable = False


def relu_instead(model):
    model.layers[0].activation = ts.keras.activations.get("relu")


def new_optimizer(model):
    model.optimizer = ts.keras.optimizers.SGD(learning_rate=0.5)
    model._bind_optimizer()


def one_more_layer(model):
    model.add(ts.keras.layers.Dense(2))


@pytest.mark.parametrize("change", [freeze, relu_instead, new_optimizer, one_more_layer])
def test_a_model_changed_between_fits_gets_new_plans(change):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((40, 3)).astype(np.float32), rng.standard_normal((40, 2)).astype(np.float32)
    runs = []
    for jit_compile in (False, True):
        ts.manual_seed(0)
        model = ts.keras.Sequential([ts.keras.layers.Dense(4, activation="tanh", input_shape=(3,)),
                                     ts.keras.layers.Dense(2)])
        model.compile(optimizer="sgd", loss="mse", jit_compile=jit_compile)
        first = model.fit(x, y, batch_size=8, epochs=2, verbose=0).history
        change(model)
        second = model.fit(x, y, batch_size=8, epochs=2, verbose=0).history
        runs.append((first, second, model.get_weights()))
    assert runs[0][:2] == runs[1][:2] and all(np.array_equal(a, b) for a, b in zip(runs[0][2], runs[1][2]))


def test_auto_keeps_a_model_with_code_of_the_users_eager():
    class Scaled(ts.keras.Sequential):
        scale = 1.0

        def forward(self, x):
            return super().forward(x) * self.scale  # Python state a plan would not see

    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((40, 3)).astype(np.float32), rng.standard_normal((40, 2)).astype(np.float32)
    model = Scaled([ts.keras.layers.Dense(2, input_shape=(3,))])
    model.compile(optimizer="sgd", loss="mse", jit_compile="auto")
    model.fit(x, y, batch_size=8, verbose=0)
    assert model.make_train_function() == model.train_step and model.make_predict_function() == model.predict_step
    plain = ts.keras.Sequential([ts.keras.layers.Dense(2, input_shape=(3,))])
    plain.compile(optimizer="sgd", loss="mse", jit_compile="auto")
    assert plain.make_train_function() != plain.train_step


def counted_calls(monkeypatch) -> list:
    """Every call of a jitted step through ``Jitted.__call__`` (the general way in), appended to the list returned."""
    calls = []
    general = Jitted.__call__

    def counting(self, *args, **kwargs):
        calls.append(args)
        return general(self, *args, **kwargs)

    monkeypatch.setattr(Jitted, "__call__", counting)
    return calls


def test_fit_calls_its_plan_directly_on_the_full_batches_once_one_replayed(monkeypatch):
    x, y = data(n=330)  # 10 batches of 32 and one of 10
    eager = model_of(False)  # each model fits once built: its generator is seeded then, from manual_seed's
    want = eager.fit(x, y, batch_size=32, epochs=2, verbose=0).history
    jitted = model_of(True)  # with dropout: the direct calls draw from fit's generator
    calls = counted_calls(monkeypatch)
    history = jitted.fit(x, y, batch_size=32, epochs=2, verbose=0)
    # epoch 1: batch 1 eager (its checks), 2 and 3 captured, 4 replayed (it gives the direct call), 5-10 direct,
    # the short batch captured; epoch 2: batch 1 replayed, 2-10 direct, the short batch captured again
    assert len(calls) == 4 + 2
    assert jitted.make_train_function().jitted.replays == 1 + 6 + 1 + 9
    assert history.history == want
    assert all(np.array_equal(a, b) for a, b in zip(jitted.get_weights(), eager.get_weights()))


def test_fit_with_a_callback_on_its_batches_calls_the_step_on_each(monkeypatch):
    x, y = data(n=330)
    calls = counted_calls(monkeypatch)
    logs = []
    model_of(True).fit(x, y, batch_size=32, epochs=1, verbose=0,
                       callbacks=[ts.callbacks.LambdaCallback(on_train_batch_end=lambda b, lg: logs.append(lg))])
    assert len(calls) == 10 and len(logs) == 11  # every batch but the first (eager) through the general way in


def test_fit_with_its_progress_bar_still_calls_its_plan_directly(monkeypatch, capsys):
    x, y = data(n=330)
    calls = counted_calls(monkeypatch)
    model_of(True).fit(x, y, batch_size=32, epochs=1, verbose=1)  # the bar prints the logs of every batch
    assert len(calls) == 4 and "11/11" in capsys.readouterr().out

    class Bar(ts.callbacks.ProgbarLogger):  # a subclass may do more in its hooks: each batch the general way
        pass

    calls.clear()
    model_of(True).fit(x, y, batch_size=32, epochs=1, verbose=0, callbacks=[Bar(verbose=1)])
    assert len(calls) == 10 and "11/11" in capsys.readouterr().out


def test_evaluate_calls_its_plan_directly_too(monkeypatch, capsys):
    x, y = data(n=330)
    want = model_of(False).evaluate(x, y, verbose=0, return_dict=True)
    calls = counted_calls(monkeypatch)
    got = model_of(True).evaluate(x, y, verbose=1, return_dict=True)  # its bar only reads the logs
    assert len(calls) == 4 and got == want and "11/11" in capsys.readouterr().out  # batch 1 eager: its checks
    w = np.linspace(0.5, 1.5, len(x)).astype(np.float32)
    runs = []
    for jit_compile in (False, True):  # the validation of each epoch, and a weighted evaluation, called directly
        model = model_of(jit_compile)
        history = model.fit(x[:64], y[:64], epochs=2, verbose=0, validation_data=(x, y)).history
        runs.append((history, model.evaluate(x, y, sample_weight=w, verbose=0)))
    assert runs[0] == runs[1] and len(calls) > 4


def test_callbacks_saving_once_per_epoch_keep_the_direct_calls(monkeypatch, tmp_path):
    x, y = data(n=330)
    calls = counted_calls(monkeypatch)
    per_epoch = [ts.callbacks.ModelCheckpoint(tmp_path / "m.keras"), ts.callbacks.BackupAndRestore(tmp_path / "b")]
    model_of(True).fit(x, y, batch_size=32, epochs=1, verbose=0, callbacks=per_epoch)
    assert len(calls) == 4 and (tmp_path / "m.keras").exists()
    for every_4 in (ts.callbacks.ModelCheckpoint(tmp_path / "m-{batch}.keras", save_freq=4),  # between batches
                    ts.callbacks.BackupAndRestore(tmp_path / "c", save_freq=4)):
        calls.clear()
        model_of(True).fit(x, y, batch_size=32, epochs=1, verbose=0, callbacks=[every_4])
        assert len(calls) == 10
    assert sorted(p.name for p in tmp_path.glob("m-*")) == ["m-4.keras", "m-8.keras"]


def test_fit_reports_an_invalid_loss_met_on_a_direct_batch(monkeypatch):
    x, y = np.random.default_rng(0).standard_normal((12, 2)).astype(np.float32), np.arange(12) % 2
    x[8] = 1e30  # batch 5's step overflows the weights: batch 6's loss is nan
    ts.manual_seed(0)
    model = ts.Sequential([ts.nn.Dense(8, activation="relu", input_dim=2), ts.nn.Dense(2)])
    model.compile(optimizer=ts.optim.SGD(lr=0.5), jit_compile=True,
                  loss=ts.keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    calls = counted_calls(monkeypatch)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(x, y, batch_size=2, shuffle=False, verbose=0, epochs=1)
    assert len(calls) == 3  # batches 2-4: batches 5 and 6 ran directly
    reports = [str(w.message) for w in caught if "fit:" in str(w.message)]
    assert len(reports) == 1 and reports[0].startswith("fit: the loss became nan at epoch 1/1, batch 6/6; ")


def test_predict_calls_its_plan_directly_on_the_full_batches_once_one_replayed(monkeypatch):
    x, _ = data(n=330)  # 10 batches of 32 and one of 10
    eager, jitted = model_of(False), model_of(True)
    calls = counted_calls(monkeypatch)
    first = jitted.predict(x, verbose=0)
    assert len(calls) == 4  # two captures, the replay that gives the replayer, the short batch; 7 batches direct
    assert np.array_equal(first, eager.predict(x, verbose=0))
    calls.clear()
    again = jitted.predict(x, batch_size=32, verbose=1)  # the bar runs between batches: it changes no model
    assert len(calls) == 2 and np.array_equal(again, first)
    assert jitted.make_predict_function().replays == 1 + 7 + 1 + 9


def test_predict_with_a_callback_on_its_batches_calls_the_step_on_each(monkeypatch):
    x, _ = data(n=330)
    eager, jitted = model_of(False), model_of(True)
    calls = counted_calls(monkeypatch)
    before = jitted.predict(x, verbose=0)
    calls.clear()

    def reweighing(model):  # code of the user's between batches: the plan's guard must see what it does
        def reweigh(batch, logs):
            if batch == 4:
                model.set_weights([w * 2 for w in model.get_weights()])
        return [ts.callbacks.LambdaCallback(on_predict_batch_end=reweigh)]

    got = jitted.predict(x, verbose=0, callbacks=reweighing(jitted))
    assert len(calls) == 11
    want = eager.predict(x, verbose=0, callbacks=reweighing(eager))
    assert np.array_equal(got, want)
    assert np.array_equal(got[:160], before[:160]) and not np.array_equal(got[160:], before[160:])  # batch 5 on


def test_a_callback_that_only_reads_its_logs_keeps_the_direct_calls(monkeypatch):
    class Shapes(ts.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seen = []

        def on_predict_batch_end(self, batch, logs=None):
            self.seen.append(logs["outputs"].shape)

        def only_reads(self, hook):
            return True

    x, _ = data(n=330)
    calls, shapes = counted_calls(monkeypatch), Shapes()
    model_of(True).predict(x, verbose=0, callbacks=[shapes])
    assert len(calls) == 4 and shapes.seen == [(32, 3)] * 10 + [(10, 3)]


def test_predict_after_set_weights_is_the_eager_predict():
    x, _ = data(n=330)
    eager, jitted = model_of(False), model_of(True)
    jitted.predict(x, verbose=0)
    weights = [w + 0.5 for w in jitted.get_weights()]
    eager.set_weights(weights)
    jitted.set_weights(weights)  # new arrays: the first full batch's replayer is refused, the plan captured again
    assert np.array_equal(jitted.predict(x, verbose=0), eager.predict(x, verbose=0))


class Subclassed(ts.keras.Model):
    def __init__(self):
        super().__init__()
        self.hidden, self.out = ts.keras.layers.Dense(16, activation="relu"), ts.keras.layers.Dense(3)

    def call(self, x):
        return self.out(self.hidden(x))


@pytest.mark.parametrize("make", [
    lambda: ts.keras.Sequential([ts.keras.layers.Dense(16, activation="relu"), ts.keras.layers.Dense(3)]),
    Subclassed], ids=["sequential", "subclassed"])
def test_predict_on_a_model_not_built_yet_builds_it_eagerly_then_replays_with_jit_compile_true(make):
    x = np.random.default_rng(12).standard_normal((40, 6)).astype(np.float32)
    outs = []
    for jit in (False, True):
        ts.manual_seed(0)
        model = make()
        model.compile(optimizer="sgd", loss="mse", jit_compile=jit)
        outs.append(model.predict(x, batch_size=8, verbose=0))  # True raised a JitError: the first call built
        outs.append(model.predict(x, batch_size=8, verbose=0))
    assert len({o.tobytes() for o in outs}) == 1
    assert model.make_predict_function().replays > 0
