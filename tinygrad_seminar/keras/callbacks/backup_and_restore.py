"""``BackupAndRestore``: Keras 3's callback that lets an interrupted ``fit`` resume where it stopped."""

from __future__ import annotations

import numbers
import os

from .. import saving
from .callback import Callback, Logs, own_hook

FILE_NAME = "latest.checkpoint"


class BackupAndRestore(Callback):
    """Back up the training state in ``backup_dir`` after every epoch (or every ``save_freq`` batches); when fit
    starts and finds a backup, it restores it and continues from the epoch after the one backed up.

    The backup (one file, written atomically) holds the weights, the optimiser's state, the model's generator
    (shuffling, dropout) and the next epoch, so with ``save_freq="epoch"`` the resumed run is bit for bit the
    run that was not interrupted. A backup made mid-epoch (``save_freq`` batches) restarts that epoch from the
    backed-up weights: that is not the uninterrupted run. ``delete_checkpoint=True`` removes the backup once
    fit has finished (a fit that raised keeps it). The model is rebuilt in code, so subclassed models work too.
    """

    def __init__(self, backup_dir, save_freq: str | int = "epoch", delete_checkpoint: bool = True) -> None:
        super().__init__()
        if not isinstance(backup_dir, (str, os.PathLike)) or not os.fspath(backup_dir):
            raise ValueError(f"BackupAndRestore: backup_dir must be a folder's path, got {backup_dir!r}")
        if save_freq != "epoch" and not (isinstance(save_freq, numbers.Integral) and not isinstance(save_freq, bool)
                                         and save_freq > 0):
            raise ValueError(f"BackupAndRestore: save_freq must be 'epoch' or a positive number of batches, "
                             f"got {save_freq!r}")
        if not isinstance(delete_checkpoint, bool):
            raise TypeError(f"BackupAndRestore: delete_checkpoint must be True or False, got {delete_checkpoint!r}")
        self.backup_dir = os.fspath(backup_dir)
        self.save_freq, self.delete_checkpoint = save_freq, delete_checkpoint
        self.path = os.path.join(self.backup_dir, FILE_NAME)
        self._batches = 0

    def on_train_begin(self, logs: Logs = None) -> None:
        self._batches = 0
        if os.path.exists(self.path):
            self.model.resume_epoch = saving.load_checkpoint(self.model, self.path)

    def only_reads(self, hook: str) -> bool:
        """Saving once per epoch, its batch hooks do nothing."""
        return self.save_freq == "epoch" and own_hook(self, BackupAndRestore, hook)

    def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
        if self.save_freq == "epoch":
            return
        self._batches += 1
        if self._batches >= self.save_freq:
            self._batches = 0
            self._backup()

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        if self.save_freq == "epoch":
            self._backup()

    def on_train_end(self, logs: Logs = None) -> None:
        if not self.delete_checkpoint or not os.path.exists(self.path):
            return
        os.unlink(self.path)
        if not os.listdir(self.backup_dir):  # a folder we may have made; anything else in it stays
            os.rmdir(self.backup_dir)

    def _backup(self) -> None:
        os.makedirs(self.backup_dir, exist_ok=True)
        saving.save_checkpoint(self.model, self.path)
