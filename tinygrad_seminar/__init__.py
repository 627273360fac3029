"""tinygrad_seminar: a small deep-learning framework on numpy that follows a neural-networks seminar.

The package's layers, each a folder: ``autograd`` (Tensor, Function, the engine), ``nn`` (modules,
layers, losses, optimisers), ``keras`` (the Keras-style workflow), ``rules`` (the seminar's rules in
the slides' notation), ``exercises`` (gradient-checking exercises for a course). This module only re-exports
their public names.
"""

import sys

from . import autograd, datasets, exercises, interop, keras, nn, plot, rules, viz
from .autograd import (
    AnomalyError,
    Function,
    GradcheckError,
    JitError,
    Tensor,
    arange,
    default_generator,
    detect_anomaly,
    enable_grad,
    engine,
    eye,
    full,
    grad,
    gradcheck,
    gradcheck_module,
    gradgradcheck,
    is_grad_enabled,
    jit,
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
from .nn.functional import cat, concatenate, stack, where

__version__ = "0.1.0"

# ts.nn.Sequential is the Keras model, as in 0.1, so code that compiled and fit one keeps working; it extends
# the plain container nn.containers.Sequential. nn cannot import keras (keras is built on nn), so it is bound here.
nn.Sequential = Sequential

# Pictures as methods: t.draw() and model.plot(). viz is built on autograd, nn and keras, which cannot import it,
# so the methods are bound here, where every layer is loaded.
Tensor.draw = viz.draw_tensor
Model.plot = viz.plot_model
# model.export(path, format="onnx"), Keras 3's spelling: keras cannot import interop (built on it), so bound here
Model.export = interop.export
keras.utils.plot_model.draw = viz.plot_model  # keras.utils.plot_model, with Keras' defaults, draws with ts.viz
callbacks.History._repr_mimebundle_ = plot.history_mimebundle  # Jupyter: its learning curves

# The module paths of 0.1 (`from tinygrad_seminar.optim import SGD`) name the modules where these now live;
# a package's submodules are named too, so that no path imports a second copy of a module.
for _old, _module in {"engine": engine, "ops": ops, "functional": functional, "losses": losses, "optim": optim,
                      "callbacks": callbacks, "metrics": metrics, "saving": saving}.items():
    for _name, _loaded in list(sys.modules.items()):
        if _name == _module.__name__ or _name.startswith(_module.__name__ + "."):
            sys.modules[f"{__name__}.{_old}{_name[len(_module.__name__):]}"] = _loaded

__all__ = [
    "AnomalyError", "Function", "GradcheckError", "Input", "Model", "Sequential", "Tensor", "arange", "autograd",
    "callbacks", "cat", "concatenate", "datasets", "default_generator", "detect_anomaly", "enable_grad", "engine",
    "eye", "exercises", "full", "functional", "grad", "gradcheck", "gradcheck_module", "gradgradcheck",
    "JitError", "interop", "is_grad_enabled", "jit",
    "keras", "load_model", "losses", "manual_seed", "metrics", "nn", "no_grad", "numerical_grad", "ones", "ones_like",
    "ops", "optim", "plot", "rand", "randn", "rules", "saving", "set_grad_enabled", "stack", "tensor", "viz", "where",
    "zeros", "zeros_like",
]
