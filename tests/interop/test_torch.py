"""ts.interop and PyTorch: to_torch computes what predict does, from_torch gives it back bit for bit, and weights
trained in PyTorch come home under the mapped names."""

import numpy as np
import pytest

import tinygrad_seminar as ts
from tinygrad_seminar import interop
from tinygrad_seminar import nn as tnn
from tinygrad_seminar.keras import layers as L
from tinygrad_seminar.nn import functional as F

torch = pytest.importorskip("torch", reason="the PyTorch interop tests need torch (pip install torch==2.13.0)")

EXPORTABLE_ACTIVATIONS = [name for name in F.ACTIVATIONS if name != "step"]


def randomise_statistics(model, rng):
    """BatchNormalization's gamma, beta and moving statistics away from 1 and 0, so that a swap would show."""
    for layer in model.layers:
        if isinstance(layer, L.BatchNormalization):
            n = layer.moving_mean.shape
            layer.gamma.data = rng.normal(1, 0.3, n).astype(layer.dtype)
            layer.beta.data = rng.normal(0, 0.3, n).astype(layer.dtype)
            layer.moving_mean.data = rng.normal(0, 0.5, n).astype(layer.dtype)
            layer.moving_variance.data = rng.uniform(0.5, 2.0, n).astype(layer.dtype)
    return model


def dense_model(rng):
    """Every activation, as Dense(activation=...) and as a layer, with Normalization, Rescaling, BatchNormalization."""
    norm = L.Normalization()
    norm.adapt(rng.normal(2.0, 3.0, size=(64, 6)))
    layers = [L.Input((6,)), norm, L.Rescaling(0.5, 0.25)]
    for name in EXPORTABLE_ACTIVATIONS:
        layers += [L.Dense(7, activation=name), L.BatchNormalization(momentum=0.9), L.Activation(name)]
    layers += [L.Dropout(0.4), tnn.ReLU(), tnn.Sigmoid(), tnn.Tanh(), tnn.ELU(), tnn.LeakyReLU(), tnn.Softplus(),
               tnn.Linear(), L.LeakyReLU(0.1), L.Dense(5), L.Normalization(mean=[1, 2, 3, 4, 5],
                                                                           variance=[1, 4, 9, 0.25, 2], invert=True),
               tnn.LogSoftmax(), tnn.Softmax()]
    return randomise_statistics(ts.Sequential(layers), rng)


def image_model(rng):
    """Conv2D (valid, same, strided, dilated, activations), both poolings, BatchNormalization on images, Flatten."""
    return randomise_statistics(ts.Sequential([
        L.Input((12, 14, 3)), L.Rescaling(1 / 255), L.Conv2D(4, 3, padding="same", activation="relu"),
        L.BatchNormalization(), L.MaxPooling2D(2), L.Conv2D(5, (2, 3), strides=(1, 2), activation="tanh"),
        L.Conv2D(3, 2, dilation_rate=2, padding="same", use_bias=False), L.Softmax(), L.AveragePooling2D((1, 2)),
        L.Flatten(), L.Dense(6, activation="elu"), L.BatchNormalization(), L.Dense(3, activation="softmax"),
    ]), rng)


def torch_forward(net, x):
    with torch.no_grad():
        return net(torch.from_numpy(x)).numpy()


@pytest.mark.parametrize("make, shape", [(dense_model, (6,)), (image_model, (12, 14, 3))], ids=["dense", "image"])
def test_to_torch_computes_what_predict_computes(make, shape):
    rng = np.random.default_rng(0)
    model = make(rng)
    net = interop.to_torch(model)
    x = (rng.normal(0, 1, (33, *shape)) * (100 if len(shape) == 3 else 1)).astype(np.float32)
    ours, theirs = model.predict(x, verbose=0), torch_forward(net, x)
    assert theirs.dtype == np.float32 and theirs.shape == ours.shape
    assert np.abs(theirs - ours).max() <= 1e-6 * np.abs(ours).max()
    assert not net.training  # eval mode, as predict: Dropout and BatchNorm would differ otherwise


def test_every_activation_is_in_the_dense_model():
    kinds = {type(m).__name__ for m in interop.to_torch(dense_model(np.random.default_rng(1)))}
    assert kinds >= {"ReLU", "Sigmoid", "Tanh", "LeakyReLU", "ELU", "Softplus", "Softmax", "LogSoftmax", "Identity",
                     "Linear", "BatchNorm1d", "Dropout", "Normalization", "Rescaling"}


