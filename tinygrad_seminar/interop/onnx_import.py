"""``from_onnx(path)``: a ``ts.Sequential`` from the graphs ``export`` writes, and from nothing else.

Such a graph is a chain: one input (batch, ...), each node fed by the one before, every other input an
initializer. The nodes are read in order; a Transpose says where the data goes channels-first (plan.py),
and the pairs that export writes for one layer are read as one: MatMul + Add (Dense on more than two
axes), Mul + Add (Rescaling, or an inverted Normalization), Sub + Div (Normalization). Any other op, or a
node off the chain, is refused with its op and name.
"""

from __future__ import annotations

import os

import numpy as np

from ..keras import layers as K
from ..keras.sequential import Sequential
from ..nn import activations as A
from .onnx_export import ACTIVATION_OPS, onnx
from .plan import TO_FIRST, TO_LAST

ACTIVATION_LAYERS = {"Identity": A.Linear, "Relu": A.ReLU, "Sigmoid": A.Sigmoid, "Tanh": A.Tanh,
                     "Softplus": A.Softplus, "Softmax": A.Softmax, "LogSoftmax": A.LogSoftmax}
READ = ("Transpose", "Gemm", "MatMul", "Add", "Mul", "Sub", "Div", "Conv", "MaxPool", "AveragePool", "Flatten",
        "BatchNormalization", *ACTIVATION_OPS.values())


class Reader:
    """The graph's nodes with their attributes and constant inputs, and where the data is (layout and rank)."""

    def __init__(self, graph, numpy_helper, helper, rank: int):
        self.consts = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
        self.nodes, self.helper, self.at = list(graph.node), helper, 0
        self.layout, self.rank, self.x = "last", rank, graph.input[0].name

    def refuse(self, node, why: str) -> ValueError:
        return ValueError(f"from_onnx: op {node.op_type!r} (node {node.name!r}) {why}")

    def next(self):
        """The next node of the chain with its attributes and constants; ValueError if it is off the chain."""
        node = self.nodes[self.at]
        self.at += 1
        if node.op_type not in READ:
            raise self.refuse(node, f"is not one that export writes; from_onnx reads {', '.join(READ)}")
        if not node.input or node.input[0] != self.x or len(node.output) != 1 or any(
                name not in self.consts for name in node.input[1:] if name):
            raise self.refuse(node, "is off the chain: export writes each node fed by the one before and constants")
        self.x = node.output[0]
        attributes = {a.name: self.helper.get_attribute_value(a) for a in node.attribute}
        return node, attributes, [self.consts[name] if name else None for name in node.input[1:]]

    def peek(self, op: str) -> bool:
        return self.at < len(self.nodes) and self.nodes[self.at].op_type == op

    def need(self, layout: str, node) -> None:
        if self.layout != layout:
            raise self.refuse(node, f"runs on channels-{self.layout} data here; export writes a Transpose before it")


def padding(node, attributes: dict, window, dilation, r: Reader) -> str:
    """"same" or "valid" from auto_pad / pads, as export writes them."""
    pads = [int(p) for p in attributes.get("pads", [0, 0, 0, 0])]
    if attributes.get("auto_pad", b"NOTSET") in (b"SAME_UPPER", "SAME_UPPER"):
        return "same"
    if not any(pads):
        return "valid"
    total = [d * (k - 1) for d, k in zip(dilation, window)]
    if list(attributes.get("strides", [1, 1])) == [1, 1] and pads == [t // 2 for t in total] + [t - t // 2
                                                                                                for t in total]:
        return "same"
    raise r.refuse(node, f"pads {pads}: only no padding and Keras' 'same' padding have a counterpart")


def image_layer(node, attributes: dict, consts: list, r: Reader):
    r.need("first", node)
    window, strides = tuple(attributes["kernel_shape"]), tuple(attributes.get("strides", [1, 1]))
    if node.op_type == "Conv":
        dilation = tuple(attributes.get("dilations", [1, 1]))
        if attributes.get("group", 1) != 1:
            raise r.refuse(node, "is a grouped convolution; Conv2D has no groups")
        layer = K.Conv2D(consts[0].shape[0], window, strides, padding(node, attributes, window, dilation, r),
                         dilation_rate=dilation, use_bias=len(consts) > 1 and consts[1] is not None,
                         dtype=consts[0].dtype)
        return layer, {"weight": consts[0], "bias": consts[1] if len(consts) > 1 else None}
    if attributes.get("ceil_mode", 0) or any(d != 1 for d in attributes.get("dilations", [1, 1])) or (
            node.op_type == "AveragePool" and attributes.get("count_include_pad", 0)):
        raise r.refuse(node, "rounds up, dilates or counts the padding; Keras' pooling does none of these")
    cls = K.MaxPooling2D if node.op_type == "MaxPool" else K.AveragePooling2D
    return cls(window, strides, padding(node, attributes, window, (1, 1), r)), {}


def dense_layer(node, attributes: dict, consts: list, r: Reader):
    if node.op_type == "Gemm":
        if attributes.get("transA", 0) or attributes.get("alpha", 1.0) != 1.0 or attributes.get("beta", 1.0) != 1.0:
            raise r.refuse(node, "scales or transposes its input; export writes alpha=beta=1, transA=0")
        weight = consts[0] if attributes.get("transB", 0) else consts[0].T
        bias = consts[1] if len(consts) > 1 else None
    else:
        weight, bias = consts[0].T, None
        if r.peek("Add"):
            bias = r.next()[2][0]
    r.need("last", node)
    return K.Dense(weight.shape[0], use_bias=bias is not None, dtype=weight.dtype), {"weight": weight, "bias": bias}


