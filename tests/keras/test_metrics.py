"""compile(metrics=[...]): "accuracy" resolved from the loss, mae, mse, r2_score, precision, recall, callables.

Most tests score known predictions: ``Passthrough`` outputs its input, so ``evaluate(y_pred, y_true)`` scores
y_pred exactly as given.
"""

from __future__ import annotations

import numpy as np
import pytest
from tinygrad_seminar.losses import BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy

import tinygrad_seminar as ts
from tinygrad_seminar import metrics


class Passthrough(ts.Model):
    def __init__(self):
        self.scale = ts.nn.Parameter(np.ones(1, np.float32))

    def forward(self, x):
        return x * self.scale


def scores(y_pred, y_true, loss, metric_names, batch_size: int = 32) -> dict:
    model = Passthrough()
    model.compile(optimizer="sgd", loss=loss, metrics=metric_names)
    return model.evaluate(np.asarray(y_pred, np.float32), y_true, batch_size=batch_size, verbose=0, return_dict=True)


# ---- "accuracy" follows the loss ----
@pytest.mark.parametrize("loss, cls, threshold", [
    ("binary_crossentropy", metrics.BinaryAccuracy, 0.5),
    (BinaryCrossentropy(from_logits=True), metrics.BinaryAccuracy, 0.0),
    ("categorical_crossentropy", metrics.CategoricalAccuracy, None),
    (CategoricalCrossentropy(from_logits=True), metrics.CategoricalAccuracy, None),
    ("sparse_categorical_crossentropy", metrics.SparseCategoricalAccuracy, None),
    (SparseCategoricalCrossentropy(from_logits=True), metrics.SparseCategoricalAccuracy, None),
    (ts.losses.binary_crossentropy, metrics.BinaryAccuracy, 0.5),  # the function, by its name
    ("mse", metrics.InferredAccuracy, 0.5),
])
@pytest.mark.parametrize("name", ["accuracy", "acc"])
def test_accuracy_is_resolved_from_the_loss(loss, cls, threshold, name):
    model = Passthrough()
    model.compile(optimizer="sgd", loss=loss, metrics=[name])
    (metric,) = model.compiled_metrics
    assert type(metric) is cls and metric.name == name
    assert getattr(metric, "threshold", None) == threshold


BINARY_Y = np.array([0, 1, 1, 0, 1])


def test_accuracy_with_mse_follows_the_shapes_as_keras_does():
    # the seminar's sigmoid neuron trained on mse: one output, thresholded at 0.5
    assert scores([[0.2], [0.6], [0.45], [0.51], [0.99]], BINARY_Y, "mse", ["accuracy"])["accuracy"] == 3 / 5
    one_hot = np.eye(3)[[0, 2, 1]]
    p = [[0.8, 0.1, 0.1], [0.1, 0.2, 0.7], [0.6, 0.3, 0.1]]  # argmax 0 2 0
    assert scores(p, one_hot, "mse", ["accuracy"])["accuracy"] == pytest.approx(2 / 3)


def test_binary_accuracy_thresholds_probabilities_at_one_half():
    p = [[0.2], [0.6], [0.45], [0.51], [0.99]]  # predicted 0 1 0 1 1
    assert scores(p, BINARY_Y, "binary_crossentropy", ["accuracy"])["accuracy"] == 3 / 5


def test_binary_accuracy_from_logits_uses_the_sign():
    z = [[-0.2], [0.3], [0.2], [-1.0], [4.0]]  # sign: 0 1 1 0 1; thresholded at 0.5 it would be 0 0 0 0 1
    assert scores(z, BINARY_Y, BinaryCrossentropy(from_logits=True), ["accuracy"])["accuracy"] == 1.0


def test_binary_accuracy_with_one_hot_style_columns():
    p = [[0.9, 0.1], [0.3, 0.8], [0.6, 0.6]]
    y = [[1, 0], [0, 1], [1, 0]]  # per element: right right right right right wrong
    assert scores(p, y, "binary_crossentropy", ["accuracy"])["accuracy"] == 5 / 6


