"""compile's default jit_compile="auto": fit replays its steps, bit for bit the eager fit, step by step.

Each run records after every training batch (a callback, as a user's would) the logs, every parameter and its
``.grad`` and the optimiser's state; the compiled model (no jit_compile given) must match jit_compile=False at
each of at least 20 steps, and its train function must have replayed without falling back.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

import tinygrad_seminar as ts

K = ts.keras


class Recorder(ts.callbacks.Callback):
    """Per training batch: the logs, (parameter, .grad) copies, and the optimiser's state arrays."""

    def __init__(self) -> None:
        super().__init__()
        self.steps: list = []

    def on_train_batch_end(self, batch, logs=None) -> None:
        m = self.model
        params = [(p.data.copy(), None if p.grad is None else p.grad.copy()) for p in m.parameters()]
        state = [{k: np.copy(v) for k, v in st.items()} for st in m.optimizer.state]
        self.steps.append((dict(logs), params, state))


def assert_same_steps(a: list, b: list) -> None:
    assert len(a) == len(b) >= 20
    for k, ((la, pa, sa), (lb, pb, sb)) in enumerate(zip(a, b)):
        assert la == lb, f"step {k}: logs {la} != {lb}"
        for (da, ga), (db, gb) in zip(pa, pb):
            assert da.tobytes() == db.tobytes(), f"step {k}: a parameter differs"
            assert (ga is None) == (gb is None) and (ga is None or ga.tobytes() == gb.tobytes()), f"step {k}: .grad"
        for x, y in zip(sa, sb):
            assert x.keys() == y.keys() and all(np.array_equal(x[n], y[n]) for n in x), f"step {k}: optimiser state"


def fit_both(make_model, compile_kwargs, x, y, callbacks=lambda: [], **fit_kwargs) -> tuple:
    """The same fit with jit_compile=False and with compile's default; (records, models). ``compile_kwargs`` and
    ``callbacks`` make each run's own (an optimiser or a callback is not shared)."""
    runs, models = [], []
    for jit in (False, None):
        ts.manual_seed(0)
        model = make_model()
        model.compile(**compile_kwargs(), **({} if jit is None else {"jit_compile": jit}))
        rec = Recorder()
        model.fit(x, y, verbose=0, callbacks=[rec, *callbacks()], **fit_kwargs)
        runs.append(rec.steps)
        models.append(model)
    assert_same_steps(*runs)
    assert models[1].jit_compile == "auto"
    train = models[1].make_train_function().jitted
    assert train.replays >= 10 and train.eager_calls == 0, train.explain()
    return runs, models


def data(n: int, width: int, rng=None):
    rng = rng or np.random.default_rng(0)
    return rng.standard_normal((n, width)).astype(np.float32)


def stack(width: int, hidden: int, units: int, activation=None, dropout: float = 0.0):
    def make():
        layers = [K.Input(shape=(width,)), K.layers.Dense(hidden, activation="relu")]
        layers += [K.layers.Dropout(dropout)] if dropout else []
        return K.Sequential([*layers, K.layers.Dense(units, activation=activation)])
    return make


rng0 = np.random.default_rng(2)
LABELS = rng0.integers(0, 3, 100)
LOSSES = {  # name: (output units, last activation, loss, targets of 100 samples: 1-D where Keras users give 1-D)
    "mse": (1, None, "mse", rng0.standard_normal(100).astype(np.float32)),
    "mae": (2, None, "mae", rng0.standard_normal((100, 2)).astype(np.float32)),
    "huber": (1, None, K.losses.Huber(delta=0.5), rng0.standard_normal((100, 1)).astype(np.float32) * 2),
    "bce_probabilities": (1, "sigmoid", "binary_crossentropy", (rng0.random(100) < 0.4).astype(np.float32)),
    "bce_logits": (1, None, K.losses.BinaryCrossentropy(from_logits=True), (rng0.random((100, 1)) < 0.4) * 1.0),
    "cce_probabilities": (3, "softmax", "categorical_crossentropy", np.eye(3, dtype=np.float32)[LABELS]),
    "cce_logits": (3, None, K.losses.CategoricalCrossentropy(from_logits=True), np.eye(3, dtype=np.float32)[LABELS]),
    "scce_probabilities": (3, "softmax", "sparse_categorical_crossentropy", LABELS),
    "scce_logits": (3, None, K.losses.SparseCategoricalCrossentropy(from_logits=True), LABELS.reshape(-1, 1)),
}


