"""Adagrad with learning-rate decay, PyTorch's ``torch.optim.Adagrad``."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ...autograd import Tensor
from .optimizer import DefaultLR, Optimizer, check_number


class Adagrad(Optimizer):
    """Adagrad, PyTorch's ``torch.optim.Adagrad``.

    clr = lr / (1 + (t - 1) * lr_decay);  g <- g + wd * w;  s <- s + g^2 (s starts at
    initial_accumulator_value);  w <- w - clr * g / (sqrt(s) + eps), t = this parameter's step count.
    """

    _hyper = ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")
    _required = frozenset({"step", "sum"})

    def __init__(self, params: Iterable[Tensor] | None = None, lr: float = DefaultLR(0.01), lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0, eps: float = 1e-10, *,
                 learning_rate: float | None = None):
        super().__init__(params, lr, learning_rate, lr_decay=lr_decay, weight_decay=weight_decay,
                         initial_accumulator_value=initial_accumulator_value, eps=eps)

    @classmethod
    def _check(cls, lr, lr_decay, weight_decay, initial_accumulator_value, eps) -> dict:
        return {"lr": check_number("Adagrad", "lr", lr), "lr_decay": check_number("Adagrad", "lr_decay", lr_decay),
                "weight_decay": check_number("Adagrad", "weight_decay", weight_decay),
                "initial_accumulator_value": check_number("Adagrad", "initial_accumulator_value",
                                                          initial_accumulator_value),
                "eps": check_number("Adagrad", "eps", eps)}

    def _update(self, d: np.ndarray, g: np.ndarray, st: dict) -> None:
        if not st:
            st["step"], st["sum"] = 0, np.full_like(d, self.initial_accumulator_value)
        t = st["step"] = st["step"] + 1
        clr = self.lr / (1.0 + (t - 1) * self.lr_decay)
        g = self._decayed(d, g) if self.weight_decay else g
        s = st["sum"]
        tmp = np.multiply(g, g, out=np.empty_like(g))  # an array also for a 0-d parameter
        s += tmp
        np.sqrt(s, out=tmp)
        tmp += self.eps
        np.divide(g, tmp, out=tmp)
        tmp *= clr
        d -= tmp


__all__ = ["Adagrad"]
