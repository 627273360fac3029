"""Hooks: functions a user attaches to a tensor or a module, each with a handle that removes it."""

from __future__ import annotations

from collections.abc import Callable


class HookHandle:
    """What ``register_hook`` returns: ``handle.remove()`` detaches the hook (again: nothing happens)."""

    __slots__ = ("hooks",)
    registered = 0  # hooks registered so far, anywhere: a ts.jit plan checks for new ones only when it changed

    def __init__(self, hooks: dict) -> None:
        self.hooks = hooks

    def remove(self) -> None:
        self.hooks.pop(self, None)

    def __enter__(self) -> HookHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


def add_hook(hooks: dict, fn: Callable, owner: str) -> HookHandle:
    """Append ``fn`` to ``hooks`` (run in registration order); its handle is its key."""
    if not callable(fn):
        raise TypeError(f"{owner}: a hook must be callable, got {type(fn).__name__}")
    handle = HookHandle(hooks)
    hooks[handle] = fn
    HookHandle.registered += 1
    return handle
