"""Keras' loss classes: a loss as an object that knows its targets.

Each class owns what the workflow asks of a loss: which targets it accepts (``check_targets``, once per
fit on the whole of y), the loss of a batch of those targets with no checks again (``call``), which
accuracy "accuracy" means for it (``accuracy``), and the class of each sample (``class_labels``, for the
warning about a sorted validation split). Called as ``loss(y_true, y_pred)`` it checks everything, as the
functions in ``ts.losses`` do.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Tensor, arguments
from ..autograd.base import data_of
from ..nn.losses import (
    EPSILON,
    binary_crossentropy,
    binary_crossentropy_value,
    categorical_crossentropy,
    categorical_crossentropy_value,
    check_unit_interval,
    mae,
    mae_value,
    mse,
    mse_value,
    one_hot_labels,
    sparse_categorical_crossentropy,
    sparse_categorical_crossentropy_value,
    stable_sigmoid,
)
from . import metrics


def refuse_unsupported(owner: str, given: dict, takes: str) -> None:
    """A TypeError naming the loss and what it takes, for Keras arguments not supported here (label_smoothing,
    reduction, axis...), rather than Python's about Loss.__init__."""
    if given:
        raise TypeError(f"{owner}: unsupported argument{'s' if len(given) > 1 else ''} {', '.join(sorted(given))}; "
                        f"it takes {takes}")


class Loss:
    """A loss as an object: ``loss(y_true, y_pred)`` is the batch mean; ``name`` is Keras' name."""

    name = "loss"

    def __init__(self, from_logits: bool = False, name: str | None = None, **unsupported):
        refuse_unsupported(type(self).__name__, unsupported, "from_logits, name")
        self.from_logits = arguments.flag(from_logits, "from_logits", type(self).__name__)
        self.name = arguments.optional_name(name, type(self).__name__) or type(self).name

    def __call__(self, y_true, y_pred) -> Tensor:
        raise NotImplementedError(f"{type(self).__name__} must define __call__(y_true, y_pred)")

    def call(self, y: np.ndarray, y_pred: Tensor) -> Tensor:
        """The loss of a batch whose targets passed ``check_targets`` (y in y_pred's dtype): nothing re-checked."""
        return self(metrics.line_up(y, y_pred.shape), y_pred)

    integer_labels = False  # its targets are class labels: fit keeps integer ones as integers

    def prepared(self, y: np.ndarray) -> np.ndarray:
        """The targets as this loss reads them, made once for a whole fit (not per batch): here as they are."""
        return y

    def check_targets(self, y: np.ndarray, out_shape: tuple) -> None:
        """Raise ValueError if targets y (all of them) cannot train a model whose outputs have ``out_shape``."""

    def accuracy(self) -> metrics.Metric:
        """What ``metrics=["accuracy"]`` means with this loss: here chosen from the shapes, as Keras does."""
        return metrics.InferredAccuracy(0.0 if self.from_logits else 0.5)

    def class_labels(self, y: np.ndarray) -> np.ndarray | None:
        """The class of each sample, for a classification loss; None otherwise."""
        return None

    def get_config(self) -> dict:
        return {"name": self.name, "from_logits": self.from_logits}

    @classmethod
    def from_config(cls, config: dict) -> Loss:
        return cls(**config)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(from_logits={self.from_logits})"


def check_same_shape(loss: str, y: np.ndarray, out_shape: tuple, hint: str = "") -> None:
    """Targets of an elementwise loss have the outputs' shape, up to ``line_up``'s (p,) against (p, 1)."""
    if metrics.line_up(y, (len(y),) + tuple(out_shape)).shape[1:] != tuple(out_shape):
        outputs = (len(y),) + tuple(out_shape)
        raise ValueError(f"{loss}: y has shape {y.shape} but the model's output has shape {outputs}; they must be "
                         f"the same{hint}")


class RegressionLoss(Loss):
    """A loss on values, not logits or probabilities: no from_logits."""

    def __init__(self, name: str | None = None, **unsupported):
        refuse_unsupported(type(self).__name__, unsupported, "name")
        super().__init__(False, name)

    def check_targets(self, y, out_shape):
        check_same_shape(self.name, y, out_shape)

    def get_config(self) -> dict:
        return {"name": self.name}


class MeanSquaredError(RegressionLoss):
    """mean((y - y^)^2) over every element."""

    name = "mean_squared_error"

    def __call__(self, y_true, y_pred) -> Tensor:
        return mse(y_true, y_pred)

    def call(self, y, y_pred):
        return mse_value(metrics.line_up(y, y_pred.shape), y_pred)


