"""Backpropagation played step by step: one picture per op whose backward the engine runs, in its order.

``backward_steps(loss)`` runs the engine's own backward (retaining the graph, touching no ``.grad``) with
a sink that watches every step; each picture highlights the op just differentiated, marks the gradient
that has just arrived at each of its inputs, and shows every tensor's gradient so far beside its value.
``animate_backward(loss, path)`` puts the pictures in one self-contained HTML page.
"""

from __future__ import annotations

import os

import numpy as np

from ..autograd.base import TensorBase
from ..autograd.engine import CollectGrads, propagate
from ..autograd.several import OutputOf
from ..files import atomic_write
from .draw import Frame, Options, build, check_options
from .page import page
from .render import Graph
from .structure import Structure, collect, too_large


class Step(Graph):
    """One step of backward drawn: ``number`` (from 1), ``op`` (the node highlighted), ``caption``, ``grad_of(t)``."""

    def __init__(self, graph: Graph, number: int, frame: Frame) -> None:
        super().__init__(graph.digraph, graph.nodes, graph.edges, title=frame.note)
        self.number, self.op, self.caption, self.frame = number, frame.op.label, frame.note, frame

    def grad_of(self, t: TensorBase):
        """The gradient of the loss with respect to ``t`` gathered so far (None if none has arrived yet)."""
        return self.frame.grads.get(id(t))


class StepRecorder(CollectGrads):
    """The sink that watches backward: it keeps each step's arrivals and the gradients summed so far."""

    def __init__(self, s: Structure, seed: np.ndarray) -> None:
        leaves = [t for t in s.tensors.values() if t.grad_fn is None and t.requires_grad]
        super().__init__(leaves)
        self.structure = s
        self.sums: dict[int, object] = {id(r): seed for r in s.roots}
        self.frames: list[Frame] = []

    def step(self, t: TensorBase, g, arrived: list) -> None:
        self.sums[id(t)] = g  # t's gradient, complete and passed through its hooks, as its backward used it
        if isinstance(t.grad_fn, OutputOf):
            return  # one output of a Function with several: its step is the Function's, once all have arrived
        just: dict[int, object] = {}  # an op may send two gradients to one input (x * x): they arrive as one
        for inp, lg in arrived:
            k = id(inp)
            self.sums[k] = lg.copy() if k not in self.sums else self.sums[k] + lg
            just[k] = lg if k not in just else just[k] + lg
        node = self.structure.producer[id(t)]
        label = type(t.grad_fn).label or type(t.grad_fn).__name__
        inside = f"{label} (inside {node.label})" if node.composite is not None and label != node.label else label
        self.frames.append(Frame(dict(self.sums), node, just, inside))


def backward_steps(loss: TensorBase, show_values: bool = True, max_elements: int = 4, cluster_modules: bool = True,
                   rankdir: str = "LR", max_nodes: int = 500, expand_composites: bool = False) -> list[Step]:
    """One Graph per step of ``loss``'s backward, in the engine's order, each highlighting the op differentiated.

    Every tensor shows its gradient so far; the inputs of the highlighted op show the gradient that has just
    arrived ("just arrived"). The backward runs here, retaining the graph and leaving every ``.grad`` alone,
    so ``loss.backward()`` still works afterwards. The last step's gradient of each parameter is its ``.grad``.
    Hooks run as in a backward (registered gradient hooks are called here too). A composed op (a loss from
    probabilities, ``mean``) is one node taking several steps; ``expand_composites=True`` draws its primitives.
    """
    opts = Options(show_values, True, max_elements, cluster_modules, rankdir, max_nodes)
    check_loss(loss, opts)
    if not isinstance(expand_composites, bool):
        raise TypeError(f"backward_steps: expand_composites must be True or False, got {expand_composites!r}")
    s = collect([loss], max_nodes, "backward_steps", collapse=not expand_composites)
    if len(s.tensors) + len(s.ops) > max_nodes:  # refused before the backward runs
        raise too_large(max_nodes, f"{len(s.tensors) + len(s.ops)} nodes, more than", "backward_steps")
    for op in s.ops:
        for ctx in op.ctxs:
            try:
                ctx.saved_tensors  # noqa: B018 - raises if an earlier backward freed them
            except RuntimeError:
                raise RuntimeError("backward_steps: an earlier backward() freed this graph's saved arrays; call "
                                   "backward_steps before loss.backward(), or pass retain_graph=True to it") from None
    seed = np.ones_like(loss.data)
    recorder = StepRecorder(s, seed)
    propagate([loss], [seed], recorder, retain_graph=True)
    # a leaf's hooks run once its gradient is complete, after the last step: show what they return, as .grad will
    recorder.frames[-1].grads.update((id(t), g) for t, g in zip(recorder.inputs, recorder.result()) if g is not None)
    n = len(recorder.frames)
    steps = []
    for k, frame in enumerate(recorder.frames, start=1):
        frame.note = f"step {k} of {n}: backward of {frame.note}"
        steps.append(Step(build(s, opts, frame), k, frame))
    return steps


def check_loss(loss, opts: Options) -> None:
    """Refuse what backward_steps cannot play, before any work, naming the problem."""
    if not isinstance(loss, TensorBase):
        raise TypeError(f"backward_steps: loss must be a Tensor, the result of a loss function such as "
                        f"ts.losses.mse(y, model(x)); got {type(loss).__name__}")
    check_options((loss,), opts, "backward_steps")
    if not loss.requires_grad:
        raise ValueError("backward_steps: loss was not computed from tensors that require grad, so backward has "
                         "no step to show (create the parameters with requires_grad=True, outside no_grad)")
    if loss.grad_fn is None:
        raise ValueError("backward_steps: loss is a leaf tensor (no op made it), so backward has no step to show; "
                         "pass a tensor computed from it, such as a loss of the model's output")
    if loss.data.size != 1:
        raise ValueError("backward_steps: loss must be a single number, as for loss.backward(); "
                         f"got shape {loss.shape}")


def animate_backward(loss: TensorBase, path: str | os.PathLike, **options) -> str:
    """Write one HTML page playing ``backward_steps(loss, **options)``: a slider, previous / next / play.

    The page needs no network: the pictures are inline SVG. ``page.html#step=5`` opens at step 5, and the
    address follows the step shown. Returns the path written.
    """
    check_path(path)
    steps = backward_steps(loss, **options)
    text = page("Backpropagation, step by step", [(step.svg(), step.caption) for step in steps])
    return atomic_write(path, lambda f: f.write(text.encode("utf-8")))


def check_path(path) -> None:
    """animate_backward's ``path``, checked before the backward and the drawing: a file name in a folder that exists."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError("animate_backward: path must be a file name such as 'backprop.html', "
                        f"got {type(path).__name__}")
    folder = os.path.dirname(os.path.abspath(os.fspath(path)))
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"animate_backward: the folder {folder} of {os.fspath(path)!r} does not exist")
