"""``model.export(path, format="onnx")``: the model as an ONNX graph (opset 17), for serving runtimes.

The graph takes and returns what ``predict`` does, with a dynamic batch axis named "batch": images
channels-last (N, H, W, C), turned channels-first by a Transpose node before the first Conv / pooling
node (ONNX's are channels-first) and back before Flatten (plan.py). Dense on 2-D data is a Gemm
(transB=1, since Dense.weight is (units, inputs)), on more axes MatMul + Add; Dropout, the identity at
inference, writes no node. The graph is checked with ``onnx.checker`` (full check, shapes inferred)
before the file is written, atomically.
"""

from __future__ import annotations

import os

import numpy as np

from ..files import atomic_write
from ..keras.preprocessing import KERAS_EPSILON
from .plan import Step, walk

OPSET = 17
INSTALL = ('ONNX export and from_onnx need the packages onnx and onnxruntime: '
           'pip install "tinygrad_seminar[onnx]" (or pip install onnx onnxruntime)')
FORMATS = ("onnx",)
ACTIVATION_OPS = {"linear": "Identity", "relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "softplus": "Softplus",
                  "leaky_relu": "LeakyRelu", "elu": "Elu", "softmax": "Softmax", "log_softmax": "LogSoftmax"}


def onnx():
    """The ``onnx`` module; an ImportError naming the extra without it."""
    try:
        import onnx  # the optional extra: imported where it is used, never at package import
    except ImportError as e:
        raise ImportError(INSTALL) from e
    return onnx


class Graph:
    """The nodes and initializers of a chain, each node fed by the previous one's output."""

    def __init__(self, onnx_module, dtype: np.dtype):
        self.helper, self.numpy_helper, self.dtype = onnx_module.helper, onnx_module.numpy_helper, dtype
        self.nodes, self.initializers, self.x = [], [], "input"

    def const(self, name: str, value) -> str:
        self.initializers.append(self.numpy_helper.from_array(np.asarray(value, self.dtype), name))
        return name

    def node(self, op: str, name: str, inputs=(), **attributes) -> None:
        name = f"{name}/{op}"
        if any(n.name == name for n in self.nodes):  # a layer of two nodes of one op, or a repeated name
            name = f"{name}_{len(self.nodes)}"
        self.nodes.append(self.helper.make_node(op, [self.x, *inputs], [name], name=name, **attributes))
        self.x = name


