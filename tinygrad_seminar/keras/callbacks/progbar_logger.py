"""``ProgbarLogger``, the callback that prints the ``Epoch i/n`` lines and progress bars (``fit`` adds it
when verbose > 0)."""

from __future__ import annotations

import sys
from typing import Any

from ..progress import Progbar, resolve_verbose
from .callback import Callback, Logs, own_hook


class ProgbarLogger(Callback):
    """Prints ``Epoch i/n`` and a Progbar per epoch (the callback ``fit`` adds when verbose > 0).

    ``verbose`` None takes ``params["verbose"]`` ("auto" resolved against sys.stdout). As in Keras, the
    ``Epoch i/n`` line appears only when there is more than one epoch, and evaluation inside ``fit`` is silent.
    """

    def __init__(self, verbose: int | str | None = None) -> None:
        super().__init__()
        self.verbose = None if verbose is None else resolve_verbose(verbose)
        self.progbar: Progbar | None = None
        self.epochs = 1
        self.target: int | None = None
        self.seen = 0
        self._in_fit = False

    def set_params(self, params: dict[str, Any]) -> None:
        super().set_params(params)
        if self.verbose is None:
            self.verbose = resolve_verbose(params.get("verbose", 1))
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def only_reads(self, hook: str) -> bool:
        """Its hooks print the logs and change no model; not so for a subclass, or a hook set on the object."""
        return own_hook(self, ProgbarLogger, hook)

    def _start(self) -> None:
        self.seen = 0
        self.progbar = Progbar(self.target, verbose=self.verbose or 0) if self.verbose else None

    def _update(self, batch: int, logs: Logs) -> None:
        self.seen = batch + 1
        if self.progbar is not None and self.verbose == 1:
            self.progbar.update(self.seen, logs or {}, finalize=False)

    def _finish(self, logs: Logs) -> None:
        if self.progbar is not None:
            if self.progbar.target is None:
                self.progbar.target = self.seen
            self.progbar.update(self.progbar.target, logs or {}, finalize=True)
            self.progbar = None

    def on_train_begin(self, logs: Logs = None) -> None:
        self._in_fit = True

    def on_train_end(self, logs: Logs = None) -> None:
        self._in_fit = False

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        if self.verbose and self.epochs > 1:
            print(f"Epoch {epoch + 1}/{self.epochs}", file=sys.stdout, flush=True)
        self._start()

    def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
        self._update(batch, logs)

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        self._finish(logs)

    def on_test_begin(self, logs: Logs = None) -> None:
        if not self._in_fit:
            self._start()

    def on_test_batch_end(self, batch: int, logs: Logs = None) -> None:
        if not self._in_fit:
            self._update(batch, logs)

    def on_test_end(self, logs: Logs = None) -> None:
        if not self._in_fit:
            self._finish(logs)

    def on_predict_begin(self, logs: Logs = None) -> None:
        self._start()

    def on_predict_batch_end(self, batch: int, logs: Logs = None) -> None:
        self._update(batch, None)

    def on_predict_end(self, logs: Logs = None) -> None:
        self._finish(None)
