"""Plain helpers shared by several test files: numpy references, the engine's side of the rules tests, and a
small binary classifier with its data. Not a test file (pytest collects nothing here); hypothesis strategies
live in strategies.py.
"""

from __future__ import annotations

import numpy as np
import pytest
from tinygrad_seminar.callbacks import CallbackList

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


# ---- a stand-in model and a scripted fit for the callbacks' tests ----
class FakeOptimizer:
    def __init__(self, lr=0.1):
        self.lr = lr

    @property
    def learning_rate(self):
        return self.lr

    @learning_rate.setter
    def learning_rate(self, value):
        self.lr = value


class FakeModel:
    """What the callbacks need from a Model: weights as a dict of numpy arrays, save, stop_training, optimizer."""

    def __init__(self, live_state_dict=False):
        self.stop_training = False
        self.weights = {"w": np.zeros((2, 3)), "b": np.zeros(2)}
        self.optimizer = FakeOptimizer()
        self.saved = []  # (kind, path, value of w[0, 0] when saved)
        self.live_state_dict = live_state_dict

    def state_dict(self):
        return self.weights if self.live_state_dict else {k: v.copy() for k, v in self.weights.items()}

    def load_state_dict(self, d):
        self.weights = {k: np.array(v) for k, v in d.items()}

    def set_epoch_weights(self, epoch):  # weights that tell which epoch they come from, changed in place
        for v in self.weights.values():
            v[...] = epoch

    def _write(self, kind, path):
        with open(path, "w") as f:
            f.write(f"{kind} {self.weights['w'][0, 0]:g}")
        self.saved.append((kind, str(path), float(self.weights["w"][0, 0])))

    def save(self, path):
        self._write("model", path)

    def save_weights(self, path):
        self._write("weights", path)


def run_callbacks(callbacks, values, monitor="val_loss", model=None, steps=2):
    """Drive the hooks as fit will, with scripted epoch logs; returns (model, epochs run)."""
    model = model or FakeModel()
    cbs = CallbackList(callbacks if isinstance(callbacks, list) else [callbacks], model=model,
                       params={"epochs": len(values), "steps": steps, "verbose": 0})
    cbs.on_train_begin()
    ran = 0
    for epoch, value in enumerate(values):
        cbs.on_epoch_begin(epoch)
        model.set_epoch_weights(epoch)
        for batch in range(steps):
            cbs.on_train_batch_begin(batch)
            cbs.on_train_batch_end(batch, {"loss": 1.0})
        cbs.on_epoch_end(epoch, {"loss": 1.0, monitor: value})
        ran += 1
        if model.stop_training:
            break
    cbs.on_train_end()
    return model, ran


# ---- a model whose training can be computed by hand (keras tests) ----
def line_model(lr: float = 0.1) -> ts.Sequential:
    """y^ = w x with w starting at 0: what SGD does to it can be computed by hand."""
    model = ts.Sequential([nn.Dense(1, input_dim=1, use_bias=False, kernel_initializer="zeros")])
    model.compile(optimizer=ts.optim.SGD(lr=lr), loss="mse")
    return model


def line_data():
    """Train on y = 2x, validate on y = x: w walks from 0 to 2, so val_loss is best near w = 1, then rises."""
    rng = np.random.default_rng(0)
    x, xv = rng.standard_normal((32, 1)).astype(np.float32), rng.standard_normal((16, 1)).astype(np.float32)
    return x, 2 * x[:, 0], xv, xv[:, 0]


# ---- the 3-class model (with a Dropout) that the saving tests save and load ----
def classifier(hidden: int = 5, compile_: bool = True) -> ts.Sequential:
    ts.manual_seed(0)
    model = ts.Sequential([ts.Input(shape=(3,)), nn.Dense(hidden, activation="tanh", name="hidden"), nn.Dropout(0.25),
                           nn.Activation("relu"), nn.Dense(3, activation="softmax", name="out")], name="clf")
    if compile_:
        model.compile(optimizer=ts.optim.Adam(lr=0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def load_error(path, loader=None) -> str:
    """The ValueError that loading ``path`` (with ``loader``, ts.load_model by default) raises; it names the path."""
    with pytest.raises(ValueError) as info:
        (loader or ts.load_model)(path)
    message = str(info.value)
    assert message.startswith(str(path)), message
    assert "pickle.load" not in message and "unsafely" not in message  # never advise running the file
    return message
