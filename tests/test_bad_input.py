"""Bad input to the engine and the layers: a clear error before any work (issue 19, item 6).

Each row: the call, the exception type Python users expect (TypeError for a wrong type, ValueError for a
wrong value, IndexError for an axis out of range) and a pattern the message must match, which names the
argument and shows what was given. The workflow's cases (compile, fit, callbacks, saving, datasets) are in
test_bad_input_workflow.py.
"""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_seminar as ts
from tinygrad_seminar import functional as F
from tinygrad_seminar import keras, nn


def t22():
    return ts.tensor([[1.0, 2.0], [3.0, 4.0]])


def case(call, error, pattern, id):  # noqa: A002 - pytest's name
    return pytest.param(call, error, pattern, id=id)


ISSUE = [  # the cases the issue lists
    case(lambda: ts.Tensor([1.0], requires_grad="yes"), TypeError,
         r"requires_grad must be True or False, got 'yes' \(str\)", "Tensor-requires_grad-yes"),
    case(lambda: ts.zeros(-1), ValueError, r"zeros: shape must be sizes >= 0, got \(-1,\)", "zeros-negative"),
    case(lambda: ts.randn(2, "3"), TypeError, r"randn: shape must be whole numbers \(ints\), got \(2, '3'\)",
         "randn-text-size"),
    case(lambda: ts.full((2,), "x"), TypeError, r"full: fill_value must be a number, got 'x' \(str\)",
         "full-text-value"),
    case(lambda: t22().clip(min="a"), TypeError, r"clip: min must be None, a real number or a numeric array, "
         r"got 'a'", "clip-text-min"),
    case(lambda: t22().sum(axis=1.5), TypeError, r"axis must be an int .*got 1\.5 \(float\)", "sum-float-axis"),
    case(lambda: t22() + np.array(["a"]), TypeError, r"operand of a Tensor op must be a number, a numeric array or "
         r"a Tensor; got an array of dtype <U1 such as 'a'", "add-text-array"),
    case(lambda: nn.Conv2D(2, 3, use_bias="no"), TypeError, r"Conv2D: use_bias must be True or False, got 'no' \(str\)",
         "Conv2D-use_bias-str"),
    case(lambda: nn.Dense(None), TypeError, r"Dense: units must be a whole number \(int\), got None", "Dense-None"),
    case(lambda: nn.Dropout("a"), TypeError, r"Dropout: rate must be a real number, got 'a' \(str\)",
         "Dropout-text"),
    case(lambda: ts.Tensor([1, 2], dtype="banana"), TypeError, r"^Tensor: dtype 'banana' is not understood; "
         r"accepted: a numeric numpy dtype", "Tensor-dtype-banana"),
    case(lambda: ts.Sequential([nn.Dense(1)], name=5), TypeError,
         r"Sequential: name must be a string or None, got 5 \(int\)", "Sequential-name-int"),
]

