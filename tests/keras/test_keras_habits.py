"""Habits a Keras user brings: the guide's train_step loop, model(x, training=...), clear first-batch errors."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_seminar as ts


class GuideModel(ts.Sequential):
    """Keras 3's "customizing what happens in fit()" loop, word for word where the names agree."""

    def train_step(self, data):
        x, y = data
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        self.optimizer.zero_grad()
        loss.backward()
        self.optimizer.step()
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def moons():
    ts.manual_seed(0)
    return ts.datasets.moons(300)


def test_the_guides_loop_reports_the_same_accuracy_that_evaluate_measures():
    x, y = moons()
    model = GuideModel([ts.Input(shape=(2,)), ts.nn.Dense(16, activation="tanh"), ts.nn.Dense(1, activation="sigmoid")])
    model.compile(optimizer=ts.optim.Adam(lr=0.05), loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=20, batch_size=300, shuffle=False, verbose=0)
    # one batch per epoch, so the epoch's accuracy is that of the weights before the last step
    before_last = model.history.history["accuracy"][-1]
    assert 0.8 < before_last <= 1.0
    assert abs(model.evaluate(x, y, verbose=0)[1] - before_last) < 0.05
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_update_state_lines_up_targets_with_one_output_columns_and_takes_tensors():
    y, y_pred = np.array([1.0, 0.0, 1.0, 1.0]), ts.tensor([[0.9], [0.2], [0.7], [0.4]])
    accuracy, mae = ts.metrics.BinaryAccuracy(), ts.metrics.MeanAbsoluteError()
    accuracy.update_state(y, y_pred)
    mae.update_state(y, y_pred)
    assert accuracy.result() == 0.75  # not a 4 x 4 grid of comparisons
    assert mae.result() == pytest.approx(np.mean([0.1, 0.2, 0.3, 0.6]))


def test_model_called_with_training_false_runs_that_call_in_eval_mode():
    ts.manual_seed(0)
    model = ts.Sequential([ts.Input(shape=(4,)), ts.nn.Dropout(0.5), ts.nn.Dense(1)])
    x = np.ones((8, 4), np.float32)
    np.testing.assert_array_equal(model(x, training=False).data, model(x, training=False).data)
    assert model.training and model[0].training  # the call's mode did not stay
    assert not np.array_equal(model(x, training=True).data, model(x, training=False).data)


def test_two_target_columns_for_one_output_name_both_shapes_of_the_whole_data():
    x, y = moons()
    model = ts.Sequential([ts.Input(shape=(2,)), ts.nn.Dense(1, activation="sigmoid")])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    with pytest.raises(ValueError, match=r"^binary_crossentropy: y has shape \(300, 2\) but the model's output has "
                                         r"shape \(300, 1\); they must be the same"):
        model.fit(x, np.stack([y, 1 - y], axis=1), verbose=0)


def test_a_missing_sigmoid_is_named_as_such_not_as_a_shape_problem():
    x, y = moons()
    model = ts.Sequential([ts.Input(shape=(2,)), ts.nn.Dense(1)])
    model.compile(optimizer="sgd", loss="binary_crossentropy")
    with pytest.raises(ValueError, match=r"^binary_crossentropy: y_pred must be probabilities in \[0, 1\] but ranges "
                                         r"over .*; end the model with activation='sigmoid', or pass from_logits=True"):
        model.fit(x, y, verbose=0)


def test_a_sparse_loss_on_one_output_says_it_needs_one_output_per_class():
    model = ts.Sequential([ts.Input(shape=(2,)), ts.nn.Dense(1)])
    model.compile(optimizer="sgd", loss=ts.losses.SparseCategoricalCrossentropy(from_logits=True))
    with pytest.raises(ValueError, match=r"the model has 1 output, but this loss needs one output per class .*"
                                         r"for two classes and one output, use binary_crossentropy"):
        model.fit(np.zeros((4, 2)), np.array([0, 1, 1, 0]), verbose=0)


def test_sequential_takes_modules_one_by_one_as_pytorch_does():
    model = ts.nn.Sequential(ts.nn.Dense(3, input_dim=2), ts.nn.ReLU(), ts.nn.Dense(1))
    assert len(model) == 3 and model(np.ones((5, 2), np.float32)).shape == (5, 1)


def test_a_forward_of_your_own_with_a_training_parameter_is_given_it():
    class Noisy(ts.Model):
        def __init__(self):
            self.dense, self.seen = ts.nn.Dense(1, input_dim=2), []

        def forward(self, x, training=None):
            self.seen.append(training)
            return self.dense(x)

    model = Noisy()
    model(np.ones((1, 2), np.float32), training=False)
    model(np.ones((1, 2), np.float32))
    assert model.seen == [False, None]
