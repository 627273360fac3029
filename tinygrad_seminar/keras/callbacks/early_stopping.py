"""``EarlyStopping``, the callback that stops training when a monitored value stops improving."""

from __future__ import annotations

import warnings

import numpy as np

from ...autograd import arguments
from .callback import Callback, Logs
from .monitor import check_waiting, copy_weights, improves, resolve_mode


class EarlyStopping(Callback):
    """Stops training when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs.

    Keras 3's rules: mode "auto" maximises names like accuracy/auc/precision/recall/r2 and minimises the rest;
    an epoch only resets the wait if it also beats ``baseline``; epochs before ``start_from_epoch`` are not
    watched; with ``restore_best_weights`` the best epoch's weights are loaded back when training ends.
    """

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0, patience: int = 0, verbose: int = 0,
                 mode: str = "auto", baseline: float | None = None, restore_best_weights: bool = False,
                 start_from_epoch: int = 0) -> None:
        super().__init__()
        check_waiting("EarlyStopping", patience, min_delta, verbose)
        if baseline is not None:
            arguments.real(baseline, "baseline", "EarlyStopping")
        arguments.flag(restore_best_weights, "restore_best_weights", "EarlyStopping")
        arguments.whole(start_from_epoch, "start_from_epoch", "EarlyStopping")
        self.monitor = monitor
        self.min_delta = abs(min_delta)
        self.patience = patience
        self.verbose = verbose
        self.mode = resolve_mode("EarlyStopping", mode, monitor)
        self.baseline = baseline
        self.restore_best_weights = restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.on_train_begin()

    def on_train_begin(self, logs: Logs = None) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best: float | None = None
        self.best_weights: dict[str, np.ndarray] | None = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        self.wait += 1
        if improves(self.mode, current, self.best, self.min_delta):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = copy_weights(self.model)
            if self.baseline is None or improves(self.mode, current, self.baseline, self.min_delta):
                self.wait = 0
            return
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: Logs = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.load_state_dict(self.best_weights)

    def get_monitor_value(self, logs: Logs) -> float | None:
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(f"Early stopping conditioned on metric `{self.monitor}` which is not available. "
                          f"Available metrics are: {', '.join(logs) or '(none)'}", stacklevel=3)
            return None
        return float(value)
