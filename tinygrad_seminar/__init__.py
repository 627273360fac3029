"""tinygrad_seminar: a small deep-learning framework on numpy that follows a neural-networks seminar.

The package's layers, each a folder: ``autograd`` (Tensor, Function, the engine), ``nn`` (modules,
layers, losses, optimisers), ``keras`` (the Keras-style workflow), ``rules`` (the seminar's rules in
the slides' notation). This module only re-exports their public names.
"""

import sys

from . import autograd, datasets, keras, nn, rules
from .autograd import (
    Function,
    GradcheckError,
    Tensor,
    arange,
    default_generator,
    enable_grad,
    engine,
    eye,
    full,
    grad,
    gradcheck,
    gradgradcheck,
    is_grad_enabled,
    manual_seed,
    no_grad,
    numerical_grad,
    ones,
    ones_like,
    ops,
    rand,
    randn,
    set_grad_enabled,
    tensor,
    zeros,
    zeros_like,
)
from .keras import Input, Model, Sequential, callbacks, load_model, losses, metrics, saving
from .nn import functional, optim
from .nn.functional import concatenate, stack, where

__version__ = "0.1.0"

# The module paths of earlier versions (`from tinygrad_seminar.optim import SGD`) name the modules where
# these now live, so code written against them keeps working.
for _name, _module in {"engine": engine, "ops": ops, "functional": functional, "losses": losses, "optim": optim,
                       "callbacks": callbacks, "metrics": metrics, "saving": saving}.items():
    sys.modules[f"{__name__}.{_name}"] = _module

__all__ = [
    "Function", "GradcheckError", "Input", "Model", "Sequential", "Tensor", "arange", "autograd", "callbacks",
    "concatenate", "datasets", "default_generator", "enable_grad", "engine", "eye", "full", "functional", "grad",
    "gradcheck", "gradgradcheck", "is_grad_enabled", "keras", "load_model", "losses", "manual_seed", "metrics", "nn",
    "no_grad", "numerical_grad", "ones", "ones_like", "ops", "optim", "rand", "randn", "rules", "saving",
    "set_grad_enabled", "stack", "tensor", "where", "zeros", "zeros_like",
]

