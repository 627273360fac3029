"""A callback may evaluate the model in the middle of an epoch without disturbing fit's running metrics."""

from __future__ import annotations

import numpy as np

import tinygrad_seminar as ts


class EvaluateEveryBatch(ts.callbacks.Callback):
    def __init__(self, x, y):
        super().__init__()
        self.x, self.y = x, y

    def on_train_batch_end(self, batch, logs=None):
        self.model.evaluate(self.x, self.y, verbose=0)


def history_of(callbacks) -> dict:
    ts.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((40, 2)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.float32)
    model = ts.Sequential([ts.nn.Dense(4, activation="tanh", input_dim=2), ts.nn.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy", metrics=["accuracy"])
    return model.fit(x, y, epochs=2, batch_size=8, verbose=0, callbacks=callbacks(x[::-1], 1 - y[::-1])).history


def test_evaluate_from_a_callback_leaves_the_epoch_logs_as_without_it():
    plain = history_of(lambda x, y: [])
    probed = history_of(lambda x, y: [EvaluateEveryBatch(x, y)])
    assert probed == plain
