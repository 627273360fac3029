"""Composite ops: a function built from primitives, recorded so that a picture shows it as one op.

``x.mean()`` is a Sum and a Mul by 1/n to the engine, and backward runs both; to the person who wrote
it, it is ``mean``. Decorating the function with ``@composite("mean")`` puts a fresh ``Composite`` on
the scope (state.py) while it runs, so every op it records carries it, and ``ts.viz.draw_graph`` draws
the ops under one ``Composite`` as a single node labelled ``mean``. Nothing else reads it: the engine
differentiates the primitives as always.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from .state import thread_state


class Composite:
    """One call of a composed function: its ``label``; a new instance per call, so two means are two nodes."""

    __slots__ = ("label",)

    def __init__(self, label: str) -> None:
        self.label = label

    def __repr__(self) -> str:
        return f"Composite({self.label!r})"


def composite(label: str) -> Callable[[Callable], Callable]:
    """``@composite("mean")``: the ops the function records are drawn as one node, ``mean``.

    Use it on your own composed functions (a loss written from Tensor ops) to see them as you wrote them.
    Nested composites are drawn as the outermost one.
    """
    if not isinstance(label, str) or not label:
        raise TypeError(f"composite: label must be a non-empty str, got {label!r}; write @composite('name')")

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            prev = thread_state.scope  # pushed without a function call: this runs on every mean and loss
            thread_state.scope = prev + (Composite(label),)
            try:
                return fn(*args, **kwargs)
            finally:
                thread_state.scope = prev

        return wrapper

    return decorate
