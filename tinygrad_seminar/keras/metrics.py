"""Metrics for ``compile(metrics=[...])``, accumulated over an epoch as Keras accumulates them.

Each metric sees numpy arrays: ``update(y_true, y_pred)`` per batch, ``result()`` for the epoch so far,
``reset()`` between epochs. "accuracy" is resolved from the loss, as Keras resolves it.
A metric that has seen a NaN prediction gives nan until it is reset: an accuracy of NaN outputs (of NaN
weights) is no accuracy, though comparisons with NaN would count as plain misses.
"""

from __future__ import annotations

import numpy as np

from ..autograd import arguments
from ..autograd.base import data_of


def has_nan(y_pred) -> bool:
    """Whether a batch of predictions holds a NaN (what makes every metric of it nan)."""
    a = np.asarray(y_pred)
    return a.dtype.kind == "f" and a.size > 0 and bool(np.isnan(a.min()))  # min propagates NaN: one pass, no copy


def line_up(y: np.ndarray, out_shape: tuple) -> np.ndarray:
    """Targets (p,) against outputs (p, 1), or (p, 1) against (p,), take the outputs' shape, as in Keras."""
    out_shape = tuple(out_shape)
    if y.shape != out_shape and {y.shape, out_shape} == {(len(y),), (len(y), 1)}:
        return y.reshape(out_shape)
    return y


