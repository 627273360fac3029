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
from .module import Module, Parameter


def __getattr__(name: str):
    # Sequential is a Model (models.py), which imports nn: hand it out lazily to avoid the cycle
    if name == "Sequential":
        from ..models import Sequential

        return Sequential
    raise AttributeError(f"module 'tinygrad_seminar.nn' has no attribute {name!r}")


__all__ = [
    "ELU", "Activation", "Dense", "Dropout", "LeakyReLU", "Linear", "LogSoftmax", "Module", "Parameter",
    "ReLU", "Sequential", "Sigmoid", "Softmax", "Softplus", "Step", "Tanh", "init",
]
