"""Function: the base of every op; ``apply`` runs the forward and records a node of the graph.

How one backward serves both first and second derivatives: an op's ``backward(ctx, g)`` is written
with operators (``* / @ -``) and methods (``.sum``, ``.reshape``, ``.swapaxes``...) that numpy arrays and
Tensors share. A plain backward passes numpy arrays, so it costs what numpy costs. With
``create_graph=True`` the engine passes Tensors, and ``saved_tensors`` gives, for every saved value
whose role is "input k" or "the output", that Tensor itself: the same code then records a graph that
can be differentiated again. Any other saved array is a constant there, so built-in ops save only
inputs and outputs, and derive from other arrays nothing but masks (whose derivative is zero).

The role of a saved value is known from the forward: ``apply`` keeps the arrays the forward was given
and returned, by position. Two different tensors on one array (``x`` and ``x.detach()``) reach the
forward as two distinct views, so each saved array has exactly one role.
"""

from __future__ import annotations

import numpy as np

from .anomaly import check_forward
from .base import TensorBase, described
from .several import make_outputs, outputs_by_role, with_several_outputs
from .state import anomaly_mode, is_grad_enabled, thread_state

RELEASED = object()  # what ``saved`` becomes once a backward freed it (compact.py reads it too)


class Function:
    """An op: subclass it with static ``forward(ctx, *arrays)`` and ``backward(ctx, grad_output)``.

    ``forward`` gets numpy arrays (and any non-Tensor arguments as given) and returns an array, or a
    tuple of arrays (then ``backward(ctx, *grads)`` gets one gradient per output, zeros where none
    arrived, and ``apply`` returns a tuple of Tensors); ``backward`` returns one gradient per input (a
    bare array for one input, ``None`` where an input needs none). Call ``MyOp.apply(x, ...)``.
    A student's numpy ``Function`` is first-order; built-in ops set ``differentiable_backward = True``
    (see the module docstring).
    """

    __slots__ = ("inputs", "kwargs", "saved", "arrays", "scope", "__dict__", "__weakref__")  # weakref: compact.py
    label: str | None = None  # how a picture of the graph names the op; None: the class's name
    differentiable_backward = False
    # forward gets read-only views of its tensors' arrays, so that one writing into an input (x -= m) raises rather
    # than corrupting what other ops and backward read; built-in ops, which never write into their inputs, set False
    protects_inputs = True
    non_differentiable: tuple = ()  # the outputs mark_non_differentiable named
    explains_shape_errors = False  # built-in ops rewrite numpy's shape errors to name the op and the shapes

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("a Function needs a static forward(ctx, *arrays)")

    @staticmethod
    def backward(ctx, grad_output):
        raise NotImplementedError("a Function needs a static backward(ctx, grad_output)")

    def save_for_backward(self, *arrays) -> None:
        """Keep what backward needs; backward releases it unless ``retain_graph=True``."""
        self.saved = arrays

    def mark_non_differentiable(self, *arrays) -> None:
        """Outputs (arrays the forward returns) that get no gradient: indices, masks. As in PyTorch."""
        self.non_differentiable = arrays

    @property
    def saved_tensors(self) -> tuple:
        if self.saved is RELEASED:
            raise RuntimeError(
                f"Trying to backward through {type(self).__name__} a second time, but the arrays it saved "
                "were freed by the first backward. Pass retain_graph=True to the first backward (or "
                "ts.grad) if you need to backward twice."
            )
        return self.saved

    @property
    def needs_input_grad(self) -> tuple:
        """One flag per input: does it want a gradient?"""
        return tuple([isinstance(a, TensorBase) and a.requires_grad for a in self.inputs])

    def release(self, freed: dict) -> None:
        """Free what forward saved and the values it was given and made (after a backward without ``retain_graph``).

        A kept loss then costs its graph's description (ops, shapes, dtypes, names), not its arrays. ``freed`` is
        the backward's map from a tensor to its one ``Freed`` placeholder (base.described)."""
        if self.saved:
            self.saved = RELEASED
        self.arrays = ()
        inputs = described(self.inputs, freed)
        if inputs is not None:
            self.inputs = inputs

    def backward_recorded(self, out: TensorBase, g):
        """Backward with the Tensors themselves in place of saved inputs and outputs, so it is recorded."""
        saved = self.saved_tensors
        # the role k of self.arrays[k]: input k, or the outputs last
        by_role = (*self.inputs, *outputs_by_role(self)) if "output_refs" in self.__dict__ else (*self.inputs, out)
        self.saved = tuple(_tensor_for(s, self.arrays, by_role) for s in saved)
        try:
            return type(self).backward(self, g)
        finally:
            self.saved = saved

    @classmethod
    def apply(cls, *args, **kwargs) -> TensorBase:
        state = thread_state  # read directly, not through anomaly_mode() and is_grad_enabled(): two calls less an op
        if state.jit is not None:  # a ts.jit step being captured records the op (jit_trace.py)
            return state.jit.apply(cls, args, kwargs)
        raw, ref, track = [], None, False
        for a in args:
            if isinstance(a, TensorBase):
                raw.append(a.data)
                if ref is None:
                    ref = a  # the result is made like the first tensor among the inputs
                if a.requires_grad:
                    track = True
            else:
                raw.append(a)
        if ref is None:
            raise TypeError(f"{cls.__name__}.apply needs a Tensor among its inputs; got "
                            f"{', '.join(type(a).__name__ for a in args) or 'none'}")
        n = len(raw)  # x * x.detach(): two tensors on one array get two views (see the module docstring)
        if n == 2:
            if raw[0] is raw[1] and args[0] is not args[1] and isinstance(raw[1], np.ndarray):
                raw[1] = raw[1].view()
        elif n == 3:
            r0, r1, r2 = raw
            if r0 is r1 or r0 is r2 or r1 is r2:
                _distinct_views(raw, args)
        elif n > 3:
            _distinct_views(raw, args)
        given = raw
        if cls.protects_inputs:
            raw = _read_only(raw, args)
        ctx = object.__new__(cls)
        ctx.saved, ctx.inputs, ctx.kwargs = (), args, kwargs  # forward may ask ctx.needs_input_grad
        try:
            out = cls.forward(ctx, *raw, **kwargs)
        except ValueError as e:
            explained = _explained(cls, e, raw, kwargs)
            if explained is None:  # a student's own error message stays as they wrote it
                raise
            raise explained from None
        if given is not raw:  # what forward returned of its inputs is writable, as the tensors' own arrays are
            out = tuple(_writable(o, given, raw) for o in out) if type(out) is tuple else _writable(out, given, raw)
        if type(out) is not np.ndarray:
            if type(out) is tuple:
                return cls.several(ctx, raw, out, ref, track)
            arr = np.asarray(out)  # numpy reduces 0-d results to scalars: what was saved of it follows
            ctx.saved = _replaced(ctx.saved, out, arr)
            if ctx.non_differentiable:
                ctx.non_differentiable = _replaced(ctx.non_differentiable, out, arr)
            out = arr
        mode = state.anomaly
        if mode is not None:
            check_forward(ctx, raw, out, mode)
        if track and state.grad_enabled:
            if out.dtype.kind not in "fc" or (ctx.non_differentiable and any(out is s for s in ctx.non_differentiable)):
                return ref.result_type.from_array(out)  # integers, and an output marked so, never require grad
            raw.append(out)
            ctx.arrays = raw  # the forward's arrays by position: the roles of saved values
            ctx.scope = state.scope  # the modules and composites it was made in (for pictures)
            return ref.result_type.from_array(out, ctx)
        return ref.result_type.from_array(out)

    @classmethod
    def several(cls, ctx, raw: list, outs: tuple, ref: TensorBase, track: bool) -> tuple:
        """``apply``'s end for a forward that returned a tuple of arrays (see several.py)."""
        arrays = tuple(np.asarray(o) for o in outs)  # numpy scalars become arrays: saved ones follow, by identity
        if any(a is not o for a, o in zip(arrays, outs)):
            def same(s):
                return next((a for a, o in zip(arrays, outs) if s is o), s)
            ctx.saved, ctx.non_differentiable = tuple(map(same, ctx.saved)), tuple(map(same, ctx.non_differentiable))
        mode = anomaly_mode()
        for a in arrays if mode is not None else ():
            check_forward(ctx, raw, a, mode)
        record = track and is_grad_enabled()
        if record:
            ctx.__class__ = with_several_outputs(cls)  # its backward takes the list of output gradients
            ctx.arrays = raw + list(arrays)
            ctx.scope = thread_state.scope
        return make_outputs(ctx, arrays, ref, record, thread_state.scope)


