"""Optimisers with PyTorch's names, defaults and update formulas: SGD, Adam, RMSprop, Adagrad.

``opt = SGD(model.parameters(), lr=0.1)``; in a training loop ``opt.zero_grad()``, ``loss.backward()``,
``opt.step()``. Keras' spelling ``learning_rate=`` is accepted too, and ``params`` may be left out and
attached later with ``opt.bind(params)`` (what a Keras-style ``compile`` does). Each step updates a
parameter's ``.data`` in place (references to the array see the change) and never writes into its
``.grad``; parameters whose ``.grad`` is None are skipped. State arrays have the parameter's dtype and
hyper-parameters are Python floats, so float32 parameters stay float32.

``weight_decay`` is the L2 penalty of PyTorch's optimisers, added to the gradient (g <- g + wd * w);
for Adam that is ``torch.optim.Adam``'s, not AdamW's decoupled decay.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable

import numpy as np

from ...autograd import Tensor, enable_grad


class _Default(float):
    """A default learning rate that knows it was not given (so lr= and learning_rate= can't clash)."""


def _number(owner: str, name: str, value, lo: float = 0.0, hi: float = math.inf, hi_open: bool = False) -> float:
    """float(value) if lo <= value <= hi (or < hi), else an error naming the argument and the value."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a real number, got {value!r}")
    v = float(value)
    if not (lo <= v and (v < hi if hi_open else v <= hi)) or math.isinf(v):
        bound = f"in [{lo:g}, {hi:g}{')' if hi_open else ']'}" if hi != math.inf else f">= {lo:g} and finite"
        raise ValueError(f"{owner}: {name} must be {bound}, got {value!r}")
    return v


def _flag(owner: str, name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: {name} must be True or False, got {value!r}")
    return bool(value)


class Optimizer:
    """w <- w - update(g, state) for each parameter w with a ``.grad`` g: the base of the optimisers.

    One list of parameters, per-parameter state, ``step()``, ``zero_grad()``, ``state_dict()``.

    A subclass lists its hyper-parameters in ``_hyper``, checks them in ``_check(**hyper) -> dict``,
    names its state in ``_required`` (present once a parameter has stepped) and ``_optional`` (created
    when first needed), and updates one parameter in ``_update(data, grad, state)``.
    """

    _hyper: tuple[str, ...] = ()
    _required: frozenset = frozenset()
    _optional: frozenset = frozenset()

    def __init__(self, params, lr, learning_rate, **hyper):
        name = type(self).__name__
        if learning_rate is not None:
            if not isinstance(lr, _Default):
                raise TypeError(f"{name}: give lr or learning_rate (Keras' name for it), not both")
            _number(name, "learning_rate", learning_rate)
            lr = learning_rate
        self.__dict__.update(self._check(lr=lr, **hyper))
        self.params: list[Tensor] = []
        self.state: list[dict] = []
        if params is not None:
            self.bind(params)

    # ---- hyper-parameters ----
    @classmethod
    def _check(cls, **hyper) -> dict:
        raise NotImplementedError

    @property
    def learning_rate(self) -> float:
        """Keras' name for ``lr``."""
        return self.lr

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self.lr = _number(type(self).__name__, "learning_rate", value)

    def hyperparameters(self) -> dict:
        """The hyper-parameters by name (``lr``, ``momentum``, ...)."""
        return {k: getattr(self, k) for k in self._hyper}

    # ---- parameters ----
    def bind(self, params: Iterable[Tensor]) -> Optimizer:
        """Attach the parameters to optimise (a list or a generator of Tensors); returns the optimiser.

        Binding the same parameters again is a no-op; other parameters need a new optimiser, or ``rebind``.
        """
        plist = self._checked_params(params)
        if self.params:
            if len(plist) == len(self.params) and all(a is b for a, b in zip(plist, self.params)):
                return self
            raise RuntimeError(f"{type(self).__name__} is already bound to {len(self.params)} parameters; "
                               "make a new optimiser for other parameters, or call rebind(params)")
        self.params, self.state = plist, [{} for _ in plist]
        return self

    def rebind(self, params: Iterable[Tensor], keep_state: bool = True) -> Optimizer:
        """Optimise ``params`` from now on (a model that gained layers, or froze some); returns the optimiser.

        With ``keep_state`` a parameter that was bound before keeps its state (moments, step count).
        """
        plist = self._checked_params(params)
        if len(plist) == len(self.params) and all(a is b for a, b in zip(plist, self.params)):
            return self
        kept = {id(p): st for p, st in zip(self.params, self.state)} if keep_state else {}
        self.params, self.state = plist, [kept.get(id(p), {}) for p in plist]
        return self

    def _checked_params(self, params) -> list[Tensor]:
        """``params`` as a list, each a floating-point leaf Tensor, none twice; else an error saying which."""
        name = type(self).__name__
        if isinstance(params, Tensor) or not isinstance(params, Iterable) or isinstance(params, (str, bytes, dict)):
            hint = ""
            if hasattr(params, "parameters"):
                hint = " (pass model.parameters(), not the model)"
            elif isinstance(params, numbers.Real):
                hint = f" (for a learning rate write lr={params!r} or learning_rate={params!r})"
            raise TypeError(f"{name}: params must be an iterable of Tensors, got {type(params).__name__}{hint}")
        plist = list(params)
        if not plist:
            raise ValueError(f"{name} got an empty parameter list: nothing to optimise")
        seen = set()
        for i, p in enumerate(plist):
            if isinstance(p, dict):
                raise TypeError(f"{name}: parameter groups (dicts) are not supported; pass one list of Tensors")
            if not isinstance(p, Tensor):
                raise TypeError(f"{name}: params[{i}] is a {type(p).__name__}, not a Tensor")
            if p.data.dtype.kind != "f":
                raise TypeError(f"{name}: params[{i}] has dtype {p.data.dtype}; only floating-point tensors train")
            if p.grad_fn is not None:
                raise ValueError(f"{name}: params[{i}] was computed by an op (not a leaf); optimise leaves only")
            if id(p) in seen:
                raise ValueError(f"{name}: params[{i}] appears more than once in the parameter list")
            seen.add(id(p))
        return plist

    # ---- the training loop ----
    def zero_grad(self) -> None:
        """p.grad = None for every parameter (PyTorch's default ``set_to_none=True``)."""
        for p in self.params:
            p.grad = None

    def step(self, closure: Callable[[], object] | None = None):
        """One update of every parameter that has a ``.grad``; returns ``closure()`` if one is given."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        if not self.params:
            raise RuntimeError(f"{type(self).__name__}.step(): the optimiser has no parameters; pass them "
                               "when creating it or call bind(params) (compile does that for a model)")
        update = self._update
        for p, st in zip(self.params, self.state):
            g = p.grad
            if g is not None:
                update(p.data, g, st)
        return loss

    def _update(self, d: np.ndarray, g: np.ndarray, st: dict) -> None:
        raise NotImplementedError

    # ---- saving and loading ----
    def state_dict(self) -> dict:
        """{"optimizer": class name, "hyperparameters": {...}, "state": [per-parameter dict]}, numpy copies."""
        return {
            "optimizer": type(self).__name__,
            "hyperparameters": self.hyperparameters(),
            "state": [{k: v.copy() if isinstance(v, np.ndarray) else v for k, v in st.items()} for st in self.state],
        }

    def load_state_dict(self, state_dict: dict) -> None:
        """Load what ``state_dict()`` gave (copies, cast to each parameter's dtype).

        Everything is checked first; on any mismatch a ValueError lists every problem and nothing changes.
        """
        name = type(self).__name__
        if not isinstance(state_dict, dict) or set(state_dict) != {"optimizer", "hyperparameters", "state"}:
            raise ValueError(f"{name}.load_state_dict: expected a dict with keys 'optimizer', 'hyperparameters' "
                             f"and 'state' (from state_dict()), got {_describe(state_dict)}")
        problems = []
        if state_dict["optimizer"] != name:
            problems.append(f"it is the state of a {state_dict['optimizer']!r}, not of a {name!r}")
        hyper = state_dict["hyperparameters"]
        new_hyper = None
        if not isinstance(hyper, dict) or set(hyper) != set(self._hyper):
            got = sorted(hyper) if isinstance(hyper, dict) else _describe(hyper)
            problems.append(f"hyperparameters must have the keys {sorted(self._hyper)}, got {got}")
        else:
            try:
                new_hyper = self._check(**hyper)
            except (TypeError, ValueError) as e:
                problems.append(str(e))
        entries = state_dict["state"]
        new_state = []
        if not isinstance(entries, (list, tuple)):
            problems.append(f"state must be a list with one dict per parameter, got {_describe(entries)}")
        elif not self.params and any(entries):
            problems.append(f"the optimiser has no parameters yet but the state has {len(entries)} entries: "
                            "bind(params) first")
        elif self.params and len(entries) != len(self.params):
            problems.append(f"state has {len(entries)} entries, the optimiser has {len(self.params)} parameters")
        else:
            for i, (p, st) in enumerate(zip(self.params, entries)):
                new_state.append(self._load_entry(i, p, st, problems))
        if problems:
            raise ValueError(f"{name}.load_state_dict: the state does not fit:\n  - " + "\n  - ".join(problems))
        self.__dict__.update(new_hyper)
        if self.params:
            self.state = new_state

    def _load_entry(self, i: int, p: Tensor, st, problems: list) -> dict:
        if not isinstance(st, dict):
            problems.append(f"state[{i}] must be a dict, got {_describe(st)}")
            return {}
        unknown = set(st) - self._required - self._optional
        missing = self._required - set(st) if st else set()
        if unknown:
            problems.append(f"state[{i}] has unexpected keys {sorted(unknown)}")
        if missing:
            problems.append(f"state[{i}] misses the keys {sorted(missing)}")
        out = {}
        for k, v in st.items():
            if k in unknown:
                continue
            if k == "step":
                if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 0:
                    problems.append(f"state[{i}]['step'] must be an integer >= 0, got {v!r}")
                out[k] = int(v) if isinstance(v, numbers.Integral) else v
                continue
            a = np.asarray(v)
            if a.shape != p.data.shape:
                problems.append(f"state[{i}][{k!r}] has shape {tuple(a.shape)}, parameter {i} has shape "
                                f"{tuple(p.data.shape)}")
            elif a.dtype.kind not in "fiu":
                problems.append(f"state[{i}][{k!r}] has dtype {a.dtype}, not a number type")
            else:
                out[k] = np.array(a, dtype=p.data.dtype)
        return out

    def __repr__(self) -> str:
        hyper = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters().items())
        bound = f"{len(self.params)} parameters" if self.params else "unbound"
        return f"{type(self).__name__}({hyper}; {bound})"


def _describe(x) -> str:
    return f"{type(x).__name__}" + (f" with keys {sorted(map(str, x))}" if isinstance(x, dict) else "")


class SGD(Optimizer):
    """Stochastic gradient descent, PyTorch's ``torch.optim.SGD`` (dampening 0, maximize off).

    g <- g + wd * w;  with momentum mu: b <- mu * b + g (b <- g on the first step), then
    g <- g + mu * b (nesterov) or g <- b;  finally w <- w - lr * g.
    """

    _hyper = ("lr", "momentum", "nesterov", "weight_decay")
    _optional = frozenset({"momentum_buffer"})

    def __init__(self, params: Iterable[Tensor] | None = None, lr: float = _Default(0.01), momentum: float = 0.0,
                 nesterov: bool = False, weight_decay: float = 0.0, *, learning_rate: float | None = None):
        super().__init__(params, lr, learning_rate, momentum=momentum, nesterov=nesterov, weight_decay=weight_decay)

    @classmethod
    def _check(cls, lr, momentum, nesterov, weight_decay) -> dict:
        h = {"lr": _number("SGD", "lr", lr), "momentum": _number("SGD", "momentum", momentum),
             "nesterov": _flag("SGD", "nesterov", nesterov),
             "weight_decay": _number("SGD", "weight_decay", weight_decay)}
        if h["nesterov"] and h["momentum"] <= 0:
            raise ValueError(f"SGD: nesterov=True needs a momentum > 0, got momentum={momentum!r}")
        return h

    def _update(self, d, g, st):
        wd, mu = self.weight_decay, self.momentum
        own = False  # whether g is a temporary of ours, free to overwrite (p.grad never is)
        if wd:
            gw = np.multiply(d, wd)
            gw += g
            g, own = gw, True
        if mu:
            b = st.get("momentum_buffer")
            if b is None:
                b = st["momentum_buffer"] = np.array(g, dtype=d.dtype)  # a copy: b_1 = g_1
            else:
                b *= mu
                b += g
            if self.nesterov:
                gn = np.multiply(b, mu)
                gn += g
                g, own = gn, True
            else:
                g, own = b, False
        if own:
            g *= self.lr
            d -= g
        else:
            d -= g * self.lr


class Adam(Optimizer):
    """Adam, PyTorch's ``torch.optim.Adam`` (L2 weight decay, no amsgrad).

    g <- g + wd * w;  m <- b1 * m + (1 - b1) * g;  v <- b2 * v + (1 - b2) * g^2;
    w <- w - lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps), t = this parameter's step count.
    """

    _hyper = ("lr", "betas", "eps", "weight_decay")
    _required = frozenset({"step", "exp_avg", "exp_avg_sq"})

    def __init__(self, params: Iterable[Tensor] | None = None, lr: float = _Default(1e-3),
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0, *,
                 learning_rate: float | None = None):
        super().__init__(params, lr, learning_rate, betas=betas, eps=eps, weight_decay=weight_decay)

    @classmethod
    def _check(cls, lr, betas, eps, weight_decay) -> dict:
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}")
        b = (_number("Adam", "betas[0]", betas[0], hi=1.0, hi_open=True),
             _number("Adam", "betas[1]", betas[1], hi=1.0, hi_open=True))
        return {"lr": _number("Adam", "lr", lr), "betas": b, "eps": _number("Adam", "eps", eps),
                "weight_decay": _number("Adam", "weight_decay", weight_decay)}

    def _update(self, d, g, st):
        if not st:
            st["step"], st["exp_avg"], st["exp_avg_sq"] = 0, np.zeros_like(d), np.zeros_like(d)
        b1, b2 = self.betas
        t = st["step"] = st["step"] + 1
        m, v = st["exp_avg"], st["exp_avg_sq"]
        if self.weight_decay:
            gw = np.multiply(d, self.weight_decay)
            gw += g
            g = gw
        tmp = np.multiply(g, 1.0 - b1)
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


class RMSprop(Optimizer):
    """RMSprop, PyTorch's ``torch.optim.RMSprop`` (eps added outside the square root).

    g <- g + wd * w;  v <- alpha * v + (1 - alpha) * g^2;  centered: a <- alpha * a + (1 - alpha) * g,
    v~ = v - a^2 (else v~ = v);  with momentum mu: b <- mu * b + g / (sqrt(v~) + eps), w <- w - lr * b;
    without: w <- w - lr * g / (sqrt(v~) + eps).
    """

    _hyper = ("lr", "alpha", "eps", "momentum", "centered", "weight_decay")
    _required = frozenset({"step", "square_avg"})
    _optional = frozenset({"momentum_buffer", "grad_avg"})

    def __init__(self, params: Iterable[Tensor] | None = None, lr: float = _Default(0.01), alpha: float = 0.99,
                 eps: float = 1e-8, momentum: float = 0.0, centered: bool = False, weight_decay: float = 0.0, *,
                 learning_rate: float | None = None):
        super().__init__(params, lr, learning_rate, alpha=alpha, eps=eps, momentum=momentum, centered=centered,
                         weight_decay=weight_decay)

    @classmethod
    def _check(cls, lr, alpha, eps, momentum, centered, weight_decay) -> dict:
        return {"lr": _number("RMSprop", "lr", lr), "alpha": _number("RMSprop", "alpha", alpha, hi=1.0),
                "eps": _number("RMSprop", "eps", eps), "momentum": _number("RMSprop", "momentum", momentum),
                "centered": _flag("RMSprop", "centered", centered),
                "weight_decay": _number("RMSprop", "weight_decay", weight_decay)}

    def _update(self, d, g, st):
        if not st:
            st["step"], st["square_avg"] = 0, np.zeros_like(d)
        st["step"] += 1
        alpha = self.alpha
        if self.weight_decay:
            gw = np.multiply(d, self.weight_decay)
            gw += g
            g = gw
        v = st["square_avg"]
        tmp = np.multiply(g, g)
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


class Adagrad(Optimizer):
    """Adagrad, PyTorch's ``torch.optim.Adagrad``.

    clr = lr / (1 + (t - 1) * lr_decay);  g <- g + wd * w;  s <- s + g^2 (s starts at
    initial_accumulator_value);  w <- w - clr * g / (sqrt(s) + eps), t = this parameter's step count.
    """

    _hyper = ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")
    _required = frozenset({"step", "sum"})

    def __init__(self, params: Iterable[Tensor] | None = None, lr: float = _Default(0.01), lr_decay: float = 0.0,
                 weight_decay: float = 0.0, initial_accumulator_value: float = 0.0, eps: float = 1e-10, *,
                 learning_rate: float | None = None):
        super().__init__(params, lr, learning_rate, lr_decay=lr_decay, weight_decay=weight_decay,
                         initial_accumulator_value=initial_accumulator_value, eps=eps)

    @classmethod
    def _check(cls, lr, lr_decay, weight_decay, initial_accumulator_value, eps) -> dict:
        return {"lr": _number("Adagrad", "lr", lr), "lr_decay": _number("Adagrad", "lr_decay", lr_decay),
                "weight_decay": _number("Adagrad", "weight_decay", weight_decay),
                "initial_accumulator_value": _number("Adagrad", "initial_accumulator_value",
                                                     initial_accumulator_value),
                "eps": _number("Adagrad", "eps", eps)}

    def _update(self, d, g, st):
        if not st:
            st["step"], st["sum"] = 0, np.full_like(d, self.initial_accumulator_value)
        t = st["step"] = st["step"] + 1
        clr = self.lr / (1.0 + (t - 1) * self.lr_decay)
        if self.weight_decay:
            gw = np.multiply(d, self.weight_decay)
            gw += g
            g = gw
        s = st["sum"]
        tmp = np.multiply(g, g)
        s += tmp
        np.sqrt(s, out=tmp)
        tmp += self.eps
        np.divide(g, tmp, out=tmp)
        tmp *= clr
        d -= tmp


__all__ = ["SGD", "Adagrad", "Adam", "Optimizer", "RMSprop"]
