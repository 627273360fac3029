"""Optimisers by Keras' names, for ``compile(optimizer="adam")``."""

from __future__ import annotations

from ..nn import optim

# The string names take Keras' defaults wherever the optimiser (PyTorch's update formulas) has the same
# knob: a student's compile(optimizer="rmsprop") should behave as it did in Keras (rho 0.9, not 0.99).
OPTIMIZERS = {
    "sgd": lambda: optim.SGD(lr=0.01),
    "adam": lambda: optim.Adam(lr=0.001, eps=1e-7),
    "rmsprop": lambda: optim.RMSprop(lr=0.001, alpha=0.9, eps=1e-7),
    "adagrad": lambda: optim.Adagrad(lr=0.001, initial_accumulator_value=0.1, eps=1e-7),
}


def get_optimizer(identifier) -> optim.Optimizer:
    """An optimiser from Keras' name ("sgd", "adam", "rmsprop", "adagrad"), a class, or an instance."""
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