@pytest.mark.parametrize("dropout", [0.0, 0.25])
@pytest.mark.parametrize("name", list(LOSSES))
def test_every_built_in_loss_with_a_short_last_batch(name, dropout):
    units, activation, loss, y = LOSSES[name]
    x = data(100, 4)  # 100 = 6 * 16 + 4: every epoch ends with a short batch
    runs, models = fit_both(stack(4, 8, units, activation, dropout), lambda: dict(optimizer="adam", loss=loss), x, y,
                            batch_size=16, epochs=3)
    assert len(models[1].make_train_function().jitted.plans) == 2  # the full batches' signature and the short one's


OPTIMIZERS = {
    "sgd_momentum": lambda: K.optimizers.SGD(learning_rate=0.05, momentum=0.9),
    "sgd_nesterov": lambda: K.optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True),
    "adam": lambda: K.optimizers.Adam(learning_rate=0.01),
    "rmsprop_centered_momentum": lambda: K.optimizers.RMSprop(learning_rate=0.01, momentum=0.5, centered=True),
    "adagrad": lambda: K.optimizers.Adagrad(learning_rate=0.05),
    "adam_clipnorm_weight_decay": lambda: K.optimizers.Adam(learning_rate=0.01, clipnorm=0.05, weight_decay=0.01),
    "sgd_global_clipnorm": lambda: K.optimizers.SGD(learning_rate=0.05, global_clipnorm=0.1),
    "rmsprop_clipvalue": lambda: K.optimizers.RMSprop(learning_rate=0.01, clipvalue=0.01),
    "torch_sgd_nesterov": lambda: ts.optim.SGD(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
    "torch_adam": lambda: ts.optim.Adam(lr=0.01),
}


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_every_optimiser_through_fit_with_validation_early_stopping_and_a_schedule(name):
    x = data(130, 4)
    y = np.random.default_rng(3).integers(0, 3, 130)
    runs, models = fit_both(
        stack(4, 8, 3, dropout=0.2),
        lambda: dict(optimizer=OPTIMIZERS[name](), loss=K.losses.SparseCategoricalCrossentropy(from_logits=True),
                     metrics=["accuracy"]),
        x, y, batch_size=16, epochs=6, validation_split=0.2,  # 104 = 6 * 16 + 8 to train on, 26 to validate
        callbacks=lambda: [ts.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.7),
                           ts.callbacks.EarlyStopping(patience=2)])
    assert models[0].history.history == models[1].history.history  # val_ logs and the learning rates too
    assert "val_loss" in models[1].history.history and models[1].make_test_function().jitted.replays > 0


WORKLOADS = {  # the steps A, B and C (C's data small, to stay fast)
    "A": ([2, 16, 1], "tanh", K.losses.BinaryCrossentropy(from_logits=True), 200),
    "B": ([64, 128, 10], "relu", K.losses.CategoricalCrossentropy(from_logits=True), 64),
    "C": ([784, 256, 256, 10], "relu", K.losses.CategoricalCrossentropy(from_logits=True), 8),
}


@pytest.mark.parametrize("name", list(WORKLOADS))
def test_each_workload_shape(name):
    sizes, hidden, loss, batch = WORKLOADS[name]
    rng = np.random.default_rng(4)
    n = batch * 7 + batch // 2  # 7 full batches and a short one per epoch
    x = data(n, sizes[0], rng)
    y = ((rng.random((n, 1)) < 0.5) * 1.0 if sizes[-1] == 1
         else np.eye(sizes[-1], dtype=np.float32)[rng.integers(0, sizes[-1], n)])

    def make():
        layers = [K.Input(shape=(sizes[0],))]
        layers += [K.layers.Dense(u, activation=hidden) for u in sizes[1:-1]]
        return K.Sequential([*layers, K.layers.Dense(sizes[-1])])

    fit_both(make, lambda: dict(optimizer=K.optimizers.SGD(learning_rate=0.05, momentum=0.9), loss=loss), x, y,
             batch_size=batch, epochs=3)


