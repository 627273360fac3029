"""Keras' subclassing idioms: the forward pass named call(), and layer(x, training=...) on any layer."""

from __future__ import annotations

import numpy as np

import tinygrad_seminar as ts
import tinygrad_seminar.keras as keras


class Net(keras.Model):
    """Written as Keras' guide writes a subclassed model: layers in __init__, the forward pass in call()."""

    def __init__(self):
        super().__init__()
        self.hidden = keras.layers.Dense(8, activation="relu")
        self.dropout = keras.layers.Dropout(0.5)
        self.out = keras.layers.Dense(1, activation="sigmoid")

    def call(self, x, training=None):
        return self.out(self.dropout(self.hidden(x), training=training))


def data():
    x = np.random.default_rng(0).standard_normal((64, 4)).astype("float32")
    return x, (x[:, :1] > 0).astype("float32")


def test_a_model_whose_forward_pass_is_call_trains_and_predicts():
    ts.manual_seed(0)
    x, y = data()
    model = Net()
    model.compile(optimizer="adam", loss="binary_crossentropy")
    history = model.fit(x, y, epochs=3, verbose=0)
    assert len(history.history["loss"]) == 3
    np.testing.assert_array_equal(model.predict(x, verbose=0), model.predict(x, verbose=0))  # no dropout


def test_any_layer_takes_training_and_gets_its_mode_back():
    x = ts.Tensor(np.ones((200, 50), np.float32))
    drop = keras.layers.Dropout(0.5)
    drop.eval()
    assert (drop(x, training=True).numpy() == 0).any()  # this one call in training mode
    assert drop.training is False
    drop.train()
    np.testing.assert_array_equal(drop(x, training=False).numpy(), x.numpy())
    assert drop.training is True
    dense = keras.layers.Dense(3)
    np.testing.assert_array_equal(dense(x, training=True).numpy(), dense(x).numpy())  # no mode: no change


def test_a_forward_with_a_training_parameter_is_given_it():
    seen = []

    class Probe(ts.nn.Module):
        def forward(self, x, training=None):
            seen.append(training)
            return x

    probe = Probe()
    probe(np.ones(2), training=True)
    probe(np.ones(2))
    assert seen == [True, None]