def _writable(out, given: list, raw: list):
    """An output of a forward that got read-only views: an input returned as it is becomes the tensor's own array;
    a view of one (x[:, :2], x.T) writable again where the array it views is."""
    if type(out) is not np.ndarray or out.flags.writeable:
        return out
    for g, r in zip(given, raw):
        if out is r:
            return g
    if any(r is not g and np.shares_memory(out, g) for g, r in zip(given, raw) if type(g) is np.ndarray):
        try:
            out.flags.writeable = True
        except ValueError:  # the tensor's own array is read-only: so stays its view
            pass
    return out


def _explained(cls: type, e: ValueError, raw: list, kwargs: dict) -> ValueError | None:
    """The error a forward's ValueError becomes: a write into a read-only input said plainly, numpy's shape errors
    naming the op and the shapes (built-in ops); None: the error as it is."""
    if cls.protects_inputs and "read-only" in str(e):
        return ValueError(f"{cls.__name__}.forward writes into one of its inputs ({e}): an op must leave its inputs "
                          "as they are, since other ops and backward read them. Compute a new array (x = x - m "
                          "rather than x -= m), or copy first (x = x.copy())")
    if cls.explains_shape_errors:
        return ValueError(f"{cls.__name__}: cannot apply to shapes {_shapes(raw, kwargs)}: {e}")
    return None


