"""``CSVLogger``: each epoch's logs as a row of a CSV file (epoch, then the logs in sorted order)."""

from __future__ import annotations

import os

from ...autograd import arguments
from ...files import atomic_write
from .callback import Callback, Logs


class CSVLogger(Callback):
    """Keras' CSVLogger(filename, separator=",", append=False). The file is rewritten whole (atomically) after
    each epoch, so it is complete at every moment; ``append=True`` keeps what was there (its header too)."""

    def __init__(self, filename, separator: str = ",", append: bool = False):
        super().__init__()
        if not isinstance(filename, (str, os.PathLike)):
            raise TypeError(f"CSVLogger: filename must be a string or a pathlib.Path, got {arguments.given(filename)}")
        if not os.fspath(filename):
            raise ValueError("CSVLogger: filename must name a file, such as 'log.csv'; got ''")
        if not isinstance(separator, str) or not separator:
            raise TypeError(f"CSVLogger: separator must be a non-empty string, got {separator!r}")
        arguments.flag(append, "append", "CSVLogger")
        self.filename, self.sep, self.append = os.fspath(filename), separator, append
        self.lines: list[str] = []
        self.keys: list[str] | None = None

    def on_train_begin(self, logs: Logs = None) -> None:
        self.lines, self.keys = [], None
        if self.append and os.path.exists(self.filename):
            with open(self.filename, encoding="utf-8") as f:
                self.lines = f.read().splitlines()
            if self.lines:
                self.keys = self.lines[0].split(self.sep)[1:]

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            self.lines.append(self.sep.join(["epoch", *self.keys]))
        self.lines.append(self.sep.join([str(epoch), *(str(logs.get(k, "NA")) for k in self.keys)]))
        text = "\n".join(self.lines) + "\n"
        atomic_write(self.filename, lambda f: f.write(text.encode("utf-8")))


__all__ = ["CSVLogger"]
