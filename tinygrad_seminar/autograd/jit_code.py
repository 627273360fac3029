"""A trace (jit_trace.py) as one generated Python function: the step's numpy work with no graph and no engine.

For a trace of ``Linear -> ReLU -> loss``, ``backward()`` and ``opt.step()`` the function reads, in part::

    R0 = F0(C0, A0, L0, L1)             # each op's own forward, on its kept context
    ...
    D = AG((S0,)).deliver                # the engine's sink: adds into .grad as backward() would
    G2 = S0
    gs = B2(C2, G2)                      # each op's own backward, in the engine's order
    G1 = gs[0]
    ...
    X0(O0)                               # opt.step(), called again
    return T0(R2)

Each op runs the same numpy calls on the same arrays in the same order as in eager mode and the gradients
are summed in the same order, so the replay equals the eager step bit for bit. ``source`` gives the code, to
read (``Jitted.source()``).
"""

from __future__ import annotations

import numpy as np

from .engine import AccumulateGrad, as_tuple, fit_gradient
from .jit_trace import Backward, Call, Forward, Trace


class Writer:
    """Lines of code, and the objects they name (the generated function's globals)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.names: dict[str, object] = {"ndarray": np.ndarray, "asarray": np.asarray, "AG": AccumulateGrad,
                                         "AST": as_tuple, "FIT": fit_gradient}
        self.known: dict[tuple, str] = {}  # (prefix, id) -> name: one name per object

    def name(self, prefix: str, obj) -> str:
        key = (prefix, id(obj))
        n = self.known.get(key)
        if n is None:
            n = self.known[key] = f"{prefix}{len(self.names)}"
            self.names[n] = obj
        return n

    def line(self, text: str) -> None:
        self.lines.append("        " + text)


def slot_code(slot: tuple, w: Writer, consts: list, leaves: list) -> str:
    kind, ref = slot[0], slot[1]
    if kind == "arg":
        return f"A{ref}"
    if kind == "out":
        return f"R{ref}"
    if kind == "view":
        return f"A{ref}.reshape({slot[2]!r})"
    if kind == "seq":
        items = [slot_code(s, w, consts, leaves) for s in slot[2]]
        return ("(" + "".join(i + ", " for i in items) + ")") if slot[1] is tuple else "[" + ", ".join(items) + "]"
    if kind == "leaf":
        return w.name("L", leaves[ref].data)
    if kind == "const":
        return w.name("K", consts[ref])
    return w.name("V", ref)  # another argument, as given (a number, an axis, a generator)


def fresh_inputs(e: Forward, w: Writer, trace: Trace) -> None:
    """A user's Function may read ``ctx.inputs`` and ``ctx.kwargs`` (built-in ops do not): give it this call's."""
    parts = []
    for s, tensor in zip(e.inputs, e.tensors):
        if tensor is None:
            parts.append(slot_code(s, w, trace.consts, trace.leaves))
        elif s[0] == "leaf":
            parts.append(w.name("P", trace.leaves[s[1]]))
        else:
            parts.append(f"{w.name('MK', tensor[0].from_array)}({slot_code(s, w, trace.consts, trace.leaves)})")
    c = w.name("C", e.ctx)
    w.line(f"{c}.inputs = ({''.join(p + ', ' for p in parts)})")
    items = ", ".join(f"{k!r}: {slot_code(s, w, trace.consts, trace.leaves)}" for k, s in e.kwargs.items())
    w.line(f"{c}.kwargs = {{{items}}}")


def forward_code(j: int, e: Forward, w: Writer, trace: Trace) -> None:
    if not e.cls.differentiable_backward:  # a student's own Function (built-in ops set it)
        fresh_inputs(e, w, trace)
    args = ", ".join([w.name("C", e.ctx)] + [slot_code(s, w, trace.consts, trace.leaves) for s in e.inputs])
    if all(s[0] == "value" for s in e.kwargs.values()):  # the common case: one constant dict
        kwargs = f", **{w.name('W', {k: s[1] for k, s in e.kwargs.items()})}" if e.kwargs else ""
    else:
        kwargs = "".join(f", {k}={slot_code(s, w, trace.consts, trace.leaves)}" for k, s in e.kwargs.items())
    w.line(f"R{j} = {w.name('F', e.cls.forward)}({args}{kwargs})")
    w.line(f"if R{j}.__class__ is not ndarray: R{j} = asarray(R{j})")  # as apply: numpy reduces 0-d to scalars


def backward_code(b: Backward, w: Writer, trace: Trace) -> None:
    seed = w.name("S", b.seed)
    w.line(f"D = AG(({seed},)).deliver")
    w.line(f"G{b.root} = {seed}")
    for j, as_given, arrivals in b.steps:
        ctx = trace.events[j].ctx
        c = w.name("C", ctx)
        w.line(f"gs = {w.name('B', type(ctx).backward)}({c}, G{j})")
        if as_given == "other":
            w.line(f"gs = AST(gs, {c})")
        for k, convert, fit, dest in arrivals:
            g = "gs" if as_given == "bare" else f"gs[{k}]"
            g = f"asarray({g})" if convert else g
            if fit:
                w.line(f"lg = FIT({g}, {c}.inputs[{k}], {c})")
                g = "lg"
            if dest[0] == "leaf":
                w.line(f"D({w.name('P', trace.leaves[dest[1]])}, {g})")
            elif dest[2]:
                w.line(f"G{dest[1]} = {g}")
            else:
                w.line(f"G{dest[1]} = G{dest[1]} + {g}")


def result_code(spec, w: Writer, trace: Trace) -> str:
    """The expression that rebuilds what the step returned (Tensors on this replay's arrays)."""
    kind = spec[0]
    if kind == "tensor":
        return f"{w.name('T', spec[1].from_array)}({slot_code(spec[2], w, trace.consts, trace.leaves)})"
    if kind == "value":
        return w.name("V", spec[1])
    parts = [result_code(s, w, trace) for s in spec[1]] if kind is not dict else []
    if kind is tuple:
        return "(" + "".join(p + ", " for p in parts) + ")"
    if kind is list:
        return "[" + ", ".join(parts) + "]"
    items = [f"{w.name('V', k)}: {result_code(s, w, trace)}" for k, s in spec[1]]
    return "{" + ", ".join(items) + "}"


def compile_trace(trace: Trace, n_args: int, name: str = "replay") -> tuple:
    """(the generated function of the step's arrays, its source)."""
    w = Writer()
    for j, e in enumerate(trace.events):
        if type(e) is Forward:
            forward_code(j, e, w, trace)
        elif type(e) is Backward:
            backward_code(e, w, trace)
        elif type(e) is Call:
            call = f"{w.name('X', e.method)}({w.name('O', e.owner)}"
            call += f", *{w.name('V', e.args)}" if e.args else ""
            call += f", **{w.name('V', e.kwargs)}" if e.kwargs else ""
            w.line(call + ")")
    w.line(f"return {result_code(trace.result, w, trace)}")
    # the objects as a closure's cells, not globals: reading a cell costs less than a dict lookup
    head = [f"def make({', '.join(w.names)}):", f"    def {name}({', '.join(f'A{k}' for k in range(n_args))}):"]
    source = "\n".join(head + w.lines + [f"    return {name}"]) + "\n"
    namespace: dict = {}
    exec(compile(source, f"<ts.jit {name}>", "exec"), namespace)  # noqa: S102 - code we generated above
    return namespace["make"](**w.names), source
