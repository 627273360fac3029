"""Plain helpers shared by several test files: numpy references, the engine's side of the rules tests, and a
small binary classifier with its data. Not a test file (pytest collects nothing here); hypothesis strategies
live in strategies.py.
"""

from __future__ import annotations

import numpy as np

import tinygrad_seminar as ts
from tinygrad_seminar import nn


# ---- references computed in numpy, independently of the framework ----
def np_sigmoid(z):
    return 1 / (1 + np.exp(-z))


def np_softmax(z, axis=-1):
    """Softmax along ``axis``, shifted by the maximum so that large inputs do not overflow."""
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


# ---- the engine's side of the rules tests ----
def leaf(a):
    """A float64 Tensor that requires grad."""
    return ts.Tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


# the activations of ts.rules built from Tensor ops; softmax runs down the rows, since samples are columns
ENGINE_PHI = {"linear": lambda z: z, "sigmoid": lambda z: z.sigmoid(), "tanh": lambda z: z.tanh(),
              "relu": lambda z: z.relu(), "softmax": lambda z: z.softmax(axis=0)}


# ---- a small binary classifier and its data, for the Keras-style model tests ----
X = np.random.default_rng(0).standard_normal((10, 2)).astype(np.float32)
Y = (X[:, 0] > 0).astype(np.float32)


def mlp(compile_: bool = True, dtype="float32", **compile_args) -> ts.Sequential:
    """A 2-4-1 network (tanh, sigmoid), seeded; compiled with SGD and binary cross-entropy unless compile_=False."""
    ts.manual_seed(0)
    model = ts.Sequential([nn.Dense(4, activation="tanh", input_dim=2, name="hidden", dtype=dtype),
                           nn.Dense(1, activation="sigmoid", name="output", dtype=dtype)])
    if compile_:
        model.compile(**{"optimizer": "sgd", "loss": "binary_crossentropy", **compile_args})
    return model


def assert_unchanged(before: dict, model) -> None:
    """The model's state_dict equals ``before``, entry by entry."""
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(v, before[k], err_msg=k)
