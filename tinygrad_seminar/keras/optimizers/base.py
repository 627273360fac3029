"""The base of Keras' optimisers: ``learning_rate`` first, a schedule allowed, ``iterations`` counted.

They are ``ts.nn.optim.Optimizer``s (binding, ``zero_grad``, ``state_dict``, saving), with Keras 3's
signatures, defaults and update formulas; ``ts.optim`` keeps PyTorch's. ``learning_rate`` reads as a float
(the schedule's value at the current step) and can be set (not when it is a schedule, as in Keras); the
next step uses what was set.
"""

from __future__ import annotations

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


class KerasOptimizer(optim.Optimizer):
    """A Keras optimiser: ``_hyper`` starts with "learning_rate"; ``_check`` returns the attributes to set."""

    schedule: schedules.LearningRateSchedule | None = None

    def __init__(self, **hyper):
        self.__dict__.update(self._check(**hyper))
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
        if self.schedule is not None:
            hyper["learning_rate"] = schedules.serialize(self.schedule)
        return hyper

    def step(self, closure: Callable[[], object] | None = None) -> object:
        if self.schedule is not None:
            self.lr = float(self.schedule(self.iterations))
        loss = super().step(closure)
        self.iterations += 1
        return loss

    def load_state_dict(self, state_dict: dict) -> None:
        super().load_state_dict(state_dict)
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


__all__ = ["KerasOptimizer", "learning_rate_of"]
