"""What tells two freed nodes of a graph apart (compact.py shares those alike): keys of values, arrays and
dicts; which tensors and ops keep their identity; and ``twins``, two graphs alike node for node."""

from __future__ import annotations

import dataclasses

import numpy as np

from .base import KEPT_ELEMENTS, PLACEHOLDERS, Freed, TensorBase
from .composites import Composite
from .function import RELEASED, Function
from .several import OutputOf

OP_FIELDS = {"inputs", "kwargs", "saved", "arrays", "scope", "__dict__", "__weakref__"}
ATOMS = (bool, int, str, bytes, type(None), type(Ellipsis))
MISSING = object()
_plain_classes: dict[type, bool] = {}


def twins(new, old) -> bool:
    """Whether the freed graph below op ``new`` is, node for node, the one below op ``old`` (already compacted):
    the same classes, arguments, scopes (a one-to-one map of composites), shapes, dtypes, names and parameters,
    and nothing that keeps its identity. Then full compaction would give ``new`` the fields of ``old``."""
    pairs, seen, composites = [(new, old)], {}, {}
    while pairs:
        a, b = pairs.pop()
        if a is b:
            continue
        if seen.setdefault(id(a), b) is not b or seen.setdefault(id(b), a) is not a or type(a) is not type(b):
            return False
        if isinstance(a, TensorBase):
            if (keeps_identity(a) or keeps_identity(b) or a.grad_fn is None and a.requires_grad
                    or (a.data.shape, a.data.dtype) != (b.data.shape, b.data.dtype)
                    or (type(a) is not Freed and array_key(a.data) != array_key(b.data))
                    or value_key(a.name) != value_key(b.name) or a.requires_grad != b.requires_grad
                    or (a.grad_fn is None) != (b.grad_fn is None)):
                return False
            if a.grad_fn is not None:
                pairs.append((a.grad_fn, b.grad_fn))
            continue
        if not twin_ops(a, b, composites):
            return False
        for x, y in zip(a.inputs, b.inputs):
            if isinstance(x, TensorBase) and isinstance(y, TensorBase):
                pairs.append((x, y))
            elif isinstance(x, TensorBase) or isinstance(y, TensorBase) or value_key(x) is None \
                    or value_key(x) != value_key(y):
                return False
    return True


def twin_ops(a, b, composites: dict) -> bool:
    """Two ops alike as their keys would say (class, kwargs, attributes, saved, scope), both freed and plain."""
    if (type(a) is OutputOf or not plain_op(type(a)) or getattr(a, "arrays", None) != ()
            or not isinstance(a.inputs, tuple) or len(a.inputs) != len(b.inputs) or len(a.scope) != len(b.scope)):
        return False
    if (a.saved is RELEASED) != (b.saved is RELEASED) or (a.saved is not RELEASED and
                                                         value_key(a.saved) != value_key(b.saved)):
        return False
    for x, y in ((a.kwargs, b.kwargs), (own_attributes(a), own_attributes(b))):
        kx = dict_key(x)
        if kx is None or kx != dict_key(y):
            return False
    for e, f in zip(a.scope, b.scope):
        if isinstance(e, Composite) != isinstance(f, Composite):
            return False
        if not isinstance(e, Composite):
            if e is not f:
                return False
        elif e.label != f.label or composites.setdefault(id(e), f) is not f or \
                composites.setdefault(("image", id(f)), e) is not e:
            return False
    return True


def own_attributes(c) -> dict:
    """An op's attributes but those equal to its class's (a compacted root has dropped them, see _drop_defaults)."""
    cls = type(c)
    return {k: v for k, v in attributes_of(c).items() if value_key(v) != value_key(getattr(cls, k, MISSING))}


def keeps_identity(t: TensorBase) -> bool:
    """A tensor that is not shared: hooks, retain_grad or a .grad of its own, values of its own, unknown fields."""
    if t.hooks is not None or t.retains_grad or t.grad is not None or not plain_tensor(type(t)):
        return True
    if type(t) is Freed:
        return False
    size = t.data.size
    return size > KEPT_ELEMENTS or (t.grad_fn is not None and size > 0)  # an empty one: a tuple's hidden node


def attributes_of(c) -> dict:
    """An op's own attributes but ``output_refs`` (weak references to its outputs, unused once freed); reading
    ``__dict__`` makes one, so an empty one is dropped again."""
    d = getattr(c, "__dict__", None)
    if not d:
        if d is not None:
            del c.__dict__
        return {}
    return {k: v for k, v in d.items() if k != "output_refs"} if "output_refs" in d else d


def plain_op(cls: type) -> bool:
    """An op whose every field is one the key reads (no slots of its own)."""
    found = _plain_classes.get(cls)
    if found is None:
        slots = {s for k in cls.__mro__ for s in slots_of(k)}
        found = _plain_classes[cls] = slots <= OP_FIELDS and issubclass(cls, (Function, OutputOf))
    return found


def plain_tensor(cls: type) -> bool:
    """A tensor class with no fields beyond TensorBase's (and so no __dict__)."""
    found = _plain_classes.get(cls)
    if found is None:
        found = _plain_classes[cls] = all(k is object or "__slots__" in k.__dict__ for k in cls.__mro__) and \
            {s for k in cls.__mro__ for s in slots_of(k)} <= set(TensorBase.__slots__)
    return found


def slots_of(cls: type) -> tuple:
    s = cls.__dict__.get("__slots__", ())
    return (s,) if isinstance(s, str) else tuple(s)


def array_key(a: np.ndarray):
    """What tells arrays apart in a freed graph: a placeholder by shape and dtype, a small one by its values."""
    if PLACEHOLDERS.get((a.shape, a.dtype)) is a:
        return ("placeholder", a.shape, a.dtype)
    if a.size > KEPT_ELEMENTS or a.dtype.kind not in "biufcmMSU":
        return None
    return ("array", a.shape, a.dtype, a.tobytes())


def dict_key(d: dict):
    if not isinstance(d, dict):
        return None
    items = tuple((k, value_key(v)) for k, v in d.items())
    return None if any(v is None for _, v in items) else items


def value_key(v, depth: int = 0):
    """A hashable key, equal for two values a picture or a backward cannot tell apart; None for one unknown here.

    Types count (1, 1.0 and True differ) and so do the bits of a float (-0.0 and 0.0 differ, nan equals nan)."""
    t = type(v)
    if t in ATOMS:
        return (t, v)
    if t is float:
        return (t, v.hex())
    if t is np.ndarray:
        return array_key(v)
    if isinstance(v, np.generic):
        return (t, v.tobytes()) if v.dtype.kind in "biufcmMSU" else None
    if isinstance(v, (np.dtype, type)):
        return ("type", v)
    if depth > 4:  # nested deeper than any argument of an op: unknown
        return None
    if t is slice:
        parts = (value_key(v.start, depth + 1), value_key(v.stop, depth + 1), value_key(v.step, depth + 1))
    elif isinstance(v, (tuple, list)):
        parts = tuple(value_key(x, depth + 1) for x in v)
    elif dataclasses.is_dataclass(v) and t.__dataclass_params__.frozen:
        parts = tuple(value_key(getattr(v, f.name), depth + 1) for f in dataclasses.fields(v))
    else:
        return None
    return None if any(p is None for p in parts) else (t, parts)