FACTORIES = [
    case(lambda: ts.ones(2.5), TypeError, r"ones: shape must be whole numbers \(ints\), got \(2\.5,\): 2\.5 is a "
         r"float", "ones-float"),
    case(lambda: ts.ones((2, None)), TypeError, r"ones: shape must be whole numbers \(ints\), got \(2, None\): "
         r"None is a NoneType", "ones-None-size"),
    case(lambda: ts.zeros(2, dtype="banana"), TypeError, r"zeros: dtype 'banana' is not understood", "zeros-dtype"),
    case(lambda: ts.zeros(2, requires_grad="yes"), TypeError, r"zeros: requires_grad must be True or False",
         "zeros-requires_grad"),
    case(lambda: ts.eye(-1), ValueError, r"eye: n must be a whole number >= 0, got -1", "eye-negative"),
    case(lambda: ts.eye("a"), TypeError, r"eye: n must be a whole number \(int\), got 'a'", "eye-text"),
    case(lambda: ts.arange("a"), TypeError, r"arange: stop must be a real number, got 'a'", "arange-text"),
    case(lambda: ts.arange(0, 5, 0), ValueError, r"arange: step must not be 0", "arange-step-0"),
    case(lambda: ts.rand(-2), ValueError, r"rand: shape must be sizes >= 0, got \(-2,\)", "rand-negative"),
    case(lambda: ts.rand(2, rng=5), TypeError, r"rand: rng must be a numpy Generator .* got 5 \(int\)", "rand-rng"),
    case(lambda: ts.full((2,), None), TypeError, r"full: fill_value must be a number, got None", "full-None"),
    case(lambda: ts.zeros_like("a"), TypeError, r"zeros_like: t must be a Tensor or a numeric array, got 'a'",
         "zeros_like-text"),
    case(lambda: ts.manual_seed("a"), TypeError, r"manual_seed: seed must be a whole number \(int\), got 'a'",
         "manual_seed-text"),
    case(lambda: ts.manual_seed(-1), ValueError, r"manual_seed: seed must be >= 0, got -1", "manual_seed-negative"),
    case(lambda: ts.Tensor([1.0], name=5), TypeError, r"Tensor: name must be a string or None, got 5",
         "Tensor-name-int"),
    case(lambda: ts.Tensor(np.array(["a", "b"])), TypeError, r"Tensor data must be numeric; got an array of dtype "
         r"<U1", "Tensor-text-array"),
]

TENSOR_METHODS = [
    case(lambda: t22().reshape("a"), TypeError, r"reshape: shape must be whole numbers .*got \('a',\)",
         "reshape-text"),
    case(lambda: t22().reshape(2.0, 2), TypeError, r"reshape: shape must be whole numbers .*got \(2\.0, 2\)",
         "reshape-float"),
    case(lambda: t22().sum(axis=5), IndexError, r"Dimension out of range .*got 5", "sum-axis-range"),
    case(lambda: t22().sum(axis="a"), TypeError, r"axis must be an int .*got 'a' \(str\)", "sum-text-axis"),
    case(lambda: t22().mean(axis=1.5), TypeError, r"axis must be an int .*got 1\.5", "mean-float-axis"),
    case(lambda: t22().max(axis=(0, 1.5)), TypeError, r"axis must be an int .*got 1\.5", "max-float-in-tuple"),
    case(lambda: t22().softmax(axis=0.5), TypeError, r"axis must be an int .*got 0\.5", "softmax-float-axis"),
    case(lambda: t22().log_softmax(axis=2), IndexError, r"Dimension out of range .*got 2", "log_softmax-range"),
    case(lambda: t22().clip(max="b"), TypeError, r"clip: max must be None, a real number or a numeric array",
         "clip-text-max"),
    case(lambda: t22().astype("banana"), TypeError, r"astype: dtype 'banana' is not understood", "astype-banana"),
    case(lambda: ts.zeros(2, dtype=str), TypeError, r"zeros: dtype <class 'str'> is not numeric \(<U0\)",
         "zeros-text-dtype"),
    case(lambda: t22() + None, TypeError, r"unsupported operand type for a Tensor op: NoneType .*accepted",
         "add-None"),
    case(lambda: t22() * np.array([object()]), TypeError, r"got an array of dtype object", "mul-object-array"),
    case(lambda: t22() ** "a", TypeError, r"unsupported operand type for a Tensor op: str \('a'\)", "pow-text"),
    case(lambda: t22().requires_grad_("yes"), TypeError, r"requires_grad_: flag must be True or False",
         "requires_grad_-text"),
    case(lambda: ts.tensor([1.0], requires_grad=True).sum().backward(gradient="a"), TypeError,
         r"backward: gradient must be a numeric array or Tensor", "backward-text-gradient"),
    case(lambda: t22().swapaxes(0, 5), IndexError, r"Dimension out of range .*got 5", "swapaxes-range"),
]

