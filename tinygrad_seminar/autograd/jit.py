"""``ts.jit``: a training step captured per signature and replayed as one generated function, bit for bit.

The first two calls with a signature (the arguments' shapes and dtypes, grad mode) run eagerly and are
recorded (jit_trace.py): the ops, each ``backward()`` as the engine ran it, the optimiser's calls. If the two
records agree, the second becomes a plan (jit_code.py): a Python function that runs each op's numpy lines
(written out from a template, or its own forward and backward on kept contexts), sums gradients in the engine's
order and repeats the optimiser's calls, with no graph, no Tensors and no engine. From the third call on the
plan replays, while its guard holds: the same parameter arrays (``load_state_dict``/``set_weights`` replace
them: a new capture follows), the same train/eval modes, no hooks. Random draws inside ops (dropout) are drawn
afresh from the same generator.

Why two calls: the records must agree on every op, argument and wiring, and an array the ops read that is not
an argument, a parameter or an op's result must be the same object in both (made before the step, read live;
an array the step makes in plain numpy is another object each call: the step stays eager). Where a
step cannot be replayed (hooks, anomaly mode, ``create_graph``, an op with several outputs, parameters
changed by plain Python, a float returned), it runs eagerly and ``.explain()`` says why; ``strict=True``
raises ``JitError`` instead.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable

import numpy as np

from .base import TensorBase
from .composites import Composite
from .hooks import HookHandle
from .jit_code import compile_trace
from .jit_entry import MISS, entry
from .jit_trace import Backward, Call, Forward, Trace
from .state import thread_state

MAX_PLANS = 8  # signatures kept (the short last batch of an epoch takes a second one), and plans per signature
MAX_CAPTURES = 16  # plans started for one signature; past this (weights replaced every call) it stays eager


class JitError(RuntimeError):
    """A ``strict=True`` jitted step that cannot be captured or replayed; the message says why."""


def flatten(value, arrays: list) -> tuple:
    """What of an argument the signature keeps (shapes and dtypes; plain values; other objects by identity);
    its arrays (a Tensor's data) are appended to ``arrays`` in order."""
    t = type(value)
    if t is tuple:  # the arguments themselves: their items inline (this runs on every call)
        out = []
        for v in value:
            tv = type(v)
            if tv is np.ndarray:
                arrays.append(v)
                out.append((tv, v.shape, v.dtype))
            elif v is None:  # fit's step without sample weights
                out.append(None)
            elif isinstance(v, TensorBase):
                d = v.data
                arrays.append(d)
                out.append((tv, d.shape, d.dtype, v.requires_grad))
            else:
                out.append(flatten(v, arrays) if tv is tuple else flatten_one(v, tv, arrays))
        return (t, tuple(out))
    return flatten_one(value, t, arrays)


def flatten_one(value, t: type, arrays: list) -> tuple:
    if t is np.ndarray:
        arrays.append(value)
        return (t, value.shape, value.dtype)  # not the layout: a replay reshapes as the eager code did
    if isinstance(value, TensorBase):
        d = value.data
        arrays.append(d)
        return (t, d.shape, d.dtype, value.requires_grad)
    if t in (tuple, list):
        return (t, tuple([flatten(v, arrays) for v in value]))
    if t is dict:
        return (t, tuple((k, flatten(v, arrays)) for k, v in value.items()))
    if t in (bool, int, float, str, type(None)):
        return (t, value)
    return (t, Same(value))


class Same:
    """An object in a signature: equal only to itself, and held, so that its id cannot be reused by another."""

    __slots__ = ("obj",)

    def __init__(self, obj) -> None:
        self.obj = obj

    def __eq__(self, other) -> bool:
        return type(other) is Same and other.obj is self.obj

    def __hash__(self) -> int:
        return id(self.obj)


class Plan:
    """One capture of a signature: its first trace, then its replay function (or the reason it stays eager),
    valid while its guard holds (the same parameter arrays, train/eval modes, no hooks)."""

    def __init__(self) -> None:
        self.first, self.fn, self.source, self.reason = None, None, "", None
        self.entry: Callable | None = None  # the check of its signature, written once it replays (jit_entry.py)
        self.key: tuple | None = None
        self.leaves: list[tuple] = []  # (tensor, its array at capture)
        self.modules: list[tuple] = []  # (module, its training flag at capture)
        self.state: list[tuple] = []  # (a layer's untrained tensor, its array at capture): moving statistics
        self.arrays: tuple = ()
        self.hooks_seen = -1  # HookHandle.registered when no hook was found on the plan's tensors and modules

    def guard(self, trace: Trace) -> None:
        self.leaves = [(t, t.data) for t in trace.leaves]
        self.modules = modules_of(trace)
        self.state = [(t, a) for _, _, t, a, _ in trace.state] + trace.const_owners
        self.arrays = tuple(self.leaves + self.state)  # what holds() checks: every array the plan binds
        self.hooks_seen = HookHandle.registered if trace.reason is None else -1

    def stale(self) -> bool:
        """A parameter holds another array (load_state_dict, set_weights): this plan can never hold again."""
        return any(t.data is not a for t, a in self.leaves) or any(t.data is not a for t, a in self.state)

    def holds(self) -> bool:
        for t, a in self.arrays:
            if t.data is not a:
                return False
        for m, mode in self.modules:
            if m.training != mode:
                return False
        # a plan that stays eager holds regardless of hooks (its calls run them); a replay must see none
        return self.reason is not None or self.hooks_seen == HookHandle.registered or self.no_hooks()

    def no_hooks(self) -> bool:
        """No hook on the plan's parameters and modules (checked again only after a hook was registered somewhere)."""
        for t, _ in self.leaves:
            if t.hooks:
                return False
        for m, _ in self.modules:
            d = m.__dict__
            if any(d.get("_forward_hook_dicts") or ()) or d.get("_preactivation_hooks"):
                return False
        self.hooks_seen = HookHandle.registered
        return True


def differs(a, b) -> bool:
    """Whether two recorded values differ (arrays by shape, dtype and values; other objects by == or identity)."""
    if a is b:
        return False
    if type(a) is not type(b):
        return True
    if type(a) is np.ndarray:
        return a.shape != b.shape or a.dtype != b.dtype or not np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
    if type(a) in (tuple, list):
        return len(a) != len(b) or any(differs(x, y) for x, y in zip(a, b))
    if type(a) is dict:
        return a.keys() != b.keys() or any(differs(a[k], b[k]) for k in a)
    try:
        return not bool(a == b)
    except Exception:  # noqa: BLE001 - objects that cannot be compared are compared by identity
        return True


def event_differs(e1, e2) -> str | None:
    if type(e1) is not type(e2):
        return f"the step ran {type(e1).__name__.lower()} then {type(e2).__name__.lower()} at the same place"
    if type(e1) is Forward:
        if e1.cls is not e2.cls:
            return f"the ops differ between calls ({e1.cls.__name__}, then {e2.cls.__name__})"
        if differs(e1.inputs, e2.inputs) or differs(e1.kwargs, e2.kwargs):
            return f"the inputs or arguments of {e1.cls.__name__} differ between calls (computed in Python?)"
        if len(e1.scope) != len(e2.scope) or any(a is not b and not (type(a) is Composite is type(b)
                                                                      and a.label == b.label)
                                                 for a, b in zip(e1.scope, e2.scope)):
            return f"{e1.cls.__name__} ran in another module between calls"
    elif type(e1) is Backward:
        if e1.root != e2.root or e1.steps != e2.steps or differs(e1.seed, e2.seed):
            return "backward() ran through another graph between calls"
    elif type(e1) is Call and (e1.method is not e2.method or e1.owner is not e2.owner
                               or differs(e1.args, e2.args) or differs(e1.kwargs, e2.kwargs)):
        return "the step called another optimiser method between calls"
    return None


def traces_differ(t1: Trace, t2: Trace) -> str | None:
    """Why the first two calls cannot share a plan, or None."""
    if len(t1.events) != len(t2.events):
        return f"the step ran {len(t1.events)} ops and calls, then {len(t2.events)}: its ops depend on the data"
    for e1, e2 in zip(t1.events, t2.events):
        reason = event_differs(e1, e2)
        if reason is not None:
            return reason
    if len(t1.leaves) != len(t2.leaves) or any(a is not b for a, b in zip(t1.leaves, t2.leaves)):
        return "the step used other parameters between calls (tensors requiring grad made inside the step?)"
    for c1, c2 in zip(t1.consts, t2.consts):
        if c1 is not c2:
            return (f"an array of shape {c1.shape} ({c1.dtype}) is made in the step outside Tensor ops (numpy on the "
                    "inputs, a conversion, a one-hot): a replay cannot remake it. Make it with Tensor ops, or before "
                    "the step (convert the data once)")
    if differs(t1.result, t2.result):
        return "the step returned different values computed in Python"
    return None


def modules_of(trace: Trace) -> list:
    """(module, training) for every module below the outermost ones the ops ran in."""
    found: dict[int, object] = {}
    for e in trace.events:
        if type(e) is Forward:
            for m in e.scope:
                if hasattr(m, "training") and callable(getattr(m, "modules", None)) and id(m) not in found:
                    for sub in m.modules():
                        found[id(sub)] = sub
    return [(m, m.training) for m in found.values()]


class Jitted:
    """A step wrapped by ``ts.jit``: call it as the function; ``.explain()`` says what happened, ``.source()``
    shows the generated code. Calls are serialised (a plan's contexts are shared by its replays)."""

    def __init__(self, fn: Callable, strict: bool) -> None:
        functools.update_wrapper(self, fn)
        self.fn, self.strict = fn, strict
        self.plans: dict[tuple, list[Plan]] = {}  # per signature, its plans (one per train/eval mode...)
        self.made: dict[tuple, int] = {}  # per signature, plans started since it last replayed (up to MAX_CAPTURES)
        self.fresh = 0  # signatures started since the last replay
        self.reasons: list[str] = []  # why calls ran eagerly, each reason once
        self.captures = self.replays = self.eager_calls = 0
        self.lock = threading.RLock()
        self.last: Plan | None = None  # the plan replayed last, tried first through its entry

    def __call__(self, *args, **kwargs):
        state = thread_state
        if state.jit is not None:  # inside another jitted step's capture: part of that one
            return self.fn(*args, **kwargs)
        if state.anomaly is not None:
            return self.eager("anomaly mode (ts.detect_anomaly) is on: its checks run only eagerly", args, kwargs)
        last = self.last
        if last is not None and not kwargs and state.grad_enabled is last.key[0]:
            with self.lock:
                found = last.entry(args)  # the plan's guard too
                if found is not MISS:
                    self.replays += 1
                    self.fresh = 0
                    if self.made:
                        self.made.pop(last.key, None)
                    return last.fn(*found)
        self.last = None  # the general path decides, and keeps no plan alive that it drops
        arrays: list = []
        key = (state.grad_enabled, flatten(args, arrays), tuple((k, flatten(v, arrays)) for k, v in kwargs.items())
               if kwargs else ())
        n = len(arrays)
        if n > 1 and (arrays[0] is arrays[1] if n == 2 else len(set(map(id, arrays))) < n):  # one array given twice:
            key += (tuple(next(k for k, b in enumerate(arrays) if b is a) for a in arrays),)  # part of the key
        with self.lock:
            plans = self.plans.get(key)
            if plans is None:
                if self.fresh >= MAX_CAPTURES:  # new signatures on every call: capturing would never pay
                    return self.eager(f"its signature changed on each of {MAX_CAPTURES} calls without a replay (a "
                                      "float argument that changes every call?)", args, kwargs)
                if len(self.plans) >= MAX_PLANS:
                    old = next(iter(self.plans))  # the oldest signature
                    self.plans.pop(old)
                    self.made.pop(old, None)
                plans = self.plans[key] = []
                self.fresh += 1
            for plan in plans:
                if plan.holds():
                    if plan.fn is not None:
                        self.replays += 1
                        self.fresh = 0
                        if self.made:
                            self.made.pop(key, None)  # the limit counts plans made since the last replay
                        if plan.key is None:  # its first replay: its entry is written (a plan has one key)
                            plan.key, plan.entry = key, entry(key, plan)
                        self.last = plan if plan.entry is not None else None
                        return plan.fn(*arrays)
                    if plan.reason is not None:
                        self.eager_calls += 1
                        return self.fn(*args, **kwargs)
                    return self.capture(plan, arrays, args, kwargs)
            plans[:] = [p for p in plans if not p.stale()][-(MAX_PLANS - 1):]  # others may hold again (eval mode)
            if self.made.get(key, 0) >= MAX_CAPTURES:
                return self.eager(f"{MAX_CAPTURES} plans in a row for one signature, none replayed (its parameters "
                                  "replaced on every call?)", args, kwargs)
            self.made[key] = self.made.get(key, 0) + 1
            plan = Plan()
            plans.append(plan)
            return self.capture(plan, arrays, args, kwargs)

    def replayer(self, *args) -> Callable | None:
        """The plan the call before replayed, as a function of the arrays of arguments like ``args`` (those of that
        call: the signature and the guard are checked here, once), or None if ``self(*args)`` would not replay it.

        For a loop of calls on arguments of one signature with nothing else run between them (predict's full
        batches): nothing is checked per call, so no code between two calls may change a parameter array, a
        module's mode or register a hook."""
        last, state = self.last, thread_state
        if (last is None or state.jit is not None or state.anomaly is not None
                or state.grad_enabled is not last.key[0] or last.entry(args) is MISS):
            return None
        fn, lock = last.fn, self.lock

        def replay(*arrays):
            with lock:  # a plan's contexts are shared by its replays
                self.replays += 1
                return fn(*arrays)

        return replay

    def capture(self, plan: Plan, arrays: list, args: tuple, kwargs: dict):
        """Run the step eagerly, recording it; the second agreeing record becomes the plan."""
        trace = Trace(tuple(arrays), plan.first)
        thread_state.jit = trace
        try:
            out = self.fn(*args, **kwargs)
            trace.finish(out)
        finally:
            thread_state.jit = None
        self.captures += 1
        reason = trace.reason
        if reason is None and plan.first is not None:
            reason = traces_differ(plan.first, trace)
        plan.guard(trace)
        if reason is not None:
            plan.reason, plan.first = reason, None
            self.note(reason)
        elif plan.first is None:
            plan.first = trace
        else:
            plan.fn, plan.source = compile_trace(trace, len(arrays))
            plan.first = None
        return out

    def eager(self, reason: str, args: tuple, kwargs: dict):
        self.note(reason)
        self.eager_calls += 1
        return self.fn(*args, **kwargs)

    def note(self, reason: str) -> None:
        """Keep ``reason`` for ``explain()``; with ``strict=True`` raise it."""
        if reason not in self.reasons:
            self.reasons.append(reason)
        if self.strict:
            raise JitError(f"ts.jit(strict=True): {self.__name__} cannot be replayed: {reason}")

    def explain(self) -> str:
        """What happened so far: captures, replays, eager calls, and every reason a call ran eagerly (once each)."""
        head = (f"{self.__name__}: {self.captures} captured call(s), {self.replays} replay(s), {self.eager_calls} "
                f"eager call(s), {sum(p.fn is not None for ps in self.plans.values() for p in ps)} plan(s)")
        if not self.reasons:
            return head + "; nothing ran eagerly but the captures."
        return head + "; eager because:\n" + "\n".join(f"- {r}" for r in self.reasons)

    def source(self) -> str:
        """The generated code of every plan, most recent last (empty before the second call)."""
        return "\n".join(p.source for ps in self.plans.values() for p in ps if p.fn is not None)

    def reset(self) -> None:
        """Forget every plan and reason: the next calls capture again."""
        with self.lock:
            self.plans, self.reasons, self.made, self.fresh, self.last = {}, [], {}, 0, None


def jit(fn: Callable | None = None, *, strict: bool = False):
    """``@ts.jit`` or ``ts.jit(step, strict=True)``: replay a training step as a captured plan, bit for bit.

    ``step`` runs the forward pass, the loss, ``loss.backward()`` and ``opt.step()``, and returns Tensors (or
    nothing). Its first two calls per signature run eagerly and are recorded; later calls replay the ops, the
    backward and the optimiser's calls without running the step's Python. So the step must not change
    parameters or ``.grad`` by plain Python, nor depend on values through Python control flow; it runs eagerly
    where it cannot be replayed (``.explain()`` says why; ``strict=True`` raises ``JitError``).
    """
    if not isinstance(strict, (bool, np.bool_)):
        raise TypeError(f"jit: strict must be True or False, got {strict!r}")
    if fn is None:
        return functools.partial(jit, strict=bool(strict))
    if not callable(fn):
        raise TypeError(f"jit: fn must be a function (the training step), got {type(fn).__name__}")
    return Jitted(fn, bool(strict))
