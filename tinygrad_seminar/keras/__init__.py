"""The Keras-style workflow, and Keras' public namespace: ``import tinygrad_seminar.keras as keras``.

Model, Sequential, Input; compile, fit, evaluate, predict; and the submodules a Keras script imports:
``keras.layers``, ``keras.models``, ``keras.losses``, ``keras.metrics``, ``keras.callbacks``,
``keras.saving``, ``keras.regularizers``, ``keras.optimizers``, ``keras.utils``, ``keras.activations``,
``keras.initializers``, ``keras.backend``. Each is a real module, so ``from tinygrad_seminar.keras.layers
import Dense`` works as ``from keras.layers import Dense`` does.
"""

from . import (
    activations,
    backend,
    callbacks,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    regularizers,
    saving,
    utils,
)
from .layers import Input
from .models import Model
from .saving import load_model
from .sequential import Sequential, clone_model

# keras.models names the models as Keras' does; sequential.py is built on models.py, so they are bound here
models.Sequential, models.load_model, models.clone_model = Sequential, load_model, clone_model

__all__ = ["Input", "Model", "Sequential", "activations", "backend", "callbacks", "initializers", "layers",
           "load_model", "losses", "metrics", "models", "optimizers", "regularizers", "saving", "utils"]
