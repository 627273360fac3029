"""Saving what the user wrote: registered activations and layers, custom_objects, refusals, format 1 files."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

import tinygrad_seminar as ts
from tinygrad_seminar import nn

X = np.random.default_rng(0).standard_normal((6, 2)).astype(np.float32)


@ts.saving.register_serializable(name="test_saving_custom.swish")  # the README registers a "swish" of its own
def swish(z):
    """z * sigmoid(z)"""
    return z * z.sigmoid()


def unregistered_cube(z):
    return z * z * z


@ts.saving.register_serializable(name="test_saving_custom.Scale")
class Scale(nn.Module):
    """A layer of the user's: y = factor * x, with one trainable factor per feature."""

    def __init__(self, factor: float = 2.0, name: str | None = None):
        self.factor, self.name = factor, name or "scale"
        self.weight: nn.Parameter | None = None

    @property
    def built(self) -> bool:
        return self.weight is not None

    def build(self, width: int) -> None:
        self.weight = nn.Parameter(np.full(width, self.factor, np.float32))

    def forward(self, x):
        if self.weight is None:
            self.build(x.shape[-1])
        return x * self.weight

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {"factor": self.factor, "name": self.name}


def write_archive(path, meta: dict, arrays: dict) -> None:
    with open(path, "wb") as f:
        np.savez(f, __meta__=np.array(json.dumps(meta)), **arrays)