@pytest.mark.parametrize("make, shape", [(dense_model, (6,)), (image_model, (12, 14, 3))], ids=["dense", "image"])
def test_from_torch_of_to_torch_predicts_bit_for_bit(make, shape):
    rng = np.random.default_rng(2)
    model = make(rng)
    back = interop.from_torch(interop.to_torch(model), shape)
    x = rng.normal(0, 1, (17, *shape)).astype(np.float32)
    assert np.array_equal(back.predict(x, verbose=0), model.predict(x, verbose=0))
    assert back.count_params() == model.count_params()


def test_a_frozen_layer_stays_frozen():
    model = ts.Sequential([L.Input((3,)), L.Dense(4), L.Dense(2)])
    model.layers[0].trainable = False
    assert [p.requires_grad for p in interop.to_torch(model).parameters()] == [False, False, True, True]


def test_float64_stays_float64_both_ways():
    model = ts.Sequential([L.Input((3,)), L.Dense(4, activation="tanh", dtype="float64"),
                           L.BatchNormalization(dtype="float64"), L.Dense(2, dtype="float64")])
    net = interop.to_torch(model)
    assert {p.dtype for p in net.state_dict().values() if p.is_floating_point()} == {torch.float64}
    assert interop.from_torch(net, (3,)).dtype == np.float64


def test_state_dict_names_are_the_modules_names():
    model = image_model(np.random.default_rng(3))
    net, mapped = interop.to_torch(model), interop.to_torch_state_dict(model)
    assert list(mapped) == list(net.state_dict())
    assert all(torch.equal(mapped[k], v) for k, v in net.state_dict().items())
    conv = model.layers[1]
    assert np.array_equal(mapped["2.weight"].numpy(), conv.weight.data)  # Permute is module 1, Rescaling module 0


def test_a_model_trained_in_torch_comes_back_with_its_weights():
    rng = np.random.default_rng(4)
    model = ts.Sequential([L.Input((5,)), L.Dense(8, activation="relu"), L.BatchNormalization(), L.Dropout(0.2),
                           L.Dense(3, activation="softmax")])
    x, y = rng.normal(size=(64, 5)).astype(np.float32), rng.integers(0, 3, 64)
    net = interop.to_torch(model).train()
    before = {k: v.clone() for k, v in net.state_dict().items()}
    opt = torch.optim.SGD(net.parameters(), lr=0.5)
    for _ in range(5):
        opt.zero_grad()
        loss = torch.nn.functional.nll_loss(torch.log(net(torch.from_numpy(x))), torch.from_numpy(y))
        loss.backward()
        opt.step()
    trained = net.eval().state_dict()
    assert all(not torch.equal(before[k], trained[k]) for k in trained if not k.endswith("num_batches_tracked"))

    interop.load_torch_state_dict(model, trained)
    ours = model.state_dict()
    for name, theirs in [("0.weight", "0.weight"), ("0.bias", "0.bias"), ("1.gamma", "2.weight"),
                         ("1.beta", "2.bias"), ("1.moving_mean", "2.running_mean"),
                         ("1.moving_variance", "2.running_var"), ("3.weight", "4.weight"), ("3.bias", "4.bias")]:
        assert np.array_equal(ours[name], trained[theirs].numpy()), name
    expected = torch_forward(net, x)
    assert np.abs(model.predict(x, verbose=0) - expected).max() <= 1e-6 * np.abs(expected).max()
    back = interop.from_torch(net, (5,))
    assert np.array_equal(back.predict(x, verbose=0), model.predict(x, verbose=0))


def test_a_torch_model_written_by_hand_comes_in():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(4, 6), torch.nn.Tanh(), torch.nn.Linear(6, 2), torch.nn.LogSoftmax(1))
    model = interop.from_torch(net.eval(), (4,))
    x = np.random.default_rng(5).normal(size=(9, 4)).astype(np.float32)
    expected = torch_forward(net, x)
    assert np.abs(model.predict(x, verbose=0) - expected).max() <= 1e-6 * np.abs(expected).max()


@pytest.mark.parametrize("layers, match", [
    ([L.Input((3,)), L.Dense(2, activation="step")], r"'dense.*\(Dense\): the activation 'step' has no PyTorch"),
    ([L.Input((3,)), tnn.Step()], r"activation 'step' has no PyTorch counterpart"),
    ([L.Input((3,)), L.Dense(2, activation=lambda z: z * 2)], r"the activation '<lambda>' has no PyTorch"),
    ([L.Input((6, 6, 1)), L.Conv2D(2, 3, strides=2, padding="same")], r"padding='same' with strides \(2, 2\)"),
    ([L.Input((6, 6, 1)), L.MaxPooling2D(2, padding="same")], r"padding='same' has no PyTorch pooling"),
    ([L.Input((3,)), L.BatchNormalization(center=False)], r"center=False with scale=True"),
])
def test_what_torch_lacks_is_refused_by_name(layers, match):
    with pytest.raises(ValueError, match=match):
        interop.to_torch(ts.Sequential(layers))


