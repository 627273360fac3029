"""Kept losses share their freed graphs: steps alike leave one description between them, not one each.

After a backward without ``retain_graph`` a graph keeps its description (base.described): ops, shapes, dtypes,
names. A loop that keeps every step's loss (``losses.append(loss)``) still kept one chain of such nodes per
step, though successive steps build graphs that differ in nothing a picture or a backward can tell: the same
ops with the same arguments, in the same layers, on the same parameters and shapes. A freed node never changes
again, so nodes alike can be one object (hash-consing, deferred):

- the engine remembers each freed graph's root weakly (``remember``: a loss nobody keeps costs one weak
  reference); every ``EVERY`` backwards the roots still alive are compacted;
- ``compact(root)`` walks the graph below the root's op bottom-up (iteratively) and maps each node to the
  canonical node of its key: its class, arguments, scope, shape, dtype and name, and the canonical nodes it
  reads. The canonical node is the first node of that key still alive (a weak registry: nothing is kept for
  it). The root's op stays the loss's own ``grad_fn``; it takes the canonical inputs.

The mapping is one-to-one within a graph, so two nodes of one graph never become one: a picture or a second
backward of a kept loss sees the graph it had. A node the key cannot describe keeps its identity and is
shared with no other graph, and so does every node that reads it: a tensor with hooks or that retains its
grad, a small intermediate kept with its values, an argument of a type not known here. A graph with an op
whose values were not freed (``retain_graph=True``, or a ``ts.grad`` that did not reach it) is left alone.
"""

from __future__ import annotations

import threading
import weakref

from .base import Freed, TensorBase
from .composites import Composite
from .freed_nodes import MISSING, array_key, attributes_of, dict_key, keeps_identity, plain_op, twins, value_key
from .function import RELEASED
from .several import OutputOf

EVERY = 64  # backwards between compactions: at most this many kept graphs wait in full
_ref = weakref.ref
_waiting: list = []  # weak references to the roots freed since the last compaction
_canonical: weakref.WeakValueDictionary = weakref.WeakValueDictionary()  # (key, n) -> the node for that key
_lock = threading.Lock()  # one compaction at a time (backward may run in several threads)


def remember(roots) -> None:
    """Note the roots of a graph a backward just freed; every ``EVERY`` of them, compact the ones still kept."""
    if len(_waiting) >= EVERY:
        compact_kept()  # before adding these roots: the current loss is usually dropped by the next step
    for r in roots:
        if r.grad_fn is not None:
            _waiting.append(_ref(r))


def compact_kept() -> int:
    """Compact the graphs of the remembered roots still alive; returns how many were compacted."""
    if not _lock.acquire(blocking=False):
        return 0  # another thread is compacting; these roots wait for the next round
    try:
        batch = _waiting[:]
        _waiting.clear()
        return sum(compact(r) for r in (ref() for ref in batch) if r is not None)
    finally:
        _lock.release()


_last: list = [None]  # a weak reference to the root op compacted last: the next graph is most often its twin


def compact(root: TensorBase) -> bool:
    """Share the freed graph below ``root``'s op with the alike graphs compacted before; False: left as it was."""
    if root.grad_fn is None:
        return False
    prev = _last[0]() if _last[0] is not None else None
    if prev is not None and twins(root.grad_fn, prev):  # the common case, without the keys: ~10x cheaper
        c = root.grad_fn
        _drop_defaults(c)
        c.inputs, c.kwargs, c.scope = prev.inputs, prev.kwargs, prev.scope
        return True
    if not _compact(root):
        return False
    _last[0] = _ref(root.grad_fn)
    return True


def _compact(root: TensorBase) -> bool:
    walked = _walk(root.grad_fn)
    if walked is None:
        return False
    order, stay = walked
    plan = _Plan(stay)
    for node in order[:-1]:
        if not (plan.tensor(node) if isinstance(node, TensorBase) else plan.op(node)):
            return False  # a node it cannot read, or two nodes that would become one: nothing was changed
    if not plan.op(order[-1], root=True):
        return False
    plan.apply()
    return True