def test_weights_replaced_during_and_between_fits_are_captured_again():
    x, y = data(100, 4), LABELS

    class Replace(ts.callbacks.Callback):  # load_state_dict in the middle of an epoch: new arrays
        def on_train_batch_end(self, batch, logs=None) -> None:
            if batch == 3:
                self.model.load_state_dict({k: v * 0.5 for k, v in self.model.state_dict().items()})

    runs = []
    for jit in (False, None):
        ts.manual_seed(0)
        model = stack(4, 8, 3, dropout=0.3)()
        model.compile(optimizer="rmsprop", loss=K.losses.SparseCategoricalCrossentropy(from_logits=True),
                      **({} if jit is None else {"jit_compile": jit}))
        rec = Recorder()
        model.fit(x, y, batch_size=16, epochs=2, verbose=0, callbacks=[rec, Replace()])
        model.set_weights([w + 0.01 for w in model.get_weights()])
        predicted = model.predict(x, verbose=0)  # in eval mode, between the fits
        model.fit(x, y, batch_size=16, epochs=2, verbose=0, callbacks=[rec])
        runs.append((rec.steps, predicted, model.evaluate(x, y, verbose=0)))
    assert_same_steps(runs[0][0], runs[1][0])
    assert runs[0][1].tobytes() == runs[1][1].tobytes() and runs[0][2] == runs[1][2]
    train = model.make_train_function().jitted
    assert train.eager_calls == 0 and train.replays >= 10
    assert train.captures >= 2 * 2 * 3, train.explain()  # each signature again after each replacement


def test_a_deep_copy_of_a_fitted_model_trains_itself_only():
    x, y = data(64, 4), LABELS[:64]
    ts.manual_seed(0)
    model = stack(4, 8, 3)()
    model.compile(optimizer="adam", loss=K.losses.SparseCategoricalCrossentropy(from_logits=True))
    model.fit(x, y, batch_size=16, epochs=2, verbose=0)  # its step functions made and replaying
    before = model.get_weights()
    twin = copy.deepcopy(model)  # the step functions (bound to model, holding a lock) are not copied
    eager = copy.deepcopy(model)
    eager.compile(optimizer="adam", loss=K.losses.SparseCategoricalCrossentropy(from_logits=True), jit_compile=False)
    eager.optimizer.load_state_dict(model.optimizer.state_dict())
    for m in (twin, eager):
        m.fit(x, y, batch_size=16, epochs=2, verbose=0)
    assert all(a.tobytes() == b.tobytes() for a, b in zip(before, model.get_weights()))
    assert all(a.tobytes() == b.tobytes() for a, b in zip(twin.get_weights(), eager.get_weights()))
    assert twin.make_train_function().jitted.replays > 0


def dropout_rate(model):
    model.layers[1].rate = 0.6


def regularizer_factor(model):
    model.layers[0].kernel_regularizer.l2 = 0.5


def loss_replaced(model):
    model.loss = K.losses.get("mae")


def huber_delta(model):
    model.loss.delta = 0.1


def dropout_rate_of_numpy(model):  # a numpy scalar (from np.linspace, say), changed again at each call
    layer = model.layers[1]
    layer.rate = np.float64(0.3) if type(layer.rate) is float else layer.rate + np.float64(0.2)


def dropout_generator(model):  # a generator of the layer's own, replaced by another at each call
    layer = model.layers[1]
    layer.rng = np.random.default_rng(1 if layer.rng is None else 2)


@pytest.mark.parametrize("change", [dropout_rate, regularizer_factor, loss_replaced, huber_delta,
                                    dropout_rate_of_numpy, dropout_generator])
def test_settings_changed_between_fits_or_epochs_make_new_step_functions(change):
    rng = np.random.default_rng(5)
    x, y = data(64, 3, rng), rng.standard_normal((64, 1)).astype(np.float32)

    class AtEpoch2(ts.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None) -> None:
            if epoch == 2:
                change(self.model)

    runs = []
    for jit in (False, None):
        ts.manual_seed(0)
        model = K.Sequential([K.Input(shape=(3,)), K.layers.Dense(8, activation="relu",
                                                                   kernel_regularizer=K.regularizers.L2(0.01)),
                              K.layers.Dropout(0.2), K.layers.Dense(1)])
        model.compile(optimizer="sgd", loss=K.losses.Huber(), **({} if jit is None else {"jit_compile": jit}))
        first = model.fit(x, y, batch_size=8, epochs=1, verbose=0).history
        change(model)
        second = model.fit(x, y, batch_size=8, epochs=2, verbose=0).history
        model.compile(optimizer="sgd", loss=K.losses.Huber(), **({} if jit is None else {"jit_compile": jit}))
        third = model.fit(x, y, batch_size=8, epochs=4, verbose=0, callbacks=[AtEpoch2()]).history
        runs.append((first, second, third, model.get_weights()))
    assert runs[0][:3] == runs[1][:3]
    assert all(a.tobytes() == b.tobytes() for a, b in zip(runs[0][3], runs[1][3]))
    assert model.make_train_function().jitted.replays > 0


SCALE = 1.0


