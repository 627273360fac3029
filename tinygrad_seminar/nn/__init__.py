"""Layers and modules: ``ts.nn.Dense``, ``ts.nn.Dropout``, ``ts.nn.Module``, ``ts.nn.Parameter``..."""

from . import init
from .layers import (
    ELU,
    Activation,
    Dense,
    Dropout,
    LeakyReLU,
    Linear,
    LogSoftmax,
    ReLU,
    Sigmoid,
    Softmax,
    Softplus,
    Step,
    Tanh,
)
from .module import Module, Parameter, Sequential

__all__ = [
    "ELU", "Activation", "Dense", "Dropout", "LeakyReLU", "Linear", "LogSoftmax", "Module", "Parameter",
    "ReLU", "Sequential", "Sigmoid", "Softmax", "Softplus", "Step", "Tanh", "init",
]
