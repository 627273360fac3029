"""``LearningRateScheduler``, the callback that sets the optimizer's learning rate at each epoch's start."""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from .callback import Callback, Logs


def _get_lr(optimizer: Any) -> float:
    return float(optimizer.learning_rate if hasattr(optimizer, "learning_rate") else optimizer.lr)


def _takes_two_args(fn: Callable[..., Any]) -> bool | None:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return None
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in params)


class LearningRateScheduler(Callback):
    """Sets ``model.optimizer.lr`` at each epoch's start to ``schedule(epoch, lr)`` (or ``schedule(epoch)``);
    writes the rate in use into the epoch logs as ``learning_rate``."""

    def __init__(self, schedule: Callable[..., float], verbose: int = 0) -> None:
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"LearningRateScheduler: schedule must be callable; got {schedule!r}")
        self.schedule = schedule
        self.verbose = verbose

    def _optimizer(self) -> Any:
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None or not (hasattr(optimizer, "lr") or hasattr(optimizer, "learning_rate")):
            raise ValueError("LearningRateScheduler needs a compiled model whose optimizer has a learning rate "
                             f"(`lr`); got optimizer={optimizer!r}")
        return optimizer

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        optimizer = self._optimizer()
        lr = _get_lr(optimizer)
        two = _takes_two_args(self.schedule)
        if two is None:  # signature unknown (a builtin): try Keras' way
            try:
                new = self.schedule(epoch, lr)
            except TypeError:
                new = self.schedule(epoch)
        else:
            new = self.schedule(epoch, lr) if two else self.schedule(epoch)
        if isinstance(new, np.ndarray) and new.ndim == 0:
            new = new[()]
        if not isinstance(new, numbers.Real) or isinstance(new, bool) or not math.isfinite(new):
            raise ValueError(f"LearningRateScheduler: the schedule must return a finite number (the new "
                             f"learning rate); at epoch {epoch} it returned {new!r} ({type(new).__name__})")
        if hasattr(optimizer, "lr"):
            optimizer.lr = float(new)
        else:
            optimizer.learning_rate = float(new)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {float(new)}.")

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        if logs is not None:
            logs["learning_rate"] = _get_lr(self._optimizer())
