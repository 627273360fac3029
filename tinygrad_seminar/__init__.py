"""tinygrad_seminar: a small deep-learning framework on numpy that follows a neural-networks seminar."""

from . import engine, functional, losses, nn, ops  # engine first: tensor.py needs its grad mode
from . import rules as rules
from .engine import enable_grad, grad, is_grad_enabled, no_grad, set_grad_enabled
from .factories import arange, eye, full, ones, ones_like, rand, randn, tensor, zeros, zeros_like
from .functional import concatenate, stack, where
from .gradcheck import GradcheckError, gradcheck, gradgradcheck, numerical_grad
from .nn import Sequential
from .rng import default_generator, manual_seed
from .tensor import Function, Tensor

__version__ = "0.1.0"

__all__ = [
    "Function", "GradcheckError", "Sequential", "Tensor", "arange", "concatenate", "default_generator",
    "enable_grad", "engine", "eye", "full", "functional", "grad", "gradcheck", "gradgradcheck",
    "is_grad_enabled", "losses", "manual_seed", "nn", "no_grad", "numerical_grad", "ones", "ones_like", "ops",
    "rand", "randn", "set_grad_enabled", "stack", "tensor", "where", "zeros", "zeros_like",
]
