"""Trainer: compile, and the three steps that fit, evaluate and predict run on each batch, as in Keras 3.

``train_step(data)``, ``test_step(data)`` and ``predict_step(data)`` are the seams a user overrides (Keras'
"customizing what happens in fit()"): ``data`` is what the loop yields, ``(x, y)`` with x a Tensor and y a
numpy array, or x alone for predict. The loops call each step through one replaceable function per mode
(``train_function``, ``test_function``, ``predict_function``: None means the step itself), which is where
a captured plan of a step can take its place.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np

from ..autograd import Tensor
from ..nn import optim
from . import compiled, losses, saving, weighting
from . import metrics as metrics_mod
from .optimizers import get_optimizer


def unpack(data) -> tuple:
    """``(x, y, sample_weight)`` from a batch ``(x, y)`` or ``(x, y, sample_weight)``, as Keras unpacks one."""
    return (*data, None) if len(data) == 2 else tuple(data)


class Trainer:
    """The Keras workflow's state and steps; ``Model`` adds the loops over batches."""

    optimizer: optim.Optimizer | None = None
    loss: losses.Loss | None = None
    compiled_metrics: tuple | list = ()  # compile sets a list per model
    loss_tracker: metrics_mod.Mean | None = None
    train_function: Callable | None = None
    test_function: Callable | None = None
    predict_function: Callable | None = None
    _compile_config: dict | None = None
    _unchecked: tuple | None = None  # what the next first batch checks: (all targets, their name, shapes done)
    jit_compile: bool | str = "auto"
    _jitted: dict | None = None  # compile(jit_compile=...)'s step functions, made when first needed
    # the modules with penalties: looked up each time (False), at the next batch and kept (True: fit, once its
    # first forward has built every layer), or kept (a dict of them: a list of modules would be walked as children);
    # a walk over the modules costs ~5 us a batch
    _penalized: bool | dict = False

    def __getstate__(self) -> dict:
        """What copy and deepcopy take: all but the jitted step functions (bound to this model, and holding a
        lock); a copy makes its own when it first needs them."""
        state = self.__dict__.copy()
        if state.get("_jitted"):
            state["_jitted"] = {}
        return state

    # ---- compile ----
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, jit_compile="auto") -> None:
        """Choose the optimiser, the loss (a Keras name, a Loss, or a callable) and the metrics.

        ``jit_compile``: "auto" (the default) runs fit's, evaluate's and predict's steps as ``ts.jit`` plans where
        they can be (replayed bit for bit; eager elsewhere, silently), True always (``ts.JitError`` where a step
        cannot be), False never (eager steps, e.g. to step through one in a debugger)."""
        compiled.check_mode(jit_compile)
        for name in ("train_step", "test_step") if jit_compile is True else ():
            if getattr(type(self), name) is not getattr(Trainer, name):
                raise ValueError(f"compile(jit_compile=True): {type(self).__name__} overrides {name}, whose Python "
                                 "a plan would not run; use jit_compile='auto' (it stays eager), or ts.jit on a step "
                                 "function of your own")
        self.jit_compile = jit_compile
        if loss is None:
            raise ValueError(f"compile needs a loss; known names: {', '.join(losses.ALIASES)}")
        self.optimizer = get_optimizer(optimizer)
        self._binds_optimizer = not self.optimizer.params  # then compile's binding follows the model's changes
        self.loss = losses.as_loss(loss)
        if isinstance(metrics, (str, metrics_mod.Metric)) or callable(metrics):
            metrics = [metrics]
        if metrics is not None and not isinstance(metrics, (list, tuple)):
            raise TypeError(f"metrics must be a list of names, Metrics or callables, got {metrics!r} "
                            f"({type(metrics).__name__})")
        self.compiled_metrics = []
        for m in metrics or []:
            metric = metrics_mod.get(m, self.loss)
            if isinstance(m, str):
                metric.name = m
            self.compiled_metrics.append(metric)
        self.loss_tracker = metrics_mod.Mean(name="loss")
        self.train_function = self.test_function = self.predict_function = None
        self._jitted = {}
        self._compile_config = saving.compile_config(self.optimizer, self.loss, metrics or [])
        if self.parameters():
            self._bind_optimizer()

    def get_compile_config(self) -> dict | None:
        """What compile was given, as JSON (Keras' name): what save stores; None before compile."""
        return self._compile_config

    def _bind_optimizer(self) -> None:
        """Bind compile's optimiser to the trainable parameters, again if layers were added or (un)frozen."""
        opt = self.optimizer
        if getattr(self, "_binds_optimizer", False):
            params = self.trainable_parameters()
            if params:
                opt.rebind(params, keep_state=True)
            return
        own = {id(p) for p in self.parameters()}
        if own and any(id(p) not in own for p in opt.params):  # a model not built yet has nothing to compare
            raise ValueError(f"the optimizer given to compile is bound to parameters that are not this model's "
                             f"({type(opt).__name__} of another model?); pass an unbound one, e.g. "
                             f"ts.optim.{type(opt).__name__}(lr=...), and compile binds it")

    def _require_compiled(self, what: str) -> None:
        if self.loss is None or self.optimizer is None:
            raise RuntimeError(f"call model.compile(optimizer=..., loss=...) before model.{what}()")

    # ---- metrics ----
    @property
    def metrics(self) -> list:
        """The loss tracker and the compiled metrics, each a running value over the epoch."""
        return [self.loss_tracker, *self.compiled_metrics] if self.loss_tracker is not None else []

    def reset_metrics(self) -> None:
        for m in self.metrics:
            m.reset()

    def get_metrics_result(self) -> dict:
        """{name: value} of every metric, the loss first: what a step returns as its logs."""
        return {m.name: m.result() for m in self.metrics}

    def _known_output_shape(self, input_shape: tuple) -> tuple | None:
        """The output shape, if the model can say it without running (a subclassed Model cannot: None)."""
        return None

    def _first_checks(self, x: np.ndarray, y: np.ndarray, name: str) -> tuple:
        """Check y against the output shape now if the model knows it without running; what waits for a batch."""
        out_shape = self._known_output_shape((None,) + x.shape[1:])
        if out_shape is not None:
            self.loss.check_targets(y, tuple(out_shape[1:]))
        return y, name, out_shape is not None

    # ---- the pieces of a step ----
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None) -> Tensor:
        """The compiled loss of a batch. The first batch of a fit or evaluate also checks all the targets."""
        loss = self._check_first_batch(y, y_pred) if self._unchecked is not None else None
        if sample_weight is not None:
            loss = weighting.weighted_loss(self.loss, y, y_pred, sample_weight)
        elif loss is None:
            loss = self.loss.call(y, y_pred)
        penalties = self.losses
        return loss if not penalties else loss + sum(penalties[1:], penalties[0])

    @property
    def losses(self) -> list[Tensor]:
        """The regularizers' penalties of every layer (Keras' ``model.losses``), added to the loss of each batch."""
        penalized = self._penalized
        if penalized is True or penalized is False:
            found = dict.fromkeys(m for m in self.modules() if hasattr(m, "regularization_losses") and m is not self)
            penalized, self._penalized = found, (found if penalized else False)
        return [t for m in penalized for t in m.regularization_losses()]

    def compute_metrics(self, x, y, y_pred, sample_weight=None) -> dict:
        """Update the compiled metrics with a batch; the logs of every metric so far."""
        if self.compiled_metrics:  # the loss alone (the common fit) lines nothing up
            y, out = metrics_mod.aligned(y, y_pred)
            for m in self.compiled_metrics:
                m.update(y, out)
        return self.get_metrics_result()

    def _check_first_batch(self, y, y_pred) -> Tensor:
        """All of the run's targets against this first output's shape, the metrics tried, the loss fully checked."""
        targets, name, shapes_done = self._unchecked
        self._unchecked = None
        out_shape = tuple(y_pred.shape[1:])
        if not shapes_done:
            self.loss.check_targets(targets, out_shape)
        loss = self.loss(y, y_pred)  # every check of the loss, once: its own message says what is wrong
        for m in self.compiled_metrics:
            if isinstance(m, metrics_mod.FunctionMetric):
                continue  # a callable of the user's may rightly fail on two samples (an AUC, say)
            trial = copy.copy(m)  # a copy: the running values of the metric stay as they are
            trial.reset()
            try:
                trial.update_state(y[:2], y_pred.data[:2])
                float(trial.result())
            except (ValueError, TypeError, IndexError) as e:
                raise ValueError(f"the metric {m.name!r} cannot compare {name} of shape {targets.shape} with the "
                                 f"model's output of shape {(len(targets),) + out_shape}: {e}") from None
        return loss

    # ---- the steps ----
    def train_step(self, data) -> dict:
        """One step of gradient descent on a batch ``(x, y)`` or ``(x, y, sample_weight)``; returns the logs."""
        x, y, sample_weight = unpack(data)
        y_pred = self(x)
        loss = self.compute_loss(x, y, y_pred, sample_weight)
        self.loss_tracker.update(loss.item(), len(y_pred))
        self.optimizer.zero_grad()
        loss.backward()
        if not self.optimizer.params:  # a model whose layers were built by this very batch
            self._bind_optimizer()
        self.optimizer.step()
        return self.compute_metrics(x, y, y_pred)

    def test_step(self, data) -> dict:
        """The loss and metrics of a batch ``(x, y)`` or ``(x, y, sample_weight)``, without training."""
        x, y, sample_weight = unpack(data)
        y_pred = self(x)
        loss = self.compute_loss(x, y, y_pred, sample_weight)
        self.loss_tracker.update(loss.item(), len(y_pred))
        return self.compute_metrics(x, y, y_pred)

    def predict_step(self, data):
        """The model's output for a batch of inputs."""
        return self(data)

    # ---- one replaceable function per mode ----
    def make_train_function(self) -> Callable:
        """What fit calls on each batch: ``train_function`` if set, else train_step (through a plan if compiled so)."""
        if self.train_function is not None:
            return self.train_function
        return self._jit("train", compiled.train_core, self.train_step)

    def make_test_function(self) -> Callable:
        """What evaluate (and fit's validation) calls on each batch: ``test_function`` if set, else test_step."""
        if self.test_function is not None:
            return self.test_function
        return self._jit("test", compiled.test_core, self.test_step)

    def make_predict_function(self) -> Callable:
        """What predict calls on each batch: ``predict_function`` if set, else predict_step."""
        if self.predict_function is not None:
            return self.predict_function
        if not self.jit_compile or type(self).predict_step is not Trainer.predict_step:
            return self.predict_step
        return self._made("predict", self.predict_step,
                          lambda: compiled.jit(self.predict_step, strict=self.jit_compile is True))

    def _jit(self, mode: str, core: Callable, step: Callable) -> Callable:
        """``step`` itself, or with jit_compile its plan; an overridden step stays eager."""
        if not self.jit_compile or getattr(type(self), f"{mode}_step") is not getattr(Trainer, f"{mode}_step"):
            return step
        return self._made(mode, step, lambda: compiled.step_function(self, core, step, self.jit_compile is True))

    def _made(self, mode: str, eager: Callable, make: Callable) -> Callable:
        """The jitted step function of ``mode`` (``eager`` where "auto" keeps a model with code of the user's eager),
        made again when the model's structure changed (at each fit, epoch or evaluation: changes inside one are
        not seen)."""
        shape = compiled.structure(self)
        if self._jitted is None:  # predict needs no compile
            self._jitted = {}
        made = self._jitted.get(mode)
        if made is None or made[0] != shape:
            loss = None if mode == "predict" else self.loss
            stays_eager = self.jit_compile == "auto" and compiled.own_code(shape[3], loss)
            made = self._jitted[mode] = (shape, eager if stays_eager else make())
        return made[1]
