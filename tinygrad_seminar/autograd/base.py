"""TensorBase: what the engine and the ops know of a tensor, and the one place its fields are set.

``Tensor`` (tensor.py) adds the operators, which call the ops; the ops and ``Function.apply`` know a
tensor only through this base (and make results as ``t.result_type.from_array(...)``), so the modules
import one another in one direction.
"""

from __future__ import annotations

import numpy as np


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


def data_of(x):
    """The array behind a Tensor; anything else as it is."""
    return x.data if isinstance(x, TensorBase) else x
