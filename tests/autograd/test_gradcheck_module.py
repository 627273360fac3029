"""ts.gradcheck_module: every trainable parameter of a model against central differences of its loss."""

from __future__ import annotations

import re

import numpy as np
import pytest

import tinygrad_seminar as ts
from tests.autograd.test_gradcheck_blame import BadSigmoid, GoodSigmoid, SigmoidLayer, blamed

RNG = np.random.default_rng(3)
X = RNG.uniform(-1, 1, (6, 3)).astype(np.float32)
Y = RNG.uniform(-1, 1, (6, 1)).astype(np.float32)


def bad_sigmoid(z):
    return BadSigmoid.apply(z)


class Scale(ts.nn.Module):
    """A custom layer: tanh(x * gamma + beta), elementwise, with its own parameters."""

    def __init__(self, width: int):
        self.gamma = ts.nn.Parameter(RNG.uniform(0.5, 1.5, width).astype(np.float32))
        self.beta = ts.nn.Parameter(RNG.uniform(-0.5, 0.5, width).astype(np.float32))

    def forward(self, x):
        return (x * self.gamma + self.beta).tanh()


class Block(ts.nn.Module):
    """A custom layer holding a Dense: its parameters are spelt "<position>.inner.weight"."""

    def __init__(self, activation):
        self.inner = ts.nn.Dense(4, input_dim=3, activation=activation, name="inner")

    def forward(self, x):
        return self.inner(x)


def tanh_net():
    return ts.Sequential([ts.nn.Dense(4, activation="tanh", input_dim=3, name="hidden"), ts.nn.Dense(1, name="out")])


def failure(model, **kwargs) -> str:
    with pytest.raises(ts.GradcheckError) as e:
        ts.gradcheck_module(model, ts.losses.mse, X, Y, **kwargs)
    return str(e.value)


def test_a_right_model_passes():
    assert ts.gradcheck_module(tanh_net(), ts.losses.mse, X, Y) is True


def test_a_right_model_with_custom_layers_passes():
    model = ts.Sequential([Block("tanh"), Scale(4), SigmoidLayer(GoodSigmoid), ts.nn.Dense(1)])
    assert ts.gradcheck_module(model, ts.losses.mse, X, Y) is True


def test_a_model_built_on_its_first_call_passes_and_stays_unbuilt():
    model = ts.Sequential([ts.nn.Dense(4, activation="tanh"), ts.nn.Dense(1)])
    assert ts.gradcheck_module(model, ts.losses.mse, X, Y) is True
    assert model.parameters() == []


def test_dropout_is_off_in_the_check_and_on_again_in_the_model():
    model = ts.Sequential([ts.nn.Dense(4, activation="tanh", input_dim=3), ts.nn.Dropout(0.5), ts.nn.Dense(1)])
    assert ts.gradcheck_module(model, ts.losses.mse, X, Y)  # a fresh mask at every forward would fail it
    assert model.training and model.layers[1].training


def test_a_compiled_and_trained_model_is_checked_and_left_as_it_was():
    model = tanh_net()
    model.compile(optimizer="adam", loss="mse")
    model.fit(X, Y, epochs=2, verbose=0)
    before = model.state_dict()
    assert ts.gradcheck_module(model, ts.losses.mse, X, Y)
    for name, data in model.state_dict().items():
        np.testing.assert_array_equal(data, before[name])


def test_a_wrong_activation_of_dense_is_named_with_a_parameter_entry():
    model = ts.Sequential([ts.nn.Dense(4, activation=bad_sigmoid, input_dim=3, name="hidden"),
                           ts.nn.Dense(1, name="out")])
    message = failure(model)
    assert re.search(r"\b0\.(weight\[\d, \d\]|bias\[\d\]) \(layer 'hidden'\)", message), message
    assert [op for op, _ in blamed(message)] == ["BadSigmoid"], message


def test_a_wrong_op_inside_a_custom_module_is_named_with_a_parameter_entry():
    model = ts.Sequential([Block(bad_sigmoid), ts.nn.Dense(1, name="out")])
    message = failure(model)
    assert re.search(r"\b0\.inner\.(weight\[\d, \d\]|bias\[\d\]) \(layer 'inner'\)", message), message
    assert [op for op, _ in blamed(message)] == ["BadSigmoid"], message