def image_attributes(layer, window, dilation=(1, 1)) -> dict:
    """kernel_shape, strides and the padding of a Conv / pool node, as Keras pads: "same" puts the odd one after.

    With strides 1 the padding does not depend on the image size, d (k - 1) in all: explicit pads. Otherwise
    SAME_UPPER, which onnxruntime computes from the size (but not for a dilated kernel: refused).
    """
    attributes = {"kernel_shape": list(window), "strides": list(layer.strides)}
    if layer.padding == "valid":
        return {**attributes, "pads": [0, 0, 0, 0]}
    if tuple(layer.strides) == (1, 1):
        total = [d * (k - 1) for d, k in zip(dilation, window)]
        return {**attributes, "pads": [t // 2 for t in total] + [t - t // 2 for t in total]}
    if tuple(dilation) != (1, 1):
        raise ValueError(f"layer {layer.name!r} ({type(layer).__name__}): padding='same' with strides "
                         f"{layer.strides} and dilation_rate {dilation} has no ONNX counterpart that onnxruntime "
                         "runs (SAME_UPPER with dilation)")
    return {**attributes, "auto_pad": "SAME_UPPER"}


def emit(g: Graph, step: Step) -> None:
    """The node(s) of one step."""
    layer, kind = step.layer, step.kind
    name = getattr(layer, "name", "transpose")
    if kind == "permute":
        g.node("Transpose", name, perm=list(step.arg))
    elif kind == "dense":
        bias = [g.const(f"{name}.bias", layer.bias.data)] if layer.use_bias else []
        if step.arg == 2:
            g.node("Gemm", name, [g.const(f"{name}.weight", layer.weight.data), *bias], transB=1)
        else:
            g.node("MatMul", name, [g.const(f"{name}.kernel", layer.weight.data.T)])
            if bias:
                g.node("Add", name, bias)
    elif kind == "conv":
        bias = [g.const(f"{name}.bias", layer.bias.data)] if layer.use_bias else []
        g.node("Conv", name, [g.const(f"{name}.weight", layer.weight.data), *bias],
               dilations=list(layer.dilation_rate),
               **image_attributes(layer, layer.kernel_size, layer.dilation_rate))
    elif kind == "maxpool":
        g.node("MaxPool", name, **image_attributes(layer, layer.pool_size))
    elif kind == "avgpool":  # Keras averages the numbers inside the image only
        g.node("AveragePool", name, count_include_pad=0, **image_attributes(layer, layer.pool_size))
    elif kind == "flatten":
        g.node("Flatten", name, axis=1)
    elif kind == "batchnorm":
        n = layer.moving_mean.shape[0]
        scale = layer.gamma.data if layer.gamma is not None else np.ones(n)
        beta = layer.beta.data if layer.beta is not None else np.zeros(n)
        g.node("BatchNormalization", name, [g.const(f"{name}.gamma", scale), g.const(f"{name}.beta", beta),
                                            g.const(f"{name}.moving_mean", layer.moving_mean.data),
                                            g.const(f"{name}.moving_variance", layer.moving_variance.data)],
               epsilon=layer.epsilon, momentum=layer.momentum)  # ONNX's momentum is Keras' (moving * m + ...)
    elif kind == "rescaling":
        g.node("Mul", name, [g.const(f"{name}.scale", layer.scale)])
        g.node("Add", name, [g.const(f"{name}.offset", layer.offset)])
    elif kind == "normalization":
        s = np.maximum(np.sqrt(layer.variance.data), KERAS_EPSILON).astype(layer.dtype)  # as its forward computes
        first, second = ("Mul", "Add") if layer.invert else ("Sub", "Div")
        values = {"Sub": layer.mean.data, "Div": s, "Mul": s, "Add": layer.mean.data}
        g.node(first, name, [g.const(f"{name}.{first.lower()}", values[first])])
        g.node(second, name, [g.const(f"{name}.{second.lower()}", values[second])])
    elif kind == "activation":
        op_name, parameter, axis = step.arg
        op = ACTIVATION_OPS[op_name]
        attributes = {"alpha": parameter} if op in ("LeakyRelu", "Elu") else {"axis": axis} if "Softmax" in op else {}
        g.node(op, name, **attributes)


def check_export(model, filepath, format) -> str:
    """The path as a string; TypeError / ValueError for the arguments, before any work."""
    if format not in FORMATS:
        raise ValueError(f"export: format must be 'onnx', got {format!r} (Keras' default 'tf_saved_model', and "
                         "'tflite' / 'openvino', need TensorFlow and are not written here)")
    if not isinstance(filepath, (str, os.PathLike)):
        raise TypeError(f"export: filepath must be a str or a path, got {type(filepath).__name__}")
    return os.fspath(filepath)


def to_onnx(model):
    """The model as a checked ``onnx.ModelProto`` (opset 17, batch axis "batch")."""
    o = onnx()
    steps = walk(model, "ONNX")
    dtype, shape = np.dtype(model.dtype), tuple(model.input_shape[1:])
    g = Graph(o, dtype)
    for step in steps:
        emit(g, step)
    if g.x == "input":  # a model of Dropout alone: the graph still needs a node
        g.node("Identity", "output")
    elem = o.helper.np_dtype_to_tensor_dtype(dtype)
    out_shape = model.compute_output_shape((None, *shape))[1:]
    graph = o.helper.make_graph(
        g.nodes, model.name, [o.helper.make_tensor_value_info("input", elem, ["batch", *shape])],
        [o.helper.make_tensor_value_info(g.x, elem, ["batch", *out_shape])], initializer=g.initializers)
    proto = o.helper.make_model(graph, opset_imports=[o.helper.make_opsetid("", OPSET)],
                                producer_name="tinygrad_seminar")
    o.checker.check_model(proto, full_check=True)
    return proto


def export(model, filepath, format: str | None = None) -> None:
    """Write the model to ``filepath`` as ONNX: ``model.export("model.onnx", format="onnx")`` (Keras 3's spelling).

    ``format`` must be "onnx" (Keras' default, a TensorFlow SavedModel, is not written here). Needs the
    extra ``onnx``. A layer or activation with no ONNX counterpart is refused with its name.
    """
    path = check_export(model, filepath, format)
    proto = to_onnx(model)
    atomic_write(path, lambda f: f.write(proto.SerializeToString()))
