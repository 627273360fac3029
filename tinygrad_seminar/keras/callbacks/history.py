"""``History``, the callback that records each epoch's logs (``fit`` returns it)."""

from __future__ import annotations

from typing import Any

from .callback import Callback, Logs


class History(Callback):
    """Records the epoch logs: ``history[name]`` is a per-epoch list, ``epoch`` the epoch indices.

    As in Keras 3, ``on_train_begin`` starts a new ``epoch`` list but ``history`` keeps appending when the
    same History sees several fits (``fit`` makes a fresh one each call). It is also set as ``model.history``.
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[Any]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: Logs = None) -> None:
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)
        if self.model is not None:
            self.model.history = self
