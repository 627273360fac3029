"""A trace (jit_trace.py) as one generated Python function: the step's numpy work with no graph and no engine.

For a trace of ops without a template (a student's own Functions), ``backward()`` and ``opt.step()`` of an
optimiser that writes nothing out, the function reads, in part::

    R0 = F0(C0, A0, L0, L1)             # each op's own forward, on its kept context
    ...
    D = AG((S0,)).deliver                # the engine's sink: adds into .grad as backward() would
    G2 = S0
    gs = B2(C2, G2)                      # each op's own backward, in the engine's order
    G1 = gs[0]
    ...
    X0(O0)                               # opt.step(), called again
    return T0(R2)

The common ops (a dense layer's map, the activations, the from-logits losses) are not called but written out
as their own numpy lines (jit_templates.py), and an optimiser may write out its ``zero_grad`` and ``step``
(``replay_lines``). Each op runs the same numpy calls on the same arrays in the same order as in eager mode and
the gradients are summed in the same order, so the replay equals the eager step bit for bit. ``source`` gives
the code, to read (``Jitted.source()``).
"""

from __future__ import annotations

import numpy as np

from .base import TensorBase
from .engine import AccumulateGrad, as_tuple, fit_gradient
from .jit_templates import FUNCTIONS, TEMPLATES
from .jit_trace import Backward, Call, Forward, Trace


class Writer:
    """Lines of code, and the objects they name (the generated function's globals)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.names: dict[str, object] = {"ndarray": np.ndarray, "asarray": np.asarray, "AG": AccumulateGrad,
                                         "AST": as_tuple, "FIT": fit_gradient, **FUNCTIONS}
        self.known: dict[tuple, str] = {}  # (prefix, id) -> name: one name per object
        self.templated: dict[int, tuple] = {}  # event -> (its template, its inputs' names, their shapes)

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


def shape_of(m) -> tuple:
    """The shape of an input as a replayed op's context keeps it (a marker tensor, a placeholder array, a value)."""
    return m.data.shape if isinstance(m, TensorBase) else np.shape(m)


def template_code(j: int, e: Forward, w: Writer, trace: Trace) -> bool:
    """Write event j's forward as its op's template lines (jit_templates.py), if it has one that fits; else False."""
    template = TEMPLATES.get(e.cls)
    shapes = [shape_of(m) for m in e.ctx.inputs]
    if (template is None or any(s[0] not in ("arg", "out", "view", "leaf", "const") for s in e.inputs)
            or any(0 in s for s in shapes) or not template.fits(e.kwargs, shapes)):
        return False
    ins = []
    for k, s in enumerate(e.inputs):
        code = slot_code(s, w, trace.consts, trace.leaves)
        if s[0] == "view":  # a name, as a template may read it twice
            w.line(f"I{j}_{k} = {code}")
            code = f"I{j}_{k}"
        ins.append(code)
    w.names.update(template.names(shapes))
    for line in template.forward(f"R{j}", ins, shapes):
        w.line(line)
    if trace.outputs[j].shape == ():  # numpy gives a scalar for a 0-d result; apply makes it an array again
        w.line(f"if R{j}.__class__ is not ndarray: R{j} = asarray(R{j})")
    w.templated[j] = (template, ins, shapes)
    e.ctx.saved = ()  # what the capture saved is not read again
    return True


def forward_code(j: int, e: Forward, w: Writer, trace: Trace) -> None:
    if template_code(j, e, w, trace):
        return
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
    # the engine's sink, needed only where an op without a template hands a leaf its gradient
    if any(j not in w.templated and dest[0] == "leaf" or (convert or fit) and dest[0] == "leaf"
           for j, _, arrivals in b.steps for _, convert, fit, dest in arrivals):
        w.line(f"D = AG(({seed},)).deliver")
    w.line(f"G{b.root} = {seed}")
    for j, as_given, arrivals in b.steps:
        ctx = trace.events[j].ctx
        if j in w.templated:
            template, ins, shapes = w.templated[j]
            needs = tuple(t is not None and t[1] for t in trace.events[j].tensors)
            lines, grads = template.backward(f"R{j}", ins, shapes, f"G{j}", needs)
            for line in lines:
                w.line(line)
        else:
            w.line(f"gs = {w.name('B', type(ctx).backward)}({w.name('C', ctx)}, G{j})")
            if as_given == "other":
                w.line(f"gs = AST(gs, {w.name('C', ctx)})")
            grads = None
        for k, convert, fit, dest in arrivals:
            g = ("gs" if as_given == "bare" else f"gs[{k}]") if grads is None else grads[k]
            arrival_code(g, k, ctx, convert, fit, dest, grads is not None, w, trace)


def arrival_code(g: str, k: int, ctx, convert: bool, fit: bool, dest: tuple, fresh: bool, w: Writer,
                 trace: Trace) -> None:
    """Where input k's gradient ``g`` goes: another op's pending sum, or a leaf's ``.grad`` (as the engine does)."""
    g = f"asarray({g})" if convert else g
    if fit:
        c = w.name("C", ctx)
        w.line(f"lg = FIT({g}, {c}.inputs[{k}], {c})")
        g = "lg"
    if dest[0] == "leaf":
        p = w.name("P", trace.leaves[dest[1]])
        if fresh and not convert and not fit:  # a template's new array: deliver's copy rules have nothing to do
            w.line(f"lg = {g}")
            w.line(f"{p}.grad = lg if {p}.grad is None else {p}.grad + lg")
        else:
            w.line(f"D({p}, {g})")
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
            lines = e.owner.replay_lines(e.method, e.args, e.kwargs, w.name) if hasattr(e.owner, "replay_lines") \
                else None
            if lines is not None:  # an optimiser's step written out (nn/optim): it guards itself
                for line in lines:
                    w.line(line)
                continue
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
