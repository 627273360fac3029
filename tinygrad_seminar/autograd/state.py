"""The autograd's global state, owned here and nowhere else: grad mode, anomaly mode and the scope, per thread.

Grad mode says whether ops record the graph that backward needs. As in PyTorch it belongs to a
thread: ``predict`` running under ``no_grad`` in one thread leaves training in another untouched.
``no_grad``, ``enable_grad`` and ``set_grad_enabled`` work as context managers and as decorators (a
fresh context for every call, generator functions included); ``set_grad_enabled(mode)`` also works as
a plain call, switching the mode at once. ``detect_anomaly()`` makes every op check what it produces.

The scope is the tuple of what is running now, outermost first: each Module whose ``__call__`` is under
way, and each composed function labelled with ``composite`` (``mean``, a loss). Every recorded op keeps
the scope it was made in, so a picture of the graph can box a layer's ops and draw ``mean`` as one node.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable

import numpy as np


class _ThreadState(threading.local):
    grad_enabled = True  # each thread starts with recording on, as in PyTorch
    anomaly: detect_anomaly | None = None  # the innermost detect_anomaly() in force, if any
    scope: tuple = ()  # the modules and composite labels running now, outermost first
    jit = None  # the recorder of a ts.jit step being captured in this thread (jit.py sets it), else None


_local = _ThreadState()
# The per-thread state itself, for the hot paths, where a function call would cost more than the read: Function.apply
# reads the scope, grad mode and anomaly mode; propagate reads anomaly mode and swaps grad mode (putting it back in a
# finally); Module.__call__ and composite functions push an entry with ``prev = thread_state.scope;
# thread_state.scope = prev + (entry,)`` and put ``prev`` back in a finally. ``thread_state.jit`` is read by
# Function.apply, engine.backward and methods marked ``replayed`` (one check each) and written only by jit.py and
# jit_trace.py, around one captured call. Nothing else writes it.
thread_state = _local


def is_grad_enabled() -> bool:
    """True when ops record the graph that backward needs (in this thread)."""
    return _local.grad_enabled


def anomaly_mode() -> detect_anomaly | None:
    """The ``detect_anomaly`` in force in this thread (it says whether inf counts), or None."""
    return _local.anomaly


def current_scope() -> tuple:
    """The modules and composite labels running now in this thread, outermost first."""
    return _local.scope


class _GradModeContext:
    """What the three grad-mode switches share: decorating a function, generators included."""

    def clone(self) -> _GradModeContext:
        """A fresh context of the same kind, so each decorated call keeps its own saved mode."""
        return type(self)()

    def __call__(self, fn: Callable) -> Callable:
        if inspect.isgeneratorfunction(fn):
            return _wrap_generator(self, fn)

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)

        return wrapper


def _wrap_generator(context: _GradModeContext, fn: Callable) -> Callable:
    """The generator's body runs under the mode, and the caller's mode is back whenever it yields."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        gen = fn(*args, **kwargs)
        try:
            with context.clone():
                response = gen.send(None)
            while True:
                try:
                    request = yield response
                except GeneratorExit:
                    with context.clone():
                        gen.close()
                    raise
                except BaseException as e:
                    with context.clone():
                        response = gen.throw(e)
                else:
                    with context.clone():
                        response = gen.send(request)
        except StopIteration as stop:
            return stop.value

    return wrapper


class _SwitchOnEnter(_GradModeContext):
    mode = True

    def __init__(self) -> None:
        self.prev: list[bool] = []  # a stack, so one instance can be entered again inside itself

    def __enter__(self):
        self.prev.append(_local.grad_enabled)
        _local.grad_enabled = self.mode
        return self

    def __exit__(self, *exc) -> bool:
        _local.grad_enabled = self.prev.pop()
        return False


class no_grad(_SwitchOnEnter):
    """``with ts.no_grad():`` or ``@ts.no_grad()``: ops record nothing in this thread, as in PyTorch."""

    mode = False


class enable_grad(_SwitchOnEnter):
    """Turn recording back on inside a ``no_grad`` block (this thread only)."""

    mode = True


class set_grad_enabled(_GradModeContext):
    """``set_grad_enabled(False)`` switches grad mode at once; in a ``with`` it is restored on exit.

    As a decorator (``@set_grad_enabled(False)``) it leaves the mode alone until the function runs.
    """

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, (bool, np.bool_)):
            raise TypeError(f"set_grad_enabled: mode must be True or False, got {mode!r}")
        self.mode, self.prev = bool(mode), _local.grad_enabled
        _local.grad_enabled = self.mode

    def clone(self) -> set_grad_enabled:
        return type(self)(self.mode)

    def __enter__(self):
        _local.grad_enabled = self.mode  # entered again after an exit, the mode holds again (as PyTorch's)
        return self

    def __exit__(self, *exc) -> bool:
        _local.grad_enabled = self.prev
        return False

    def __call__(self, fn: Callable) -> Callable:
        _local.grad_enabled = self.prev  # decorating must not switch the mode: undo what __init__ did
        return super().__call__(fn)


class AnomalyError(RuntimeError):
    """An op produced NaN (or inf, with check_inf=True) under ``detect_anomaly()``; the message says where."""


class detect_anomaly(_GradModeContext):
    """``with ts.detect_anomaly():`` (or ``@ts.detect_anomaly()``): the first op to produce NaN raises AnomalyError.

    It checks every op's output in forward and its gradients in backward, and names the op, the direction,
    its input shapes and the line of your code that created it (recorded only while the mode is on).
    ``check_inf=True`` counts infinities too; by default they pass (``log(0)`` is legitimate in masked code).
    """

    def __init__(self, check_inf: bool = False) -> None:
        if not isinstance(check_inf, (bool, np.bool_)):
            hint = "; as a decorator write @ts.detect_anomaly() with parentheses" if callable(check_inf) else ""
            raise TypeError(f"detect_anomaly: check_inf must be True or False, got {type(check_inf).__name__}{hint}")
        self.check_inf, self.prev = bool(check_inf), []

    def clone(self) -> detect_anomaly:
        return type(self)(self.check_inf)

    def __enter__(self):
        self.prev.append(_local.anomaly)
        _local.anomaly = self
        return self

    def __exit__(self, *exc) -> bool:
        _local.anomaly = self.prev.pop()
        return False
