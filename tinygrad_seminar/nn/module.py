"""Module and Parameter, with PyTorch's habits (Sequential, the plain container, is in containers.py).

A Module finds its Parameters and sub-Modules by looking at its attributes (in the order they were
first assigned), including lists and tuples of them, so there is nothing to register by hand.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable, Iterator

import numpy as np

from ..autograd import Tensor, no_grad
from ..autograd.base import data_of
from ..autograd.hooks import HookHandle, add_hook
from ..autograd.jit_trace import replayed
from ..autograd.state import thread_state

_name_counts: dict[str, int] = {}


def reset_names() -> None:
    """Start the default names again (dense, dense_1, ...): Keras' ``clear_session``."""
    _name_counts.clear()


def unique_name(base: str) -> str:
    """Keras-style default names: dense, dense_1, dense_2, ..."""
    n = _name_counts.get(base, 0)
    _name_counts[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


@functools.cache
def forward_takes_training(cls: type) -> bool:
    """Whether ``cls.forward`` has a ``training`` parameter (Keras' ``call(inputs, training=None)``)."""
    return "training" in inspect.signature(cls.forward).parameters


def attributes(obj) -> dict:
    """A copy of ``obj``'s attributes to walk: another thread (a fit beside a predict) or the code consuming a walk
    may set attributes meanwhile, and a dict must not change size while it is iterated."""
    return vars(obj).copy()


def dtype_of(module) -> np.dtype:
    """A module's parameters' dtype; before they exist, the dtype its layers will have (else float32)."""
    first = next(module.parameter_walk(), None)  # the first parameter is enough: fit asks on every call
    if first is not None:
        return first[1].dtype
    # not built yet: a float64 model must never see float32-rounded data
    layers = (m for m in module.modules() if m is not module and isinstance(vars(m).get("dtype"), np.dtype))
    return next((m.dtype for m in layers), np.dtype(np.float32))


class Parameter(Tensor):
    """A Tensor that a Module trains: requires grad unless told otherwise."""

    __slots__ = ()

    def __new__(cls, data, requires_grad: bool = True, dtype=None, name: str | None = None):
        return super().__new__(cls, data, requires_grad=requires_grad, dtype=dtype, name=name)

    def __repr__(self) -> str:
        return "Parameter" + super().__repr__()[len("Tensor"):]


_OTHER, _MEMBER, _SEQUENCE = "other", "member", "sequence"
_KINDS: dict[type, str] = {}  # an attribute's type -> what the tree walk does with it (types do not change)
_SKIPPED: set[type] = set()  # the types kind_of found _OTHER: a walk passes them with one test (most attributes)


def kind_of(cls: type) -> str:
    """Whether a module's attribute of type ``cls`` is a Parameter or Module, a list or tuple, or neither."""
    kind = _KINDS[cls] = (_MEMBER if issubclass(cls, (Parameter, Module)) else
                          _SEQUENCE if issubclass(cls, (list, tuple)) else _OTHER)
    if kind is _OTHER:
        _SKIPPED.add(cls)
    return kind


class Module:
    """Base class of layers and models: ``forward`` plus parameter bookkeeping."""

    training: bool = True

    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        if kwargs and "training" in kwargs:  # Keras' layer(x, training=...): rare, so tested only when kwargs
            return self.call_in_mode(kwargs.pop("training"), args, kwargs)
        return self.forward_in_scope(args, kwargs)

    def forward_in_scope(self, args: tuple, kwargs: dict):
        """``forward`` between the forward hooks, inside this module's scope (what ``__call__`` runs)."""
        # the ops made inside carry this module, so a picture boxes them by layer (see state.thread_state)
        prev = thread_state.scope
        thread_state.scope = prev + (self,)
        try:
            hooks = self.__dict__.get("_forward_hook_dicts")  # (pre, post), once a hook was registered
            if hooks is None:
                return self.forward(*args, **kwargs)
            return self._hooked_forward(hooks, args, kwargs)
        finally:
            thread_state.scope = prev

    def call_in_mode(self, training: bool | None, args: tuple, kwargs: dict):
        """Keras' ``layer(x, training=...)``: a ``forward`` with a ``training`` parameter is given it; every
        module below runs this one call in that mode (dropout on or off), then gets its own mode back."""
        if training is None:
            return self.forward_in_scope(args, kwargs)
        if forward_takes_training(type(self)):
            kwargs["training"] = training
        if all(m.training == training for m in self.modules()):
            return self.forward_in_scope(args, kwargs)
        modes = [(m, m.training) for m in self.modules()]
        self.train(bool(training))
        try:
            return self.forward_in_scope(args, kwargs)
        finally:
            for m, mode in modes:
                m.training = mode

    def _hooked_forward(self, hooks: tuple, args: tuple, kwargs: dict):
        """``forward`` between the forward pre-hooks and the forward hooks."""
        for fn in list(hooks[0].values()):
            new = fn(self, args)
            if new is not None:
                args = new if isinstance(new, tuple) else (new,)
        out = self.forward(*args, **kwargs)
        for fn in list(hooks[1].values()):
            new = fn(self, args, out)
            if new is not None:
                out = new
        return out

    # ---- hooks (PyTorch's) ----
    def register_forward_pre_hook(self, fn: Callable) -> HookHandle:
        """``fn(module, inputs)`` before each forward; it may return new inputs (a tuple, or one value)."""
        return add_hook(self.__dict__.setdefault("_forward_hook_dicts", ({}, {}))[0], fn, "register_forward_pre_hook")

    def register_forward_hook(self, fn: Callable) -> HookHandle:
        """``fn(module, inputs, output)`` after each forward; it may return a replacement output."""
        return add_hook(self.__dict__.setdefault("_forward_hook_dicts", ({}, {}))[1], fn, "register_forward_hook")

    def compute_output_shape(self, input_shape: tuple) -> tuple:
        """The output's shape for inputs of ``input_shape`` (None for the batch axis), as in Keras.

        This default runs ``forward`` on one sample of zeros, without recording; layers that know their
        shape say it without running anything.
        """
        with self.inference():
            out = self(Tensor.from_array(np.zeros((1,) + tuple(input_shape[1:]), dtype_of(self))))
        return (input_shape[0],) + tuple(out.shape[1:])

    # ---- describing itself (what saving stores; Keras' names) ----
    def get_config(self) -> dict:
        """The constructor's arguments that rebuild this layer (weights aside): ``type(self)(**config)``."""
        raise NotImplementedError(
            f"{type(self).__name__} does not describe itself: give it get_config(), returning the arguments of its "
            "constructor as a dict, to save it in a model")

    @classmethod
    def from_config(cls, config: dict) -> Module:
        """The layer that ``get_config`` describes (its weights are created when it is built)."""
        return cls(**config)

    # ---- the tree ----
    def named_children(self) -> Iterator[tuple[str, Module]]:
        kinds, skipped = _KINDS, _SKIPPED
        for name, value in attributes(self).items():
            t = type(value)
            if t in skipped:
                continue
            kind = kinds.get(t) or kind_of(t)
            if kind is _MEMBER:
                if isinstance(value, Module):
                    yield name, value
            elif kind is _SEQUENCE:
                for i, v in enumerate(value):
                    if isinstance(v, Module):
                        yield f"{name}.{i}", v

    def children(self) -> Iterator[Module]:
        return (m for _, m in self.named_children())

    def modules(self) -> Iterator[Module]:
        """This module and every module below it, depth first."""
        out, stack, kinds, skipped = [], [self], _KINDS, _SKIPPED
        while stack:
            m = stack.pop()
            out.append(m)
            if type(m).named_children is not Module.named_children:  # its own override names the children
                stack.extend(reversed([c for _, c in m.named_children()]))
                continue
            children = []  # named_children's walk written out: fit walks the tree several times per call
            for value in attributes(m).values():
                t = type(value)
                if t in skipped:
                    continue
                kind = kinds.get(t) or kind_of(t)
                if kind is _MEMBER:
                    if isinstance(value, Module):
                        children.append(value)
                elif kind is _SEQUENCE:
                    children.extend([v for v in value if isinstance(v, Module)])
            stack.extend(reversed(children))
        return iter(out)

    def _own_parameters(self) -> Iterator[tuple[str, Parameter]]:
        for name, value in attributes(self).items():
            if isinstance(value, Parameter):
                yield name, value
            elif isinstance(value, (list, tuple)):
                for i, v in enumerate(value):
                    if isinstance(v, Parameter):
                        yield f"{name}.{i}", v

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) pairs in a stable order; a shared parameter is listed once."""
        return iter(self._parameter_list(prefix))

    def _parameter_list(self, prefix: str = "", trainable_only: bool = False) -> list[tuple[str, Parameter]]:
        """named_parameters as a list (fit and the optimiser ask for the parameters several times per call)."""
        return list(self.parameter_walk(prefix, trainable_only))

    def parameter_walk(self, prefix: str = "", trainable_only: bool = False) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter) in named_parameters' order, found as the walk goes: one pass over each module's
        attributes, each classified by its type once."""
        seen: set = set()
        stack = [(prefix, self)]
        kinds, skipped = _KINDS, _SKIPPED
        while stack:
            pre, m = stack.pop()
            plain = type(m).named_children is Module.named_children  # else its own override names the children
            children = []
            for name, value in attributes(m).items():
                t = type(value)
                if t in skipped:
                    continue
                kind = kinds.get(t) or kind_of(t)
                if kind is _OTHER:
                    continue
                items = enumerate(value) if kind is _SEQUENCE else ((None, value),)
                for i, v in items:
                    if isinstance(v, Parameter):
                        if id(v) not in seen and (v.requires_grad or not trainable_only):
                            seen.add(id(v))
                            yield pre + name if i is None else f"{pre}{name}.{i}", v
                    elif plain and isinstance(v, Module):
                        children.append((f"{pre}{name}." if i is None else f"{pre}{name}.{i}.", v))
            if not plain:
                children = [(f"{pre}{n}.", c) for n, c in m.named_children()]
            stack.extend(reversed(children))

    def parameters(self) -> list[Parameter]:
        """Every parameter, frozen ones included."""
        return [p for _, p in self._parameter_list()]

    def trainable_parameters(self) -> list[Parameter]:
        """The parameters an optimiser should update (those that require grad)."""
        return [p for _, p in self._parameter_list(trainable_only=True)]

    @replayed
    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = None

    # ---- modes ----
    def train(self, mode: bool = True) -> Module:
        for m in self.modules():
            m.training = mode
        return self

    def eval(self) -> Module:
        return self.train(False)

    @contextlib.contextmanager
    def inference(self):
        """``with model.inference():`` eval mode and no graph inside; every module's mode restored after."""
        saved = [(m, m.training) for m in self.modules()]
        self.eval()
        try:
            with no_grad():
                yield self
        finally:
            for m, mode in saved:
                m.training = mode

    @property
    def trainable(self) -> bool:
        """Keras' flag: False freezes every parameter below this module."""
        return vars(self).get("_trainable", True)

    @trainable.setter
    def trainable(self, flag: bool) -> None:
        for m in self.modules():
            m.__dict__["_trainable"] = bool(flag)
            for _, p in m._own_parameters():
                p.requires_grad_(bool(flag))

    # ---- state ----
    def state_dict(self) -> dict[str, np.ndarray]:
        """name -> a numpy copy of each parameter, in named_parameters order."""
        return {name: p.data.copy() for name, p in self.named_parameters()}

    def load_state_dict(self, state_dict: dict, strict: bool = True) -> None:
        """Copy values in; every problem is reported at once, and a failed load changes nothing."""
        own = dict(self.named_parameters())
        problems = []
        if strict:
            problems += [f"  missing key {k!r} (expected shape {own[k].shape})" for k in own if k not in state_dict]
            problems += [f"  unexpected key {k!r} (received shape {np.shape(v)})" for k, v in state_dict.items()
                         if k not in own]
        new = {}
        for k, v in state_dict.items():
            if k not in own:
                continue
            v = np.asarray(data_of(v))
            p = own[k]
            if v.shape != p.shape:
                problems.append(f"  {k!r}: expected shape {p.shape}, received {v.shape}")
            elif v.dtype != p.dtype:
                problems.append(f"  {k!r}: expected dtype {p.dtype}, received {v.dtype}")
            else:
                new[k] = v
        if problems:
            raise ValueError(f"load_state_dict into {type(self).__name__} failed; nothing was changed:\n"
                             + "\n".join(problems))
        for k, v in new.items():
            own[k].data = v.copy()

    # ---- display ----
    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        children = list(self.named_children())
        if not children:
            return f"{type(self).__name__}({self.extra_repr()})"
        lines = [f"{type(self).__name__}("]
        for name, child in children:
            body = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        return "\n".join(lines) + "\n)"
