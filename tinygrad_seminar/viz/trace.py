"""``trace(model)``: backpropagation of one forward and backward, in the slides' notation.

delta^[l] = -p dE/dz^[l], as an (n_l x p) matrix: samples in columns, as the slides and ``ts.rules`` write
them, while the framework keeps samples in rows.
"""

from __future__ import annotations

import numpy as np

from ..autograd.base import data_of
from ..autograd.hooks import HookHandle
from ..nn.layers import Dense
from ..nn.module import Module


def slides_layout(array: np.ndarray | None) -> np.ndarray | None:
    """A (p, n) array of samples in rows as the slides' (n, p); leading axes beyond two count as samples."""
    if array is None:
        return None
    array = np.asarray(array)
    return array.reshape(-1, array.shape[-1] if array.ndim else 1).T


def shape_text(array: np.ndarray | None) -> str:
    return "-" if array is None else str(tuple(array.shape))


class Trace:
    """delta^[l] = -p dE/dz^[l], shape (n_l, p), for every Dense layer l = 1..L of ``model``.

    ``with trace(model) as tr: loss = E(model(x)); loss.backward()`` records, for each Dense layer (in the
    order of ``model.modules()``), its input a^[l-1], its pre-activation z^[l], its output a^[l] and
    dE/dz^[l], as numpy copies. A layer that runs several forwards inside the block keeps the last one
    (and the gradient of the last backward through that forward). The hooks come off when the block ends,
    also on an error; a backward after the block records nothing.

    When this is the slides' delta: ``ts.rules.backprop`` gives one column per sample, delta_i = -dL_i/dz_i
    for the slides' per-sample loss L_i (its updates sum the columns). -p dE/dz^[l] is that exactly when
    E = 1/p sum_i L_i, the batch mean of the per-sample loss summed over the outputs:

    - 1/2 squared error: E = 1/(2p) sum_i sum_j (y_j - a_j)^2, e.g. ``0.5 * ((y_pred - y) ** 2).sum(axis=1)
      .mean()``. ``ts.losses.mse`` averages over the m outputs too and has no 1/2: mse = (2/m) E, so after
      ``mse(y, y_pred).backward()`` the slides' delta is (m/2) ``deltas()`` (twice them with one output).
    - BCE: ``ts.losses.binary_crossentropy`` also averages over the m outputs, so it is E/m: equal to the
      slides' with one output unit (sigmoid), else the slides' delta is m ``deltas()``.
    - CCE: ``ts.losses.categorical_crossentropy`` (softmax output) sums over classes: equal.

    Attributes: ``layers`` (the Dense layers, ``layers[l - 1]`` is layer l), ``a`` and ``z`` (see there).
    """

    def __init__(self, model: Module) -> None:
        if not isinstance(model, Module):
            raise TypeError(f"trace: model must be a Module (a Sequential, a Model or a layer), "
                            f"got {type(model).__name__}")
        self.model = model
        # a layer used twice in the model is one layer here (the same weights): dict keeps the first place
        self.layers: list[Dense] = list({id(m): m for m in model.modules() if isinstance(m, Dense)}.values())
        if not self.layers:
            raise ValueError(f"trace: the model ({type(model).__name__}) has no Dense layer to trace")
        self._handles: list[HookHandle] = []
        self._reset()

    def _reset(self) -> None:
        n = len(self.layers)
        self._inputs: list[np.ndarray | None] = [None] * n
        self._outputs: list[np.ndarray | None] = [None] * n
        self._z: list[np.ndarray | None] = [None] * n
        self._dz: list[np.ndarray | None] = [None] * n
        self._grad_handles: dict[int, HookHandle] = {}  # per layer, the tensor hook on its last z

    # ---- recording ----
    def __enter__(self) -> Trace:
        if self._handles:
            raise RuntimeError("trace: this trace is already recording; leave its `with` block first")
        self._reset()  # a fresh record each time the block is entered
        try:
            for i, layer in enumerate(self.layers):
                self._handles.append(layer.register_preactivation_hook(self._on_z(i)))
                self._handles.append(layer.register_forward_hook(self._on_output(i)))
        except BaseException:
            self._remove_hooks()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self._remove_hooks()

    def _remove_hooks(self) -> None:
        for handle in [*self._handles, *self._grad_handles.values()]:
            handle.remove()
        self._handles, self._grad_handles = [], {}

    def _on_z(self, i: int):
        def hook(layer: Dense, z) -> None:
            self._z[i], self._dz[i] = np.array(data_of(z)), None
            old = self._grad_handles.pop(i, None)
            if old is not None:  # the last forward counts: an earlier one's gradient must not overwrite its
                old.remove()
            if z.requires_grad:  # not under no_grad, or with frozen inputs and weights
                self._grad_handles[i] = z.register_hook(self._on_grad(i))
        return hook

    def _on_grad(self, i: int):
        def hook(grad) -> None:
            self._dz[i] = np.array(data_of(grad))  # a Tensor under create_graph, else an array
        return hook

    def _on_output(self, i: int):
        def hook(layer: Dense, inputs: tuple, output) -> None:
            # the input as the layer saw it: in its dtype, whatever the caller passed
            self._inputs[i] = np.array(data_of(inputs[0]), dtype=layer.dtype) if inputs else None
            self._outputs[i] = np.array(data_of(output))
        return hook

    # ---- the slides' view ----
    @property
    def a(self) -> list[np.ndarray | None]:
        """[a^[0], a^[1], ..., a^[L]], each (n_l, p): a^[0] the first layer's input X, a^[l] layer l's output.

        In a plain stack of Dense layers a^[l] is also layer l + 1's input; ``table`` shows each layer's own.
        """
        return [slides_layout(self._inputs[0])] + [slides_layout(out) for out in self._outputs]

    @property
    def z(self) -> list[np.ndarray | None]:
        """[None, z^[1], ..., z^[L]], each (n_l, p): z^[l] = w^[l] a^[l-1] + b^[l]."""
        return [None] + [slides_layout(z) for z in self._z]

    def deltas(self) -> list[np.ndarray | None]:
        """[None, delta^[1], ..., delta^[L]], delta^[l] = -p dE/dz^[l] of shape (n_l, p), as ``ts.rules.backprop``.

        A RuntimeError if no backward reached some layer (call ``loss.backward()`` inside the ``with`` block).
        """
        missing = [f"{l} ({layer.name})" for l, layer in enumerate(self.layers, start=1) if self._dz[l - 1] is None]
        if missing:
            ran = "no forward ran through them" if all(z is None for z in self._z) else "no gradient reached them"
            raise RuntimeError(f"trace: no dE/dz for layer(s) {', '.join(missing)}: {ran}. Run the forward and "
                               "call loss.backward() inside the `with ts.viz.trace(model)` block")
        return [None] + [self._delta(i) for i in range(len(self.layers))]

    def _delta(self, i: int) -> np.ndarray | None:
        if self._dz[i] is None:
            return None
        dz = slides_layout(self._dz[i])
        return -dz.shape[1] * dz  # p = the number of columns: the mean loss's 1/p undone, as the slides sum

    def table(self) -> str:
        """One row per Dense layer: l, name, the shapes of a^[l-1], z^[l], delta^[l] (n x p), mean |delta^[l]|.

        Before a backward the delta columns read "-".
        """
        header = ("l", "layer", "a^[l-1]", "z^[l]", "delta^[l]", "mean |delta^[l]|")
        rows = [header]
        for i, layer in enumerate(self.layers):
            delta = self._delta(i)
            rows.append((str(i + 1), layer.name, shape_text(slides_layout(self._inputs[i])),
                         shape_text(slides_layout(self._z[i])), shape_text(delta),
                         "-" if delta is None else f"{np.abs(delta).mean():.6g}"))
        widths = [max(len(row[k]) for row in rows) for k in range(len(header))]
        return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows)

    def __repr__(self) -> str:
        return f"trace({type(self.model).__name__}, {len(self.layers)} Dense layers)\n{self.table()}"


#: ``ts.viz.trace(model)``: the context manager is the class itself.
trace = Trace