def test_a_registered_activation_and_layer_save_and_load_bit_identically(tmp_path):
    ts.manual_seed(0)
    model = ts.Sequential([ts.Input(shape=(2,)), nn.Dense(4, activation=swish), Scale(3.0), nn.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    model.fit(X, X[:, :1], epochs=2, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = ts.load_model(tmp_path / "m.keras")
    assert loaded[0].activation is swish and type(loaded[1]) is Scale and loaded[1].factor == 3.0
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_an_unregistered_activation_is_refused_naming_it_and_the_two_ways_to_register_it(tmp_path):
    model = ts.Sequential([ts.Input(shape=(2,)), nn.Dense(1, activation=unregistered_cube, name="cubed")])
    with pytest.raises(ValueError) as err:
        model.save(tmp_path / "m")
    message = str(err.value)
    assert "the activation 'unregistered_cube' of layer 'cubed': it is not registered" in message
    assert "@ts.saving.register_serializable()" in message
    assert "ts.saving.register_serializable()(unregistered_cube)" in message
    assert list(tmp_path.iterdir()) == []


def test_an_unregistered_layer_class_is_refused_naming_it(tmp_path):
    class Doubler(nn.Module):
        def forward(self, x):
            return x * 2

    model = ts.Sequential([ts.Input(shape=(2,)), Doubler(), nn.Dense(1)])
    with pytest.raises(ValueError, match=r"its class Doubler is not registered\. Decorate the class with "
                                         r"@ts\.saving\.register_serializable\(\) and give it get_config\(\)"):
        model.save(tmp_path / "m")


def test_custom_objects_supply_what_the_loading_code_has_not_registered(tmp_path):
    def triple(z):
        return z * 3

    ts.saving.register_serializable(name="triple_for_custom_objects_test")(triple)
    model = ts.Sequential([ts.Input(shape=(2,)), nn.Dense(1, activation=triple)])
    model.save(tmp_path / "m")

    def stand_in(z):  # what another program would define and pass under the saved name
        return z * 3

    loaded = ts.load_model(tmp_path / "m", custom_objects={"triple_for_custom_objects_test": stand_in})
    assert loaded[0].activation is stand_in
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_a_file_naming_an_unknown_function_says_how_to_provide_it(tmp_path):
    model = ts.Sequential([ts.Input(shape=(2,)), nn.Dense(1, activation=swish)])
    model.save(tmp_path / "m")
    meta = json.loads(str(np.load(tmp_path / "m")["__meta__"]))
    meta["layers"][0]["activation"] = {"registered_name": "nowhere"}
    write_archive(tmp_path / "n", meta, dict(model.state_dict()))
    with pytest.raises(ValueError, match=r"^\S+/n: the file names the function 'nowhere', which is neither built in "
                                         r"nor registered here\. Either import the code .* "
                                         r"custom_objects=\{'nowhere': nowhere\}\)$"):
        ts.load_model(tmp_path / "n")


@pytest.mark.parametrize("name", ["os.system", "subprocess.Popen", "builtins.eval", "Nonexistent"])
def test_a_file_naming_a_class_not_registered_is_refused_without_importing_anything(tmp_path, name):
    meta = {"format": "tinygrad_seminar", "version": 2, "kind": "model", "class": "Sequential", "name": "m",
            "input_dim": 2, "layers": [{"class": name, "name": "x"}], "compile": None, "optimizer_state": None}
    write_archive(tmp_path / "m", meta, {})
    modules = set(sys.modules)
    with pytest.raises(ValueError, match=rf": the file names the layer class '{name}', which is neither built in nor "
                                         r"registered here\. Either import"):
        ts.load_model(tmp_path / "m")
    assert set(sys.modules) == modules


def test_a_file_naming_a_model_class_not_registered_is_refused(tmp_path):
    write_archive(tmp_path / "m", {"format": "tinygrad_seminar", "version": 2, "kind": "model",
                                   "class": "os.system", "layers": []}, {})
    with pytest.raises(ValueError, match=r"the model class 'os.system', which is neither built in nor registered.*"
                                         r"custom_objects=\{'os.system': the_object\}"):
        ts.load_model(tmp_path / "m")


def test_a_file_in_format_1_still_loads_compiled_as_it_was(tmp_path):
    # exactly what model.save wrote before format 2 (tinygrad_seminar 0.1.0)
    w1, b1 = np.array([[0.5, -1.0], [2.0, 0.25], [0.0, 1.0]], np.float32), np.array([0.1, 0.0, -0.2], np.float32)
    w2, b2 = np.array([[1.0, -1.0, 0.5]], np.float32), np.array([0.3], np.float32)
    meta = {"format": "tinygrad_seminar", "version": 1, "kind": "model", "class": "Sequential", "name": "old",
            "input_dim": 2,
            "layers": [{"class": "Dense", "units": 3, "activation": "tanh", "use_bias": True, "name": "h",
                        "dtype": "float32"},
                       {"class": "Dense", "units": 1, "activation": None, "use_bias": True, "name": "o",
                        "dtype": "float32"}],
            "compile": {"optimizer": {"class": "SGD", "config": {"lr": 0.1, "momentum": 0.0, "nesterov": False,
                                                                 "weight_decay": 0.0}},
                        "loss": {"name": "binary_crossentropy", "from_logits": True}, "metrics": ["accuracy"],
                        "custom": False},
            "optimizer_state": None}
    write_archive(tmp_path / "old.keras", meta, {"0.weight": w1, "0.bias": b1, "1.weight": w2, "1.bias": b2})
    loaded = ts.load_model(tmp_path / "old.keras")
    np.testing.assert_allclose(loaded.predict(X), np.tanh(X @ w1.T + b1) @ w2.T + b2, rtol=1e-6)
    assert loaded.loss.from_logits and type(loaded.loss) is ts.losses.BinaryCrossentropy
    assert [m.name for m in loaded.compiled_metrics] == ["accuracy"]


def test_loss_and_metric_objects_round_trip_through_their_configs(tmp_path):
    model = ts.Sequential([ts.Input(shape=(2,)), nn.Dense(1)])
    model.compile(optimizer="sgd", loss=ts.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[ts.metrics.Precision(threshold=0.3), "accuracy"])
    model.save(tmp_path / "m")
    loaded = ts.load_model(tmp_path / "m")
    assert loaded.loss.get_config() == model.loss.get_config()
    assert [m.get_config() for m in loaded.compiled_metrics] == [m.get_config() for m in model.compiled_metrics]


def test_a_built_in_name_cannot_be_taken():
    with pytest.raises(ValueError, match=r"'relu' is a built-in name"):
        ts.saving.register_serializable(name="relu")(lambda z: z)
    with pytest.raises(ValueError, match=r"'Dense' is a built-in name"):
        ts.saving.register_serializable()(type("Dense", (nn.Module,), {}))


def test_a_model_subclass_is_saved_only_when_registered(tmp_path):
    class Plain(ts.Sequential):
        pass

    with pytest.raises(ValueError, match=r"cannot store a Plain: the class is not registered.*"
                                         r"@ts\.saving\.register_serializable\(\)"):
        Plain([ts.Input(shape=(2,)), nn.Dense(1)]).save(tmp_path / "m")
    ts.saving.register_serializable(name="PlainForTest")(Plain)
    Plain([ts.Input(shape=(2,)), nn.Dense(1)]).save(tmp_path / "m")
    assert type(ts.load_model(tmp_path / "m")) is Plain


@ts.saving.register_serializable(name="test_saving_custom.HalfSGD")
class HalfSGD(ts.optim.SGD):
    """SGD at half the learning rate: an optimiser of the user's."""

    def _update(self, d, g, st):
        super()._update(d, g * 0.5, st)


def test_a_registered_optimizer_class_round_trips_and_an_unregistered_one_warns(tmp_path):
    model = ts.Sequential([ts.Input(shape=(2,)), nn.Dense(1)])
    model.compile(optimizer=HalfSGD(lr=0.2), loss="mse")
    model.save(tmp_path / "m")
    loaded = ts.load_model(tmp_path / "m")
    assert type(loaded.optimizer) is HalfSGD and loaded.optimizer.lr == 0.2

    class Unregistered(ts.optim.SGD):
        pass

    model.compile(optimizer=Unregistered(lr=0.1), loss="mse")
    with pytest.warns(UserWarning, match=r"not registered is not saved; compile the loaded model again"):
        model.save(tmp_path / "u")
    assert ts.load_model(tmp_path / "u").optimizer is None


def test_a_taken_name_is_refused_for_another_object_but_a_redefinition_is_accepted():
    def thing(z):
        return z

    ts.saving.register_serializable(name="test_saving_custom.thing")(thing)

    def thing(z):  # noqa: F811 - the same definition run again, as a notebook cell is
        return z

    ts.saving.register_serializable(name="test_saving_custom.thing")(thing)

    def other(z):
        return z

    with pytest.raises(ValueError, match=r"the name 'test_saving_custom.thing' is already registered to "
                                         r"test_saving_custom\.test_a_taken_name.*\.thing"):
        ts.saving.register_serializable(name="test_saving_custom.thing")(other)