def _walk(ctx) -> tuple[list, set] | None:
    """The nodes below op ``ctx`` (tensors and ops), each after the nodes it reads, ``ctx`` last; and the ids of
    the ops that keep their identity (``ctx``, and the ops of tensors that do). None: an op of unknown make."""
    order, seen, stay = [], set(), {id(ctx)}
    stack = [(ctx, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        if isinstance(node, TensorBase):
            if node.grad_fn is not None:
                if keeps_identity(node):  # so does its op: not replaced, only given canonical inputs
                    stay.add(id(node.grad_fn))
                stack.append((node.grad_fn, False))
            continue
        if not plain_op(type(node)):
            return None
        stack.extend((a, False) for a in reversed(node.inputs) if isinstance(a, TensorBase) and id(a) not in seen)
    return order, stay


class _Plan:
    """One compaction: the image of every node of one graph, one-to-one, applied only once all is mapped."""

    def __init__(self, stay: set) -> None:
        self.stay = stay  # ops that keep their identity
        self.images: dict[int, object] = {}  # id(node) -> the node that will stand for it
        self.owner: dict[int, object] = {}  # id(image) -> the node of this graph it stands for
        self.composites: dict[int, Composite] = {}  # id(composite of this graph) -> the one standing for it
        self.composite_owner: dict[int, Composite] = {}
        self.pinned: set[int] = set()  # nodes that keep their identity; whatever reads them does too
        self.new: dict[tuple, object] = {}  # registrations to make
        self.redo: list = []  # nodes that keep their identity (or become canonical): they take canonical inputs
        self.root = self.donor = None  # the root's op, and a canonical op whose inputs, kwargs and scope it takes

    def tensor(self, t: TensorBase) -> bool:
        gf = t.grad_fn
        if gf is None and t.requires_grad:  # a parameter: itself, in every graph
            return self.claim(t, t)
        if keeps_identity(t) or (gf is not None and id(gf) in self.pinned):
            self.pinned.add(id(t))
            return self.claim(t, t)
        value = (t.data.shape, t.data.dtype) if type(t) is Freed else array_key(t.data)
        name = value_key(t.name)
        if value is None or name is None:
            self.pinned.add(id(t))
            return self.claim(t, t)
        key = (type(t), value, name, t.requires_grad, None if gf is None else id(self.images[id(gf)]))
        return self.share(t, key)

    def op(self, c, root: bool = False) -> bool:
        released = type(c) is OutputOf or getattr(c, "arrays", None) == ()
        if not released or not isinstance(c.inputs, tuple):
            return False
        pinned, inputs = id(c) in self.stay and not root, []
        for a in c.inputs:
            if isinstance(a, TensorBase):
                pinned = pinned or id(a) in self.pinned
                inputs.append(id(self.images[id(a)]))
            else:
                inputs.append(value_key(a))
        saved = "released" if c.saved is RELEASED else value_key(c.saved)
        fields = (dict_key(c.kwargs), dict_key(attributes_of(c)), saved)
        if pinned or None in inputs or None in fields:
            return self.keep(c)
        scope = tuple(("M", id(e)) if not isinstance(e, Composite) else ("C", id(self.composites[id(e)]))
                      if id(e) in self.composites else ("C?", e.label) for e in c.scope)
        key = (type(c), fields, scope, tuple(inputs))
        return self.share(c, key, root)

    def keep(self, c) -> bool:
        """An op that keeps its identity (and its composites, where not mapped yet); it takes canonical inputs."""
        self.pinned.add(id(c))
        self.redo.append(c)
        return self.claim(c, c) and all(self.map_composite(e, e) for e in c.scope if isinstance(e, Composite)
                                         and id(e) not in self.composites)

    def share(self, node, key: tuple, root: bool = False) -> bool:
        """Map ``node`` to the canonical node of ``key`` not yet standing for another node of this graph."""
        n, free = 0, None
        while True:
            found = self.new.get((key, n))
            if found is None:
                found = _canonical.get((key, n))
            if found is None:
                break
            if found is node:
                return self.adopt(node, node)  # already canonical (a graph sharing nodes with one compacted before)
            if free is None and id(found) not in self.owner and self.fits(node, found):
                free = found
            n += 1
        if root:  # the root's op stays the loss's grad_fn; it takes a donor's fields, or becomes one
            self.root, self.donor = node, free
            if free is None:
                self.new[(key, n)] = node
            self.redo.append(node)
            return self.claim(node, node) and self.adopt_composites(node, node if free is None else free)
        if free is None:
            self.new[(key, n)] = free = node
            self.redo.append(node)
        return self.adopt(node, free)

    def fits(self, node, found) -> bool:
        """Can ``found`` stand for op ``node`` here: the composites it would stand for are not taken?"""
        if isinstance(node, TensorBase):
            return True
        return all(id(e) in self.composites or id(f) not in self.composite_owner
                   for e, f in zip(node.scope, found.scope) if isinstance(e, Composite))

    def adopt(self, node, image) -> bool:
        return self.claim(node, image) and (isinstance(node, TensorBase) or self.adopt_composites(node, image))

    def adopt_composites(self, node, image) -> bool:
        return all(self.map_composite(e, f) for e, f in zip(node.scope, image.scope) if isinstance(e, Composite))

    def map_composite(self, e: Composite, image: Composite) -> bool:
        known = self.composites.get(id(e))
        if known is not None:
            return known is image
        if id(image) in self.composite_owner:
            return False
        self.composites[id(e)], self.composite_owner[id(image)] = image, e
        return True

    def claim(self, node, image) -> bool:
        """``image`` stands for ``node``; False if it already stands for another node of this graph."""
        owner = self.owner.get(id(image))
        if owner is not None and owner is not node:
            return False
        self.owner[id(image)], self.images[id(node)] = node, image
        return True

    def apply(self) -> None:
        """Register the new canonical nodes; give the nodes that stay themselves their canonical inputs."""
        for key, node in self.new.items():
            _canonical[key] = node
        images, composites = self.images, self.composites
        for node in self.redo:
            if isinstance(node, TensorBase):
                image = images[id(node.grad_fn)] if node.grad_fn is not None else None
                if image is not node.grad_fn:
                    node.grad_fn = image
                continue
            if node is self.root:
                _drop_defaults(node)
                if self.donor is not None:
                    node.inputs, node.kwargs, node.scope = self.donor.inputs, self.donor.kwargs, self.donor.scope
                    continue
            inputs = tuple(images[id(a)] if isinstance(a, TensorBase) else a for a in node.inputs)
            if any(a is not b for a, b in zip(inputs, node.inputs)):
                node.inputs = inputs
            scope = tuple(composites.get(id(e), e) if isinstance(e, Composite) else e for e in node.scope)
            if any(a is not b for a, b in zip(scope, node.scope)):
                node.scope = scope


def _drop_defaults(c) -> None:
    """Forget attributes of op ``c`` that repeat its class's (apply sets ``non_differentiable = ()``), so a kept
    loss's op holds no dict of its own."""
    d, cls = c.__dict__, type(c)
    if all(value_key(v) is not None and value_key(v) == value_key(getattr(cls, k, MISSING)) for k, v in d.items()):
        del c.__dict__




