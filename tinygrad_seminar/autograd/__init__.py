"""The autograd engine: Tensor, Function, grad mode, backward, gradient checks. It imports nothing else
of the package; everything above it (nn, keras, rules, pictures) builds on these names."""

from . import engine, ops
from .composites import Composite, composite
from .engine import grad, toposort
from .factories import arange, eye, full, ones, ones_like, rand, randn, tensor, zeros, zeros_like
from .function import Function
from .gradcheck import GradcheckError, gradcheck, gradgradcheck, numerical_grad
from .hooks import HookHandle
from .jit import JitError, jit
from .module_check import gradcheck_module
from .random import default_generator, manual_seed, use_generator
from .state import AnomalyError, detect_anomaly, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .tensor import Tensor

__all__ = [
    "AnomalyError", "Composite", "Function", "GradcheckError", "HookHandle", "JitError", "Tensor", "arange",
    "composite",
    "default_generator", "detect_anomaly", "enable_grad", "engine", "eye", "full", "grad", "gradcheck",
    "gradcheck_module", "gradgradcheck", "is_grad_enabled", "jit", "manual_seed", "no_grad", "numerical_grad", "ones",
    "ones_like", "ops", "rand", "randn", "set_grad_enabled", "tensor", "toposort", "use_generator", "zeros",
    "zeros_like",
]