FUNCTIONAL = [
    case(lambda: F.where("a", t22(), t22()), TypeError, r"where: cond must be a boolean .*got dtype <U1",
         "where-text-cond"),
    case(lambda: F.leaky_relu(t22(), "a"), TypeError, r"leaky_relu: negative_slope must be a real number, got 'a'",
         "leaky_relu-text"),
    case(lambda: F.elu(t22(), "a"), TypeError, r"elu: alpha must be a real number, got 'a'", "elu-text"),
    case(lambda: F.get_activation(5), TypeError, r"activation must be a name such as 'relu', a callable or None, "
         r"got 5", "get_activation-int"),
    case(lambda: F.get_activation("foo"), ValueError, r"unknown activation 'foo'; known: linear", "activation-unknown"),
    case(lambda: ts.gradcheck(ts.ones(2, requires_grad=True)), TypeError, r"gradcheck: fn must be a function of the "
         r"inputs, got Tensor", "gradcheck-not-callable"),
    case(lambda: F.softmax("a"), TypeError, r"Tensor data must be numbers.*got str", "softmax-text"),
]

LAYERS = [
    case(lambda: nn.Dense(0), ValueError, r"Dense: units must be a whole number >= 1, got 0", "Dense-0"),
    case(lambda: nn.Dense(2.5), TypeError, r"Dense: units must be a whole number \(int\), got 2\.5", "Dense-float"),
    case(lambda: nn.Dense(2, activation=5), TypeError, r"activation must be a name .*got 5", "Dense-activation"),
    case(lambda: nn.Dense(2, input_dim=0), ValueError, r"Dense: input_dim must be a whole number >= 1, got 0",
         "Dense-input_dim"),
    case(lambda: nn.Dense(2, dtype="banana"), TypeError, r"Dense: dtype 'banana' is not understood", "Dense-dtype"),
    case(lambda: nn.Dense(2, use_bias="no"), TypeError, r"Dense: use_bias must be True or False, got 'no'",
         "Dense-use_bias"),
    case(lambda: nn.Dense(2, rng=0), TypeError, r"Dense: rng must be a numpy Generator", "Dense-rng"),
    case(lambda: nn.Dense(2, name=3), TypeError, r"Dense: name must be a string or None, got 3", "Dense-name"),
    case(lambda: nn.Dropout(1.0), ValueError, r"Dropout: rate must be in \[0, 1\), got 1\.0", "Dropout-1"),
    case(lambda: nn.Dropout(float("nan")), ValueError, r"Dropout: rate must be in \[0, 1\), got nan", "Dropout-nan"),
    case(lambda: nn.Activation("relu", name=1), TypeError, r"Activation: name must be a string or None",
         "Activation-name"),
    case(lambda: keras.layers.Input(shape="a"), TypeError, r"Input: shape must be whole numbers .*got 'a'",
         "Input-text"),
    case(lambda: keras.layers.LeakyReLU("a"), TypeError, r"LeakyReLU: negative_slope must be a real number",
         "LeakyReLU-text"),
    case(lambda: keras.layers.BatchNormalization(momentum="a"), TypeError,
         r"BatchNormalization: momentum must be a real number, got 'a'", "BatchNormalization-momentum"),
    case(lambda: keras.layers.BatchNormalization(epsilon=-1), ValueError,
         r"BatchNormalization: epsilon must be in \(0, inf\], got -1", "BatchNormalization-epsilon"),
    case(lambda: keras.layers.Rescaling("a"), TypeError, r"Rescaling: scale must be a real number, got 'a'",
         "Rescaling-text"),
    case(lambda: nn.Dense(2, input_dim=2)(np.array([["a", "b"]])), TypeError,
         r"Tensor data must be numeric; got an array of dtype <U1", "Dense-text-input"),
]

