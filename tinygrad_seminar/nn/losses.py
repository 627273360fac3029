"""Losses with Keras' names and argument order ``(y_true, y_pred)``; each returns the batch mean.

From logits, binary and categorical cross-entropy are single fused ops (autograd/ops/fused.py): stable
(softplus, log-sum-exp) with the exact gradient (sigmoid(z) - y, softmax(z) - y). From probabilities they clip to
[1e-7, 1 - 1e-7] as Keras does, so a saturated prediction gives a large but finite loss.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Tensor
from ..autograd.base import data_of
from ..autograd.ops import SigmoidBCE, SoftmaxCE, stable_sigmoid

EPSILON = 1e-7  # Keras' backend epsilon


# ---- checking what comes in ----
def _pred(y_pred, loss: str) -> Tensor:
    if not isinstance(y_pred, Tensor):
        y_pred = Tensor(y_pred)
    if y_pred.dtype.kind != "f":
        raise TypeError(f"{loss}: y_pred must be floating point, got dtype {y_pred.dtype}")
    return y_pred


def _targets(y_true, y_pred: Tensor, loss: str) -> np.ndarray:
    """y_true as an array of y_pred's dtype and shape ((p,) against (p, 1) is reshaped, as in Keras)."""
    y = np.asarray(data_of(y_true))
    if y.dtype.kind not in "biuf":
        raise TypeError(f"{loss}: y_true must be numeric, got dtype {y.dtype}")
    y = y.astype(y_pred.dtype, copy=False)
    if y.shape != y_pred.shape:
        squeezable = y.size == y_pred.data.size and {y.ndim, y_pred.ndim} == {1, 2} and y.size == len(y_pred)
        if not squeezable:
            hint = ""
            if loss == "categorical_crossentropy" and y.ndim == y_pred.ndim - 1:
                hint = " (integer labels? use sparse_categorical_crossentropy, or one-hot encode them)"
            raise ValueError(f"{loss}: y_true has shape {y.shape} but y_pred has shape {y_pred.shape}; "
                             f"they must be the same{hint}")
        y = y.reshape(y_pred.shape)
    return y


def check_unit_interval(y: np.ndarray, loss: str, name: str = "y_true") -> None:
    """Targets of a binary cross-entropy lie in [0, 1] (written so that NaN fails too)."""
    if y.size and not (y.min() >= 0 and y.max() <= 1):
        raise ValueError(f"{loss}: targets must lie in [0, 1]; {name} ranges over [{y.min():g}, {y.max():g}]")


def _check_probabilities(p: Tensor, loss: str, activation: str, top: float = 1.0) -> None:
    """Predictions outside [0, top] are logits: clipping them would train on a wrong loss without a word.

    NaN passes (the loss is then nan, as in Keras): a diverging fit is not a missing activation.
    """
    if p.data.size and (p.data.min() < 0 or p.data.max() > top):
        raise ValueError(f"{loss}: y_pred must be probabilities in [0, 1] but ranges over [{p.data.min():g}, "
                         f"{p.data.max():g}]; end the model with activation='{activation}', or pass "
                         "from_logits=True if these are logits")


# ---- the losses ----
def mse(y_true, y_pred) -> Tensor:
    """mean((y - y^)^2) over every element (no 1/2: the slides' 1/2 (y - y^)^2 gives half this gradient)."""
    y_pred = _pred(y_pred, "mse")
    d = y_pred - _targets(y_true, y_pred, "mse")
    return (d * d).mean()


def mae(y_true, y_pred) -> Tensor:
    """mean(|y - y^|) over every element."""
    y_pred = _pred(y_pred, "mae")
    return (y_pred - _targets(y_true, y_pred, "mae")).abs().mean()


def binary_crossentropy(y_true, y_pred, from_logits: bool = False) -> Tensor:
    """-mean(y log y^ + (1 - y) log(1 - y^)), y^ = sigma(z) when from_logits (computed from z, stably)."""
    y_pred = _pred(y_pred, "binary_crossentropy")
    y = _targets(y_true, y_pred, "binary_crossentropy")
    check_unit_interval(y, "binary_crossentropy")
    if from_logits:
        return SigmoidBCE.apply(y_pred, y)
    _check_probabilities(y_pred, "binary_crossentropy", "sigmoid")
    p = y_pred.clip(EPSILON, 1 - EPSILON)
    return -(p.log() * y + (1 - p).log() * (1 - y)).mean()


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False) -> Tensor:
    """-1/p sum_i sum_j y_j^(i) log y^_j^(i); y^ = softmax(z) when from_logits (via log-sum-exp)."""
    y_pred = _pred(y_pred, "categorical_crossentropy")
    y = _targets(y_true, y_pred, "categorical_crossentropy")
    if y_pred.ndim < 1 or y_pred.shape[-1] < 1:
        raise ValueError(f"categorical_crossentropy: y_pred needs a class axis, got shape {y_pred.shape}")
    if from_logits:
        return SoftmaxCE.apply(y_pred, y)
    _check_probabilities(y_pred, "categorical_crossentropy", "softmax", top=np.inf)  # rows are renormalised
    p = (y_pred / y_pred.sum(axis=-1, keepdims=True)).clip(EPSILON, 1 - EPSILON)  # Keras renormalises first
    return -(p.log() * y).sum(axis=-1).mean()


