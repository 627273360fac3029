"""Optimisers with PyTorch's names, defaults and update formulas: SGD, Adam, RMSprop, Adagrad."""

from .adagrad import Adagrad
from .adam import Adam
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["SGD", "Adagrad", "Adam", "Optimizer", "RMSprop"]
