"""Stochastic gradient descent with momentum and Nesterov momentum, PyTorch's ``torch.optim.SGD``."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from ...autograd import Tensor
from .optimizer import DefaultLR, Optimizer, check_flag, check_number


class SGD(Optimizer):
    """Stochastic gradient descent, PyTorch's ``torch.optim.SGD`` (dampening 0, maximize off).

    g <- g + wd * w;  with momentum mu: b <- mu * b + g (b <- g on the first step), then
    g <- g + mu * b (nesterov) or g <- b;  finally w <- w - lr * g.
    """

    _hyper = ("lr", "momentum", "nesterov", "weight_decay")
    _optional = frozenset({"momentum_buffer"})

    def __init__(self, params: Iterable[Tensor] | None = None, lr: float = DefaultLR(0.01), momentum: float = 0.0,
                 nesterov: bool = False, weight_decay: float = 0.0, *, learning_rate: float | None = None):
        super().__init__(params, lr, learning_rate, momentum=momentum, nesterov=nesterov, weight_decay=weight_decay)

    @classmethod
    def _check(cls, lr, momentum, nesterov, weight_decay) -> dict:
        h = {"lr": check_number("SGD", "lr", lr), "momentum": check_number("SGD", "momentum", momentum),
             "nesterov": check_flag("SGD", "nesterov", nesterov),
             "weight_decay": check_number("SGD", "weight_decay", weight_decay)}
        if h["nesterov"] and h["momentum"] <= 0:
            raise ValueError(f"SGD: nesterov=True needs a momentum > 0, got momentum={momentum!r}")
        return h

    def replay_lines(self, method: Callable, args: tuple, kwargs: dict, name: Callable) -> list[str] | None:
        """A ``ts.jit`` plan's ``step()`` without momentum and weight decay: ``d -= g * lr`` per parameter, as
        ``_update`` does, after the same check of every ``.grad``; otherwise (or for a subclass) ``step()`` itself."""
        if method is not Optimizer.step.__wrapped__ or args or kwargs or type(self)._update is not SGD._update:
            return super().replay_lines(method, args, kwargs, name)
        me, ps = name("O", self), [name("P", p) for p in self.params]
        lines = [f"ok = not {me}.momentum and not {me}.weight_decay and {self.bound_check(name)}"]
        for k, (p, q) in enumerate(zip(ps, self.params)):
            lines += [f"g{k} = {p}.grad",
                      f"ok = ok and (g{k} is None or (g{k}.__class__ is ndarray and g{k}.shape == {q.data.shape!r}))"]
        lines += ["if ok:", f"    lr = {me}.lr"]
        for k, p in enumerate(ps):
            lines += [f"    if g{k} is not None:", f"        d = {p}.data", f"        d -= g{k} * lr"]
        return lines + [f"else: {name('X', method)}({me})"]

    def _update(self, d: np.ndarray, g: np.ndarray, st: dict) -> None:
        mu = self.momentum
        if not mu and not self.weight_decay:  # plain SGD, the common case: w <- w - lr * g
            d -= g * self.lr
            return
        gd = self._decayed(d, g) if self.weight_decay else g
        own = gd is not g  # whether g is a temporary of ours, free to overwrite (p.grad never is)
        g = gd
        if mu:
            b = st.get("momentum_buffer")
            if b is None:
                b = st["momentum_buffer"] = np.array(g, dtype=d.dtype)  # a copy: b_1 = g_1
            else:
                b *= mu
                b += g
            if self.nesterov:
                gn = np.multiply(b, mu, out=np.empty_like(b))  # an array also for a 0-d parameter
                gn += g
                g, own = gn, True
            else:
                g, own = b, False
        if own:
            g *= self.lr
            d -= g
        else:
            d -= g * self.lr


__all__ = ["SGD"]
