"""A Sequential as a ``torch.nn.Sequential``, and the names of its parameters both ways.

Dense.weight is already PyTorch's layout, (units, inputs) = Linear.weight, and Conv2D.weight is
(filters, in, kh, kw) = Conv2d.weight, so the values are copied as they are. Only the module indices
differ: an activation given to a Dense becomes a module of its own, and a ``Permute`` goes in where the
layout changes (plan.py).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from . import torch_modules
from .plan import Step, walk

# our parameter name -> torch's, for each kind of step that holds parameters
PARAMETERS = {
    "dense": {"weight": "weight", "bias": "bias"},
    "conv": {"weight": "weight", "bias": "bias"},
    "batchnorm": {"gamma": "weight", "beta": "bias", "moving_mean": "running_mean", "moving_variance": "running_var"},
    "normalization": {"mean": "mean", "variance": "variance"},
}


def check_step(step: Step) -> None:
    """A ValueError naming the layer when a step has no PyTorch module with the same numbers."""
    layer, kind = step.layer, step.kind
    where = f"layer {getattr(layer, 'name', '?')!r} ({type(layer).__name__})"
    if kind == "conv" and layer.padding == "same" and layer.strides != (1, 1):
        raise ValueError(f"{where}: padding='same' with strides {layer.strides} has no PyTorch counterpart "
                         "(PyTorch's padding='same' needs strides 1, and the padding then depends on the image "
                         "size); export it to ONNX instead, or use padding='valid'")
    if kind in ("maxpool", "avgpool") and layer.padding == "same":
        raise ValueError(f"{where}: padding='same' has no PyTorch pooling counterpart (it pads by the image size, "
                         "on one side); export it to ONNX instead, or use padding='valid'")
    if kind == "batchnorm" and layer.center != layer.scale:
        raise ValueError(f"{where}: center={layer.center} with scale={layer.scale} has no PyTorch counterpart "
                         "(BatchNorm's affine= sets both)")
    if kind == "batchnorm" and step.arg not in (2, 4):
        raise ValueError(f"{where}: PyTorch's BatchNorm1d / BatchNorm2d take 2-D or 4-D inputs; this one has "
                         f"{step.arg} axes")


def module_of(step: Step, nn, classes: dict):
    """The torch module of one step (untrained; the values are loaded after)."""
    layer, kind = step.layer, step.kind
    if kind == "permute":
        return classes["Permute"](step.arg)
    if kind == "dense":
        return nn.Linear(layer.input_dim, layer.units, bias=layer.use_bias)
    if kind == "conv":
        return nn.Conv2d(layer.channels, layer.filters, layer.kernel_size, stride=layer.strides,
                         padding=0 if layer.padding == "valid" else "same", dilation=layer.dilation_rate,
                         bias=layer.use_bias)
    if kind in ("maxpool", "avgpool"):
        return (nn.MaxPool2d if kind == "maxpool" else nn.AvgPool2d)(layer.pool_size, layer.strides)
    if kind == "flatten":
        return nn.Flatten()
    if kind == "dropout":
        return nn.Dropout(layer.rate)
    if kind == "batchnorm":  # Keras: moving = moving * m + batch * (1 - m); PyTorch's momentum is the 1 - m
        norm = nn.BatchNorm2d if step.arg == 4 else nn.BatchNorm1d
        return norm(layer.moving_mean.shape[0], eps=layer.epsilon, momentum=1.0 - layer.momentum, affine=layer.scale)
    if kind == "rescaling":
        return classes["Rescaling"](layer.scale, layer.offset)
    if kind == "normalization":
        return classes["Normalization"](layer.mean.shape[0], layer.invert)
    name, parameter, axis = step.arg
    return {"linear": nn.Identity, "relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "softplus": nn.Softplus,
            "leaky_relu": lambda: nn.LeakyReLU(parameter), "elu": lambda: nn.ELU(parameter),
            "softmax": lambda: nn.Softmax(dim=axis), "log_softmax": lambda: nn.LogSoftmax(dim=axis)}[name]()


def to_torch(model):
    """The model as a ``torch.nn.Sequential`` of the same dtype and values, in eval mode (``.train()`` to train it).

    It takes what ``model.predict`` takes: images channels-last (N, H, W, C); inside, a ``Permute``
    module turns them channels-first before the first convolution and back before Flatten. Dense ->
    Linear, Conv2D -> Conv2d, MaxPooling2D / AveragePooling2D -> MaxPool2d / AvgPool2d, Flatten, Dropout,
    BatchNormalization -> BatchNorm1d / 2d (momentum 1 - Keras' momentum, same epsilon), an activation ->
    its module (ReLU, Sigmoid, Tanh, LeakyReLU, ELU, Softplus, Softmax, LogSoftmax, Identity);
    Rescaling and Normalization -> the small modules of ``torch_modules``. Any other layer, and the
    activation "step", is refused with its name. A frozen layer's parameters do not require grad there either.
    """
    torch = torch_modules.torch()
    steps = walk(model, "PyTorch")
    for step in steps:
        check_step(step)
    dtype = torch_modules.torch_dtype(model.dtype)
    classes = torch_modules.modules()
    net = torch.nn.Sequential(*(module_of(step, torch.nn, classes) for step in steps)).to(dtype)
    net.load_state_dict(to_torch_state_dict(model))
    ours, theirs = dict(model.named_parameters()), dict(net.named_parameters())
    for name, torch_name in name_pairs(model):  # a frozen layer (trainable=False) stays frozen
        if torch_name in theirs:
            theirs[torch_name].requires_grad_(ours[name].requires_grad)
    return net.eval()


def name_pairs(model) -> list[tuple[str, str]]:
    """(our name, PyTorch's name) of every parameter and statistic, in our state_dict's order."""
    pairs = []
    for j, step in enumerate(walk(model, "PyTorch")):
        for ours, theirs in PARAMETERS.get(step.kind, {}).items():
            if getattr(step.layer, ours, None) is not None:
                pairs.append((f"{step.index}.{ours}", f"{j}.{theirs}"))
    return pairs


def to_torch_state_dict(model) -> dict:
    """The model's values under the names ``to_torch(model).state_dict()`` uses, as torch tensors (copies).

    The mapping, with i a layer's index in ``model.layers`` and j its module's index in ``to_torch(model)``:
    ``i.weight`` / ``i.bias`` (Dense, Conv2D) -> ``j.weight`` / ``j.bias``, same layout;
    ``i.gamma``, ``i.beta``, ``i.moving_mean``, ``i.moving_variance`` (BatchNormalization) ->
    ``j.weight``, ``j.bias``, ``j.running_mean``, ``j.running_var`` (and ``j.num_batches_tracked``, 0);
    ``i.mean`` / ``i.variance`` (Normalization) -> ``j.mean`` / ``j.variance``.
    """
    torch = torch_modules.torch()
    ours = model.state_dict()
    out = {}
    for name, theirs in name_pairs(model):
        out[theirs] = torch.from_numpy(ours[name].copy())
        if theirs.endswith(".running_var"):  # the last of a BatchNorm's entries, as in torch's own order
            out[theirs.removesuffix("running_var") + "num_batches_tracked"] = torch.tensor(0, dtype=torch.long)
    return out


def load_torch_state_dict(model, state_dict: Mapping) -> None:
    """Copy a PyTorch state_dict (torch tensors or arrays) into the model, names mapped as in ``to_torch_state_dict``.

    Every key is checked first (unknown, missing, shape, dtype); a failed load changes nothing.
    ``num_batches_tracked`` has no counterpart and is skipped.
    """
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"state_dict must be a mapping of names to tensors, got {type(state_dict).__name__}")
    pairs = name_pairs(model)
    ours_of = {theirs: ours for ours, theirs in pairs}
    unexpected = [k for k in state_dict if k not in ours_of and not str(k).endswith("num_batches_tracked")]
    missing = [theirs for _, theirs in pairs if theirs not in state_dict]
    if unexpected or missing:
        found = "; ".join(f"{what} keys {keys}" for what, keys in (("unexpected", unexpected), ("missing", missing))
                          if keys)
        raise ValueError(f"load_torch_state_dict into {model.name!r}: {found}; expected (PyTorch's name -> ours): "
                         + ", ".join(f"{t} -> {o}" for o, t in pairs))
    model.load_state_dict({ours_of[k]: as_array(v) for k, v in state_dict.items() if k in ours_of})


def as_array(value) -> np.ndarray:
    """A torch tensor (on any device) or an array-like as a numpy array, without changing its dtype."""
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    return np.asarray(value)
