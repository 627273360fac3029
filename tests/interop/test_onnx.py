"""model.export(path, format="onnx"): onnxruntime computes what predict computes, for any batch size, and
ts.interop.from_onnx reads the file back."""

import numpy as np
import pytest

import tinygrad_seminar as ts
from tinygrad_seminar import interop
from tinygrad_seminar import nn as tnn
from tinygrad_seminar.keras import layers as L
from tinygrad_seminar.nn import functional as F

onnx = pytest.importorskip("onnx", reason='the ONNX tests need the extra onnx: pip install "tinygrad_seminar[onnx]"')
ort = pytest.importorskip("onnxruntime", reason='the ONNX tests need onnxruntime: pip install "tinygrad_seminar[onnx]"')


def with_statistics(model, rng):
    for layer in model.layers:
        if isinstance(layer, L.BatchNormalization):
            n = layer.moving_mean.shape
            layer.gamma.data, layer.beta.data = rng.normal(1, 0.3, n).astype(np.float32), rng.normal(0, .3, n).astype(
                np.float32)
            layer.moving_mean.data = rng.normal(0, 0.5, n).astype(np.float32)
            layer.moving_variance.data = rng.uniform(0.5, 2.0, n).astype(np.float32)
    return model


def dense_model(rng):
    norm = L.Normalization()
    norm.adapt(rng.normal(2.0, 3.0, size=(64, 6)))
    layers = [L.Input((6,)), norm, L.Rescaling(0.5, 0.25)]
    for name in (n for n in F.ACTIVATIONS if n != "step"):
        layers += [L.Dense(7, activation=name), L.BatchNormalization(momentum=0.9), L.Activation(name)]
    layers += [L.Dropout(0.4), tnn.ELU(), tnn.LeakyReLU(), L.LeakyReLU(0.1), L.Dense(5, use_bias=False),
               L.Normalization(mean=[1, 2, 3, 4, 5], variance=[1, 4, 9, 0.25, 2], invert=True), tnn.Softmax()]
    return with_statistics(ts.Sequential(layers), rng)


def image_model(rng):
    return with_statistics(ts.Sequential([
        L.Input((12, 14, 3)), L.Rescaling(1 / 255), L.Conv2D(4, 3, padding="same", activation="relu"),
        L.BatchNormalization(), L.MaxPooling2D(2), L.Conv2D(5, (2, 3), strides=(1, 2), activation="tanh"),
        L.Conv2D(3, 2, dilation_rate=2, padding="same", use_bias=False), L.Softmax(), L.AveragePooling2D((1, 2)),
        L.Flatten(), L.Dense(6, activation="elu"), L.Dropout(0.5), L.BatchNormalization(),
        L.Dense(3, activation="softmax"),
    ]), rng)


def same_padding_model(rng):
    """Keras' "same" with strides > 1 (onnxruntime's SAME_UPPER) and Dense on 3-D data (MatMul + Add)."""
    return ts.Sequential([L.Input((11, 13, 2)), L.Conv2D(3, (3, 2), strides=(2, 3), padding="same"),
                          L.MaxPooling2D((2, 3), padding="same"), L.AveragePooling2D(2, strides=1, padding="same"),
                          L.AveragePooling2D(3, padding="same"), L.Dense(4, activation="sigmoid"), L.Flatten(),
                          L.Dense(2)])


MODELS = [(dense_model, (6,)), (image_model, (12, 14, 3)), (same_padding_model, (11, 13, 2))]
IDS = ["dense", "image", "same-padding"]


@pytest.mark.parametrize("make, shape", MODELS, ids=IDS)
def test_onnxruntime_computes_what_predict_computes(make, shape, tmp_path):
    rng = np.random.default_rng(0)
    model = make(rng)
    path = tmp_path / "model.onnx"
    assert model.export(path, format="onnx") is None
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    for n in (1, 17):
        x = (rng.normal(0, 1, (n, *shape)) * (100 if len(shape) == 3 else 1)).astype(np.float32)
        ours = model.predict(x, verbose=0)
        theirs = session.run(None, {"input": x})[0]
        assert theirs.dtype == np.float32 and theirs.shape == ours.shape
        assert np.abs(theirs - ours).max() <= 1e-5 * np.abs(ours).max()


@pytest.mark.parametrize("make, shape", MODELS, ids=IDS)
def test_from_onnx_reads_back_what_export_writes(make, shape, tmp_path):
    rng = np.random.default_rng(1)
    model = make(rng)
    model.export(tmp_path / "model.onnx", format="onnx")
    back = interop.from_onnx(tmp_path / "model.onnx")
    x = rng.normal(0, 1, (17, *shape)).astype(np.float32)
    assert np.array_equal(back.predict(x, verbose=0), model.predict(x, verbose=0))
    dropouts = sum(isinstance(layer, L.Dropout) for layer in model.layers)
    assert len(back.layers) == len(model.layers) - dropouts + sum(
        getattr(layer, "activation_name", None) not in (None, "linear") for layer in model.layers
        if not isinstance(layer, tnn.Activation))  # an activation given to a layer comes back as a layer


