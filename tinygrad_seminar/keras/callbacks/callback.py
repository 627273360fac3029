"""Keras-style callbacks: hooks that ``fit``, ``evaluate`` and ``predict`` call at fixed points.

The model a callback is given needs ``stop_training``, ``state_dict()`` / ``load_state_dict(d)``,
``save(path)`` / ``save_weights(path)`` and ``optimizer.lr``, as far as the callback uses them.
Epochs and batches are 0-based in the hooks, as in Keras; messages and file names count epochs from 1.
"""

from __future__ import annotations

import inspect
import math
import numbers
import os
import sys
import warnings
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from ..progress import Progbar, resolve_verbose

__all__ = ["Callback", "CallbackList", "EarlyStopping", "History", "LambdaCallback", "LearningRateScheduler",
           "ModelCheckpoint", "ProgbarLogger"]

Logs = dict[str, Any] | None

_RUN_HOOKS = ("on_train_begin", "on_train_end", "on_test_begin", "on_test_end", "on_predict_begin",
              "on_predict_end")  # called with (logs); the other hooks with (epoch or batch, logs)
HOOKS = _RUN_HOOKS + ("on_epoch_begin", "on_epoch_end", "on_batch_begin", "on_batch_end", "on_train_batch_begin",
                      "on_train_batch_end", "on_test_batch_begin", "on_test_batch_end", "on_predict_batch_begin",
                      "on_predict_batch_end")


class Callback:
    """Base class: override the hooks you need; ``self.model`` and ``self.params`` are set by the caller."""

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict[str, Any] = {}

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def on_train_begin(self, logs: Logs = None) -> None: ...
    def on_train_end(self, logs: Logs = None) -> None: ...
    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None: ...
    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None: ...
    def on_test_begin(self, logs: Logs = None) -> None: ...
    def on_test_end(self, logs: Logs = None) -> None: ...
    def on_predict_begin(self, logs: Logs = None) -> None: ...
    def on_predict_end(self, logs: Logs = None) -> None: ...
    def on_test_batch_begin(self, batch: int, logs: Logs = None) -> None: ...
    def on_test_batch_end(self, batch: int, logs: Logs = None) -> None: ...
    def on_predict_batch_begin(self, batch: int, logs: Logs = None) -> None: ...
    def on_predict_batch_end(self, batch: int, logs: Logs = None) -> None: ...

    # Keras' older names: the training-batch hooks call them, so a callback overriding either works.
    def on_batch_begin(self, batch: int, logs: Logs = None) -> None: ...
    def on_batch_end(self, batch: int, logs: Logs = None) -> None: ...

    def on_train_batch_begin(self, batch: int, logs: Logs = None) -> None:
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
        self.on_batch_end(batch, logs=logs)


class CallbackList(Callback):
    """Calls each hook on every callback in order, passing all of them the same ``logs`` dict."""

    def __init__(self, callbacks: Iterable[Callback] | Callback | None = None, model: Any = None,
                 params: dict[str, Any] | None = None) -> None:
        super().__init__()
        items = [callbacks] if isinstance(callbacks, Callback) else list(callbacks or [])
        for cb in items:
            if not isinstance(cb, Callback):
                raise TypeError(f"callbacks must be ts.callbacks.Callback instances; got {cb!r} "
                                f"({type(cb).__name__})")
        self.callbacks: list[Callback] = items
        if model is not None:
            self.set_model(model)
        if params is not None:
            self.set_params(params)

    def append(self, callback: Callback) -> None:
        self.callbacks.append(callback)

    def set_model(self, model: Any) -> None:
        super().set_model(model)
        for cb in self.callbacks:
            cb.set_model(model)

    def set_params(self, params: dict[str, Any]) -> None:
        super().set_params(params)
        for cb in self.callbacks:
            cb.set_params(params)

    # Keras passes logs by keyword to the batch hooks and by position to the others; so do we.
    def _each(self, hook: str, *args: Any) -> None:
        for cb in self.callbacks:
            getattr(cb, hook)(*args)

    def _each_batch(self, hook: str, batch: int, logs: Logs) -> None:
        logs = {} if logs is None else logs
        for cb in self.callbacks:
            getattr(cb, hook)(batch, logs=logs)

    def on_train_begin(self, logs: Logs = None) -> None:
        self._each("on_train_begin", {} if logs is None else logs)

    def on_train_end(self, logs: Logs = None) -> None:
        self._each("on_train_end", {} if logs is None else logs)

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        self._each("on_epoch_begin", epoch, {} if logs is None else logs)

    def on_epoch_end(self, epoch: int, logs: Logs = None) -> None:
        self._each("on_epoch_end", epoch, {} if logs is None else logs)

    def on_test_begin(self, logs: Logs = None) -> None:
        self._each("on_test_begin", {} if logs is None else logs)

    def on_test_end(self, logs: Logs = None) -> None:
        self._each("on_test_end", {} if logs is None else logs)

    def on_predict_begin(self, logs: Logs = None) -> None:
        self._each("on_predict_begin", {} if logs is None else logs)

    def on_predict_end(self, logs: Logs = None) -> None:
        self._each("on_predict_end", {} if logs is None else logs)

    def on_batch_begin(self, batch: int, logs: Logs = None) -> None:
        self._each_batch("on_batch_begin", batch, logs)

    def on_batch_end(self, batch: int, logs: Logs = None) -> None:
        self._each_batch("on_batch_end", batch, logs)

    def on_train_batch_begin(self, batch: int, logs: Logs = None) -> None:
        self._each_batch("on_train_batch_begin", batch, logs)

    def on_train_batch_end(self, batch: int, logs: Logs = None) -> None:
        self._each_batch("on_train_batch_end", batch, logs)

    def on_test_batch_begin(self, batch: int, logs: Logs = None) -> None:
        self._each_batch("on_test_batch_begin", batch, logs)

    def on_test_batch_end(self, batch: int, logs: Logs = None) -> None:
        self._each_batch("on_test_batch_end", batch, logs)

    def on_predict_batch_begin(self, batch: int, logs: Logs = None) -> None:
        self._each_batch("on_predict_batch_begin", batch, logs)

    def on_predict_batch_end(self, batch: int, logs: Logs = None) -> None:
        self._each_batch("on_predict_batch_end", batch, logs)


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