def test_a_layer_without_counterpart_is_refused_with_its_name():
    class Twice(tnn.Module):
        name = "twice"

        def forward(self, x):
            return x * 2

        def compute_output_shape(self, shape):
            return shape

    with pytest.raises(ValueError, match=r"layer 'twice' \(Twice\) has no PyTorch counterpart"):
        interop.to_torch(ts.Sequential([L.Input((3,)), Twice()]))
    with pytest.raises(ValueError, match="not built yet"):
        interop.to_torch(ts.Sequential([L.Dense(2)]))
    with pytest.raises(TypeError, match="takes a Sequential model, got Dense"):
        interop.to_torch(L.Dense(2, input_dim=3))


def Permute(dims):
    return interop.torch_modules.Permute(dims)


@pytest.mark.parametrize("modules, shape, match", [
    (lambda nn: [nn.Linear(3, 2), nn.GELU()], (3,), r"module 1 \(GELU\) has no counterpart"),
    (lambda nn: [nn.Conv2d(1, 2, 3)], (5, 5, 1),
     r"module 0 \(Conv2d\) expects channels-first data.*Permute\(\(0, 3, 1, 2\)\) before it"),
    (lambda nn: [Permute((0, 3, 1, 2)), nn.Conv2d(1, 2, 3, padding=2)], (5, 5, 1),
     r"module 1 \(Conv2d\) pads \(2, 2\)"),
    (lambda nn: [Permute((0, 3, 1, 2)), nn.Conv2d(1, 2, 3), nn.Flatten()], (5, 5, 1),
     r"module 2 \(Flatten\) gets channels-first data here.*Permute\(\(0, 2, 3, 1\)\)"),
    (lambda nn: [Permute((0, 3, 1, 2)), nn.Conv2d(1, 2, 3)], (5, 5, 1), r"ends on channels-first data"),
    (lambda nn: [nn.Linear(3, 2), Permute((1, 0))], (3,), r"module 1 \(Permute\) permutes \(1, 0\) on 2-D"),
    (lambda nn: [nn.Linear(3, 2), nn.Softmax(dim=0)], (3,), r"module 1 \(Softmax\) takes dim=0"),
    (lambda nn: [nn.Linear(3, 2), nn.ELU(alpha=0.5)], (3,), r"alpha=0.5"),
    (lambda nn: [nn.Linear(3, 2), nn.BatchNorm1d(2, momentum=None)], (3,), r"keeps no moving average"),
    (lambda nn: [nn.Linear(4, 2)], (3,), r"module 0 \(Linear\).weight has shape \(2, 4\).*check input_shape"),
])
def test_what_from_torch_cannot_read_is_refused(modules, shape, match):
    with pytest.raises(ValueError, match=match):
        interop.from_torch(torch.nn.Sequential(*modules(torch.nn)), shape)


def test_from_torch_checks_its_arguments():
    with pytest.raises(TypeError, match="must be a torch.nn.Sequential, got Linear"):
        interop.from_torch(torch.nn.Linear(2, 2), (2,))
    with pytest.raises(ValueError, match=r"input_shape must be one sample's shape.*got \(None, 2\)"):
        interop.from_torch(torch.nn.Sequential(torch.nn.Linear(2, 2)), (None, 2))


def test_a_bad_state_dict_is_refused_and_changes_nothing():
    model = ts.Sequential([L.Input((3,)), L.Dense(2, activation="relu"), L.Dense(1)])
    before = model.state_dict()
    good = interop.to_torch_state_dict(model)
    with pytest.raises(ValueError, match=r"unexpected keys \['1.weight'\]; missing keys \['2.weight'\]"):
        interop.load_torch_state_dict(model, {**{k: v for k, v in good.items() if k != "2.weight"},
                                              "1.weight": torch.zeros(1)})
    with pytest.raises(ValueError, match=r"expected shape \(1, 2\), received \(2, 2\)"):
        interop.load_torch_state_dict(model, {**good, "0.weight": torch.ones(2, 3), "2.weight": torch.ones(2, 2)})
    with pytest.raises(TypeError, match="must be a mapping"):
        interop.load_torch_state_dict(model, [1, 2])
    assert all(np.array_equal(before[k], v) for k, v in model.state_dict().items())
