"""``Callback``, the base of the Keras-style callbacks, and ``CallbackList``, which calls a hook on each of
several; also the hook names.

Hooks are what ``fit``, ``evaluate`` and ``predict`` call at fixed points. The model a callback is given needs
``stop_training``, ``state_dict()`` / ``load_state_dict(d)``, ``save(path)`` / ``save_weights(path)`` and
``optimizer.lr``, as far as the callback uses them. Epochs and batches are 0-based in the hooks, as in Keras;
messages and file names count epochs from 1.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

__all__ = ["HOOKS", "RUN_HOOKS", "Callback", "CallbackList", "Logs"]

Logs = dict[str, Any] | None

RUN_HOOKS = ("on_train_begin", "on_train_end", "on_test_begin", "on_test_end", "on_predict_begin",
             "on_predict_end")  # called with (logs); the other hooks with (epoch or batch, logs)
HOOKS = RUN_HOOKS + ("on_epoch_begin", "on_epoch_end", "on_batch_begin", "on_batch_end", "on_train_batch_begin",
                     "on_train_batch_end", "on_test_batch_begin", "on_test_batch_end", "on_predict_batch_begin",
                     "on_predict_batch_end")


OLDER_NAMES = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}  # see Callback


class Callback:
    """Base class: override the hooks you need; ``self.model`` and ``self.params`` are set by the caller."""

    def __init__(self) -> None:
        self.model: Any = None
        self.params: dict[str, Any] = {}

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_params(self, params: dict[str, Any]) -> None:
        self.params = params

    def only_reads(self, hook: str) -> bool:
        """Whether this callback's ``hook`` only reads its logs (a progress bar), changing no model: ``fit``,
        ``evaluate`` and ``predict`` then call a captured plan directly around it, without checking the plan's guard
        each batch. False here; a callback of yours that only records or prints may return True."""
        return False

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

    def only_read(self, name: str) -> bool:
        """Whether every callback acting on the hook ``name`` only reads its logs (see ``Callback.only_reads``)."""
        return all(cb.only_reads(name) for cb in self.callbacks if acts_on(cb, name))

    def batch_hook(self, name: str) -> Callable[..., None] | None:
        """The batch hook ``name`` for a fit, evaluate or predict loop: a function that calls it on the callbacks
        that act on it, or None where none does, so that a batch costs no calls (as Keras skips them)."""
        hooks = [getattr(cb, name) for cb in self.callbacks if acts_on(cb, name)]
        if not hooks:
            return None

        def call(batch: int, logs: Logs = None) -> None:
            logs = {} if logs is None else logs
            for hook in hooks:
                hook(batch, logs=logs)

        return call

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


def own_hook(cb: Callback, cls: type, hook: str) -> bool:
    """Whether ``cb`` runs ``cls``'s own code at ``hook``: it is a ``cls`` (not a subclass, whose hooks may do more)
    with no hook set on the object. What a built-in callback's ``only_reads`` asks first."""
    return type(cb) is cls and hook not in vars(cb) and OLDER_NAMES.get(hook) not in vars(cb)


def acts_on(cb: Callback, name: str) -> bool:
    """Whether ``cb`` does anything at the hook ``name``: the hook (or, for a training batch, Keras' older name
    for it, which the base class calls) is overridden by its class or set on the object (LambdaCallback)."""
    names = (name, OLDER_NAMES[name]) if name in OLDER_NAMES else (name,)
    return any(n in vars(cb) or getattr(type(cb), n) is not getattr(Callback, n) for n in names)
