"""Optimisers with PyTorch's names, defaults and update formulas: SGD, Adam, RMSprop, Adagrad."""

from .optimizer import SGD, Adagrad, Adam, Optimizer, RMSprop

__all__ = ["SGD", "Adagrad", "Adam", "Optimizer", "RMSprop"]
