"""RMSprop, plain or centred, with or without momentum, PyTorch's ``torch.optim.RMSprop``."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ...autograd import Tensor
from .optimizer import DefaultLR, Optimizer, check_flag, check_number


class RMSprop(Optimizer):
    """RMSprop, PyTorch's ``torch.optim.RMSprop`` (eps added outside the square root).

    g <- g + wd * w;  v <- alpha * v + (1 - alpha) * g^2;  centered: a <- alpha * a + (1 - alpha) * g,
    v~ = v - a^2 (else v~ = v);  with momentum mu: b <- mu * b + g / (sqrt(v~) + eps), w <- w - lr * b;
    without: w <- w - lr * g / (sqrt(v~) + eps).
    """

    _hyper = ("lr", "alpha", "eps", "momentum", "centered", "weight_decay")
    _required = frozenset({"step", "square_avg"})
    _optional = frozenset({"momentum_buffer", "grad_avg"})

    def __init__(self, params: Iterable[Tensor] | None = None, lr: float = DefaultLR(0.01), alpha: float = 0.99,
                 eps: float = 1e-8, momentum: float = 0.0, centered: bool = False, weight_decay: float = 0.0, *,
                 learning_rate: float | None = None):
        super().__init__(params, lr, learning_rate, alpha=alpha, eps=eps, momentum=momentum, centered=centered,
                         weight_decay=weight_decay)

    @classmethod
    def _check(cls, lr, alpha, eps, momentum, centered, weight_decay) -> dict:
        return {"lr": check_number("RMSprop", "lr", lr), "alpha": check_number("RMSprop", "alpha", alpha, hi=1.0),
                "eps": check_number("RMSprop", "eps", eps),
                "momentum": check_number("RMSprop", "momentum", momentum),
                "centered": check_flag("RMSprop", "centered", centered),
                "weight_decay": check_number("RMSprop", "weight_decay", weight_decay)}

    def _update(self, d: np.ndarray, g: np.ndarray, st: dict) -> None:
        if not st:
            st["step"], st["square_avg"] = 0, np.zeros_like(d)
        st["step"] += 1
        alpha = self.alpha
        g = self._decayed(d, g) if self.weight_decay else g
        v = st["square_avg"]
        tmp = np.multiply(g, g, out=np.empty_like(g))  # an array also for a 0-d parameter
        tmp *= 1.0 - alpha
        v *= alpha
        v += tmp
        if self.centered:
            a = st.get("grad_avg")
            if a is None:
                a = st["grad_avg"] = np.zeros_like(d)
            np.multiply(g, 1.0 - alpha, out=tmp)
            a *= alpha
            a += tmp
            np.multiply(a, a, out=tmp)
            np.subtract(v, tmp, out=tmp)
            np.maximum(tmp, 0.0, out=tmp)  # v >= a^2 in exact arithmetic; rounding must not give sqrt(-0.0...1)
            np.sqrt(tmp, out=tmp)
        else:
            np.sqrt(v, out=tmp)
        tmp += self.eps
        np.divide(g, tmp, out=tmp)
        if self.momentum > 0:
            b = st.get("momentum_buffer")
            if b is None:
                b = st["momentum_buffer"] = np.zeros_like(d)
            b *= self.momentum
            b += tmp
            np.multiply(b, self.lr, out=tmp)
        else:
            tmp *= self.lr
        d -= tmp


__all__ = ["RMSprop"]
