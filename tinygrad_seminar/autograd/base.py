"""TensorBase: what the engine and the ops know of a tensor, and the one place its fields are set.

``Tensor`` (tensor.py) adds the operators, which call the ops; the ops and ``Function.apply`` know a
tensor only through this base (and make results as ``t.result_type.from_array(...)``), so the modules
import one another in one direction.
"""

from __future__ import annotations

from operator import attrgetter

import numpy as np

_new = object.__new__


class TensorBase:
    """An array with the graph fields: ``data``, ``grad``, ``requires_grad``, ``grad_fn``, ``name``.

    ``hooks`` is None, or a dict {handle: fn} of the functions ``register_hook`` attached.
    """

    __slots__ = ("data", "grad", "requires_grad", "grad_fn", "name", "retains_grad", "hooks", "__weakref__")
    __array_ufunc__ = None  # so that ndarray + Tensor reaches Tensor.__radd__ instead of numpy
    # what an op or the engine makes from a tensor of this class: a plain Tensor, also from a Parameter
    # (tensor.py sets it, as Tensor cannot name itself in its own body)
    result_type: type[TensorBase]

    @classmethod
    def from_array(cls, data: np.ndarray, grad_fn=None, name: str | None = None) -> TensorBase:
        """A tensor on ``data`` as it is (no copy, no checks): every tensor's fields are set here."""
        t = object.__new__(cls)
        t.data, t.grad, t.grad_fn, t.name, t.retains_grad, t.hooks = data, None, grad_fn, name, False, None
        t.requires_grad = grad_fn is not None
        return t


    def __deepcopy__(self, memo: dict) -> TensorBase:
        """A leaf's copy (a Parameter stays one): its own data and grad, no hooks. As in PyTorch, leaves only."""
        if self.grad_fn is not None:
            raise RuntimeError("only tensors made by the user (leaves) can be deep-copied, not one computed by an op: "
                               "copy its value with t.detach() and np.copy, or deep-copy the leaves it came from")
        t = type(self).from_array(self.data.copy(), name=self.name)
        t.requires_grad, t.grad = self.requires_grad, None if self.grad is None else self.grad.copy()
        memo[id(self)] = t
        return t

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None


class Freed(TensorBase):
    """What a node keeps of an input after a backward that freed the graph: its place, not its values.

    ``data`` is a read-only view of one element with the input's shape and dtype (no memory of its own),
    so the graph can still be walked, drawn ("freed by backward()") and, where no op saved values, run backward
    again; ``grad_fn``, ``name``, ``requires_grad`` and ``hooks`` are the input's.
    """

    __slots__ = ()
    shape = property(attrgetter("data.shape"), doc="The array's shape.")
    dtype = property(attrgetter("data.dtype"), doc="The array's dtype.")

    def __repr__(self) -> str:
        op = "" if self.grad_fn is None else f", grad_fn=<{type(self.grad_fn).__name__}>"
        return f"Freed(shape={self.shape}, dtype={self.dtype}{op})"

    @staticmethod
    def of(t: TensorBase, freed: dict) -> Freed:
        """``t``'s one Freed in a backward: ``freed`` (one per backward) maps a tensor's id to (the tensor, its Freed),
        so however many ops read ``t`` the freed graph has the shape the graph had (one node in a picture, one hook
        call). The tensor is held there until the backward ends, so its id stays its own. The slots are set here
        directly: every backward that frees a graph makes one per freed input."""
        found = freed.get(id(t))
        if found is not None:
            return found[1]
        d = t.data
        p = PLACEHOLDERS.get((d.shape, d.dtype))
        f = _new(Freed)
        f.data, f.grad, f.grad_fn, f.name = placeholder(d) if p is None else p, None, t.grad_fn, t.name
        f.requires_grad, f.retains_grad, f.hooks = t.requires_grad, False, t.hooks
        freed[id(t)] = (t, f)
        return f


KEPT_ELEMENTS = 16  # a freed graph keeps inputs this small as they are, so a picture drawn after backward shows them
PLACEHOLDERS: dict[tuple, np.ndarray] = {}  # (shape, dtype) -> its placeholder, shared: a step's shapes repeat


def placeholder(a: np.ndarray) -> np.ndarray:
    """A read-only array of ``a``'s shape and dtype holding no memory of its own (one element)."""
    key = (a.shape, a.dtype)
    found = PLACEHOLDERS.get(key)
    if found is None:
        if len(PLACEHOLDERS) >= 1024:  # shapes that never repeat (varying lengths) must not pile up
            PLACEHOLDERS.clear()
        found = PLACEHOLDERS[key] = np.broadcast_to(np.zeros((), a.dtype), a.shape)
    return found


def described(inputs: tuple, freed: dict) -> tuple | None:
    """``inputs`` as a node keeps them once the graph is freed (None when that changes nothing): parameters, tensors
    that retain grad and values of at most KEPT_ELEMENTS as they are; the rest freed (``freed``: see Freed.of)."""
    out = None
    for k, a in enumerate(inputs):
        if isinstance(a, TensorBase):
            if ((a.requires_grad and a.grad_fn is None) or a.retains_grad or type(a) is Freed
                    or a.data.size <= KEPT_ELEMENTS):
                continue
            if out is None:
                out = list(inputs)
            out[k] = Freed.of(a, freed)
        elif type(a) is np.ndarray and a.size > KEPT_ELEMENTS:  # labels, masks given as arrays: their shape only
            if out is None:
                out = list(inputs)
            out[k] = placeholder(a)
    return None if out is None else tuple(out)


def data_of(x):
    """The array behind a Tensor; anything else as it is."""
    return x.data if isinstance(x, TensorBase) else x