def pair_layer(node, consts: list, r: Reader):
    """Mul + Add (Rescaling with scalars, else an inverted Normalization) or Sub + Div (Normalization)."""
    second = {"Mul": "Add", "Sub": "Div"}.get(node.op_type)
    if second is None or not r.peek(second):
        raise r.refuse(node, "stands alone; export writes Mul + Add and Sub + Div only")
    first, then = consts[0], r.next()[2][0]
    if node.op_type == "Mul" and first.size == 1 and then.size == 1:
        return K.Rescaling(float(first.reshape(())), float(then.reshape(()))), {}
    mean, s = (then, first) if node.op_type == "Mul" else (first, then)
    r.need("last", node)
    variance = np.square(s.astype(np.float64))
    return K.Normalization(mean=mean, variance=variance, invert=node.op_type == "Mul", dtype=mean.dtype), {}


def layer_of(r: Reader):
    """The next layer and its values (None for a Transpose)."""
    node, attributes, consts = r.next()
    op = node.op_type
    if op == "Transpose":
        perm = tuple(attributes.get("perm", ()))
        if r.rank == 4 and (r.layout, perm) in (("last", TO_FIRST), ("first", TO_LAST)):
            r.layout = "first" if perm == TO_FIRST else "last"
            return None, {}
        raise r.refuse(node, f"permutes {perm} on {r.rank}-D channels-{r.layout} data; export writes only "
                             "(0, 3, 1, 2) and (0, 2, 3, 1)")
    if op in ("Conv", "MaxPool", "AveragePool"):
        return image_layer(node, attributes, consts, r)
    if op in ("Gemm", "MatMul"):
        return dense_layer(node, attributes, consts, r)
    if op == "Flatten":
        r.need("last", node)
        if attributes.get("axis", 1) != 1:
            raise r.refuse(node, "flattens from another axis than 1")
        r.rank = 2
        return K.Flatten(), {}
    if op == "BatchNormalization":
        gamma, beta, mean, variance = consts
        layer = K.BatchNormalization(momentum=short(attributes.get("momentum", 0.9)),
                                     epsilon=short(attributes.get("epsilon", 1e-5)),
                                     dtype=mean.dtype)
        return layer, {"gamma": gamma, "beta": beta, "moving_mean": mean, "moving_variance": variance}
    if op in ("LeakyRelu", "Elu"):
        alpha = short(attributes.get("alpha", 0.01 if op == "LeakyRelu" else 1.0))
        if op == "Elu" and alpha != 1.0:
            raise r.refuse(node, f"has alpha={alpha}; the framework's elu has alpha 1")
        return (K.LeakyReLU(alpha) if op == "LeakyRelu" else A.ELU()), {}
    if "Softmax" in op and attributes.get("axis", -1) not in ((1, -3) if r.layout == "first" else (-1, r.rank - 1)):
        raise r.refuse(node, f"runs over axis {attributes.get('axis', -1)}; the framework's softmax runs over the "
                             "features")
    if op in ACTIVATION_LAYERS:
        return ACTIVATION_LAYERS[op](), {}
    return pair_layer(node, consts, r)


def from_onnx(path) -> Sequential:
    """A ``ts.Sequential`` computing what the ONNX file at ``path`` computes, if ``export`` wrote that kind of graph."""
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"from_onnx: path must be a str or a path, got {type(path).__name__}")
    o = onnx()
    proto = o.load(os.fspath(path))
    o.checker.check_model(proto)
    graph = proto.graph
    inputs = [i for i in graph.input if i.name not in {t.name for t in graph.initializer}]
    if len(inputs) != 1 or len(graph.output) != 1:
        raise ValueError(f"from_onnx: {path}: the graph has {len(inputs)} inputs and {len(graph.output)} outputs; "
                         "export writes one of each")
    dims = inputs[0].type.tensor_type.shape.dim
    shape = tuple(d.dim_value for d in dims[1:])
    if not shape or any(n < 1 for n in shape):
        raise ValueError(f"from_onnx: {path}: the input's shape after the batch axis must be known, got {shape}")
    r = Reader(graph, o.numpy_helper, o.helper, len(shape) + 1)
    pairs = []
    while r.at < len(r.nodes):
        layer, values = layer_of(r)
        if layer is not None:
            pairs.append((layer, values))
    if r.x != graph.output[0].name or r.layout != "last":
        raise ValueError(f"from_onnx: {path}: the chain does not end at the graph's output on channels-last data")
    model = Sequential([K.Input(shape)] + [layer for layer, _ in pairs])
    for layer, values in pairs:
        for name, value in values.items():
            target = getattr(layer, name)
            if value is not None and value.shape != target.shape:
                raise ValueError(f"from_onnx: {path}: layer {layer.name!r} needs {name} of shape {target.shape} for "
                                 f"the data reaching it, the file holds {value.shape}")
            if value is not None:
                target.data = np.array(value, dtype=target.dtype)
    return model


def short(value: float) -> float:
    """An ONNX float attribute (float32) as the shortest decimal that gives it: 0.001, not 0.0010000000474974513."""
    return float(str(np.float32(value)))
