"""Model: compile (optimisers, losses), evaluate and predict, dtypes, Keras' weight helpers."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import X, Y, assert_unchanged, mlp

import tinygrad_seminar as ts
from tinygrad_seminar import nn, optim
from tinygrad_seminar.keras import optimizers as keras_optimizers


def ids(params) -> list[int]:
    return [id(p) for p in params]


# ---- compile: optimisers ----
@pytest.mark.parametrize("name, cls, lr", [  # Keras' optimisers (Keras' formulas), not ts.optim's
    ("sgd", keras_optimizers.SGD, 0.01), ("adam", keras_optimizers.Adam, 0.001),
    ("rmsprop", keras_optimizers.RMSprop, 0.001), ("adagrad", keras_optimizers.Adagrad, 0.001),
    ("Adam", keras_optimizers.Adam, 0.001),
])
def test_string_optimisers_take_keras_default_learning_rates(name, cls, lr):
    model = mlp(optimizer=name)
    assert type(model.optimizer) is cls
    assert model.optimizer.lr == lr
    assert ids(model.optimizer.params) == ids(model.trainable_parameters())


def test_the_default_optimiser_is_rmsprop_as_in_keras():
    model = mlp(compile_=False)
    model.compile(loss="mse")
    assert type(model.optimizer) is keras_optimizers.RMSprop


def test_an_optimiser_class_is_instantiated_with_its_defaults():
    model = mlp(optimizer=optim.Adam)
    assert type(model.optimizer) is optim.Adam and model.optimizer.lr == optim.Adam().lr


def test_an_unbound_optimiser_is_bound_when_the_model_is_built():
    model = ts.Sequential([nn.Dense(4, activation="tanh"), nn.Dense(1, activation="sigmoid")])  # not built
    opt = optim.SGD(lr=0.1)
    model.compile(optimizer=opt, loss="binary_crossentropy")
    assert model.optimizer is opt and opt.params == []
    model.fit(X, Y, epochs=1, verbose=0)
    assert ids(opt.params) == ids(model.trainable_parameters()) and len(opt.params) == 4


def test_an_unbound_optimiser_on_a_built_model_is_bound_at_compile():
    model, opt = mlp(compile_=False), optim.Adam(lr=0.1)
    model.compile(optimizer=opt, loss="binary_crossentropy")
    assert ids(opt.params) == ids(model.trainable_parameters())


def test_a_bound_optimiser_is_kept_as_it_is():
    model = mlp(compile_=False)
    first = model[0]
    opt = optim.SGD(first.parameters(), lr=0.5)  # train the hidden layer only
    model.compile(optimizer=opt, loss="binary_crossentropy")
    before = model.state_dict()
    model.fit(X, Y, epochs=2, verbose=0)
    after = model.state_dict()
    assert ids(opt.params) == ids(first.parameters())
    assert not np.array_equal(before["0.weight"], after["0.weight"])
    np.testing.assert_array_equal(before["1.weight"], after["1.weight"])


def test_a_frozen_layer_is_left_out_of_the_optimiser_and_does_not_move():
    model = mlp(compile_=False)
    model[0].trainable = False
    model.compile(optimizer=optim.SGD(lr=0.5), loss="binary_crossentropy")
    before = model.state_dict()
    model.fit(X, Y, epochs=2, verbose=0)
    assert ids(model.optimizer.params) == ids(model[1].parameters())
    np.testing.assert_array_equal(before["0.weight"], model.state_dict()["0.weight"])


def test_an_unknown_optimiser_name_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"^unknown optimizer 'adamw'; known: sgd, adam, rmsprop, adagrad$"):
        mlp(optimizer="adamw")


def test_an_optimiser_of_the_wrong_type_is_refused():
    with pytest.raises(TypeError, match=r"optimizer must be a name or an optimiser, got float"):
        mlp(optimizer=0.1)


# ---- compile: losses ----
@pytest.mark.parametrize("name, cls", [
    ("mse", ts.losses.MeanSquaredError), ("mean_squared_error", ts.losses.MeanSquaredError),
    ("mae", ts.losses.MeanAbsoluteError), ("binary_crossentropy", ts.losses.BinaryCrossentropy),
    ("categorical_crossentropy", ts.losses.CategoricalCrossentropy),
    ("sparse_categorical_crossentropy", ts.losses.SparseCategoricalCrossentropy),
])
def test_keras_loss_names(name, cls):
    assert type(mlp(loss=name).loss) is cls


def test_a_loss_object_or_a_callable_is_used_as_given():
    loss = ts.losses.BinaryCrossentropy(from_logits=True)
    assert mlp(loss=loss).loss is loss
    model = mlp(loss=lambda y_true, y_pred: ((y_pred - y_true) ** 2).mean())
    history = model.fit(X, Y, epochs=2, verbose=0)
    assert history.history["loss"][1] < history.history["loss"][0]


def test_an_unknown_loss_name_lists_the_known_ones():
    known = "mse, mean_squared_error, mae, mean_absolute_error, binary_crossentropy, bce, categorical_crossentropy, " \
            "cce, sparse_categorical_crossentropy, huber, huber_loss"
    with pytest.raises(ValueError, match=rf"^unknown loss 'crossentropy'; known: {known}, or a class name such as "
                                         r"'MeanSquaredError'$"):
        mlp(loss="crossentropy")
    with pytest.raises(ValueError, match=rf"^compile needs a loss; known names: {known}$"):
        mlp(compile_=False).compile(optimizer="sgd")


def test_an_unknown_metric_name_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"^unknown metric 'f1'; known: accuracy, acc, mae, mse, rmse, mape, "
                                         r"binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, "
                                         r"mean_absolute_error, mean_squared_error, root_mean_squared_error, r2_score, "
                                         r"precision, recall, auc, mean_absolute_percentage_error, "
                                         r"binary_crossentropy, categorical_crossentropy, "
                                         r"sparse_categorical_crossentropy, a class name such as 'AUC', or a callable"):
        mlp(metrics=["accuracy", "f1"])


# ---- evaluate ----
def test_evaluate_returns_the_loss_a_list_or_a_dict():
    model = mlp(metrics=["accuracy", "mse"])
    loss, accuracy, mse = model.evaluate(X, Y, verbose=0)
    p = model.predict(X)[:, 0].astype(np.float64)
    assert loss == pytest.approx(-np.mean(Y * np.log(p) + (1 - Y) * np.log(1 - p)), rel=1e-5)
    assert accuracy == np.mean((p > 0.5) == Y)
    assert mse == pytest.approx(np.mean((p - Y) ** 2), rel=1e-5)
    assert model.evaluate(X, Y, verbose=0, return_dict=True) == {"loss": loss, "accuracy": accuracy, "mse": mse}
    only_loss = mlp().evaluate(X, Y, verbose=0)
    assert isinstance(only_loss, float) and only_loss == pytest.approx(loss)


def test_evaluate_weights_batches_by_their_size():
    model = mlp(metrics=["mae"])
    whole = model.evaluate(X, Y, batch_size=len(X), verbose=0)
    assert model.evaluate(X, Y, batch_size=3, verbose=0) == pytest.approx(whole, rel=1e-6)  # 10 = 3 + 3 + 3 + 1


def test_evaluate_runs_in_eval_mode_and_restores_the_mode():
    model = mlp(loss="mse")
    model.add(nn.Dropout(0.9))
    first = model.evaluate(X, Y, verbose=0)
    assert first == model.evaluate(X, Y, verbose=0)  # no dropout, so no randomness
    assert all(m.training for m in model.modules())
    model.eval()
    model.evaluate(X, Y, verbose=0)
    assert not any(m.training for m in model.modules())


def test_evaluate_changes_no_weight_and_records_no_graph():
    model = mlp()
    before = model.state_dict()
    model.evaluate(X, Y, verbose=0)
    assert_unchanged(before, model)
    assert all(p.grad is None for p in model.parameters())


# ---- predict ----
class Probe(ts.Model):
    """Records, at each call, the batch size, the training flag and whether grad mode was on."""

    def __init__(self):
        self.dense = nn.Dense(1, input_dim=2)
        self.drop = nn.Dropout(0.5)
        self.calls = []

    def forward(self, x):
        self.calls.append((len(x), self.training, ts.is_grad_enabled()))
        return self.drop(self.dense(x))


def test_predict_returns_a_numpy_array_in_batches_in_eval_mode_under_no_grad():
    model = Probe()
    out = model.predict(X, batch_size=4)
    assert type(out) is np.ndarray and out.shape == (10, 1) and out.dtype == np.float32
    assert [size for size, _, _ in model.calls[-3:]] == [4, 4, 2]
    assert {(training, grad) for _, training, grad in model.calls} == {(False, False)}
    assert model.training and model.drop.training  # the mode it was in
    assert len(model.predict(np.zeros((70, 2)))) == 70 and [c[0] for c in model.calls[-3:]] == [32, 32, 6]


def test_predict_twice_gives_identical_outputs_with_dropout():
    model = mlp(compile_=False)
    model.add(nn.Dropout(0.5))
    first = model.predict(X)
    np.testing.assert_array_equal(first, model.predict(X))
    with ts.no_grad():
        assert not np.array_equal(model(X).data, first)  # in training mode, dropout would be on
    model.eval()
    model.predict(X)
    assert not any(m.training for m in model.modules())


def test_predict_needs_no_compile_and_matches_a_forward_pass():
    model = mlp(compile_=False)
    model.eval()
    np.testing.assert_array_equal(model.predict(X, batch_size=3), model(X).data)


# ---- dtypes ----
def test_lists_and_float64_are_cast_to_the_models_float32():
    model = mlp(metrics=["accuracy"])
    history = model.fit(X.astype(np.float64).tolist(), Y.astype(int).tolist(), epochs=2, verbose=0)
    assert len(history.history["accuracy"]) == 2
    assert model.predict(X.astype(np.float64)).dtype == np.float32
    assert model.predict(X.tolist()).dtype == np.float32
    assert all(p.dtype == np.float32 and p.grad.dtype == np.float32 for p in model.parameters())
    assert isinstance(model.evaluate(X.astype(np.float64).tolist(), Y.tolist(), verbose=0)[0], float)


def test_a_float64_model_keeps_float64():
    model = mlp(dtype="float64")
    model.fit(X, Y, epochs=2, verbose=0)  # float32 data
    assert model.dtype == np.float64
    assert all(p.dtype == np.float64 for p in model.parameters())
    out = model.predict(X)
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out, model.predict(X.astype(np.float64)))


def test_compile_refuses_an_optimizer_bound_to_another_models_parameters():
    a = ts.Sequential([ts.nn.Dense(2, input_dim=2)])
    b = ts.Sequential([ts.nn.Dense(2, input_dim=2)])
    with pytest.raises(ValueError, match="bound to parameters that are not this model's"):
        b.compile(optimizer=ts.optim.SGD(a.parameters()), loss="mse")


def test_keras_weight_helpers_count_get_and_set():
    model = ts.Sequential([ts.nn.Dense(3, input_dim=2), ts.nn.Dense(1)])
    assert model.count_params() == 2 * 3 + 3 + 3 * 1 + 1
    weights = model.get_weights()
    assert [w.shape for w in weights] == [(3, 2), (3,), (1, 3), (1,)]
    model.set_weights([w + 1 for w in weights])
    assert np.array_equal(model.layers[0].weight.data, weights[0] + 1)
    before = model.get_weights()
    with pytest.raises(ValueError, match=r"'0.bias': expected shape \(3,\), received \(4,\)"):
        model.set_weights([weights[0], np.zeros(4), weights[2], weights[3]])
    assert all(np.array_equal(a, b) for a, b in zip(before, model.get_weights()))


def test_a_single_callback_need_not_be_in_a_list():
    model = mlp()
    seen = []
    record = ts.callbacks.LambdaCallback(on_epoch_end=lambda e, logs: seen.append(e))
    model.fit(X, Y, epochs=2, verbose=0, callbacks=record)
    assert seen == [0, 1]


def test_string_optimizers_take_keras_defaults_where_the_knob_exists():
    model = mlp()
    model.compile(optimizer="rmsprop", loss="mse")
    assert (model.optimizer.lr, model.optimizer.rho, model.optimizer.epsilon) == (0.001, 0.9, 1e-7)
    model.compile(optimizer="adagrad", loss="mse")
    assert model.optimizer.initial_accumulator_value == 0.1


def test_layers_built_after_compile_are_trained_too():
    class Net(ts.Model):
        def __init__(self):
            self.a = ts.nn.Dense(4, activation="tanh", input_dim=2)
            self.b = ts.nn.Dense(1)  # built only on the first batch, after compile

        def forward(self, x):
            return self.b(self.a(x))

    net = Net()
    net.compile(optimizer="sgd", loss="mse")
    net.fit(X, Y, epochs=1, verbose=0)
    before = net.b.weight.data.copy()
    net.fit(X, Y, epochs=2, verbose=0)
    assert len(net.optimizer.params) == 4 and not np.array_equal(before, net.b.weight.data)


def test_a_layer_added_after_compile_is_trained():
    model = ts.Sequential([ts.nn.Dense(4, activation="tanh", input_dim=2)])
    model.compile(optimizer="sgd", loss="mse")
    model.add(ts.nn.Dense(1))
    before = model.layers[1].weight.data.copy()
    model.fit(X, Y, epochs=2, verbose=0)
    assert not np.array_equal(before, model.layers[1].weight.data)


def test_a_callable_metric_is_not_tried_before_training():
    def one_class_fails(y_true, y_pred):  # like an AUC on a batch of one class
        if len(np.unique(y_true)) < 2:
            raise ValueError("only one class present")
        return 0.5

    model = mlp()
    model.compile(optimizer="sgd", loss="mse", metrics=[one_class_fails])
    model.fit(X, Y, batch_size=len(X), epochs=1, verbose=0)


def test_metrics_may_be_one_metric_object_or_a_metric_class():
    model = mlp()
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=ts.metrics.Precision())
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=[ts.metrics.Recall])
    assert isinstance(model.compiled_metrics[0], ts.metrics.Recall)


def test_a_float64_model_not_built_yet_gets_float64_data():
    model = ts.Sequential([ts.nn.Dense(1, dtype="float64")])
    model.compile(optimizer="sgd", loss="mse")
    assert model.dtype == np.float64


class HookLog(ts.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.seen = []

    def on_test_begin(self, logs=None):
        self.seen.append("test_begin")

    def on_test_batch_end(self, batch, logs=None):
        self.seen.append(("test_batch", batch, round(logs["loss"], 6)))

    def on_test_end(self, logs=None):
        self.seen.append("test_end")

    def on_predict_batch_end(self, batch, logs=None):
        self.seen.append(("predict_batch", batch, logs["outputs"].shape))


def test_validation_evaluate_and_predict_call_keras_test_and_predict_hooks():
    model, log = mlp(), HookLog()
    model.fit(X, Y, epochs=1, batch_size=10, validation_data=(X, Y), callbacks=[log], verbose=0)
    assert log.seen[0] == "test_begin" and log.seen[-1] == "test_end" and log.seen[1][:2] == ("test_batch", 0)
    log.seen.clear()
    loss = model.evaluate(X, Y, batch_size=4, verbose=0, callbacks=[log])
    assert [s[1] for s in log.seen[1:-1]] == [0, 1, 2] and log.seen[-2][2] == round(loss, 6)
    log.seen.clear()
    model.predict(X, batch_size=4, callbacks=log)
    assert log.seen == [("predict_batch", 0, (4, 1)), ("predict_batch", 1, (4, 1)), ("predict_batch", 2, (2, 1))]
