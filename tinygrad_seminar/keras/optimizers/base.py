"""The base of Keras' optimisers: ``learning_rate`` first, a schedule allowed, ``iterations`` counted.

They are ``ts.nn.optim.Optimizer``s (binding, ``zero_grad``, ``state_dict``, saving), with Keras 3's
signatures, defaults and update formulas; ``ts.optim`` keeps PyTorch's. ``learning_rate`` reads as a float
(the schedule's value at the current step) and can be set (not when it is a schedule, as in Keras); the
next step uses what was set.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ...nn import optim
from ...nn.optim.optimizer import check_number
from . import schedules


def learning_rate_of(owner: str, learning_rate) -> dict:
    """{"lr": the float for now, "schedule": the schedule or None} from a number, a schedule or its config."""
    if isinstance(learning_rate, dict):
        learning_rate = schedules.deserialize(learning_rate)
    if isinstance(learning_rate, schedules.LearningRateSchedule):
        return {"lr": float(learning_rate(0)), "schedule": learning_rate}
    return {"lr": check_number(owner, "learning_rate", learning_rate), "schedule": None}


OPTIONS = ("weight_decay", "clipnorm", "clipvalue", "global_clipnorm")  # Keras 3's arguments of every optimiser


def options_of(owner: str, options: dict) -> dict:
    """Keras 3's common optimiser arguments, checked (None or 0: off): weight decay, and one way of clipping."""
    unknown = sorted(set(options) - set(OPTIONS))
    if unknown:
        hint = " (Keras names it learning_rate)" if "lr" in unknown else ""
        raise TypeError(f"{owner}: unexpected argument{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}{hint}; "
                        f"besides its own, an optimiser takes {', '.join(OPTIONS)}")
    checked = {k: None if options.get(k) is None else check_number(owner, k, options[k]) for k in OPTIONS}
    clips = [k for k in OPTIONS[1:] if checked[k]]
    if len(clips) > 1:
        raise ValueError(f"{owner}: only one of clipnorm, clipvalue and global_clipnorm can be set, got "
                         + ", ".join(f"{k}={options[k]!r}" for k in clips))
    return checked


class KerasOptimizer(optim.Optimizer):
    """A Keras optimiser: ``_hyper`` starts with "learning_rate"; ``_check`` returns the attributes to set; the
    OPTIONS every Keras optimiser takes are applied in ``before_update``."""

    schedule: schedules.LearningRateSchedule | None = None

    def __init__(self, options: dict, **hyper):
        self.__dict__.update(self._check(**hyper))
        self.__dict__.update(options_of(type(self).__name__, options))
        self.params: list = []
        self.state: list[dict] = []
        self.iterations = 0

    @property
    def learning_rate(self) -> float:
        """The learning rate of the next step (a schedule's value at ``iterations``)."""
        return float(self.schedule(self.iterations)) if self.schedule is not None else self.lr

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        if self.schedule is not None:
            raise TypeError(f"{type(self).__name__} was created with a LearningRateSchedule as its learning_rate, "
                            "hence its learning rate is not settable")
        self.lr = check_number(type(self).__name__, "learning_rate", float(value))

    def hyperparameters(self) -> dict:
        hyper = {k: getattr(self, k) for k in self._hyper}
        hyper.update({k: getattr(self, k) for k in OPTIONS if getattr(self, k) is not None})
        if self.schedule is not None:
            hyper["learning_rate"] = schedules.serialize(self.schedule)
        return hyper

    def step(self, closure: Callable[[], object] | None = None) -> object:
        if self.schedule is not None:
            self.lr = float(self.schedule(self.iterations))
        loss = super().step(closure)
        self.iterations += 1
        return loss

    def before_update(self) -> None:
        """Keras 3's order: the gradients clipped (each to norm <= clipnorm, together to global_clipnorm, or each
        entry to [-clipvalue, clipvalue]), then the weights decayed, w <- w - w wd lr, then the update. A clipped
        gradient is a new array in ``.grad``."""
        live = [p for p in self.params if p.grad is not None]
        if self.clipnorm:
            for p in live:
                p.grad = p.grad * self.clipnorm / np.maximum(np.sqrt(np.sum(np.square(p.grad))), self.clipnorm)
        elif self.global_clipnorm:
            norm = math.sqrt(sum(float(np.sum(np.square(p.grad, dtype=np.float64))) for p in live))
            for p in live:
                p.grad = p.grad * (self.global_clipnorm / max(norm, self.global_clipnorm))
        elif self.clipvalue:
            for p in live:
                p.grad = np.clip(p.grad, -self.clipvalue, self.clipvalue)
        if self.weight_decay:
            for p in live:
                p.data -= p.data * self.weight_decay * self.lr

    def load_state_dict(self, state_dict: dict) -> None:
        """As every optimiser's, and the OPTIONS the state names (those it does not name are off)."""
        hyper = state_dict.get("hyperparameters") if isinstance(state_dict, dict) else None
        options = {}
        if isinstance(hyper, dict):
            options = options_of(type(self).__name__, {k: v for k, v in hyper.items() if k in OPTIONS})
            state_dict = {**state_dict, "hyperparameters": {k: v for k, v in hyper.items() if k not in OPTIONS}}
        super().load_state_dict(state_dict)
        self.__dict__.update(options)
        self.iterations = max((st.get("step", 0) for st in self.state), default=0)

    @staticmethod
    def counted(st: dict, d: np.ndarray, *names: str) -> int:
        """This parameter's step count after this step; its state arrays (zeros) made on the first step."""
        if not st:
            st["step"] = 0
            for name in names:
                st[name] = np.zeros_like(d)
        st["step"] += 1
        return st["step"]


__all__ = ["OPTIONS", "KerasOptimizer", "learning_rate_of", "options_of"]
