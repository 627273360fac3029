"""Losses as functions, with Keras' names and argument order ``(y_true, y_pred)``; each returns the batch mean.

From logits, binary and categorical cross-entropy are single fused ops (autograd/ops/fused.py): stable
(softplus, log-sum-exp) with the exact gradient (sigmoid(z) - y, softmax(z) - y). From probabilities they clip to
[1e-7, 1 - 1e-7] as Keras does, so a saturated prediction gives a large but finite loss.

Each function checks what it is given, then computes the ``*_value`` of it; the Keras loss classes
(keras/losses.py) check a whole fit's targets once and call the ``*_value`` functions per batch.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Tensor, arguments
from ..autograd.base import data_of
from ..autograd.composites import composite
from ..autograd.ops import PickPerRow, SigmoidBCE, SoftmaxCE, SparseSoftmaxCE, stable_sigmoid

EPSILON = 1e-7  # Keras' backend epsilon


# ---- checking what comes in ----
def predictions(y_pred, loss: str) -> Tensor:
    """y_pred as a floating-point Tensor, else a TypeError naming the loss."""
    if not isinstance(y_pred, Tensor):
        y_pred = Tensor(y_pred)
    if y_pred.dtype.kind != "f":
        raise TypeError(f"{loss}: y_pred must be floating point, got dtype {y_pred.dtype}")
    return y_pred


def targets(y_true, y_pred: Tensor, loss: str) -> np.ndarray:
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


def check_probabilities(p: Tensor, loss: str, activation: str, top: float = 1.0) -> None:
    """Predictions outside [0, top] are logits: clipping them would train on a wrong loss without a word.

    NaN passes (the loss is then nan, as in Keras): a diverging fit is not a missing activation.
    """
    if p.data.size and (p.data.min() < 0 or p.data.max() > top):
        raise ValueError(f"{loss}: y_pred must be probabilities in [0, 1] but ranges over [{p.data.min():g}, "
                         f"{p.data.max():g}]; end the model with activation='{activation}', or pass "
                         "from_logits=True if these are logits")


# ---- the values, from targets already checked and of y_pred's shape ----
@composite("mse")
def mse_value(y: np.ndarray, y_pred: Tensor) -> Tensor:
    d = y_pred - y
    return (d * d).mean()


@composite("mae")
def mae_value(y: np.ndarray, y_pred: Tensor) -> Tensor:
    return (y_pred - y).abs().mean()


# From logits each cross-entropy is one fused op, whose label already names the loss; from probabilities it
# is composed of several, which @composite draws as one node of the same name.
def binary_crossentropy_value(y: np.ndarray, y_pred: Tensor, from_logits: bool) -> Tensor:
    return SigmoidBCE.apply(y_pred, y) if from_logits else binary_crossentropy_of_probabilities(y, y_pred)


@composite("binary_crossentropy")
def binary_crossentropy_of_probabilities(y: np.ndarray, y_pred: Tensor) -> Tensor:
    p = y_pred.clip(EPSILON, 1 - EPSILON)
    return -(p.log() * y + (1 - p).log() * complement(y)).mean()


def complement(y: np.ndarray) -> np.ndarray:
    """1 - y, computed by an op on the targets (the same numbers as numpy's) and given as its array: a ``ts.jit``
    replay recomputes it per batch, and a picture shows no node for it (as for y itself)."""
    return (1 - Tensor.from_array(y)).data


def categorical_crossentropy_value(y: np.ndarray, y_pred: Tensor, from_logits: bool) -> Tensor:
    return SoftmaxCE.apply(y_pred, y) if from_logits else categorical_crossentropy_of_probabilities(y, y_pred)


def renormalised(y_pred: Tensor) -> Tensor:
    """Each row of probabilities divided by its sum, then clipped to [eps, 1 - eps]: as Keras does before the log."""
    return (y_pred / y_pred.sum(axis=-1, keepdims=True)).clip(EPSILON, 1 - EPSILON)


@composite("categorical_crossentropy")
def categorical_crossentropy_of_probabilities(y: np.ndarray, y_pred: Tensor) -> Tensor:
    return -(renormalised(y_pred).log() * y).sum(axis=-1).mean()


def one_hot(labels: np.ndarray, n_classes: int, dtype) -> np.ndarray:
    """Whole-number labels of shape (p,) or (p, 1), already checked, as a (p, n_classes) one-hot array."""
    lab = labels.reshape(-1).astype(np.intp)
    out = np.zeros((lab.size, n_classes), dtype)
    out[np.arange(lab.size), lab] = 1
    return out


# ---- the losses ----
def mse(y_true, y_pred) -> Tensor:
    """mean((y - y^)^2) over every element (no 1/2: the slides' 1/2 (y - y^)^2 gives half this gradient)."""
    y_pred = predictions(y_pred, "mse")
    return mse_value(targets(y_true, y_pred, "mse"), y_pred)


def mae(y_true, y_pred) -> Tensor:
    """mean(|y - y^|) over every element."""
    y_pred = predictions(y_pred, "mae")
    return mae_value(targets(y_true, y_pred, "mae"), y_pred)


def binary_crossentropy(y_true, y_pred, from_logits: bool = False) -> Tensor:
    """-mean(y log y^ + (1 - y) log(1 - y^)), y^ = sigma(z) when from_logits (computed from z, stably)."""
    arguments.flag(from_logits, "from_logits", "binary_crossentropy")
    y_pred = predictions(y_pred, "binary_crossentropy")
    y = targets(y_true, y_pred, "binary_crossentropy")
    if not from_logits:  # from logits, the op checks the targets (so that a ts.jit replay does too)
        check_unit_interval(y, "binary_crossentropy")
        check_probabilities(y_pred, "binary_crossentropy", "sigmoid")
    return binary_crossentropy_value(y, y_pred, from_logits)


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False) -> Tensor:
    """-1/p sum_i sum_j y_j^(i) log y^_j^(i); y^ = softmax(z) when from_logits (via log-sum-exp)."""
    arguments.flag(from_logits, "from_logits", "categorical_crossentropy")
    y_pred = predictions(y_pred, "categorical_crossentropy")
    y = targets(y_true, y_pred, "categorical_crossentropy")
    if y_pred.ndim < 1 or y_pred.shape[-1] < 1:
        raise ValueError(f"categorical_crossentropy: y_pred needs a class axis, got shape {y_pred.shape}")
    if not from_logits:
        check_probabilities(y_pred, "categorical_crossentropy", "softmax", top=np.inf)  # rows are renormalised
    return categorical_crossentropy_value(y, y_pred, from_logits)


def checked_labels(labels, n_classes: int, loss: str = "sparse_categorical_crossentropy") -> np.ndarray:
    """Integer labels of shape (p,) or (p, 1) as a (p,) integer array; out-of-range or fractional is an error."""
    lab = np.asarray(data_of(labels))
    if lab.ndim == 2 and lab.shape[1] == 1:
        lab = lab[:, 0]
    if lab.ndim != 1:
        raise ValueError(f"{loss}: labels must have shape (p,) or (p, 1), got {lab.shape}"
                         + (" (one-hot targets? use categorical_crossentropy)" if lab.ndim == 2 else ""))
    if lab.dtype.kind == "f":
        if (lab != np.rint(lab)).any():  # NaN is not whole either; the ndarray method costs less than np.all
            raise ValueError(f"{loss}: labels must be whole numbers, got values like {lab[lab != np.rint(lab)][:3]}")
    elif lab.dtype.kind not in "iub":
        raise TypeError(f"{loss}: labels must be integers, got dtype {lab.dtype}")
    if lab.size and (lab.min() < 0 or lab.max() >= n_classes):
        raise ValueError(f"{loss}: labels must lie in [0, {n_classes - 1}] for {n_classes} classes; "
                         f"got labels from {lab.min():g} to {lab.max():g}")
    return lab.astype(np.intp, copy=False)  # no copy: a ts.jit replay sees the labels as the argument they are


def one_hot_labels(labels, n_classes: int, dtype, loss: str = "sparse_categorical_crossentropy") -> np.ndarray:
    """Integer labels of shape (p,) or (p, 1) as a (p, n_classes) one-hot array; out-of-range is an error."""
    return one_hot(checked_labels(labels, n_classes, loss), n_classes, dtype)


def sparse_categorical_crossentropy_value(labels: np.ndarray, y_pred: Tensor, from_logits: bool) -> Tensor:
    """From logits, one fused op on the label indices; from probabilities, against their one-hot rows."""
    lab = labels.reshape(-1).astype(np.intp, copy=False)
    if from_logits:
        return SparseSoftmaxCE.apply(y_pred, lab)
    if y_pred.ndim != 2:
        return categorical_crossentropy_of_probabilities(one_hot(lab, y_pred.shape[-1], y_pred.dtype), y_pred)
    return sparse_categorical_crossentropy_of_probabilities(lab, y_pred)


@composite("sparse_categorical_crossentropy")
def sparse_categorical_crossentropy_of_probabilities(labels: np.ndarray, y_pred: Tensor) -> Tensor:
    """categorical_crossentropy_of_probabilities against one_hot(labels), with each row's label picked instead
    (the same numbers: the other terms of a row are zeros; no one-hot made, so a ``ts.jit`` replay takes it)."""
    return -PickPerRow.apply(renormalised(y_pred).log(), labels).mean()


def sparse_categorical_crossentropy(labels, y_pred, from_logits: bool = False) -> Tensor:
    """-1/p sum_i log y^_{label_i}^(i): categorical_crossentropy against one_hot(labels), without making it."""
    arguments.flag(from_logits, "from_logits", "sparse_categorical_crossentropy")
    y_pred = predictions(y_pred, "sparse_categorical_crossentropy")
    if y_pred.ndim != 2:
        raise ValueError(f"sparse_categorical_crossentropy: y_pred must have shape (p, classes), got {y_pred.shape}")
    lab = checked_labels(labels, y_pred.shape[1])
    if len(lab) != len(y_pred):
        raise ValueError(f"sparse_categorical_crossentropy: labels has shape {np.shape(labels)} but y_pred has shape "
                         f"{y_pred.shape}: {len(lab)} labels for {len(y_pred)} predictions")
    if not from_logits:
        check_probabilities(y_pred, "sparse_categorical_crossentropy", "softmax", top=np.inf)
    return sparse_categorical_crossentropy_value(lab, y_pred, from_logits)


__all__ = [
    "binary_crossentropy", "categorical_crossentropy", "mae", "mse", "one_hot_labels",
    "sparse_categorical_crossentropy", "stable_sigmoid",
]
