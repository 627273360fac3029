"""``keras.optimizers``: Keras 3's SGD, Adam, RMSprop and Adagrad, and the names compile takes.

``compile(optimizer="adam")`` makes ``keras.optimizers.Adam()`` (Keras' formulas and defaults); an optimiser
of ``ts.optim`` (PyTorch's formulas) passed as an instance or a class is used as it is.
"""

from __future__ import annotations

from ...nn import optim
from . import schedules
from .base import KerasOptimizer
from .rules import SGD, Adagrad, Adam, RMSprop

OPTIMIZERS = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop, "adagrad": Adagrad}


def get(identifier) -> optim.Optimizer:
    """An optimiser from Keras' name ("sgd", "adam", "rmsprop", "adagrad", or "Adam"...), a class, or an instance."""
    if isinstance(identifier, str):
        try:
            return OPTIMIZERS[identifier.lower()]()
        except KeyError:
            raise ValueError(f"unknown optimizer {identifier!r}; known: {', '.join(OPTIMIZERS)}") from None
    if isinstance(identifier, type) and issubclass(identifier, optim.Optimizer):
        return identifier()
    if isinstance(identifier, optim.Optimizer):
        return identifier
    raise TypeError(f"optimizer must be a name or an optimiser, got {type(identifier).__name__}")


get_optimizer = get
Optimizer = KerasOptimizer

__all__ = ["SGD", "Adagrad", "Adam", "Optimizer", "RMSprop", "get", "get_optimizer", "schedules"]
