"""tinygrad_seminar: a small deep-learning framework on numpy that follows a neural-networks seminar."""

from . import (
    callbacks,
    datasets,
    engine,
    functional,
    losses,
    metrics,
    nn,
    ops,
    optim,
    rules,
)
from .engine import enable_grad, grad, is_grad_enabled, no_grad, set_grad_enabled
from .factories import arange, eye, full, ones, ones_like, rand, randn, tensor, zeros, zeros_like
from .functional import concatenate, stack, where
from .gradcheck import GradcheckError, gradcheck, gradgradcheck, numerical_grad
from .models import Input, Model, Sequential
from .rng import default_generator, manual_seed
from .saving import load_model
from .tensor import Function, Tensor

__version__ = "0.1.0"

__all__ = [
    "Function", "GradcheckError", "Input", "Model", "Sequential", "Tensor", "arange", "callbacks", "concatenate",
    "datasets", "default_generator", "enable_grad", "engine", "eye", "full", "functional", "grad", "gradcheck",
    "gradgradcheck", "is_grad_enabled", "load_model", "losses", "manual_seed", "metrics", "nn", "no_grad",
    "numerical_grad", "ones", "ones_like", "ops", "optim", "rand", "randn", "rules", "set_grad_enabled", "stack",
    "tensor", "where", "zeros", "zeros_like",
]
