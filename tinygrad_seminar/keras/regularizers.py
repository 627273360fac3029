"""Keras' weight regularizers: ``L1``, ``L2``, ``L1L2`` (also spelt ``l1``, ``l2``, ``l1_l2``).

A regularizer is called on a weight Tensor and returns its penalty, a scalar Tensor; the model adds the
penalties of its layers to the loss of every batch (``model.losses``), so the loss that fit and evaluate
report includes them, as in Keras. The formulas are Keras 3's: ``l1 * sum(|w|)`` and ``l2 * sum(w**2)``
(no factor 1/2).
"""

from __future__ import annotations

from ..autograd import Tensor
from ..nn.optim.optimizer import check_number


class RegularizedKernel:
    """Mixed into a Keras layer with ``kernel_regularizer``, ``bias_regularizer`` and ``kernel_init_spec``:
    its penalties (Keras' ``layer.losses``) and their place in its config."""

    def regularization_losses(self) -> list[Tensor]:
        """The regularizers' penalties on this layer's weights; elementwise, so the weight's layout does not matter."""
        out = []
        if self.kernel_regularizer is not None and self.weight is not None:
            out.append(self.kernel_regularizer(self.weight))
        if self.bias_regularizer is not None and self.bias is not None:
            out.append(self.bias_regularizer(self.bias))
        return out

    def get_config(self) -> dict:
        config = super().get_config()
        if isinstance(self.kernel_init_spec, str):
            config["kernel_initializer"] = self.kernel_init_spec
        config["kernel_regularizer"] = serialize(self.kernel_regularizer)
        config["bias_regularizer"] = serialize(self.bias_regularizer)
        return config


class Regularizer:
    """The base: ``regularizer(weight) -> penalty`` and ``get_config()``."""

    def __call__(self, x: Tensor) -> Tensor:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Regularizer:
        return cls(**config)


class L1L2(Regularizer):
    """``l1 * sum(|w|) + l2 * sum(w**2)``; Keras' defaults l1=0.0, l2=0.0."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1 = check_number(type(self).__name__, "l1", l1)
        self.l2 = check_number(type(self).__name__, "l2", l2)

    def __call__(self, x: Tensor) -> Tensor:
        penalty = None
        if self.l1:
            penalty = x.abs().sum() * self.l1
        if self.l2:
            term = (x * x).sum() * self.l2
            penalty = term if penalty is None else penalty + term
        return (x * 0.0).sum() if penalty is None else penalty

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}

    def __repr__(self) -> str:
        return f"{type(self).__name__}(l1={self.l1}, l2={self.l2})"


class L1(L1L2):
    """``l1 * sum(|w|)``; Keras' default l1=0.01."""

    def __init__(self, l1: float = 0.01):
        super().__init__(l1=l1)

    def get_config(self) -> dict:
        return {"l1": self.l1}


class L2(L1L2):
    """``l2 * sum(w**2)``; Keras' default l2=0.01."""

    def __init__(self, l2: float = 0.01):
        super().__init__(l2=l2)

    def get_config(self) -> dict:
        return {"l2": self.l2}


l1, l2, l1_l2 = L1, L2, L1L2  # Keras exports the classes under these names too
_BY_NAME = {"l1": L1, "l2": L2, "l1_l2": L1L2, "L1": L1, "L2": L2, "L1L2": L1L2}


def get(identifier) -> Regularizer | None:
    """A regularizer from None, an instance, a name ("l2"), or what ``serialize`` wrote (``["L2", {"l2": 0.01}]``)."""
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, str) and identifier in _BY_NAME:
        return _BY_NAME[identifier]()
    if isinstance(identifier, (list, tuple)) and len(identifier) == 2 and identifier[0] in _BY_NAME:
        return _BY_NAME[identifier[0]].from_config(dict(identifier[1]))  # what serialize wrote
    if callable(identifier):
        return identifier
    raise ValueError(f"unknown regularizer {identifier!r}; known: l1, l2, l1_l2 (or an instance)")


def serialize(regularizer) -> list | None:
    """A built-in regularizer as JSON (what a saved layer stores); None stays None."""
    if regularizer is None:
        return None
    if type(regularizer) not in (L1, L2, L1L2):
        raise ValueError(f"cannot save the regularizer {regularizer!r}: only l1, l2 and l1_l2 are stored")
    return [type(regularizer).__name__, regularizer.get_config()]


__all__ = ["L1", "L1L2", "L2", "Regularizer", "get", "l1", "l1_l2", "l2", "serialize"]
