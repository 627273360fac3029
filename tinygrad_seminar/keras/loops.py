"""What fit's, evaluate's and predict's loops use besides the steps: the batches, fit's validation schedule,
and its report of the first invalid loss."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator

import numpy as np


def batches(n: int, size: int, order=None) -> Iterator:
    """The index of each batch of ``size`` among ``n`` rows: slices, or the parts of a shuffled ``order``."""
    for start in range(0, n, size):
        yield slice(start, start + size) if order is None else order[start:start + size]


def validates(freq, epoch: int) -> bool:
    """Whether fit validates after ``epoch`` (from 0): validation_freq is an int n (every n-th) or the epochs."""
    if isinstance(freq, (int, np.integer)) and not isinstance(freq, bool):
        if freq < 1:
            raise ValueError(f"validation_freq must be >= 1, got {freq!r}")
        return (epoch + 1) % freq == 0
    return epoch + 1 in freq


def report_invalid_loss(loss: float, watch: tuple, step: int, steps: int) -> None:
    """A RuntimeWarning at the first batch of a fit whose loss is NaN or inf: shown at any verbose, catchable.

    Given to warn_explicit with a registry of its own, so that Python's "once per place" filter does not hide
    the report of a second fit from the same line (a notebook cell run again); it names the line calling fit.
    """
    epoch, epochs = watch
    caller = sys._getframe(3)  # fit's caller: here <- _train_epoch <- fit <- caller
    warnings.warn_explicit(
        f"fit: the loss became {loss} at epoch {epoch + 1}/{epochs}, batch {step + 1}/{steps}; the weights are "
        "probably no longer finite. Lower the learning rate or scale the inputs; "
        "callbacks=[ts.callbacks.TerminateOnNaN()] stops training there.", RuntimeWarning,
        caller.f_code.co_filename, caller.f_lineno, registry={}, module_globals=caller.f_globals)
