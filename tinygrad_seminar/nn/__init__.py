"""Layers and modules: ``ts.nn.Dense``, ``ts.nn.Dropout``, ``ts.nn.Module``, ``ts.nn.Sequential``..."""

from . import functional, init, losses, optim
from .activations import ELU, Activation, LeakyReLU, Linear, LogSoftmax, ReLU, Sigmoid, Softmax, Softplus, Step, Tanh
from .containers import Sequential
from .conv_layers import AveragePooling2D, Conv2D, Flatten, MaxPooling2D
from .layers import Dense, Dropout
from .module import Module, Parameter

__all__ = [
    "ELU", "Activation", "AveragePooling2D", "Conv2D", "Dense", "Dropout", "Flatten", "LeakyReLU", "Linear",
    "LogSoftmax", "MaxPooling2D", "Module", "Parameter", "ReLU", "Sequential", "Sigmoid", "Softmax", "Softplus",
    "Step", "Tanh", "functional", "init", "losses", "optim",
]
