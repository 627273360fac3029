"""Sample and class weights: the loss of a batch as Keras 3 weighs it.

Keras 3 reduces a weighted loss "sum over batch size": ``sum_i w_i * l_i / n``, with l_i the loss of sample
i (the mean over its outputs) and n the number of samples in the batch; with every w_i = 1 it is the
usual mean. ``class_weight`` gives each sample the weight of its class (classes it does not name get 1);
with ``sample_weight`` too, the two multiply.
"""

from __future__ import annotations

import numpy as np

from ..autograd import Tensor
from ..nn import functional as F
from ..nn.losses import EPSILON, complement
from . import losses, metrics


def _elementwise(loss, y: np.ndarray, y_pred: Tensor) -> Tensor | None:
    """The built-in losses per element (per sample for the categorical ones), or None for another loss."""
    if isinstance(loss, (losses.MeanSquaredError, losses.MeanAbsoluteError, losses.Huber)):
        e = y_pred - metrics.line_up(y, y_pred.shape)
        if isinstance(loss, losses.MeanSquaredError):
            return e * e
        if isinstance(loss, losses.MeanAbsoluteError):
            return e.abs()
        a = e.abs()
        q = a.clip(max=loss.delta)
        return q * q * 0.5 + (a - q) * loss.delta
    if isinstance(loss, losses.BinaryCrossentropy):
        y = metrics.line_up(y, y_pred.shape)
        if loss.from_logits:
            return y_pred.relu() - y_pred * y + ((-y_pred.abs()).exp() + 1.0).log()
        p = y_pred.clip(EPSILON, 1 - EPSILON)
        return -(p.log() * y + (1 - p).log() * complement(y))
    if isinstance(loss, (losses.CategoricalCrossentropy, losses.SparseCategoricalCrossentropy)):
        if loss.from_logits:
            log_p = y_pred.log_softmax(axis=-1)
        else:
            log_p = (y_pred / y_pred.sum(axis=-1, keepdims=True)).clip(EPSILON, 1 - EPSILON).log()
        if isinstance(loss, losses.SparseCategoricalCrossentropy):  # each row's label picked, no one-hot made
            return -F.pick_per_row(log_p, np.asarray(y).reshape(len(y)).astype(np.intp, copy=False))
        return -(log_p * y).sum(axis=-1)
    return None


def per_sample(loss, y: np.ndarray, y_pred: Tensor) -> Tensor:
    """The loss of each sample, shape (n,): the built-ins at once, any other loss one sample at a time."""
    n = len(y_pred)
    values = _elementwise(loss, y, y_pred)
    if values is None:
        return F.stack([loss.call(y[i:i + 1], y_pred[i:i + 1]) for i in range(n)])
    return values.reshape(n, -1).mean(axis=1)


def weighted_loss(loss, y: np.ndarray, y_pred: Tensor, sample_weight: np.ndarray) -> Tensor:
    """``sum_i w_i l_i / n``: Keras 3's weighted loss of a batch."""
    w = np.asarray(sample_weight, y_pred.dtype).reshape(len(y_pred))
    return (per_sample(loss, y, y_pred) * w).sum() / len(y_pred)


def sample_weights(loss, y: np.ndarray, sample_weight=None, class_weight: dict | None = None,
                   dtype=np.float64, name: str = "sample_weight") -> np.ndarray | None:
    """One weight per sample from ``sample_weight`` and ``class_weight`` (None if neither is given), as ``dtype``
    (the model's, so that no batch converts them); ``name``: the argument an error names."""
    if sample_weight is None and class_weight is None:
        return None
    w = np.ones(len(y), np.float64)
    if sample_weight is not None:
        sw = np.asarray(sample_weight, np.float64)
        if sw.shape not in ((len(y),), (len(y), 1)):
            raise ValueError(f"{name} must have one weight per sample, shape ({len(y)},), got {sw.shape}")
        w *= sw.reshape(len(y))
    if class_weight is not None:
        if not isinstance(class_weight, dict):
            raise TypeError(f"class_weight must be a dict {{class index: weight}}, got {type(class_weight).__name__}")
        labels = loss.class_labels(y)
        if labels is None:
            raise ValueError(f"class_weight needs a classification loss; {loss.name} has no classes")
        w *= np.array([float(class_weight.get(int(c), 1.0)) for c in np.asarray(labels).reshape(len(y))])
    return w.astype(dtype)


__all__ = ["per_sample", "sample_weights", "weighted_loss"]