def scaled_squares(y_true, y_pred):  # reads a global that a plan would not see change
    return ((y_pred - y_true) ** 2).mean() * SCALE


class ScaledLoss(K.losses.MeanSquaredError):
    def __call__(self, y_true, y_pred):
        return super().__call__(y_true, y_pred) * SCALE

    def call(self, y, y_pred):
        return super().call(y, y_pred) * SCALE


@pytest.mark.parametrize("loss", [scaled_squares, ScaledLoss()], ids=["function", "class"])
def test_auto_keeps_a_loss_of_the_users_eager_but_predicts_through_a_plan(loss):
    global SCALE
    rng = np.random.default_rng(6)
    x, y = data(48, 3, rng), rng.standard_normal((48, 1)).astype(np.float32)
    model = K.Sequential([K.Input(shape=(3,)), K.layers.Dense(1)])
    model.compile(optimizer="sgd", loss=loss)
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert model.make_train_function() == model.train_step and model.make_test_function() == model.test_step
    assert model.make_predict_function() != model.predict_step
    SCALE = 0.0  # the eager steps read it: the loss is now 0 and nothing trains
    try:
        before = model.get_weights()
        assert model.fit(x, y, batch_size=8, epochs=1, verbose=0).history["loss"] == [0.0]
        assert all(a.tobytes() == b.tobytes() for a, b in zip(before, model.get_weights()))
    finally:
        SCALE = 1.0


def test_the_picture_of_a_cross_entropy_of_probabilities_shows_no_node_for_its_targets():
    model = ts.Sequential([ts.nn.Dense(3, activation="tanh", input_dim=2), ts.nn.Dense(1, activation="sigmoid")])
    x = ts.Tensor(np.ones((4, 2), np.float32), name="x")
    loss = ts.losses.binary_crossentropy(np.array([[1.0], [0.0], [0.0], [1.0]], np.float32), model(x))
    assert ts.viz.draw_graph(loss).source.count("input") == 1  # x; 1 - y is an op's array, as y is an array


def scaled_relu(z):  # an activation of the user's, reading a global
    return z.relu() * SCALE


def test_auto_keeps_a_built_in_layer_holding_a_function_of_the_users_eager():
    global SCALE
    rng = np.random.default_rng(7)
    x, y = data(48, 3, rng), rng.standard_normal((48, 1)).astype(np.float32)
    model = K.Sequential([K.Input(shape=(3,)), K.layers.Dense(4, activation=scaled_relu), K.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    assert model.make_train_function() == model.train_step and model.make_predict_function() == model.predict_step
    SCALE = 0.0  # the eager steps read it: the hidden layer now gives zeros, so its weights get no gradient
    try:
        before = model.get_weights()[0]
        model.fit(x, y, batch_size=8, epochs=1, verbose=0)
        assert model.get_weights()[0].tobytes() == before.tobytes()
    finally:
        SCALE = 1.0


class Tempered(K.Model):
    def __init__(self):
        super().__init__()
        self.dense = K.layers.Dense(1)
        self.temperature = 1.0

    def call(self, x):
        return self.dense(x) / self.temperature


def test_jit_compile_true_sees_a_subclassed_models_own_value_change_between_fits():
    rng = np.random.default_rng(8)
    x, y = data(48, 3, rng), rng.standard_normal((48, 1)).astype(np.float32)
    runs = []
    for jit in (False, True):
        ts.manual_seed(0)
        model = Tempered()
        model.compile(optimizer="sgd", loss="mse", jit_compile=jit)
        model.fit(x, y, batch_size=8, epochs=2, verbose=0)
        model.temperature = 4.0
        runs.append((model.fit(x, y, batch_size=8, epochs=2, verbose=0).history, model.get_weights()))
    assert runs[0][0] == runs[1][0]
    assert all(a.tobytes() == b.tobytes() for a, b in zip(runs[0][1], runs[1][1]))
    assert model.make_train_function().jitted.replays > 0


def test_compute_metrics_set_on_the_instance_gets_x_as_a_tensor_on_every_batch():
    rng = np.random.default_rng(9)
    x, y = data(48, 3, rng), rng.standard_normal((48, 1)).astype(np.float32)
    model = K.Sequential([K.Input(shape=(3,)), K.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    seen = []
    own = model.compute_metrics

    def compute_metrics(x, y, y_pred, sample_weight=None):
        seen.append(type(x))
        return own(x, y, y_pred, sample_weight)

    model.compute_metrics = compute_metrics
    model.fit(x, y, batch_size=8, epochs=2, verbose=0)
    assert seen == [ts.Tensor] * 12