class MeanAbsoluteError(RegressionLoss):
    """mean(|y - y^|) over every element."""

    name = "mean_absolute_error"

    def __call__(self, y_true, y_pred) -> Tensor:
        return mae(y_true, y_pred)

    def call(self, y, y_pred):
        return mae_value(metrics.line_up(y, y_pred.shape), y_pred)


class Huber(RegressionLoss):
    """Keras' Huber: mean of 0.5 e^2 where |e| <= delta, else delta (|e| - 0.5 delta), e = y - y^."""

    name = "huber_loss"

    def __init__(self, delta: float = 1.0, name: str | None = None):
        super().__init__(name)
        if not arguments.real(delta, "delta", "Huber") > 0:
            raise ValueError(f"Huber: delta must be > 0, got {delta!r}")
        self.delta = float(delta)

    def __call__(self, y_true, y_pred) -> Tensor:
        y_pred = y_pred if isinstance(y_pred, Tensor) else Tensor(np.asarray(y_pred, "float32"))
        y = np.asarray(data_of(y_true), y_pred.dtype)
        check_same_shape(self.name, metrics.line_up(y, y_pred.shape), tuple(y_pred.shape[1:]))
        return self.call(y, y_pred)

    def call(self, y, y_pred):
        error = (y_pred - metrics.line_up(y, y_pred.shape)).abs()
        quadratic = error.clip(max=self.delta)
        return (quadratic * quadratic * 0.5 + (error - quadratic) * self.delta).mean()

    def get_config(self) -> dict:
        return {"delta": self.delta, "name": self.name}


def huber(y_true, y_pred, delta: float = 1.0) -> Tensor:
    """Keras' ``keras.losses.huber``: the mean Huber loss (see ``Huber``)."""
    return Huber(delta)(y_true, y_pred)


class BinaryCrossentropy(Loss):
    """-mean(y log y^ + (1 - y) log(1 - y^)); from logits, computed stably from z."""

    name = "binary_crossentropy"

    def __call__(self, y_true, y_pred) -> Tensor:
        return binary_crossentropy(y_true, y_pred, from_logits=self.from_logits)

    def call(self, y, y_pred):
        return binary_crossentropy_value(metrics.line_up(y, y_pred.shape), y_pred, self.from_logits)

    def check_targets(self, y, out_shape):
        check_same_shape(self.name, y, out_shape, " (one 0/1 target per output)")
        check_unit_interval(y, self.name, name="y")

    def accuracy(self):
        return metrics.BinaryAccuracy(0.0 if self.from_logits else 0.5)

    def class_labels(self, y):
        return np.round(y).reshape(len(y), -1)[:, 0]


class CategoricalCrossentropy(Loss):
    """-1/p sum_i sum_j y_j log y^_j against one-hot targets; from logits via log-sum-exp."""

    name = "categorical_crossentropy"

    def __call__(self, y_true, y_pred) -> Tensor:
        return categorical_crossentropy(y_true, y_pred, from_logits=self.from_logits)

    def call(self, y, y_pred):
        return categorical_crossentropy_value(y, y_pred, self.from_logits)

    def check_targets(self, y, out_shape):
        width = out_shape[-1] if out_shape else 1
        if y.ndim == 1 or (y.ndim == 2 and y.shape[1] == 1 and width > 1):
            raise ValueError(f"{self.name}: expected one-hot targets of shape (samples, {width}) but y has shape "
                             f"{y.shape} (integer labels?); use sparse_categorical_crossentropy, or one-hot "
                             "encode y")
        check_same_shape(self.name, y, out_shape)

    def accuracy(self):
        return metrics.CategoricalAccuracy()

    def class_labels(self, y):
        return y.argmax(axis=-1)


