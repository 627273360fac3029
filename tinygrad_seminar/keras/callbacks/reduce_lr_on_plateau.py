"""``ReduceLROnPlateau``: multiply the learning rate by ``factor`` when ``monitor`` stops improving."""

from __future__ import annotations

import warnings

from ...autograd import arguments
from .callback import Callback, Logs
from .monitor import check_waiting, improves, resolve_mode


class ReduceLROnPlateau(Callback):
    """Keras 3's rules: after ``patience`` epochs without an improvement larger than ``min_delta``, the
    learning rate becomes ``max(lr * factor, min_lr)`` (if it is above ``min_lr``), then ``cooldown`` epochs
    pass before the wait counts again. The rate in use is logged as ``learning_rate``; the next step uses
    the new one."""

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10, verbose: int = 0,
                 mode: str = "auto", min_delta: float = 1e-4, cooldown: int = 0, min_lr: float = 0.0, **kwargs):
        super().__init__()
        check_waiting("ReduceLROnPlateau", patience, min_delta, verbose)
        arguments.whole(cooldown, "cooldown", "ReduceLROnPlateau")
        arguments.real(min_lr, "min_lr", "ReduceLROnPlateau", 0)
        if arguments.real(factor, "factor", "ReduceLROnPlateau") >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}")
        self.monitor, self.factor, self.patience, self.verbose = monitor, float(factor), patience, verbose
        self.min_delta, self.cooldown, self.min_lr = abs(min_delta), cooldown, float(min_lr)
        self.mode = resolve_mode("ReduceLROnPlateau", mode, monitor)
        self.on_train_begin()

    def on_train_begin(self, logs: Logs = None) -> None:
        self.wait, self.cooldown_counter, self.best = 0, 0, None

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        logs = logs if logs is not None else {}
        optimizer = self.model.optimizer
        logs["learning_rate"] = float(optimizer.learning_rate)
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"Learning rate reduction is conditioned on metric `{self.monitor}` which is not "
                          f"available. Available metrics are: {', '.join(logs)}", stacklevel=3)
            return
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if improves(self.mode, float(current), self.best, self.min_delta):
            self.best, self.wait = float(current), 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old = float(optimizer.learning_rate)
                if old > self.min_lr:
                    new = max(old * self.factor, self.min_lr)
                    optimizer.learning_rate = new
                    if self.verbose > 0:
                        print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {new}.")
                    self.cooldown_counter, self.wait = self.cooldown, 0


__all__ = ["ReduceLROnPlateau"]
