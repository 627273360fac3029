"""Keras-style progress bar for ``fit``: a live bar on a terminal or in a notebook, clean lines in a log file.

verbose=1 on a dynamic display (a TTY, or a Jupyter kernel) redraws one line with a leading "\\r"::

    3/7 [==========>...................] - ETA: 1s - loss: 0.6931 - accuracy: 0.5000

and ends the epoch with ``7/7 [==============================] - 0s 2ms/step - loss: ...``. Anywhere else
(a pipe, a log file) verbose=1 writes only that final line, so the file holds no control characters.
verbose=2 writes one line per epoch, ``7/7 - 0s - 2ms/step - loss: ...``; verbose=0 writes nothing.
"""

from __future__ import annotations

import math
import numbers
import shutil
import sys
import time
from collections.abc import Mapping
from typing import Any, TextIO

__all__ = ["Progbar", "is_dynamic_display", "resolve_verbose"]


def _clock() -> float:
    return time.perf_counter()


def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def is_dynamic_display(stream: TextIO | None = None) -> bool:
    """True when ``stream`` (default: the current sys.stdout) can redraw a line: a TTY or a Jupyter kernel."""
    stream = stream if stream is not None else sys.stdout
    isatty = getattr(stream, "isatty", None)
    try:
        tty = bool(isatty()) if callable(isatty) else False
    except (ValueError, OSError):  # a closed stream
        tty = False
    return tty or in_jupyter()


def in_jupyter() -> bool:
    """True inside a Jupyter kernel. ipykernel being imported is not enough: a harness that runs notebooks
    (nbclient) imports it too, and its process is no notebook."""
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    shell = get_ipython() if callable(get_ipython) else None
    return getattr(shell, "kernel", None) is not None


def resolve_verbose(verbose: int | str, stream: TextIO | None = None) -> int:
    """Keras' ``verbose``: 0, 1, 2 as given; "auto" is 1 on a dynamic display and 2 otherwise."""
    if verbose == "auto" and isinstance(verbose, str):
        return 1 if is_dynamic_display(stream) else 2
    if isinstance(verbose, numbers.Integral) and int(verbose) in (0, 1, 2):
        return int(verbose)
    raise ValueError(f'verbose must be "auto", 0 (silent), 1 (progress bar) or 2 (one line per epoch); '
                     f"got verbose={verbose!r}")


def _format_value(value: Any) -> str:
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        value = float(value)
        return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"
    return str(value)


def _format_step_time(seconds: float, unit_name: str) -> str:
    if seconds >= 1 or seconds == 0:
        return f"{seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.0f}ms/{unit_name}"
    return f"{seconds * 1e6:.0f}us/{unit_name}"


def _format_eta(seconds: float) -> str:
    if seconds > 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds > 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{int(seconds)}s"


class Progbar:
    """A progress bar over ``target`` steps (None if unknown), drawn as Keras draws it; see the module docstring.

    ``values`` given to ``update`` are shown as they are (the caller passes running means), in the order
    their names first appeared. Output goes to ``stream``, or to sys.stdout as it is at each write.
    """

    def __init__(self, target: int | None, width: int = 30, verbose: int = 1, stream: TextIO | None = None,
                 interval: float = 0.05, unit_name: str = "step") -> None:
        if verbose not in (0, 1, 2):
            raise ValueError(f"Progbar: verbose must be 0, 1 or 2 (resolve 'auto' with resolve_verbose); "
                             f"got verbose={verbose!r}")
        self.target = target
        self.width = width
        self.verbose = verbose
        self.stream = stream
        self.interval = interval
        self.unit_name = unit_name
        self._values: dict[str, Any] = {}
        self._start = _clock()
        self._last_update = -math.inf
        self._time_after_first_step: float | None = None
        self._prev_width = 0
        self._seen_so_far = 0

    def update(self, current: int, values: Mapping[str, Any] | None = None, finalize: bool | None = None) -> None:
        """Show step ``current`` (1-based count of finished steps) with ``values``; finalize ends the line."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        self._values.update(dict(values or {}))
        self._seen_so_far = current
        now = _clock()
        step_time = self._step_time(current, now)
        stream = self.stream if self.stream is not None else sys.stdout
        if self.verbose == 1:
            dynamic = is_dynamic_display(stream)
            if not finalize and (not dynamic or now - self._last_update < self.interval):
                return
            bar, metrics = self._bar(current), self._metrics()
            if finalize:
                line = f"{bar} - {now - self._start:.0f}s {_format_step_time(step_time, self.unit_name)}{metrics}"
            else:
                eta = f" - ETA: {_format_eta(step_time * (self.target - current))}" if self.target else ""
                line = f"{bar} - {now - self._start:.0f}s elapsed{eta}{metrics}"
                width = shutil.get_terminal_size((80, 24)).columns - 1 if _isatty(stream) else None
                if width and len(line) > width:  # a wrapped live line leaves a copy per redraw: drop, then cut
                    line = f"{bar}{eta}{metrics}"[:width]
            if dynamic:
                padding = " " * max(0, self._prev_width - len(line))
                self._write(stream, "\r" + line + padding + ("\n" if finalize else ""))
                self._prev_width = len(line)
            else:
                self._write(stream, line + "\n")
        elif self.verbose == 2 and finalize:
            count = self._count(current)
            line = f"{count} - {now - self._start:.0f}s - {_format_step_time(step_time, self.unit_name)}"
            self._write(stream, line + self._metrics() + "\n")
        self._last_update = now

    def add(self, n: int, values: Mapping[str, Any] | None = None) -> None:
        """Advance by ``n`` steps."""
        self.update(self._seen_so_far + n, values)

    def _count(self, current: int) -> str:
        if not self.target:
            return f"{current:7d}/Unknown"
        digits = len(str(self.target))
        return f"{current:{digits}d}/{self.target}"

    def _bar(self, current: int) -> str:
        if not self.target:
            return self._count(current)
        filled = int(self.width * min(current / self.target, 1.0))
        bar = ""
        if filled > 0:
            bar = "=" * (filled - 1) + (">" if current < self.target else "=")
        return f"{self._count(current)} [{bar}{'.' * (self.width - filled)}]"

    def _metrics(self) -> str:
        return "".join(f" - {name}: {_format_value(value)}" for name, value in self._values.items())

    def _step_time(self, current: int, now: float) -> float:
        # As Keras: the first step (tracing, warm-up) is left out of the estimate once there are more.
        if not current:
            return 0.0
        if self._time_after_first_step is not None and current > 1:
            per_step = (now - self._time_after_first_step) / (current - 1)
        else:
            per_step = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_step

    @staticmethod
    def _write(stream: TextIO, text: str) -> None:
        stream.write(text)
        stream.flush()
