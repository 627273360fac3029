"""``LambdaCallback``, a callback made from plain functions, one per hook."""

from __future__ import annotations

from collections.abc import Callable

from .callback import HOOKS, RUN_HOOKS, Callback


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
            if name in RUN_HOOKS:
                setattr(self, name, lambda logs=None, fn=fn: fn(logs))
            else:
                setattr(self, name, lambda index, logs=None, fn=fn: fn(index, logs))
