"""``ModelCheckpoint``, the callback that saves the model or its weights during training."""

from __future__ import annotations

import numbers
import os
import warnings
from typing import Any

from ...autograd import arguments
from .callback import Callback, Logs, own_hook
from .monitor import improves, resolve_mode


class ModelCheckpoint(Callback):
    """Saves the model (``model.save``) or its weights (``model.save_weights``) every epoch or every
    ``save_freq`` batches; with ``save_best_only`` only when ``monitor`` improves (compared as EarlyStopping).

    ``filepath`` may hold format fields: ``{epoch:02d}`` (counted from 1), ``{batch}`` and any logs key,
    e.g. ``"ckpt-{epoch:02d}-{val_loss:.2f}.npz"``. Missing folders are created.
    """

    def __init__(self, filepath: str | os.PathLike, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False, mode: str = "auto",
                 save_freq: str | int = "epoch", initial_value_threshold: float | None = None) -> None:
        super().__init__()
        if save_freq != "epoch" and not (isinstance(save_freq, numbers.Integral) and save_freq > 0):
            raise ValueError(f"ModelCheckpoint: save_freq must be 'epoch' or a positive number of batches; "
                             f"got save_freq={save_freq!r}")
        if not isinstance(filepath, (str, os.PathLike)):
            raise TypeError(f"ModelCheckpoint: filepath must be a string or a pathlib.Path, got "
                            f"{arguments.given(filepath)}")
        if not os.fspath(filepath):
            raise ValueError("ModelCheckpoint: filepath must name a file, such as 'best.keras'; got ''")
        arguments.flag(save_best_only, "save_best_only", "ModelCheckpoint")
        arguments.flag(save_weights_only, "save_weights_only", "ModelCheckpoint")
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.mode = resolve_mode("ModelCheckpoint", mode, monitor)
        self.save_freq = save_freq
        self.best: float | None = initial_value_threshold  # kept across fits, as Keras does
        self._epoch = 0
        self._batches_since_save = 0

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        self._epoch = epoch

    def only_reads(self, hook: str) -> bool:
        """Saving once per epoch, its batch hooks do nothing."""
        return self.save_freq == "epoch" and own_hook(self, ModelCheckpoint, hook)

    def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
        if self.save_freq == "epoch":
            return
        self._batches_since_save += 1
        if self._batches_since_save >= self.save_freq:
            self._batches_since_save = 0
            self._save(self._epoch, batch, logs or {})

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        if self.save_freq == "epoch":
            self._save(epoch, None, logs or {})

    def _save(self, epoch: int, batch: int | None, logs: dict[str, Any]) -> None:
        path = self._format_path(epoch, batch, logs)
        if not self._should_save(epoch, logs, path):
            return
        folder = os.path.dirname(path)
        if folder:
            os.makedirs(folder, exist_ok=True)
        (self.model.save_weights if self.save_weights_only else self.model.save)(path)

    def _should_save(self, epoch: int, logs: dict[str, Any], path: str) -> bool:
        if not self.save_best_only:
            self._say(f"\nEpoch {epoch + 1}: saving model to {path}")
            return True
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(f"ModelCheckpoint can save the best model only with `{self.monitor}` available, "
                          f"saving anyway. Available metrics are: {', '.join(logs) or '(none)'}", stacklevel=4)
            return True
        current = float(current)
        best = ("inf" if self.mode == "min" else "-inf") if self.best is None else f"{self.best:.5f}"  # as Keras
        if improves(self.mode, current, self.best, 0.0):
            self._say(f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to {current:.5f}, "
                      f"saving model to {path}")
            self.best = current
            return True
        self._say(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}")
        return False

    def _format_path(self, epoch: int, batch: int | None, logs: dict[str, Any]) -> str:
        fields = dict(logs)
        fields["epoch"] = epoch + 1
        if batch is not None:
            fields.setdefault("batch", batch + 1)
        try:
            return self.filepath.format(**fields)
        except (KeyError, IndexError, ValueError) as e:
            raise KeyError(f"ModelCheckpoint: cannot format filepath {self.filepath!r}: {e!r}; "
                           f"available fields: {', '.join(fields)}") from e

    def _say(self, message: str) -> None:
        if self.verbose > 0:
            print(message)