CLASSES = np.array([2, 0, 1, 1])
PROBS = [[0.1, 0.2, 0.7], [0.5, 0.3, 0.2], [0.4, 0.35, 0.25], [0.2, 0.5, 0.3]]  # argmax 2 0 0 1


def test_categorical_accuracy_compares_argmaxes():
    y = ts.datasets.one_hot(CLASSES, 3)
    assert scores(PROBS, y, "categorical_crossentropy", ["accuracy"])["accuracy"] == 3 / 4
    logits = np.log(PROBS) - 5  # same argmax, all negative
    assert scores(logits, y, CategoricalCrossentropy(from_logits=True), ["accuracy"])["accuracy"] == 3 / 4


def test_sparse_accuracy_compares_labels_with_the_argmax():
    assert scores(PROBS, CLASSES, "sparse_categorical_crossentropy", ["accuracy"])["accuracy"] == 3 / 4
    assert scores(PROBS, CLASSES[:, None], "sparse_categorical_crossentropy", ["accuracy"])["accuracy"] == 3 / 4
    logits = np.log(PROBS) - 5
    assert scores(logits, CLASSES, SparseCategoricalCrossentropy(from_logits=True), ["acc"])["acc"] == 3 / 4


def test_accuracy_in_the_history_follows_the_loss_too():
    model = ts.Sequential([ts.nn.Dense(3, input_dim=3, use_bias=False)])
    model[0].weight.data[...] = np.array([[-1, -3, -3], [-2, -2, -1], [-3, -1, -2]], np.float32)  # logits all < 0
    model.compile(optimizer=ts.optim.SGD(lr=0.0), loss=SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    x, labels = np.eye(3, dtype=np.float32), np.arange(3)  # sample i scores column i: argmax 0, 2, 1
    history = model.fit(x, labels, batch_size=2, epochs=2, verbose=0)
    assert history.history["accuracy"] == [1 / 3, 1 / 3]


# ---- regression metrics ----
REG_Y = np.array([1.0, 2.0, 4.0, -1.0, 0.5, 3.0, 2.5])
REG_P = np.array([1.5, 1.0, 3.0, -0.5, 0.0, 3.5, 2.0])


def test_mae_and_mse():
    got = scores(REG_P[:, None], REG_Y, "mse", ["mae", "mse", "mean_absolute_error", "mean_squared_error"],
                 batch_size=3)
    mae, mse = np.mean(np.abs(REG_Y - REG_P)), np.mean((REG_Y - REG_P) ** 2)
    assert got == pytest.approx({"loss": mse, "mae": mae, "mse": mse, "mean_absolute_error": mae,
                                 "mean_squared_error": mse}, rel=1e-6)


def test_r2_score_is_computed_over_the_whole_data_not_averaged_per_batch():
    r2 = 1 - np.sum((REG_Y - REG_P) ** 2) / np.sum((REG_Y - REG_Y.mean()) ** 2)
    batch_mean = np.mean([1 - np.sum((y - p) ** 2) / np.sum((y - y.mean()) ** 2)
                          for y, p in ((REG_Y[i:i + 3], REG_P[i:i + 3]) for i in (0, 3))])
    assert abs(r2 - batch_mean) > 0.05  # so the test tells the two apart
    got = scores(REG_P[:, None], REG_Y, "mse", ["r2_score"], batch_size=3)["r2_score"]
    assert got == pytest.approx(r2, rel=1e-6)


def test_r2_score_averages_over_output_columns():
    y = np.c_[REG_Y, 10 * REG_Y[::-1]]
    p = np.c_[REG_P, 10 * REG_Y[::-1] + 1.0]
    per_column = [1 - np.sum((y[:, j] - p[:, j]) ** 2) / np.sum((y[:, j] - y[:, j].mean()) ** 2) for j in (0, 1)]
    assert scores(p, y, "mse", ["r2_score"], batch_size=2)["r2_score"] == pytest.approx(np.mean(per_column), rel=1e-6)


def test_r2_score_of_a_perfect_and_of_a_mean_prediction():
    assert scores(REG_Y[:, None], REG_Y, "mse", ["r2_score"])["r2_score"] == pytest.approx(1.0)
    mean = np.full((len(REG_Y), 1), REG_Y.mean())
    assert scores(mean, REG_Y, "mse", ["r2_score"])["r2_score"] == pytest.approx(0.0, abs=1e-6)


# ---- precision and recall ----
def test_precision_and_recall_over_the_whole_data():
    y = np.array([1, 1, 1, 0, 0, 0, 1, 0])
    p = np.array([0.9, 0.4, 0.7, 0.6, 0.1, 0.2, 0.8, 0.55])  # tp = 3, fn = 1, fp = 2
    got = scores(p[:, None], y, "binary_crossentropy", ["precision", "recall"], batch_size=3)
    assert got["precision"] == pytest.approx(3 / 5)
    assert got["recall"] == pytest.approx(3 / 4)


def test_precision_and_recall_from_logits_threshold_at_zero():
    y = np.array([1, 1, 0, 0])
    z = np.array([0.3, -0.2, 0.1, -2.0])  # tp = 1, fn = 1, fp = 1
    got = scores(z[:, None], y, BinaryCrossentropy(from_logits=True), ["precision", "recall"])
    assert (got["precision"], got["recall"]) == (0.5, 0.5)


def test_precision_and_recall_with_no_positive_predictions_are_zero():
    got = scores(np.full((3, 1), 0.1), np.array([1, 0, 1]), "binary_crossentropy", ["precision", "recall"])
    assert (got["precision"], got["recall"]) == (0.0, 0.0)


# ---- callables ----
def max_error(y_true, y_pred):
    return float(np.max(np.abs(y_true - y_pred)))


def test_a_callable_metric_is_named_after_the_function_and_averaged_over_batches_by_size():
    got = scores(REG_P[:, None], REG_Y, "mse", [max_error], batch_size=len(REG_Y))
    assert got["max_error"] == pytest.approx(np.max(np.abs(REG_Y - REG_P)))
    batched = scores(REG_P[:, None], REG_Y, "mse", [max_error], batch_size=4)  # batches of 4 and 3
    first, second = np.max(np.abs(REG_Y - REG_P)[:4]), np.max(np.abs(REG_Y - REG_P)[4:])
    assert batched["max_error"] == pytest.approx((4 * first + 3 * second) / 7)


def test_a_callable_metric_sees_numpy_arrays_of_matching_shapes():
    seen = []

    def shapes(y_true, y_pred):
        seen.append((type(y_true), type(y_pred), y_true.shape, y_pred.shape))
        return 0.0

    scores(REG_P[:, None], REG_Y, "mse", [shapes], batch_size=4)
    # no trial call: a callable of the user's is only ever called on real batches
    assert seen == [(np.ndarray, np.ndarray, (4, 1), (4, 1)), (np.ndarray, np.ndarray, (3, 1), (3, 1))]


def test_metrics_in_fit_are_reset_each_epoch():
    model = Passthrough()
    p, y = np.array([[0.9], [0.2]], np.float32), np.array([1, 1])
    calls = []

    def counting(y_true, y_pred):
        calls.append(len(y_true))
        return 1.0

    # mse, not BCE: the scaled predictions leave [0, 1], which BCE on probabilities refuses
    model.compile(optimizer=ts.optim.SGD(lr=0.0), loss="mse", metrics=["accuracy", counting])
    scale_up = ts.callbacks.LambdaCallback(on_epoch_begin=lambda epoch, logs: model.scale.data.fill(1 + 2 * epoch))
    history = model.fit(p, y, batch_size=1, epochs=2, callbacks=[scale_up], verbose=0)
    assert history.history["accuracy"] == [0.5, 1.0]  # not 0.75: epoch 2 starts from zero
    assert history.history["counting"] == [1.0, 1.0]
    assert calls == [1] * 4


def test_unknown_metric_and_the_metrics_module_api():
    with pytest.raises(ValueError, match=r"^unknown metric 'f1'; known: accuracy, acc, mae"):
        metrics.get("f1")
    m = metrics.get("mse")
    m.update(np.array([[1.0]]), np.array([[3.0]]))
    assert m.result() == 4.0
    m.reset()
    assert m.result() == 0.0


# ---- Keras' other metric names: the accuracies by name, mape, the cross-entropies ----
@pytest.mark.parametrize("name, cls", [
    ("binary_accuracy", metrics.BinaryAccuracy), ("categorical_accuracy", metrics.CategoricalAccuracy),
    ("sparse_categorical_accuracy", metrics.SparseCategoricalAccuracy), ("mape", metrics.MeanAbsolutePercentageError),
    ("mean_absolute_percentage_error", metrics.MeanAbsolutePercentageError),
    ("binary_crossentropy", metrics.BinaryCrossentropy), ("CategoricalCrossentropy", metrics.CategoricalCrossentropy),
    ("sparse_categorical_crossentropy", metrics.SparseCategoricalCrossentropy)])
def test_keras_metric_names_are_known(name, cls):
    metric = metrics.get(name)
    assert type(metric) is cls and metric.name == cls.name


def test_mape_is_keras_formula():
    y, p = np.array([[2.0], [-4.0], [0.0]]), np.array([[1.0], [-5.0], [1e-8]])
    want = np.mean(100 * np.abs(y - p) / np.maximum(np.abs(y), 1e-7))
    assert scores(p, y, "mse", ["mape"])["mape"] == pytest.approx(want, rel=1e-5)


CE_RNG = np.random.default_rng(3)
CE_LOGITS = CE_RNG.standard_normal((10, 3)).astype(np.float32)
CE_PROBS = np.exp(CE_LOGITS) / np.exp(CE_LOGITS).sum(axis=1, keepdims=True)
CE_LABELS = CE_RNG.integers(0, 3, 10)


@pytest.mark.parametrize("loss, y_pred, y_true", [
    ("binary_crossentropy", 1 / (1 + np.exp(-CE_LOGITS)), (CE_LOGITS > 0.3).astype(np.float32)),
    (BinaryCrossentropy(from_logits=True), CE_LOGITS, (CE_LOGITS > 0.3).astype(np.float32)),
    ("categorical_crossentropy", CE_PROBS, np.eye(3)[CE_LABELS]),
    (CategoricalCrossentropy(from_logits=True), CE_LOGITS, np.eye(3)[CE_LABELS]),
    ("sparse_categorical_crossentropy", CE_PROBS, CE_LABELS),
    (SparseCategoricalCrossentropy(from_logits=True), CE_LOGITS, CE_LABELS)])
def test_a_crossentropy_metric_equals_its_loss_and_reads_logits_as_the_loss_does(loss, y_pred, y_true):
    name = loss if isinstance(loss, str) else ts.keras.losses.get(loss).name
    result = scores(y_pred, y_true, loss, [name], batch_size=4)
    assert result[name] == pytest.approx(result["loss"], rel=1e-5)
    assert metrics.get(name).from_logits is False  # alone, probabilities, as in Keras


def test_auc_reads_logits_when_the_loss_is_from_logits():
    z = CE_LOGITS[:, :1]
    y = (CE_LOGITS[:, 1:2] > 0).astype(np.float32)
    on_probabilities = scores(1 / (1 + np.exp(-z)), y, "binary_crossentropy", ["auc"])["auc"]
    assert scores(z, y, BinaryCrossentropy(from_logits=True), ["auc"])["auc"] == pytest.approx(on_probabilities)
    assert metrics.AUC(from_logits=True).get_config()["from_logits"] is True