class SparseCategoricalCrossentropy(Loss):
    """categorical cross-entropy against integer labels (one per sample)."""

    name = "sparse_categorical_crossentropy"

    def __call__(self, y_true, y_pred) -> Tensor:
        return sparse_categorical_crossentropy(y_true, y_pred, from_logits=self.from_logits)

    def call(self, y, y_pred):
        return sparse_categorical_crossentropy_value(y, y_pred, self.from_logits)

    integer_labels = True

    def prepared(self, y):
        """Whole-number labels as integers, once (each batch would convert them; a ts.jit replay could not)."""
        if y.dtype.kind in "iu":
            return y.astype(np.intp, copy=False)
        if y.dtype.kind == "f" and y.size and np.all(np.isfinite(y)) and np.array_equal(y, np.round(y)):
            return y.astype(np.intp)
        return y  # fractional or bad labels: check_targets says what is wrong with them

    def check_targets(self, y, out_shape):
        width = out_shape[-1] if out_shape else 1
        if y.ndim == 2 and y.shape[1] == width and width > 1:
            raise ValueError(f"{self.name}: y looks one-hot (shape {y.shape}) but this loss takes integer labels "
                             "of shape (samples,); use categorical_crossentropy, or y.argmax(axis=1)")
        if width == 1:
            raise ValueError(f"{self.name}: the model has 1 output, but this loss needs one output per class "
                             "(e.g. Dense(3) for three classes, with from_logits=True, or activation='softmax'); "
                             "for two classes and one output, use binary_crossentropy")
        if y.ndim > 2 or (y.ndim == 2 and y.shape[1] != 1):
            raise ValueError(f"{self.name}: y must hold one integer label per sample, shape (samples,); got {y.shape}")
        lab = y.reshape(-1)
        if (lab != np.rint(lab)).any() or lab.min() < 0 or lab.max() >= width:
            raise ValueError(f"{self.name}: y must hold integer labels in [0, {width - 1}] for a model with "
                             f"{width} outputs; got values from {lab.min():g} to {lab.max():g}")

    def accuracy(self):
        return metrics.SparseCategoricalAccuracy()

    def class_labels(self, y):
        return y.reshape(-1)


class LossFunctionWrapper(Loss):
    """A callable ``fn(y_true, y_pred)`` of the user's, as a Loss (what compile makes of it)."""

    def __init__(self, fn, name: str | None = None):
        super().__init__(False, name or getattr(fn, "__name__", "loss"))
        self.fn = fn

    def __call__(self, y_true, y_pred) -> Tensor:
        if isinstance(y_pred, Tensor):  # as compile's other losses see them: (p,) targets of one output as (p, 1)
            y_true = metrics.line_up(np.asarray(data_of(y_true)), y_pred.shape)
        return self.fn(y_true, y_pred)

    def get_config(self) -> dict:
        return {"name": self.name}

    def __repr__(self) -> str:
        return f"LossFunctionWrapper({self.name})"


ALIASES = {
    "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
    "binary_crossentropy": BinaryCrossentropy, "bce": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy, "cce": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy, "huber": Huber, "huber_loss": Huber,
}
CLASS_NAMES = {cls.__name__: cls for cls in ALIASES.values()}  # Keras takes the class names too
mean_squared_error, mean_absolute_error = mse, mae  # Keras' function names
# compile(loss=ts.losses.binary_crossentropy) means the class, whose checks and accuracy the function lacks
FUNCTIONS = {mse: MeanSquaredError, mae: MeanAbsoluteError, binary_crossentropy: BinaryCrossentropy,
             categorical_crossentropy: CategoricalCrossentropy,
             sparse_categorical_crossentropy: SparseCategoricalCrossentropy}


def get(identifier):
    """A Loss object from Keras' name or alias, a Loss object or class; a callable ``(y_true, y_pred)`` as it is."""
    if isinstance(identifier, str):
        cls = ALIASES.get(identifier) or CLASS_NAMES.get(identifier)
        if cls is None:
            raise ValueError(f"unknown loss {identifier!r}; known: {', '.join(ALIASES)}, or a class name such as "
                             "'MeanSquaredError'")
        return cls()
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()  # compile(loss=ts.losses.MeanSquaredError) as Keras allows
    if callable(identifier):
        return identifier
    raise TypeError(f"loss must be a name, a Loss or a callable, got {type(identifier).__name__}")


def as_loss(identifier) -> Loss:
    """What compile keeps: ``get(identifier)`` as a Loss object (a callable of the user's wrapped)."""
    loss = get(identifier)
    if isinstance(loss, Loss):
        return loss
    cls = next((c for fn, c in FUNCTIONS.items() if fn is loss), None)
    return cls() if cls is not None else LossFunctionWrapper(loss)


__all__ = [
    "EPSILON", "BinaryCrossentropy", "CategoricalCrossentropy", "Huber", "Loss", "LossFunctionWrapper",
    "MeanAbsoluteError", "MeanSquaredError", "SparseCategoricalCrossentropy", "as_loss", "binary_crossentropy",
    "categorical_crossentropy", "get", "huber", "mae", "mean_absolute_error", "mean_squared_error", "mse",
    "one_hot_labels", "sparse_categorical_crossentropy", "stable_sigmoid",
]
