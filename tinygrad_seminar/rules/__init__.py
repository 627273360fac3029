"""The seminar's learning rules in the slides' own notation: plain numpy, samples in columns.

X in R^{n x p} holds p samples as columns, Y in R^{m x p} their targets (framework data, with samples
in rows, goes in as ``x.T``). One file per slide topic:

    neuron.py        McCulloch-Pitts: y^ = step(w x + b)
    perceptron.py    Rosenblatt: w <- w + eta (y - y^) x^T
    optimization.py  f(x) = x(5 - 2x)^2 and its derivative
    linear.py        ADALINE: SGD, BGD, mini-batch on 1/(2p) sum (y - y^)^2
    sigmoid.py       the sigmoid neuron on binary cross-entropy
    activations.py   the delta rule's table: ACTIVATIONS[name] = (phi, dphi)
    delta.py         the delta rule: w <- w + eta (y - y^) phi'(z) x^T
    losses.py        the summary table: linear + MSE, sigmoid + BCE, softmax + CCE
    one_layer.py     W in R^{m x n}, one-vs-all sigmoids or softmax
    dense.py         dense networks and backpropagation, and the bridge to ts.Sequential

Every update is also a pure function, ``rule(w, b, X, Y, eta, ...) -> (w, b)``, returning new arrays.
tests/test_rules*.py prove each one equal to the step the engine's automatic gradient gives.
"""

from .activations import ACTIVATIONS, linear, relu, sigmoid, softmax, tanh
from .delta import delta_rule_update
from .dense import DenseNetwork, backprop, backprop_update, forward
from .linear import LinearNeuron, linear_bgd_update, linear_sgd_update
from .losses import DEFAULT_LOSS, binary_cross_entropy, categorical_cross_entropy, half_squared_error
from .neuron import McCullochPitts, step
from .one_layer import OneLayerNetwork, one_layer_update
from .optimization import critical_points, df, f, gradient_ascent
from .perceptron import Perceptron, perceptron_update
from .sigmoid import SigmoidNeuron, sigmoid_update

__all__ = [
    "ACTIVATIONS", "DEFAULT_LOSS", "DenseNetwork", "LinearNeuron", "McCullochPitts", "OneLayerNetwork",
    "Perceptron", "SigmoidNeuron", "backprop", "backprop_update", "binary_cross_entropy",
    "categorical_cross_entropy", "critical_points", "delta_rule_update", "df", "f", "forward",
    "gradient_ascent", "half_squared_error", "linear", "linear_bgd_update", "linear_sgd_update",
    "one_layer_update", "perceptron_update", "relu", "sigmoid", "sigmoid_update", "softmax", "step", "tanh",
]
