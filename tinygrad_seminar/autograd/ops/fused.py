"""Fused ops: one node for what would be several, with a gradient that is exact and stable.

A dense layer's map, and the cross-entropies from logits, against targets or integer labels
(softplus and log-sum-exp forward; the gradients sigma(z) - y and softmax(z) - y). Under
``create_graph`` their backward is recorded like any other op's, from the saved inputs.
"""

from __future__ import annotations

import numpy as np

from ..base import TensorBase
from .op import Op, sigmoid_of, softmax_of


def _log_softmax_parts(z: np.ndarray) -> tuple:
    """(z - max z, S(z), log sum e^(z - max z)) along the last axis: log S(z) = s - log_total, computed once.

    z - max z is -inf where it leaves the float range (logits near +-3e38): e^-inf is the exact 0. The caller
    silences numpy's overflow warning for it (one ``np.errstate`` per op: it costs microseconds)."""
    s = z - np.maximum.reduce(z, -1, keepdims=True)  # z.max(axis=-1, keepdims=True), without numpy's Python layer
    e = np.exp(s)
    total = np.add.reduce(e, -1, keepdims=True)
    return s, e / total, np.log(total)


class Affine(Op):
    """x @ W.T + b for rows of samples, with W of shape (units, inputs): one node for a dense layer.

    W stays C-ordered: a Fortran-ordered W (so that W.T is C-contiguous) measured no faster with OpenBLAS 0.3.31
    (issue 20), and would need dW in its order too, as an in-place update across memory orders is ~20x slower."""

    @staticmethod
    def forward(ctx, x, w, b=None):
        ctx.save_for_backward(x, w)
        out = x @ w.T
        if b is not None:
            out += b  # out is ours: adding in place saves a temporary
        return out

    @staticmethod
    def backward(ctx, g):
        x, w = ctx.saved_tensors
        need = ctx.needs_input_grad
        gx = g @ w if need[0] else None  # the first layer's input needs none: skip the largest product
        gw = g.T @ x if need[1] else None
        if len(need) == 2:
            return gx, gw
        # np.add.reduce is what g.sum computes, without numpy's Python layer; a Tensor g (create_graph) sums itself
        return gx, gw, (np.add.reduce(g, 0) if type(g) is np.ndarray else g.sum(axis=0)) if need[2] else None


class SigmoidBCE(Op):
    """mean(softplus(z) - y z) = mean BCE(y, sigma(z)); d/dz = (sigma(z) - y) / n."""

    label = "binary_crossentropy"  # a picture names it as the loss it computes (from logits)
    explains_shape_errors = False  # its error on targets is the loss's, word for word (the loss checked the shapes)

    @staticmethod
    def forward(ctx, z, y):
        if y.size and not (y.min() >= 0 and y.max() <= 1):  # the loss's check, here so that a ts.jit replay makes it
            raise ValueError(f"binary_crossentropy: targets must lie in [0, 1]; y_true ranges over [{y.min():g}, "
                             f"{y.max():g}]")  # (written so that NaN fails too)
        ctx.save_for_backward(z, y)
        return np.add.reduce(np.logaddexp(0, z) - y * z, None) / y.size  # .mean() as numpy computes it

    @staticmethod
    def backward(ctx, g):
        z, y = ctx.saved_tensors
        return (sigmoid_of(z) - y) * (g / y.size), None


class SoftmaxCE(Op):
    """mean over rows of -sum_j y_j log S(z)_j; d/dz = (S(z) sum_j y_j - y) / p. A term with y_j = 0 is 0, even
    where log S(z)_j is -inf (0 log 0 = 0, so logits near the float maximum give PyTorch's sparse loss)."""

    label = "categorical_crossentropy"  # a picture names it as the loss it computes (from logits)

    @staticmethod
    def forward(ctx, z, y):
        with np.errstate(over="ignore", invalid="ignore"):  # both cases are handled here
            s, probs, log_total = _log_softmax_parts(z)
            ctx.save_for_backward(z, y, probs)
            ctx.rows = z.size // z.shape[-1]
            loss = np.add.reduce(y * (log_total - s), None) / ctx.rows
            if loss != loss:  # nan, rarely: 0 * inf from a log-probability beyond the float range; the term is 0
                loss = np.where(y != 0, y * (log_total - s), 0).sum() / ctx.rows
        return loss

    @staticmethod
    def backward(ctx, g):
        z, y, probs = ctx.saved_tensors
        # the forward's softmax saves recomputing it (small reductions cost ~20 us); under create_graph it is a
        # constant array, so the softmax is taken again as a node of the graph
        probs = softmax_of(z) if isinstance(z, TensorBase) else probs
        return (probs * y.sum(axis=-1, keepdims=True) - y) * (g / ctx.rows), None


class SparseSoftmaxCE(Op):
    """mean over rows of -log S(z)_label, labels (p,) integers; d/dz = (S(z) - one_hot(label)) / p."""

    label = "sparse_categorical_crossentropy"  # a picture names it as the loss it computes (from logits)
    explains_shape_errors = False  # its error on labels is the loss's, word for word (the loss checked the shapes)

    @staticmethod
    def forward(ctx, z, labels):
        n = z.shape[-1]
        if labels.size and (labels.min() < 0 or labels.max() >= n):  # the loss's check, here so that a ts.jit
            raise ValueError(f"sparse_categorical_crossentropy: labels must lie in [0, {n - 1}] for {n} classes; "
                             f"got labels from {labels.min():g} to {labels.max():g}")  # replay makes it too
        with np.errstate(over="ignore"):  # see _log_softmax_parts
            s, probs, log_total = _log_softmax_parts(z)
        ctx.save_for_backward(z, labels, probs)
        # sum / p is what .mean() computes, without numpy's Python layer around it (~3 us a step)
        return np.add.reduce(log_total[:, 0] - s[np.arange(len(z)), labels], None) / len(z)

    @staticmethod
    def backward(ctx, g):
        z, labels, probs = ctx.saved_tensors
        rows, scale = np.arange(len(labels)), g / len(labels)  # rows not kept on ctx: a kept loss holds no arrays
        if isinstance(z, TensorBase):  # create_graph: the softmax as a node (see SoftmaxCE)
            hot = np.zeros(z.shape, z.dtype)
            hot[rows, labels] = 1
            return (softmax_of(z) - hot) * scale, None
        d = probs * scale  # (S(z) - one_hot) g / p, with the one-hot subtracted where it is 1: no (p, classes) zeros
        d[rows, labels] -= scale
        return d, None
