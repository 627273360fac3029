"""What ``ts.jit`` records of one eager call of a step: its ops, its backwards, its optimiser calls.

A trace lists events in the order they ran:
- ``Forward``: an op's class, where each input came from (a slot), its keyword arguments;
- ``Backward``: per op whose backward ran, in the engine's order, where each gradient went (another op's
  pending sum, in arrival order, or a leaf's ``.grad``), and whether the engine converted or reduced it;
- ``Call``: a method marked with ``replayed`` (an optimiser's ``step`` and ``zero_grad``), called again as is.

A slot says where an array comes from: ``("arg", k)`` the step's k-th array argument, ``("out", j)`` the output
of event j, ``("view", k, shape)`` argument k reshaped (the same memory), ``("leaf", n)`` the array of a
parameter, ``("const", n)`` any other array, bound by reference (a mask or frozen tensor made before the step;
made in the step, the next capture holds another object, and jit.py refuses the plan).
A recorder is what ``thread_state.jit`` holds while a call is captured; Function.apply,
engine.backward and ``replayed`` methods hand it their work. Anything it cannot replay makes ``unsupported``
keep a reason: that call's result stands (it ran eagerly), and the signature stays eager.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import numpy as np

from .base import Freed, TensorBase, placeholder
from .engine import AccumulateGrad, as_tuple, fit_gradient, propagate, toposort
from .state import anomaly_mode, thread_state


class Forward:
    """One op's forward: ``cls.forward(ctx, *inputs, **kwargs)``: each input and keyword argument a slot, or
    ``("value", v)`` for anything else (a number, an axis, a generator)."""

    __slots__ = ("cls", "ctx", "inputs", "kwargs", "scope", "tensors")

    def __init__(self, cls: type, ctx, inputs: tuple, kwargs: dict, scope: tuple) -> None:
        self.cls, self.ctx, self.inputs, self.kwargs, self.scope = cls, ctx, inputs, kwargs, scope
        self.tensors: tuple = ()  # per input: (its Tensor class, requires_grad), or None for another argument


class Backward:
    """One ``backward()``: the seed and, per op in the engine's order, (event, form, arrivals); the form of what
    the op's backward returned: "tuple" (one per input), "bare" (one array for one input), "other" (as_tuple).

    An arrival is (input position, needs np.asarray, needs fit_gradient, destination): ``("node", j, first)``
    adds into event j's pending gradient (``first``: it starts the sum), ``("leaf", n)`` goes to leaf n's ``.grad``.
    """

    __slots__ = ("root", "seed", "steps")

    def __init__(self, root: int, seed: np.ndarray) -> None:
        self.root, self.seed, self.steps = root, seed, []


class Call:
    """A ``replayed`` method's call, made again as is on replay."""

    __slots__ = ("method", "owner", "args", "kwargs")

    def __init__(self, method: Callable, owner, args: tuple, kwargs: dict) -> None:
        self.method, self.owner, self.args, self.kwargs = method, owner, args, kwargs


def replayed(method: Callable) -> Callable:
    """Mark a method whose effect a ``ts.jit`` replay repeats by calling it again (an optimiser's step).

    The method must depend only on state it reads when called (``.grad``, its own state, the learning rate)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        rec = thread_state.jit
        if rec is None:
            return method(self, *args, **kwargs)
        return rec.call(method, self, args, kwargs)

    return wrapper


def marker(a):
    """What a replayed op's context holds in place of an input: its shape, dtype and requires_grad, no values."""
    if not isinstance(a, TensorBase):
        return placeholder(a) if type(a) is np.ndarray else a
    m = Freed.from_array(placeholder(a.data))
    m.requires_grad = a.requires_grad
    return m


def grad_state(t: TensorBase) -> tuple:
    """(``t.grad``, a copy of its values if it is an array): what a later check compares."""
    g = t.grad
    return g, (np.array(g, copy=True) if isinstance(g, np.ndarray) else None)


