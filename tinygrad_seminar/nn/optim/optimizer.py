"""The base of the optimisers (PyTorch's names, defaults and update formulas): ``Optimizer`` and its checks.

The update rules are one file each: ``sgd.py``, ``adam.py``, ``rmsprop.py``, ``adagrad.py``.

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
from ...autograd.jit_trace import replayed


class DefaultLR(float):
    """A default learning rate that knows it was not given (so lr= and learning_rate= can't clash)."""


def check_number(owner: str, name: str, value: object, lo: float = 0.0, hi: float = math.inf,
                 hi_open: bool = False) -> float:
    """float(value) if lo <= value <= hi (or < hi), else an error naming the argument and the value."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a real number, got {value!r}")
    v = float(value)
    if not (lo <= v and (v < hi if hi_open else v <= hi)) or math.isinf(v):
        bound = f"in [{lo:g}, {hi:g}{')' if hi_open else ']'}" if hi != math.inf else f">= {lo:g} and finite"
        raise ValueError(f"{owner}: {name} must be {bound}, got {value!r}")
    return v


def check_flag(owner: str, name: str, value: object) -> bool:
    """bool(value) if value is True or False (numpy's bool too), else an error naming the argument."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: {name} must be True or False, got {value!r}")
    return bool(value)


class Optimizer:
    """w <- w - update(g, state) for each parameter w with a ``.grad`` g: the base of the optimisers.

    One list of parameters, per-parameter state, ``step()``, ``zero_grad()``, ``state_dict()``.

    A subclass lists its hyper-parameters in ``_hyper``, checks them in ``_check(**hyper) -> dict``,
    names its state in ``_required`` (present once a parameter has stepped) and ``_optional`` (created
    when first needed), and updates one parameter in ``_update(data, grad, state)``, which starts from
    ``self._decayed(data, grad)``: the gradient with the L2 weight decay added.
    """

    _hyper: tuple[str, ...] = ()
    _required: frozenset = frozenset()
    _optional: frozenset = frozenset()

    def __init__(self, params: Iterable[Tensor] | None, lr: float, learning_rate: float | None, **hyper: object):
        name = type(self).__name__
        if learning_rate is not None:
            if not isinstance(lr, DefaultLR):
                raise TypeError(f"{name}: give lr or learning_rate (Keras' name for it), not both")
            check_number(name, "learning_rate", learning_rate)
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
        self.lr = check_number(type(self).__name__, "learning_rate", value)

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
        if keep_state and type(params) is list and len(params) == len(self.params) and all(
                a is b for a, b in zip(params, self.params)):
            return self  # the parameters bound now, checked then (fit rebinds on every call)
        plist = self._checked_params(params)
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

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        for name in ("step", "zero_grad"):  # a subclass's own step is replayed whole by ts.jit, as the base's
            method = cls.__dict__.get(name)
            if method is not None and not hasattr(method, "__wrapped__"):
                setattr(cls, name, replayed(method))

    # ---- the training loop ----
    @replayed
    def zero_grad(self) -> None:
        """p.grad = None for every parameter (PyTorch's default ``set_to_none=True``)."""
        for p in self.params:
            p.grad = None

    @replayed
    def step(self, closure: Callable[[], object] | None = None) -> object:
        """One update of every parameter that has a ``.grad``; returns ``closure()`` if one is given."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        if not self.params:
            raise RuntimeError(f"{type(self).__name__}.step(): the optimiser has no parameters; pass them "
                               "when creating it or call bind(params) (compile does that for a model)")
        for i, p in enumerate(self.params):  # every .grad checked before any update: one comparison each
            g = p.grad
            if g is not None and getattr(g, "shape", None) != p.data.shape:
                self._refuse_grad(i, p)
        self.before_update()
        update = self._update
        for p, st in zip(self.params, self.state):
            g = p.grad
            if g is not None:
                update(p.data, g, st)
        return loss

    def before_update(self) -> None:
        """What runs once per step after the gradients are checked and before any parameter changes: here nothing
        (a Keras optimiser clips its gradients and decays its weights)."""

    def replay_lines(self, method: Callable, args: tuple, kwargs: dict, name: Callable) -> list[str] | None:
        """Lines a ``ts.jit`` plan runs in place of calling ``method`` (the plan calls it where this gives None).

        ``zero_grad()``: each ``p.grad = None``, while the parameters are the ones bound at capture. ``name(prefix,
        obj)`` names an object in the plan's code."""
        if method is not Optimizer.zero_grad.__wrapped__ or args or kwargs:
            return None
        me, bound = name("O", self), self.bound_check(name)
        return [f"if {bound}:", *(f"    {name('P', p)}.grad = None" for p in self.params),
                f"else: {name('X', method)}({me})"]

    def bound_check(self, name: Callable) -> str:
        """An expression: the optimiser holds the parameters it held at capture, in its list of then (bind and
        rebind replace the list; an element set in place is seen too)."""
        plist = name("PL", self.params)
        same = "".join(f" and {plist}[{k}] is {name('P', p)}" for k, p in enumerate(self.params))
        return f"{name('O', self)}.params is {plist} and len({plist}) == {len(self.params)}{same}"

    def _refuse_grad(self, i: int, p: Tensor) -> None:
        """A .grad of another shape would be broadcast into the update: refuse it, naming the parameter."""
        g = p.grad
        got = f"shape {tuple(g.shape)}" if hasattr(g, "shape") else f"a {type(g).__name__}"
        name = f" ({p.name!r})" if p.name else ""
        raise ValueError(f"{type(self).__name__}.step(): params[{i}]{name} has shape {tuple(p.data.shape)} but its "
                         f".grad has {got}; a gradient must have its parameter's shape (set p.grad to an array of "
                         "that shape, or to None to skip the parameter)")

    def _update(self, d: np.ndarray, g: np.ndarray, st: dict) -> None:
        raise NotImplementedError

    def _decayed(self, d: np.ndarray, g: np.ndarray) -> np.ndarray:
        """g + wd * d as a new array (so p.grad is never written into); g itself when weight_decay is 0."""
        wd = self.weight_decay
        if not wd:
            return g
        gw = np.multiply(d, wd, out=np.empty_like(d))  # an array also for a 0-d parameter
        gw += g
        return gw

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


__all__ = ["DefaultLR", "Optimizer", "check_flag", "check_number"]