def one_hot_labels(labels, n_classes: int, dtype, loss: str = "sparse_categorical_crossentropy") -> np.ndarray:
    """Integer labels of shape (p,) or (p, 1) as a (p, n_classes) one-hot array; out-of-range is an error."""
    lab = np.asarray(data_of(labels))
    if lab.ndim == 2 and lab.shape[1] == 1:
        lab = lab[:, 0]
    if lab.ndim != 1:
        raise ValueError(f"{loss}: labels must have shape (p,) or (p, 1), got {lab.shape}"
                         + (" (one-hot targets? use categorical_crossentropy)" if lab.ndim == 2 else ""))
    if lab.dtype.kind == "f":
        if not np.all(lab == np.round(lab)):
            raise ValueError(f"{loss}: labels must be whole numbers, got values like {lab[lab != np.round(lab)][:3]}")
        lab = lab.astype(np.int64)
    elif lab.dtype.kind not in "iub":
        raise TypeError(f"{loss}: labels must be integers, got dtype {lab.dtype}")
    if lab.size and (lab.min() < 0 or lab.max() >= n_classes):
        raise ValueError(f"{loss}: labels must lie in [0, {n_classes - 1}] for {n_classes} classes; "
                         f"got labels from {lab.min()} to {lab.max()}")
    out = np.zeros((lab.size, n_classes), dtype)
    out[np.arange(lab.size), lab] = 1
    return out


def sparse_categorical_crossentropy(labels, y_pred, from_logits: bool = False) -> Tensor:
    """categorical_crossentropy against one_hot(labels)."""
    y_pred = _pred(y_pred, "sparse_categorical_crossentropy")
    if y_pred.ndim != 2:
        raise ValueError(f"sparse_categorical_crossentropy: y_pred must have shape (p, classes), got {y_pred.shape}")
    y = one_hot_labels(labels, y_pred.shape[1], y_pred.dtype)
    if len(y) != len(y_pred):
        raise ValueError(f"sparse_categorical_crossentropy: labels has shape {np.shape(labels)} but y_pred has shape "
                         f"{y_pred.shape}: {len(y)} labels for {len(y_pred)} predictions")
    return categorical_crossentropy(y, y_pred, from_logits=from_logits)


# ---- Keras' loss classes ----
class Loss:
    """A loss as an object: ``loss(y_true, y_pred)``; ``name`` is Keras' name."""

    name = "loss"
    fn = staticmethod(mse)

    def __init__(self, from_logits: bool = False):
        self.from_logits = bool(from_logits)

    def __call__(self, y_true, y_pred) -> Tensor:
        return type(self).fn(y_true, y_pred, from_logits=self.from_logits)

    def get_config(self) -> dict:
        return {"name": self.name, "from_logits": self.from_logits}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(from_logits={self.from_logits})"


class MeanSquaredError(Loss):
    name = "mean_squared_error"

    def __init__(self):
        super().__init__(False)

    def __call__(self, y_true, y_pred) -> Tensor:
        return mse(y_true, y_pred)


class MeanAbsoluteError(Loss):
    name = "mean_absolute_error"

    def __init__(self):
        super().__init__(False)

    def __call__(self, y_true, y_pred) -> Tensor:
        return mae(y_true, y_pred)


class BinaryCrossentropy(Loss):
    name = "binary_crossentropy"
    fn = staticmethod(binary_crossentropy)


class CategoricalCrossentropy(Loss):
    name = "categorical_crossentropy"
    fn = staticmethod(categorical_crossentropy)


class SparseCategoricalCrossentropy(Loss):
    name = "sparse_categorical_crossentropy"
    fn = staticmethod(sparse_categorical_crossentropy)


ALIASES = {
    "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
    "binary_crossentropy": BinaryCrossentropy, "bce": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy, "cce": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
}


def kind_of(loss) -> str:
    """Which cross-entropy ``loss`` is (a Loss object, or one of the functions here), by Keras' name; '' else.

    Metrics and target checks depend on it; a loss of your own is never guessed from its name.
    """
    for cls in (BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy):
        if isinstance(loss, cls) or loss is cls.fn:
            return cls.name
    return ""


def get(identifier) -> Loss:
    """A Loss object from Keras' name or alias, a Loss object, or a callable ``(y_true, y_pred)``."""
    if isinstance(identifier, str):
        try:
            return ALIASES[identifier]()
        except KeyError:
            raise ValueError(f"unknown loss {identifier!r}; known: {', '.join(ALIASES)}") from None
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier()  # compile(loss=ts.losses.MeanSquaredError) as Keras allows
    if callable(identifier):
        return identifier
    raise TypeError(f"loss must be a name, a Loss or a callable, got {type(identifier).__name__}")


__all__ = [
    "BinaryCrossentropy", "CategoricalCrossentropy", "Loss", "MeanAbsoluteError", "MeanSquaredError",
    "SparseCategoricalCrossentropy", "binary_crossentropy", "categorical_crossentropy", "get", "kind_of", "mae", "mse",
    "one_hot_labels", "sparse_categorical_crossentropy", "stable_sigmoid",
]