def test_the_graph_is_checked_opset_17_with_a_dynamic_batch_and_the_ops_the_docs_name(tmp_path):
    model = image_model(np.random.default_rng(2))
    model.export(tmp_path / "model.onnx", format="onnx")
    proto = onnx.load(tmp_path / "model.onnx")
    onnx.checker.check_model(proto, full_check=True)
    assert [(o.domain, o.version) for o in proto.opset_import] == [("", 17)] and interop.OPSET == 17
    assert [d.dim_param or d.dim_value for d in proto.graph.input[0].type.tensor_type.shape.dim] == ["batch", 12, 14, 3]
    assert proto.graph.output[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    ops = [n.op_type for n in proto.graph.node]
    assert ops == ["Mul", "Add", "Transpose", "Conv", "Relu", "BatchNormalization", "MaxPool", "Conv", "Tanh", "Conv",
                   "Softmax", "AveragePool", "Transpose", "Flatten", "Gemm", "Elu", "BatchNormalization", "Gemm",
                   "Softmax"]  # Dropout: no node
    softmax = [n for n in proto.graph.node if n.op_type == "Softmax"]
    assert [onnx.helper.get_attribute_value(n.attribute[0]) for n in softmax] == [1, -1]  # channels-first, then last


def test_float64_exports_as_double(tmp_path):
    model = ts.Sequential([L.Input((3,)), L.Dense(4, activation="tanh", dtype="float64"), L.Dense(2, dtype="float64")])
    model.export(tmp_path / "m.onnx", format="onnx")
    x = np.random.default_rng(3).normal(size=(5, 3))
    out = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"]).run(None, {"input": x})[0]
    assert out.dtype == np.float64 and np.allclose(out, model.predict(x, verbose=0), rtol=1e-12, atol=1e-12)
    assert interop.from_onnx(tmp_path / "m.onnx").dtype == np.float64


@pytest.mark.parametrize("layers, match", [
    ([L.Input((3,)), L.Dense(2, activation="step")], r"'dense.*\(Dense\): the activation 'step' has no ONNX"),
    ([L.Input((3,)), tnn.Step()], r"activation 'step' has no ONNX counterpart"),
    ([L.Input((9, 9, 1)), L.Conv2D(2, 3, strides=2, dilation_rate=2, padding="same")], r"SAME_UPPER with dilation"),
])
def test_what_onnx_lacks_is_refused_by_name(layers, match, tmp_path):
    with pytest.raises(ValueError, match=match):
        ts.Sequential(layers).export(tmp_path / "m.onnx", format="onnx")
    assert not (tmp_path / "m.onnx").exists()


def test_the_format_is_onnx_and_is_said(tmp_path):
    model = ts.Sequential([L.Input((3,)), L.Dense(2)])
    with pytest.raises(ValueError, match=r"format must be 'onnx', got None \(Keras' default 'tf_saved_model'"):
        model.export(tmp_path / "m")
    with pytest.raises(ValueError, match="format must be 'onnx', got 'tflite'"):
        model.export(tmp_path / "m", format="tflite")
    with pytest.raises(TypeError, match="filepath must be a str or a path, got int"):
        model.export(3, format="onnx")
    assert list(tmp_path.iterdir()) == []


def chain(tmp_path, op: str, inputs=(), initializers=(), **attributes):
    """A one-node graph (batch, 3) -> (batch, 3) that export would never write."""
    h = onnx.helper
    node = h.make_node(op, ["input", *inputs], ["output"], name="foreign", **attributes)
    graph = h.make_graph([node], "g", [h.make_tensor_value_info("input", onnx.TensorProto.FLOAT, ["batch", 3])],
                         [h.make_tensor_value_info("output", onnx.TensorProto.FLOAT, ["batch", 3])],
                         initializer=list(initializers))
    onnx.save(h.make_model(graph, opset_imports=[h.make_opsetid("", 17)]), tmp_path / "foreign.onnx")
    return tmp_path / "foreign.onnx"


def test_from_onnx_refuses_other_graphs_naming_the_op(tmp_path):
    with pytest.raises(ValueError, match=r"op 'Cos' \(node 'foreign'\) is not one that export writes"):
        interop.from_onnx(chain(tmp_path, "Cos"))
    with pytest.raises(ValueError, match=r"op 'Softmax' \(node 'foreign'\) runs over axis 0"):
        interop.from_onnx(chain(tmp_path, "Softmax", axis=0))
    two = onnx.numpy_helper.from_array(np.float32([2.0]), "two")
    with pytest.raises(ValueError, match=r"op 'Mul' \(node 'foreign'\) stands alone"):
        interop.from_onnx(chain(tmp_path, "Mul", ["two"], [two]))
    with pytest.raises(ValueError, match=r"op 'Add' \(node 'foreign'\) is off the chain"):
        interop.from_onnx(chain(tmp_path, "Add", ["input"]))
    with pytest.raises(TypeError, match="path must be a str or a path, got NoneType"):
        interop.from_onnx(None)
