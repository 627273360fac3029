"""The Keras-style workflow: Model, Sequential, Input; compile, fit, evaluate, predict; callbacks, saving."""

from . import callbacks, losses, metrics, saving
from .models import Model
from .saving import load_model
from .sequential import Input, Sequential

__all__ = ["Input", "Model", "Sequential", "callbacks", "load_model", "losses", "metrics", "saving"]
