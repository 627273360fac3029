"""Keras 3's SGD, Adam, RMSprop and Adagrad: signatures, defaults and update formulas (keras/src/optimizers).

Each updates a parameter's ``.data`` in place from its gradient g, never writing into g.
"""

from __future__ import annotations

import math

import numpy as np

from ...nn.optim.optimizer import check_flag, check_number
from .base import KerasOptimizer, learning_rate_of


class SGD(KerasOptimizer):
    """Keras' SGD: with momentum mu, ``m <- mu * m - lr * g`` and ``w <- w + m`` (nesterov:
    ``w <- w + mu * m - lr * g``); without, ``w <- w - lr * g``."""

    _hyper = ("learning_rate", "momentum", "nesterov")
    _required = frozenset({"step"})
    _optional = frozenset({"momentum"})

    def __init__(self, learning_rate=0.01, momentum: float = 0.0, nesterov: bool = False, **options):
        super().__init__(options, learning_rate=learning_rate, momentum=momentum, nesterov=nesterov)

    @classmethod
    def _check(cls, learning_rate, momentum, nesterov) -> dict:
        return {**learning_rate_of("SGD", learning_rate), "momentum": check_number("SGD", "momentum", momentum, hi=1),
                "nesterov": check_flag("SGD", "nesterov", nesterov)}

    def _update(self, d: np.ndarray, g: np.ndarray, st: dict) -> None:
        self.counted(st, d)
        step = g * self.lr
        if not self.momentum:
            d -= step
            return
        m = st.setdefault("momentum", np.zeros_like(d))
        m *= self.momentum
        m -= step
        d += (m * self.momentum - step) if self.nesterov else m


class Adam(KerasOptimizer):
    """Keras' Adam: ``m <- m + (g - m)(1 - b1)``, ``v <- v + (g^2 - v)(1 - b2)``,
    ``w <- w - lr * sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + epsilon)`` (epsilon outside the correction)."""

    _hyper = ("learning_rate", "beta_1", "beta_2", "epsilon")
    _required = frozenset({"step", "m", "v"})

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 **options):
        super().__init__(options, learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, epsilon=epsilon)

    @classmethod
    def _check(cls, learning_rate, beta_1, beta_2, epsilon) -> dict:
        return {**learning_rate_of("Adam", learning_rate),
                "beta_1": check_number("Adam", "beta_1", beta_1, hi=1.0, hi_open=True),
                "beta_2": check_number("Adam", "beta_2", beta_2, hi=1.0, hi_open=True),
                "epsilon": check_number("Adam", "epsilon", epsilon)}

    def _update(self, d: np.ndarray, g: np.ndarray, st: dict) -> None:
        t = self.counted(st, d, "m", "v")
        m, v = st["m"], st["v"]
        m += (g - m) * (1.0 - self.beta_1)
        v += (g * g - v) * (1.0 - self.beta_2)
        alpha = self.lr * math.sqrt(1.0 - self.beta_2 ** t) / (1.0 - self.beta_1 ** t)
        d -= (alpha * m / (np.sqrt(v) + self.epsilon)).astype(d.dtype, copy=False)


class RMSprop(KerasOptimizer):
    """Keras' RMSprop: ``v <- rho * v + (1 - rho) g^2``, ``step = lr * g / sqrt(v + epsilon)`` (epsilon inside
    the root; centered: ``v - a^2 + epsilon`` with ``a <- rho * a + (1 - rho) g``); with momentum mu
    ``s <- mu * s + step``, ``w <- w - s``; else ``w <- w - step``."""

    _hyper = ("learning_rate", "rho", "momentum", "epsilon", "centered")
    _required = frozenset({"step", "velocity"})
    _optional = frozenset({"momentum", "average_gradient"})

    def __init__(self, learning_rate=0.001, rho: float = 0.9, momentum: float = 0.0, epsilon: float = 1e-7,
                 centered: bool = False, **options):
        super().__init__(options, learning_rate=learning_rate, rho=rho, momentum=momentum, epsilon=epsilon,
                         centered=centered)

    @classmethod
    def _check(cls, learning_rate, rho, momentum, epsilon, centered) -> dict:
        return {**learning_rate_of("RMSprop", learning_rate), "rho": check_number("RMSprop", "rho", rho, hi=1.0),
                "momentum": check_number("RMSprop", "momentum", momentum, hi=1.0),
                "epsilon": check_number("RMSprop", "epsilon", epsilon),
                "centered": check_flag("RMSprop", "centered", centered)}

    def _update(self, d: np.ndarray, g: np.ndarray, st: dict) -> None:
        self.counted(st, d, "velocity")
        v, rho = st["velocity"], self.rho
        v *= rho
        v += (1.0 - rho) * g * g
        denominator = v + self.epsilon
        if self.centered:
            a = st.setdefault("average_gradient", np.zeros_like(d))
            a *= rho
            a += (1.0 - rho) * g
            denominator -= a * a
        increment = self.lr * g / np.sqrt(denominator)
        if self.momentum > 0:
            s = st.setdefault("momentum", np.zeros_like(d))
            s *= self.momentum
            s += increment
            d -= s
        else:
            d -= increment.astype(d.dtype, copy=False)


class Adagrad(KerasOptimizer):
    """Keras' Adagrad: ``acc <- acc + g^2`` (acc starts at initial_accumulator_value),
    ``w <- w - lr * g / sqrt(acc + epsilon)``."""

    _hyper = ("learning_rate", "initial_accumulator_value", "epsilon")
    _required = frozenset({"step", "accumulator"})

    def __init__(self, learning_rate=0.001, initial_accumulator_value: float = 0.1, epsilon: float = 1e-7,
                 **options):
        super().__init__(options, learning_rate=learning_rate, initial_accumulator_value=initial_accumulator_value,
                         epsilon=epsilon)

    @classmethod
    def _check(cls, learning_rate, initial_accumulator_value, epsilon) -> dict:
        return {**learning_rate_of("Adagrad", learning_rate),
                "initial_accumulator_value": check_number("Adagrad", "initial_accumulator_value",
                                                          initial_accumulator_value),
                "epsilon": check_number("Adagrad", "epsilon", epsilon)}

    def _update(self, d: np.ndarray, g: np.ndarray, st: dict) -> None:
        if not st:
            st["step"], st["accumulator"] = 0, np.full_like(d, self.initial_accumulator_value)
        st["step"] += 1
        acc = st["accumulator"]
        acc += g * g
        d -= (self.lr * g / np.sqrt(acc + self.epsilon)).astype(d.dtype, copy=False)


__all__ = ["SGD", "Adagrad", "Adam", "RMSprop"]
