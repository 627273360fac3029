"""``compile(jit_compile=...)``: fit's, evaluate's and predict's steps run through ``ts.jit`` plans.

The captured part of a training step is its numeric core (forward, loss, ``backward()``, the optimiser's
step), which returns the loss and the predictions as Tensors; the loss tracker and the metrics then update in
Python from them, as in ``train_step``, so a replayed step gives the same logs as the eager one. The first batch
of a fit or evaluate runs eagerly: it checks every target once (see ``Trainer.compute_loss``).
``jit_compile=True`` raises ``ts.JitError`` where a step cannot be replayed; ``"auto"`` (compile's default) runs
it eagerly, and keeps a model with classes of the user's eager (``own_code``).
"""

from __future__ import annotations

from collections.abc import Callable
from types import FunctionType, MethodType

import numpy as np

from ..autograd import jit
from ..autograd.base import TensorBase
from ..autograd.tensor import Tensor
from ..nn.module import Module, Parameter, attributes

MODES = (False, True, "auto")
PACKAGE = "tinygrad_seminar."


def check_mode(jit_compile) -> bool | str:
    if not any(jit_compile is m or (type(jit_compile) is str and jit_compile == m) for m in MODES):
        raise ValueError(f"compile: jit_compile must be False, True or 'auto', got {jit_compile!r}")
    return jit_compile


def train_core(model, x: Tensor, y, sample_weight):
    """Forward, loss, backward and the optimiser's step of one batch: what a train plan replays."""
    y_pred = model(x)
    loss = model.compute_loss(x, y, y_pred, sample_weight)
    model.optimizer.zero_grad()
    loss.backward()
    model.optimizer.step()
    return loss, y_pred


def test_core(model, x: Tensor, y, sample_weight):
    y_pred = model(x)
    return model.compute_loss(x, y, y_pred, sample_weight), y_pred


def step_function(model, core: Callable, eager: Callable, strict: bool) -> Callable:
    """The function fit (or evaluate) calls per batch: ``core`` jitted, then the tracker and metrics in Python."""
    jitted = jit(lambda x, y, w: core(model, x, y, w), strict=strict)
    jitted.__name__ = f"{type(model).__name__}.{core.__name__.replace('_core', '_step')} (compile's jit_compile)"

    def run(data) -> dict:
        if model._unchecked is not None or not model.optimizer.params:  # the first batch's checks; binding
            return eager(data)
        x, y, w = (*data, None) if len(data) == 2 else tuple(data)
        loss, y_pred = jitted(x, y, w)
        model.loss_tracker.update(loss.item(), len(y_pred))
        return model.compute_metrics(x, y, y_pred)

    def direct(data) -> Callable | None:
        """``run`` on batches like ``data`` with the plan its last call replayed called directly (no key, no guard
        per call: only for a loop in which nothing else runs between two batches), or None."""
        x, y, w = (*data, None) if len(data) == 2 else tuple(data)
        replay = jitted.replayer(x, y, w)
        if replay is None:
            return None
        tracker, metrics = model.loss_tracker, model.compute_metrics

        def step(x, y, w=None) -> dict:
            loss, y_pred = replay(x, y) if w is None else replay(x, y, w)
            tracker.update(loss.item(), len(y_pred))
            return metrics(x, y, y_pred)

        return step

    run.jitted, run.direct = jitted, direct  # model.make_train_function().jitted.explain() says what was replayed
    return run


def own_code(modules: tuple, loss) -> bool:
    """Whether one of a model's ``modules``, or its loss, is code of the user's (a subclassed model, a layer, a loss
    class or function defined outside this package, or such a function or object a built-in layer holds: an
    activation, a regularizer): its Python may read attributes or globals a plan would not see change, so "auto"
    keeps such a model eager."""
    for k, m in enumerate(modules):
        if not type(m).__module__.startswith(PACKAGE):
            return True
        for v in attributes(m).values() if k else ():  # the model's own loss: below; its optimiser is replayed
            if any(foreign(item) for item in (v if type(v) in (list, tuple) else (v,))):
                return True
    if loss is None:  # predict's step computes no loss
        return False
    return foreign(loss) or foreign(getattr(loss, "fn", None))  # compile(loss=a function) wraps it


def foreign(value) -> bool:
    """Whether ``value`` is a function, or an object of a class, defined outside this package (not a module, a
    tensor or a plain value)."""
    if isinstance(value, (FunctionType, MethodType)):
        return not (getattr(value, "__module__", None) or "").startswith(PACKAGE)
    return (hasattr(value, "__dict__") and not isinstance(value, (Module, TensorBase, type))
            and not type(value).__module__.startswith(PACKAGE))


# what settings() and structure() keep: plain values (numpy's scalars too), functions and generators (by identity)
PLAIN = frozenset({int, float, bool, str, type(None), FunctionType, np.random.Generator, np.float16, np.float32,
                   np.float64, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16, np.uint32, np.uint64,
                   np.bool_})
# what fit's loop sets on the model between batches and epochs (keras/models.py): not the plan's business
LOOP_STATE = frozenset({"training", "stop_training", "next_epoch", "resume_epoch", "_unchecked", "_penalized"})


def settings(obj) -> tuple:
    """The plain values among ``obj``'s attributes (numbers, flags, strings, functions; not the train/eval flag,
    which a plan guards itself): what a layer's or a loss's Python reads while a plan is captured, and a replay
    would not read again (a dropout rate, a regularizer's factor, Huber's delta)."""
    return tuple((k, v) for k, v in attributes(obj).items() if type(v) in PLAIN and k != "training")


def structure(model) -> tuple:
    """What a plan of ``model`` was made for and Python code could change between two fits: the optimiser, the
    loss and its settings, the modules, which parameters train, and each module's settings (its plain attributes,
    and those of the objects it holds: an activation, a regularizer; the model's own plain values but its loop's
    state, as a subclassed model's call may read them). Different structures make new step functions.
    One walk over the modules: this runs at each fit, epoch and evaluation."""
    modules = tuple(model.modules())
    flags, values = [], []
    plain = PLAIN
    for m in modules:
        own = m is model  # the model's own objects (its optimiser, metrics, history) change as it trains
        skipped = LOOP_STATE if own else ("training",)  # a plan guards the train/eval flag itself
        for k, v in attributes(m).items():
            t = type(v)
            if t in plain:
                if k not in skipped:
                    values.append((k, v))
            elif t is Parameter or isinstance(v, Parameter):
                flags.append(v.requires_grad)
            elif t is list or t is tuple:
                flags.extend([p.requires_grad for p in v if isinstance(p, Parameter)])
            elif not own and hasattr(v, "__dict__") and not isinstance(v, (Module, TensorBase)):
                values.append((k, v, settings(v)))  # a regularizer, a callable object
    loss = model.loss
    return (model.optimizer, loss, settings(loss) if loss is not None else (), modules, tuple(flags), tuple(values))