def test_a_wrong_custom_layer_in_the_middle_is_named():
    model = ts.Sequential([ts.nn.Dense(4, input_dim=3, name="hidden"), SigmoidLayer(BadSigmoid),
                           ts.nn.Dense(1, name="out")])
    message = failure(model)
    assert "0.weight[" in message or "0.bias[" in message
    assert blamed(message) == [("BadSigmoid", "(6, 4)")], message


def test_the_users_module_is_left_untouched():
    model = ts.Sequential([ts.nn.Dense(4, activation=bad_sigmoid, input_dim=3, name="hidden"),
                           ts.nn.Dense(1, name="out")])
    before = {name: (p, p.data.copy(), p.dtype) for name, p in model.named_parameters()}
    dense = model.layers[0]
    failure(model)
    assert ts.gradcheck_module(tanh_net(), ts.losses.mse, X, Y)
    after = dict(model.named_parameters())
    assert after.keys() == before.keys()
    for name, (p, data, dtype) in before.items():
        assert after[name] is p and p.dtype == dtype == np.float32 and p.grad is None
        np.testing.assert_array_equal(p.data, data)
    assert dense.dtype == np.float32 and model.training


def test_large_parameters_are_checked_at_sampled_entries():
    model = ts.Sequential([ts.nn.Dense(40, activation="tanh", input_dim=3), ts.nn.Dense(1)])
    assert ts.gradcheck_module(model, ts.losses.mse, X, Y, max_entries=8)
    bad = ts.Sequential([ts.nn.Dense(40, activation=bad_sigmoid, input_dim=3, name="wide"), ts.nn.Dense(1)])
    message = failure(bad, max_entries=8)
    assert "8 of 120" in message  # 0.weight is (40, 3): 8 of its entries, drawn with the seed
    assert failure(bad, max_entries=8) == message  # the same seed, the same entries


def test_frozen_parameters_are_not_checked():
    model = ts.Sequential([ts.nn.Dense(4, activation=bad_sigmoid, input_dim=3, name="hidden"),
                           ts.nn.Dense(1, name="out")])
    model.layers[0].trainable = False
    assert ts.gradcheck_module(model, ts.losses.mse, X, Y)  # only out's parameters: they do not see BadSigmoid


def test_a_parameter_that_does_not_reach_the_loss_is_named():
    class Unused(Scale):
        def forward(self, x):
            return x.tanh() * self.gamma  # beta is never used

    model = ts.Sequential([ts.nn.Dense(4, input_dim=3), Unused(4), ts.nn.Dense(1)])
    message = failure(model)
    assert "1.beta" in message and "does not reach" in message


def test_the_loss_must_be_a_scalar_tensor():
    with pytest.raises(ValueError, match="scalar"):
        ts.gradcheck_module(tanh_net(), lambda y, p: (p - y) ** 2, X, Y)


def test_a_relu_at_exactly_zero_is_not_blamed_but_the_jump_is_named():
    ts.manual_seed(0)
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    model = ts.Sequential([ts.Input(shape=(2,)), ts.nn.Dense(4, activation="relu"),
                           ts.nn.Dense(1, activation="sigmoid")])  # zero biases: the row (0, 0) sits on relu's kink
    with pytest.raises(ts.GradcheckError) as err:
        ts.gradcheck_module(model, ts.losses.binary_crossentropy, x, y)
    message = str(err.value)
    assert "No op is to blame: the check ran at a point where a derivative jumps" in message
    assert "Relu (node" in message and "disagrees with its forward" not in message


def test_a_layer_keeping_a_tensor_in_a_dict_is_checked_too():
    class Scaled(ts.nn.Module):
        def __init__(self):
            self.dense, self.constants = ts.nn.Dense(1, input_dim=2), {"scale": ts.tensor([2.0])}

        def forward(self, x):
            return self.dense(x) * self.constants["scale"]

    assert ts.gradcheck_module(Scaled(), ts.losses.mse, np.ones((3, 2)), np.ones((3, 1)))