def _read_only(raw: list, args: tuple) -> list:
    """``raw`` with each tensor's array as a read-only view of it (see Function.protects_inputs)."""
    out = list(raw)
    for k, a in enumerate(args):
        if isinstance(a, TensorBase) and type(out[k]) is np.ndarray:
            out[k] = view = out[k].view()
            view.flags.writeable = False
    return out


def _replaced(items: tuple, old, new) -> tuple:
    """``items`` with ``new`` in place of the object ``old`` (the same tuple when ``old`` is not among them)."""
    for s in items:
        if s is old:
            return tuple([new if s is old else s for s in items])
    return items


def _distinct_views(raw: list, args: tuple) -> None:
    """Give two different tensors on one array distinct views of it, so saved arrays have one role each."""
    first: dict[int, object] = {}
    for k, (r, a) in enumerate(zip(raw, args)):
        if isinstance(r, np.ndarray):
            owner = first.setdefault(id(r), a)
            if owner is not a:
                raw[k] = r.view()


def _tensor_for(saved, arrays, by_role):
    """The Tensor whose array ``saved`` is (by its role in the forward), else ``saved`` as a constant."""
    if isinstance(saved, np.ndarray):
        for k, a in enumerate(arrays):
            if a is saved:
                return by_role[k]
    return saved


def _shapes(raw: list, kwargs: dict) -> str:
    shapes = [str(np.shape(r)) for r in raw if not isinstance(r, (int, float))]
    if "shape" in kwargs:  # reshape, broadcast_to: the shape asked for is the other one
        shapes.append(str(tuple(int(n) for n in kwargs["shape"])))
    return " and ".join(shapes)