LOSSES = [
    case(lambda: ts.losses.binary_crossentropy(np.zeros(3), ts.zeros(3), from_logits="y"), TypeError,
         r"binary_crossentropy: from_logits must be True or False, got 'y'", "bce-from_logits"),
    case(lambda: ts.losses.sparse_categorical_crossentropy([0], ts.zeros(1, 2), from_logits=1), TypeError,
         r"sparse_categorical_crossentropy: from_logits must be True or False, got 1", "scce-from_logits"),
    case(lambda: keras.losses.BinaryCrossentropy(from_logits="y"), TypeError,
         r"BinaryCrossentropy: from_logits must be True or False", "BinaryCrossentropy-from_logits"),
    case(lambda: keras.losses.Huber(delta="a"), TypeError, r"Huber: delta must be a real number, got 'a'",
         "Huber-text"),
    case(lambda: ts.losses.mse(np.zeros(3), ts.zeros(4)), ValueError, r"mse: y_true has shape \(3,\) but y_pred has "
         r"shape \(4,\)", "mse-shapes"),
]

OPTIMISERS = [
    case(lambda: ts.optim.SGD([ts.ones(2, requires_grad=True)], lr="a"), TypeError,
         r"SGD: lr must be a real number, got 'a'", "SGD-lr-text"),
    case(lambda: ts.optim.SGD([ts.ones(2, requires_grad=True)], lr=float("nan")), ValueError,
         r"SGD: lr must be >= 0 and finite, got nan", "SGD-lr-nan"),
    case(lambda: ts.optim.Adam([ts.ones(2, requires_grad=True)], betas="a"), TypeError,
         r"Adam: betas must be a pair", "Adam-betas"),
    case(lambda: ts.optim.SGD([]), ValueError, r"SGD got an empty parameter list", "SGD-empty"),
]


@pytest.mark.parametrize("call, error, pattern", ISSUE + FACTORIES + TENSOR_METHODS + FUNCTIONAL + LAYERS + LOSSES
                         + OPTIMISERS)
def test_bad_input_is_refused_with_a_clear_message(call, error, pattern):
    with pytest.raises(error, match=pattern):
        call()


def test_an_unknown_dtype_is_not_called_data_that_is_not_numeric():
    with pytest.raises(TypeError) as info:
        ts.Tensor([1, 2], dtype="banana")
    assert "not numeric" not in str(info.value) and "dtype" in str(info.value)


@pytest.mark.parametrize("opt", [ts.optim.SGD, ts.optim.Adam, ts.optim.RMSprop, ts.optim.Adagrad])
def test_a_grad_of_another_shape_is_refused_before_any_parameter_changes(opt):
    """p.grad = np.ones(1) on a (3, 2) parameter would be broadcast into the update (lr 1 zeroes it with SGD)."""
    layer = nn.Dense(3, input_dim=2, name="d")
    first = ts.ones(4, requires_grad=True)
    optimiser = opt([first, layer.weight], lr=1.0)
    first.grad, layer.weight.grad = np.ones(4, np.float32), np.ones(1, np.float32)
    before = [first.data.copy(), layer.weight.data.copy()]
    with pytest.raises(ValueError, match=rf"^{opt.__name__}\.step\(\): params\[1\] \('d\.weight'\) has shape "
                                         r"\(3, 2\) but its \.grad has shape \(1,\)"):
        optimiser.step()
    np.testing.assert_array_equal(first.data, before[0])  # the parameter before it is untouched too
    np.testing.assert_array_equal(layer.weight.data, before[1])
    layer.weight.grad = None  # None skips the parameter, as before
    optimiser.step()
    assert not np.array_equal(first.data, before[0])


def test_axis_checks_keep_numpy_integers_and_tuples():
    t = t22()
    assert t.sum(axis=np.int64(1)).shape == (2,)
    assert t.sum(axis=(0, 1)).shape == ()
    assert t.clip(min=np.float32(2)).data.min() == 2
    assert ts.zeros(np.int64(2), 3).shape == (2, 3)
    assert ts.full(2, np.nan).data.shape == (2,)  # NaN and inf are numbers a tensor may be filled with
