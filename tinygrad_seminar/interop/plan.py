"""The walk both ways out share: a Sequential's layers as steps, with the layout changes between them.

Our image layers are channels-last, (N, H, W, C); PyTorch's and ONNX's are channels-first, (N, C, H, W).
The walk keeps track of the layout the data is in and inserts a ``permute`` step where it must change:
to channels-first, ``(0, 3, 1, 2)``, before a convolution or pooling layer (and before a BatchNormalization
on images); back to channels-last, ``(0, 2, 3, 1)``, before Flatten, Dense or Normalization, and at the end.
So Flatten flattens (H, W, C) in our order, and the exported model takes and returns what ``predict`` does.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..keras import layers as K
from ..nn import activations as A
from ..nn import conv_layers as C
from ..nn import functional as F
from ..nn import layers as L
from ..nn.module import Module

TO_FIRST, TO_LAST = (0, 3, 1, 2), (0, 2, 3, 1)
ACTIVATION_NAMES = {fn: name for name, fn in F.ACTIVATIONS.items()}
NO_COUNTERPART = ("step",)  # the activations that PyTorch and ONNX have no module / op for
EXPORTABLE = ("Dense", "Conv2D", "MaxPooling2D", "AveragePooling2D", "Flatten", "Dropout", "BatchNormalization",
              "Normalization", "Rescaling", "Activation (and ReLU, Tanh... and LeakyReLU)")


@dataclass(frozen=True)
class Step:
    """One module / node of the exported model: its kind, the layer it comes from (and its index), and its argument.

    kind: "permute" (arg: dims), "dense", "conv", "maxpool", "avgpool", "flatten", "dropout", "batchnorm"
    (arg: the input's rank), "normalization", "rescaling", "activation" (arg: (name, parameter, axis)).
    """

    kind: str
    layer: Module | None = None
    index: int | None = None
    arg: object = None


def layer_kind(layer: Module, target: str) -> str:
    """The step kind of a layer; a ValueError naming the layer when ``target`` (PyTorch, ONNX) has no counterpart."""
    kinds = [(L.Dense, "dense"), (C.Conv2D, "conv"), (C.MaxPooling2D, "maxpool"), (C.AveragePooling2D, "avgpool"),
             (C.Flatten, "flatten"), (L.Dropout, "dropout"), (K.BatchNormalization, "batchnorm"),
             (K.Normalization, "normalization"), (K.Rescaling, "rescaling"), (A.Activation, "activation"),
             (K.LeakyReLU, "activation")]
    for cls, kind in kinds:
        if isinstance(layer, cls):
            return kind
    raise ValueError(f"layer {getattr(layer, 'name', '?')!r} ({type(layer).__name__}) has no {target} counterpart; "
                     f"the layers that export: {', '.join(EXPORTABLE)}")


def activation_of(layer: Module, fn, target: str) -> tuple[str, float | None]:
    """(name, parameter) of an activation function; a ValueError naming the layer if ``target`` has none."""
    if isinstance(layer, K.LeakyReLU):
        return "leaky_relu", layer.negative_slope
    name = ACTIVATION_NAMES.get(fn)
    if name is None or name in NO_COUNTERPART:
        shown = name or getattr(fn, "__name__", repr(fn))
        raise ValueError(f"layer {layer.name!r} ({type(layer).__name__}): the activation {shown!r} has no {target} "
                         f"counterpart; those that do: "
                         f"{', '.join(n for n in F.ACTIVATIONS if n not in NO_COUNTERPART)}")
    parameter = {"leaky_relu": 0.2, "elu": 1.0}.get(name)  # the defaults the framework's functions use
    return name, parameter


def check_model(model, target: str) -> tuple:
    """The model's input shape without the batch axis; TypeError / ValueError if it cannot be walked."""
    if not isinstance(getattr(model, "layers", None), list):
        raise TypeError(f"model: the way out to {target} takes a Sequential model, got {type(model).__name__}")
    shape = getattr(model, "input_shape", None)
    if shape is None or not model.built:
        raise ValueError(f"model {model.name!r} is not built yet, so its input shape is unknown: start it with "
                         f"Input(shape=...), give its first layer input_shape=, or call model.build(...)")
    for layer in model.layers:
        layer_kind(layer, target)  # every refusal before any work
    return tuple(shape[1:])


def walk(model, target: str) -> list[Step]:
    """The steps of the exported model, permutations included (see the module's docstring)."""
    rank = len(check_model(model, target)) + 1
    steps: list[Step] = []
    layout = ["last"]

    def to(want: str) -> None:
        if layout[0] != want and rank == 4:
            steps.append(Step("permute", arg=TO_FIRST if want == "first" else TO_LAST))
            layout[0] = want

    for i, layer in enumerate(model.layers):
        kind = layer_kind(layer, target)
        if kind in ("conv", "maxpool", "avgpool") or (kind == "batchnorm" and rank == 4):
            rank = 4
            to("first")
        elif kind in ("dense", "flatten", "normalization"):
            to("last")
        if kind == "activation":
            name, parameter = activation_of(layer, getattr(layer, "fn", None), target)
            steps.append(Step("activation", layer, i, (name, parameter, 1 if layout[0] == "first" else -1)))
            continue
        steps.append(Step(kind, layer, i, rank))
        if kind == "flatten":
            rank = 2
        if kind in ("dense", "conv") and layer.activation_name is not None and layer.activation is not F.linear:
            name, parameter = activation_of(layer, layer.activation, target)
            steps.append(Step("activation", layer, i, (name, parameter, 1 if layout[0] == "first" else -1)))
    to("last")
    return steps