_MAX_NAMES = ("acc", "auc", "precision", "recall", "r2", "f1")  # metrics where larger is better


def _resolve_mode(owner: str, mode: str, monitor: str) -> str:
    if mode not in ("auto", "min", "max"):
        warnings.warn(f"{owner} mode {mode!r} is unknown, falling back to 'auto'", stacklevel=3)
        mode = "auto"
    if mode == "auto":
        name = monitor.removeprefix("val_").lower()
        mode = "max" if "loss" not in name and any(key in name for key in _MAX_NAMES) else "min"
    return mode


def _improves(mode: str, current: float, reference: float | None, min_delta: float) -> bool:
    if reference is None:
        return True
    return current < reference - min_delta if mode == "min" else current > reference + min_delta


def _copy_weights(model: Any) -> dict[str, np.ndarray]:
    return {name: np.array(value, copy=True) for name, value in model.state_dict().items()}


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
        self.monitor = monitor
        self.min_delta = abs(min_delta)
        self.patience = patience
        self.verbose = verbose
        self.mode = _resolve_mode("EarlyStopping", mode, monitor)
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
        if _improves(self.mode, current, self.best, self.min_delta):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_weights = _copy_weights(self.model)
            if self.baseline is None or _improves(self.mode, current, self.baseline, self.min_delta):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
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
        self.filepath = os.fspath(filepath)
        self.monitor = monitor
        self.verbose = verbose
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.mode = _resolve_mode("ModelCheckpoint", mode, monitor)
        self.save_freq = save_freq
        self.best: float | None = initial_value_threshold  # kept across fits, as Keras does
        self._epoch = 0
        self._batches_since_save = 0

    def on_epoch_begin(self, epoch: int, logs: Logs = None) -> None:
        self._epoch = epoch

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
        if _improves(self.mode, current, self.best, 0.0):
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


def _get_lr(optimizer: Any) -> float:
    return float(optimizer.lr if hasattr(optimizer, "lr") else optimizer.learning_rate)


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


class LambdaCallback(Callback):
    """A callback from plain functions: epoch hooks get ``(epoch, logs)``, batch hooks ``(batch, logs)``,
    train hooks ``(logs)``. Other hook names (``on_test_begin=...``) are accepted as keywords."""

    def __init__(self, on_epoch_begin: Callable | None = None, on_epoch_end: Callable | None = None,
                 on_train_begin: Callable | None = None, on_train_end: Callable | None = None,
                 on_train_batch_begin: Callable | None = None, on_train_batch_end: Callable | None = None,
                 **kwargs: Callable) -> None:
        super().__init__()
        unknown = sorted(set(kwargs) - set(HOOKS))
        if unknown:
            raise TypeError(f"LambdaCallback: unknown hook(s) {', '.join(unknown)}; known: {', '.join(HOOKS)}")
        hooks = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end, on_train_begin=on_train_begin,
                     on_train_end=on_train_end, on_train_batch_begin=on_train_batch_begin,
                     on_train_batch_end=on_train_batch_end, **kwargs)
        for name, fn in hooks.items():
            if fn is None:
                continue
            if not callable(fn):
                raise TypeError(f"LambdaCallback: {name} must be callable; got {fn!r}")
            if name in _RUN_HOOKS:
                setattr(self, name, lambda logs=None, fn=fn: fn(logs))
            else:
                setattr(self, name, lambda index, logs=None, fn=fn: fn(index, logs))


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