def aligned(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    """Both as arrays, the targets lined up with the outputs (``line_up``)."""
    y_true, y_pred = np.asarray(data_of(y_true)), np.asarray(data_of(y_pred))
    return line_up(y_true, y_pred.shape), y_pred


class Metric:
    """A running mean of a per-sample quantity: subclasses define ``values(y_true, y_pred)``."""

    name = "metric"

    def __init__(self, name: str | None = None):
        if name is not None:
            self.name = name
        self.reset()

    def get_config(self) -> dict:
        """The constructor's arguments: ``type(self)(**config)`` is the same metric, reset."""
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> Metric:
        return cls(**config)

    def reset(self) -> None:
        self.total, self.count = 0.0, 0

    def values(self, y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def update(self, y_true: np.ndarray, y_pred: np.ndarray) -> None:
        v = np.asarray(self.values(y_true, y_pred), dtype=np.float64)
        self.total += float(v.sum()) if not has_nan(y_pred) else np.nan
        self.count += v.size

    def result(self) -> float:
        return self.total / self.count if self.count else 0.0

    def update_state(self, y_true, y_pred) -> None:
        """Keras' call: ``update`` with Tensors taken as arrays and (p,) targets lined up with (p, 1) outputs."""
        y_true, y_pred = aligned(y_true, y_pred)
        self.update(y_true, y_pred)

    def reset_state(self) -> None:
        """Keras' name for ``reset``."""
        self.reset()


class Mean(Metric):
    """The weighted mean of the values it is given: ``update(value, weight)``; fit tracks the loss with one."""

    def __init__(self, name: str = "mean"):
        super().__init__(name)

    def update(self, value, weight: float = 1.0) -> None:
        self.total += float(value) * weight
        self.count += weight

    def update_state(self, values, sample_weight=None) -> None:
        """Keras' call: the mean of ``values`` counts once per sample (sample_weight: the batch size)."""
        v = np.asarray(data_of(values), dtype=np.float64)
        self.update(v.mean(), v.size if sample_weight is None else float(np.sum(sample_weight)))


class ThresholdMetric(Metric):
    """A metric that reads predictions as 0 or 1 at ``threshold`` (0.5 on probabilities, 0 on logits)."""

    def __init__(self, threshold: float = 0.5, name: str | None = None):
        self.threshold = threshold
        super().__init__(name)

    def get_config(self) -> dict:
        return {"threshold": self.threshold, "name": self.name}


class BinaryAccuracy(ThresholdMetric):
    """mean(y == (y^ > threshold)); threshold 0.5 on probabilities, 0 on logits."""

    name = "binary_accuracy"  # Keras 3's default name (a string in compile names the metric by that string)

    def values(self, y_true, y_pred):
        return (y_pred > self.threshold) == (y_true > 0.5)


class CategoricalAccuracy(Metric):
    """mean(argmax y == argmax y^) over samples."""

    name = "categorical_accuracy"  # Keras 3's default name (a string in compile names the metric by that string)

    def values(self, y_true, y_pred):
        return y_true.argmax(axis=-1) == y_pred.argmax(axis=-1)


class SparseCategoricalAccuracy(Metric):
    """mean(label == argmax y^) over samples."""

    name = "sparse_categorical_accuracy"  # Keras 3's default name (a string in compile names the metric by that string)

    def values(self, y_true, y_pred):
        return y_true.reshape(-1).astype(np.int64) == y_pred.argmax(axis=-1)


class Accuracy(Metric):
    """mean(y == y^): exact agreement (what "accuracy" means for a regression loss)."""

    name = "accuracy"

    def values(self, y_true, y_pred):
        return y_true == y_pred


class InferredAccuracy(ThresholdMetric):
    """"accuracy" for a loss that does not say (mse, a callable): chosen from the shapes, as Keras does.

    One output: binary at 0.5 (the seminar's sigmoid neuron on mse); labels with one axis fewer than the
    output: sparse; otherwise one-hot, argmax against argmax.
    """

    name = "accuracy"

    def values(self, y_true, y_pred):
        if y_pred.ndim == 1 or y_pred.shape[-1] == 1:
            return (y_pred.reshape(len(y_pred), -1) > self.threshold) == (y_true.reshape(len(y_true), -1) > 0.5)
        if y_true.ndim < y_pred.ndim or y_true.shape[-1] == 1:
            return y_true.reshape(-1).astype(np.int64) == y_pred.argmax(axis=-1)
        return y_true.argmax(axis=-1) == y_pred.argmax(axis=-1)


class MeanAbsoluteError(Metric):
    name = "mean_absolute_error"  # Keras 3's default name (a string in compile names the metric by that string)

    def values(self, y_true, y_pred):
        return np.abs(y_true - y_pred)


class MeanSquaredError(Metric):
    name = "mean_squared_error"  # Keras 3's default name (a string in compile names the metric by that string)

    def values(self, y_true, y_pred):
        return (y_true - y_pred) ** 2


class R2Score(Metric):
    """1 - SS_res / SS_tot per output column, averaged over columns (Keras' R2Score, uniform_average)."""

    name = "r2_score"

    def reset(self) -> None:
        self.n, self.sum_y, self.sum_y2, self.ss_res = 0, 0.0, 0.0, 0.0

    def update(self, y_true, y_pred):
        y, p = np.asarray(y_true, np.float64), np.asarray(y_pred, np.float64)
        y, p = y.reshape(len(y), -1), p.reshape(len(p), -1)
        self.n += len(y)
        self.sum_y = self.sum_y + y.sum(axis=0)
        self.sum_y2 = self.sum_y2 + (y * y).sum(axis=0)
        self.ss_res = self.ss_res + ((y - p) ** 2).sum(axis=0)

    def result(self) -> float:
        if not self.n:
            return 0.0
        ss_tot = self.sum_y2 - self.sum_y**2 / self.n
        with np.errstate(divide="ignore", invalid="ignore"):
            r2 = np.where(ss_tot > 0, 1 - self.ss_res / np.where(ss_tot > 0, ss_tot, 1), 0.0)
        return float(np.mean(r2))


class MeanAbsolutePercentageError(Metric):
    """100 |y - y^| / max(|y|, 1e-7), averaged (Keras' mape)."""

    name = "mean_absolute_percentage_error"

    def values(self, y_true, y_pred):
        return 100 * np.abs(y_true - y_pred) / np.maximum(np.abs(y_true), 1e-7)


class Crossentropy(Metric):
    """A cross-entropy as a metric (Keras' probabilistic metrics): the loss of each sample, averaged over all seen,
    from probabilities clipped to [1e-7, 1 - 1e-7], or from logits with ``from_logits=True``."""

    def __init__(self, from_logits: bool = False, name: str | None = None):
        self.from_logits = arguments.flag(from_logits, "from_logits", type(self).__name__)
        super().__init__(name)

    def get_config(self) -> dict:
        return {"from_logits": self.from_logits, "name": self.name}

    def log_probs(self, y_pred: np.ndarray) -> np.ndarray:
        """log y^ along the last axis: a stable log-softmax of logits, else the clipped log of y^ normalised."""
        y_pred = np.asarray(y_pred, np.float64)
        if self.from_logits:
            s = y_pred - y_pred.max(axis=-1, keepdims=True)
            return s - np.log(np.exp(s).sum(axis=-1, keepdims=True))
        return np.log(np.clip(y_pred / y_pred.sum(axis=-1, keepdims=True), 1e-7, 1 - 1e-7))


class BinaryCrossentropy(Crossentropy):
    """-(y log y^ + (1 - y) log(1 - y^)) per output."""

    name = "binary_crossentropy"

    def values(self, y_true, y_pred):
        y, z = np.asarray(y_true, np.float64), np.asarray(y_pred, np.float64)
        if self.from_logits:  # log(1 + e^z) - y z, without overflow
            return np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
        p = np.clip(z, 1e-7, 1 - 1e-7)
        return -(y * np.log(p) + (1 - y) * np.log(1 - p))


class CategoricalCrossentropy(Crossentropy):
    """-sum_j y_j log y^_j per sample, against one-hot targets."""

    name = "categorical_crossentropy"

    def values(self, y_true, y_pred):
        return -(np.asarray(y_true, np.float64) * self.log_probs(y_pred)).sum(axis=-1)


class SparseCategoricalCrossentropy(Crossentropy):
    """-log y^_label per sample, against integer labels."""

    name = "sparse_categorical_crossentropy"

    def values(self, y_true, y_pred):
        log_p = self.log_probs(y_pred)
        return -log_p[np.arange(len(log_p)), np.asarray(y_true).reshape(len(log_p)).astype(np.intp)]


class _Confusion(ThresholdMetric):
    """Counts of true and false positives, each element read as binary at ``threshold``."""

    def reset(self) -> None:
        self.tp, self.fp, self.fn = 0, 0, 0

    def update(self, y_true, y_pred):
        t, p = np.asarray(y_true) > 0.5, np.asarray(y_pred) > self.threshold
        if has_nan(y_pred):
            self.tp = np.nan  # nan / anything: precision and recall of NaN predictions are nan
        self.tp += int(np.sum(t & p))
        self.fp += int(np.sum(~t & p))
        self.fn += int(np.sum(t & ~p))


class Precision(_Confusion):
    """tp / (tp + fp)"""

    name = "precision"

    def result(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0


class Recall(_Confusion):
    """tp / (tp + fn)"""

    name = "recall"

    def result(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0


class RootMeanSquaredError(Metric):
    """sqrt(mean((y - y^)^2)) over everything seen so far (the root of the running mean)."""

    name = "root_mean_squared_error"

    def values(self, y_true, y_pred):
        return (y_true - y_pred) ** 2

    def result(self) -> float:
        return float(np.sqrt(super().result()))


class AUC(Metric):
    """Keras' AUC (curve "ROC", summation "interpolation"): the area under the ROC curve from the confusion
    counts at ``num_thresholds`` thresholds (0 - 1e-7, evenly spaced inside, 1 + 1e-7), by the trapezoidal rule."""

    name = "auc"

    def __init__(self, num_thresholds: int = 200, name: str | None = None, from_logits: bool = False):
        if int(num_thresholds) < 2:
            raise ValueError(f"AUC: num_thresholds must be > 1, got {num_thresholds!r}")
        self.num_thresholds = int(num_thresholds)
        self.from_logits = arguments.flag(from_logits, "from_logits", "AUC")  # logits: thresholds on sigmoid(z)
        inner = [(i + 1) / (self.num_thresholds - 1) for i in range(self.num_thresholds - 2)]
        self.thresholds = np.array([-1e-7, *inner, 1.0 + 1e-7])
        super().__init__(name)

    def get_config(self) -> dict:
        return {"num_thresholds": self.num_thresholds, "name": self.name, "from_logits": self.from_logits}

    def reset(self) -> None:
        self.tp, self.fp, self.tn, self.fn = (np.zeros(self.num_thresholds) for _ in range(4))

    def update(self, y_true, y_pred):
        t = np.asarray(y_true).reshape(-1) > 0.5
        p = np.asarray(y_pred, np.float64).reshape(-1)
        if self.from_logits:
            p = np.exp(-np.logaddexp(0, -p))  # sigmoid(z), stable
        above = p[None, :] > self.thresholds[:, None]
        self.tp += (above & t).sum(axis=1)
        self.fp += (above & ~t).sum(axis=1)
        self.fn += (~above & t).sum(axis=1)
        self.tn += (~above & ~t).sum(axis=1)
        if has_nan(y_pred):
            self.tp[:] = np.nan

    def result(self) -> float:
        if np.isnan(self.tp[0]):
            return np.nan
        with np.errstate(divide="ignore", invalid="ignore"):
            tpr = np.nan_to_num(self.tp / (self.tp + self.fn))
            fpr = np.nan_to_num(self.fp / (self.fp + self.tn))
        return float(np.sum((fpr[:-1] - fpr[1:]) * (tpr[:-1] + tpr[1:]) / 2))


class FunctionMetric(Metric):
    """A callable ``(y_true, y_pred) -> float``, averaged over batches weighted by batch size."""

    def __init__(self, fn, name: str | None = None):
        self.fn = fn
        super().__init__(name or getattr(fn, "__name__", "metric"))

    def get_config(self) -> dict:
        return {"fn": self.fn, "name": self.name}

    def update(self, y_true, y_pred):
        self.total += float(self.fn(y_true, y_pred)) * len(y_true) if not has_nan(y_pred) else np.nan
        self.count += len(y_true)


CLASSES = (BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, Accuracy, MeanAbsoluteError,
           MeanSquaredError, RootMeanSquaredError, R2Score, Precision, Recall, AUC, MeanAbsolutePercentageError,
           BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy)  # Keras takes their names too
SHORT = {"mae": MeanAbsoluteError, "mse": MeanSquaredError, "rmse": RootMeanSquaredError,
         "mape": MeanAbsolutePercentageError, "auc": AUC, "AUC": AUC}
NAMES = tuple(dict.fromkeys(["accuracy", "acc", "mae", "mse", "rmse", "mape", *(c.name for c in CLASSES)]))
# read at the compiled loss's threshold (0 on logits, else 0.5), or from logits if the loss is
THRESHOLDED = (BinaryAccuracy, Precision, Recall)


def get(identifier, loss=None) -> Metric:
    """A fresh Metric from a name or a callable; "accuracy" is the one the compiled ``loss`` names, as in Keras.
    Metrics named by a string read the outputs as the loss does: at 0 rather than 0.5, or as logits, when the
    loss is ``from_logits``."""
    from_logits = bool(getattr(loss, "from_logits", False))
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()  # metrics=[ts.metrics.Precision], as Keras allows
    if callable(identifier) and not isinstance(identifier, str):
        return FunctionMetric(identifier)
    if identifier in ("accuracy", "acc"):
        return loss.accuracy() if loss is not None else InferredAccuracy(0.0 if from_logits else 0.5)
    cls = SHORT.get(identifier) or next((c for c in CLASSES if identifier in (c.name, c.__name__)), None)
    if cls in THRESHOLDED:
        return cls(0.0 if from_logits else 0.5)
    if cls is not None and (issubclass(cls, Crossentropy) or cls is AUC):
        return cls(from_logits=from_logits)
    if cls is not None:
        return cls()
    raise ValueError(f"unknown metric {identifier!r}; known: {', '.join(NAMES)}, a class name such as 'AUC', or a "
                     "callable (y_true, y_pred)")
