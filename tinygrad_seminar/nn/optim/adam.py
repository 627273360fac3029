"""Adam with L2 weight decay, PyTorch's ``torch.optim.Adam``."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from ...autograd import Tensor
from .optimizer import DefaultLR, Optimizer, check_number


class Adam(Optimizer):
    """Adam, PyTorch's ``torch.optim.Adam`` (L2 weight decay, no amsgrad).

    g <- g + wd * w;  m <- b1 * m + (1 - b1) * g;  v <- b2 * v + (1 - b2) * g^2;
    w <- w - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps), t = this parameter's step count.
    """

    _hyper = ("lr", "betas", "eps", "weight_decay")
    _required = frozenset({"step", "exp_avg", "exp_avg_sq"})

    def __init__(self, params: Iterable[Tensor] | None = None, lr: float = DefaultLR(1e-3),
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0, *,
                 learning_rate: float | None = None):
        super().__init__(params, lr, learning_rate, betas=betas, eps=eps, weight_decay=weight_decay)

    @classmethod
    def _check(cls, lr, betas, eps, weight_decay) -> dict:
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}")
        b = (check_number("Adam", "betas[0]", betas[0], hi=1.0, hi_open=True),
             check_number("Adam", "betas[1]", betas[1], hi=1.0, hi_open=True))
        return {"lr": check_number("Adam", "lr", lr), "betas": b, "eps": check_number("Adam", "eps", eps),
                "weight_decay": check_number("Adam", "weight_decay", weight_decay)}

    def _update(self, d: np.ndarray, g: np.ndarray, st: dict) -> None:
        if not st:
            st["step"], st["exp_avg"], st["exp_avg_sq"] = 0, np.zeros_like(d), np.zeros_like(d)
        b1, b2 = self.betas
        t = st["step"] = st["step"] + 1
        m, v = st["exp_avg"], st["exp_avg_sq"]
        g = self._decayed(d, g) if self.weight_decay else g
        tmp = np.multiply(g, 1.0 - b1, out=np.empty_like(g))  # an array also for a 0-d parameter
        m *= b1
        m += tmp
        np.multiply(g, g, out=tmp)
        tmp *= 1.0 - b2
        v *= b2
        v += tmp
        np.sqrt(v, out=tmp)
        tmp /= math.sqrt(1.0 - b2 ** t)
        tmp += self.eps
        np.divide(m, tmp, out=tmp)
        tmp *= self.lr / (1.0 - b1 ** t)
        d -= tmp


__all__ = ["Adam"]