class Trace:
    """The recorder of one capturing call (see the module docstring)."""

    def __init__(self, args: tuple, previous: Trace | None = None) -> None:
        self.events: list = []
        self.previous_end = previous.end_grads if previous is not None else None
        self.calls = 0
        self.reason: str | None = None
        self.slots: dict[int, tuple] = {}  # id(array) -> slot
        self.keep: list = []  # every array seen, so that no id is reused while the trace lives
        self.leaves: list[TensorBase] = []  # tensors made before the step whose arrays the ops read
        self.leaf_values: list[np.ndarray] = []  # their values as last seen (a change outside a Call is refused)
        self.consts: list[np.ndarray] = []  # arrays from outside the ops, bound by reference (their values live)
        self.const_owners: list[tuple] = []  # (tensor, its array) for consts read through a tensor: guarded
        self.node_of: dict[int, int] = {}  # id(ctx) -> its Forward's index
        self.grads: list[tuple] = []  # per leaf: (.grad object, a copy) as the last recorded event left it
        self.seen_modules: set[int] = set()
        self.state: list[tuple] = []  # (module, attribute, tensor, its array, a copy): a layer's own non-trained state
        self.outputs: dict[int, np.ndarray] = {}  # event -> a copy of its output, to notice changes made in place
        self.end_grads: dict[int, object] = {}  # id(leaf) -> its .grad when the call ended
        self.args = args
        self.arg_values = [np.array(a, copy=True) for a in args]
        for k, a in enumerate(args):
            self.slots[id(a)] = ("arg", k)
            self.keep.append(a)

    def unsupported(self, reason: str) -> None:
        if self.reason is None:
            self.reason = reason

    # ---- where an input comes from ----
    def slot(self, a, t: TensorBase | None) -> tuple:
        found = self.slots.get(id(a))
        if found is not None:
            return found
        self.keep.append(a)
        found = self.view_of_arg(a) if t is None or not t.requires_grad else None
        if found is not None:
            self.slots[id(a)] = found
            return found
        if t is not None and t.grad_fn is None and t.requires_grad:  # a parameter (or a leaf the user made)
            if t.hooks:
                self.unsupported("a hook is registered on a parameter (register_hook): hooks run only eagerly")
            found = ("leaf", len(self.leaves))
            self.leaves.append(t)
            self.leaf_values.append(np.array(a, copy=True))
            self.grads.append(grad_state(t))
        else:  # made before the step (a mask, a frozen teacher), or in it (then the next capture has another)
            found = ("const", len(self.consts))
            self.consts.append(a)
            if t is not None:
                self.const_owners.append((t, a))
        self.slots[id(a)] = found
        return found

    def view_of_arg(self, a: np.ndarray) -> tuple | None:
        """``("view", k, shape)`` if ``a`` is argument k reshaped (its own memory, same dtype, both C-contiguous:
        ``labels.reshape(-1)``), else None. Only memory says so: equal values prove nothing."""
        if not a.flags.c_contiguous or a.base is None:
            return None
        where = (a.__array_interface__["data"][0], a.nbytes)
        for k, arg in enumerate(self.args):
            if (arg.flags.c_contiguous and arg.dtype == a.dtype
                    and (arg.__array_interface__["data"][0], arg.nbytes) == where):
                return ("view", k, a.shape)
        return None

    def checked(self, slot: tuple, a: np.ndarray) -> tuple:
        """``slot``, after checking that an op's output, or an argument, was not changed in place since it was made."""
        kind, ref = slot[0], slot[1]
        before = self.outputs.get(ref) if kind == "out" else (self.arg_values[ref] if kind == "arg" else None)
        if before is not None and not (a.shape == before.shape and np.array_equal(a, before, equal_nan=True)):
            self.unsupported("the step changes an array in place between ops (t.data[...] = ..., x *= 2 on an "
                             "input): a replay would not; use Tensor ops")
        return slot

    def note_module(self, m) -> None:
        """Keep a module's tensors that no optimiser trains (moving statistics, a Normalization's mean), as they are
        before it runs: a replay reads them as they were, so changes must come from outside the step."""
        self.seen_modules.add(id(m))
        d = vars(m).copy()  # another thread may set the module's attributes meanwhile (nn.module.attributes)
        if any(d.get("_forward_hook_dicts") or ()) or d.get("_preactivation_hooks"):
            self.unsupported(f"a forward hook is registered on {getattr(m, 'name', type(m).__name__)}: hooks run "
                             "only eagerly")
        for name, t in d.items():
            if isinstance(t, TensorBase) and not t.requires_grad:
                self.state.append((m, name, t, t.data, np.array(t.data, copy=True)))

    def source(self, a) -> object:
        if isinstance(a, TensorBase):
            if a.grad_fn is not None and id(a.grad_fn) not in self.node_of:
                self.unsupported("an op of the step takes a tensor computed (with a graph) before the step")
            return self.checked(self.slot(a.data, a), a.data)
        if type(a) is np.ndarray:
            return self.checked(self.slot(a, None), a)
        if type(a) in (tuple, list) and any(type(v) is np.ndarray or isinstance(v, TensorBase) for v in a):
            return ("seq", type(a), tuple(self.source(v) for v in a))  # an index (rows, labels)
        return ("value", a)

    # ---- the three hooks ----
    def apply(self, cls: type, args: tuple, kwargs: dict):
        """Function.apply under capture: run it eagerly, then record it."""
        thread_state.jit = None
        try:
            out = cls.apply(*args, **kwargs)
        finally:
            thread_state.jit = self
        inputs = tuple(self.source(a) for a in args)
        if type(out) is tuple:
            self.unsupported(f"{cls.__name__} returns several outputs, which ts.jit does not replay")
            return out
        ctx = object.__new__(cls)  # the replay's own context: forward refills it on every call
        ctx.saved, ctx.inputs, ctx.kwargs = (), tuple(marker(a) for a in args), kwargs
        j = len(self.events)
        sources = {k: self.source(v) for k, v in kwargs.items()}  # an index given as idx=(rows, labels) too
        e = Forward(cls, ctx, inputs, sources, thread_state.scope)
        e.tensors = tuple((type(a), a.requires_grad) if isinstance(a, TensorBase) else None for a in args)
        self.events.append(e)
        self.outputs[j] = np.array(out.data, copy=True)
        for m in thread_state.scope:
            if id(m) not in self.seen_modules and hasattr(m, "training"):
                self.note_module(m)
        if out.grad_fn is not None:
            self.node_of[id(out.grad_fn)] = j
        self.slots[id(out.data)] = ("out", j)
        self.keep.append(out.data)
        return out

    def call(self, method: Callable, owner, args: tuple, kwargs: dict):
        """A ``replayed`` method under capture: changes it makes to parameters are its own."""
        self.check_leaves(f"before {type(owner).__name__}.{method.__name__}()")
        thread_state.jit = None
        try:
            out = method(owner, *args, **kwargs)
        finally:
            thread_state.jit = self
        self.events.append(Call(method, owner, args, kwargs))
        self.calls += 1
        self.leaf_values = [np.array(t.data, copy=True) for t in self.leaves]
        self.grads = [grad_state(t) for t in self.leaves]
        return out

    def backward(self, roots, seeds, retain_graph: bool, create_graph: bool) -> None:
        """engine.backward under capture: the engine's own loop, recorded (or run eagerly, with a reason)."""
        reason = self.plain(roots, retain_graph, create_graph)
        if reason is not None:
            self.unsupported(reason)
            thread_state.jit = None
            try:
                return propagate(roots, seeds, AccumulateGrad(seeds, create_graph), retain_graph, create_graph)
            finally:
                thread_state.jit = self
        self.check_leaves("before backward()")
        self.check_grads_since_last_call()
        root, seed = roots[0], seeds[0]
        b = Backward(self.node_of[id(root.grad_fn)], np.array(seed, copy=True))
        self.run_backward(root, b, AccumulateGrad([b.seed]))
        self.events.append(b)
        self.grads = [grad_state(t) for t in self.leaves]
        return None

    def plain(self, roots, retain_graph: bool, create_graph: bool) -> str | None:
        """Why this backward cannot be replayed, or None."""
        if self.reason is not None:
            return self.reason
        if create_graph or retain_graph:
            return "backward(create_graph=True or retain_graph=True) inside the step: ts.jit replays plain backwards"
        if anomaly_mode() is not None:
            return "anomaly mode (ts.detect_anomaly) is on inside the step: its checks run only eagerly"
        if len(roots) != 1 or roots[0].grad_fn is None or id(roots[0].grad_fn) not in self.node_of:
            return "backward() from several tensors, a leaf, or a tensor made before the step"
        for t in toposort(roots):
            if t.hooks or t.retains_grad:
                return "a hook (register_hook) or retain_grad() on a tensor of the step: they run only eagerly"
            if id(t.grad_fn) not in self.node_of:
                return "backward() reaches a graph made before the step"
            for a in t.grad_fn.inputs:
                if isinstance(a, TensorBase) and a.grad_fn is None and a.requires_grad and a.hooks:
                    return "a hook is registered on a parameter (register_hook): hooks run only eagerly"
        return None

    def run_backward(self, root: TensorBase, b: Backward, sink: AccumulateGrad) -> None:
        """engine.propagate's loop for a plain backward into ``.grad``, recording each gradient's way."""
        pending, freed = {id(root): b.seed}, {}
        for t in toposort([root]):
            g = pending.pop(id(t), None)
            if g is None:
                continue
            ctx = t.grad_fn
            grads = type(ctx).backward(ctx, g)
            as_given = "tuple" if type(grads) is tuple and len(grads) == len(ctx.inputs) else "other"
            if as_given == "other":
                as_given = "bare" if type(grads) is np.ndarray and len(ctx.inputs) == 1 else "other"
                grads = as_tuple(grads, ctx)
            arrivals = []
            for k, (inp, lg) in enumerate(zip(ctx.inputs, grads)):
                if lg is None or not isinstance(inp, TensorBase) or not inp.requires_grad:
                    continue
                convert = type(lg) is not np.ndarray
                if convert:
                    lg = np.asarray(lg)
                fit = lg.shape != inp.data.shape or lg.dtype != inp.data.dtype
                if fit:
                    lg = fit_gradient(lg, inp, ctx)
                if inp.grad_fn is None:
                    sink.deliver(inp, lg)
                    where = self.slot(inp.data, inp)
                    if where[0] != "leaf":
                        self.unsupported("an argument of the step requires grad: ts.jit replays gradients into "
                                         "parameters made before the step only")
                    dest = ("leaf", where[1])
                else:
                    key = id(inp)
                    first = key not in pending
                    pending[key] = lg if first else pending[key] + lg
                    dest = ("node", self.node_of[id(inp.grad_fn)], first)
                arrivals.append((k, convert, fit, dest))
            ctx.release(freed)
            b.steps.append((self.node_of[id(ctx)], as_given, tuple(arrivals)))

    # ---- what the replay would not repeat ----
    def check_leaves(self, when: str) -> None:
        """Refuse changes to a parameter's values, or to a ``.grad``, made by plain Python (not ops, not a Call)."""
        for t, v in zip(self.leaves, self.leaf_values):
            if t.data.shape != v.shape or not np.array_equal(t.data, v, equal_nan=True):
                name = f" {t.name!r}" if t.name else ""
                self.unsupported(f"the step changes the values of parameter{name} outside ops and the optimiser "
                                 f"(noticed {when}); ts.jit replays only ops, backward() and optimiser calls")
                return
        for t, (g, v) in zip(self.leaves, self.grads):
            if t.grad is not g or (v is not None and not np.array_equal(g, v, equal_nan=True)):
                self.unsupported(f"the step changes a .grad outside backward() and the optimiser (noticed {when}), "
                                 "e.g. clipping in numpy; ts.jit replays only ops, backward() and optimiser calls")
                return

    def check_grads_since_last_call(self) -> None:
        """Before the first backward of a call with no optimiser call yet: each ``.grad`` must be as the previous
        call left it, or the step set it in Python (``p.grad = None``), which a replay would not."""
        if self.previous_end is None or self.calls or any(type(e) is Backward for e in self.events):
            return
        for t, (g, _) in zip(self.leaves, self.grads):
            if id(t) in self.previous_end and self.previous_end[id(t)] is not g:
                name = f" {t.name!r}" if t.name else ""
                self.unsupported(f"the step sets .grad of parameter{name} in Python (p.grad = None?); ts.jit "
                                 "replays only ops, backward() and optimiser calls: use opt.zero_grad()")
                return

    def finish(self, result) -> None:
        """After the call: check the parameters and the layers' own state once more, note what the step returned."""
        self.check_leaves("after the step")
        for m, name, t, a, v in self.state:
            if t.data is not a or not np.array_equal(a, v, equal_nan=True):
                self.unsupported(f"the step changes {getattr(m, 'name', type(m).__name__)}.{name} in plain Python "
                                 "(a layer's moving statistics?), which a replay would not")
                break
        for k, (a, v) in enumerate(zip(self.args, self.arg_values)):
            if not np.array_equal(a, v, equal_nan=True):
                self.unsupported(f"the step changes its argument {k} in place, which a replay would not")
                break
        self.result = self.returned(result)
        self.end_grads = {id(t): t.grad for t in self.leaves}

    def returned(self, value):
        """The result with each Tensor as its slot; refuses values computed in Python (they would not change)."""
        if isinstance(value, TensorBase):
            return ("tensor", type(value), self.source(value))
        if type(value) in (tuple, list):
            return (type(value), tuple(self.returned(v) for v in value))
        if type(value) is dict:
            return (dict, tuple((k, self.returned(v)) for k, v in value.items()))
        if value is None or type(value) in (bool, str):
            return ("value", value)
        self.unsupported(f"the step returns a {type(value).__name__}, computed in Python, which a replay would not "
                         "recompute: return Tensors (the loss) and call .item() outside the step")
        return ("value", value)
