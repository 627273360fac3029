"""Module, Parameter and Sequential: finding parameters, names, modes, freezing, repr, state_dict."""

from __future__ import annotations

import collections

import numpy as np
import pytest

import tinygrad_seminar as ts
from tinygrad_seminar import nn


class Block(nn.Module):
    """Two dense layers held in a list."""

    def __init__(self):
        self.layers = [nn.Dense(3, activation="tanh", input_dim=2), nn.Dense(2, input_dim=3)]

    def forward(self, x):
        for layer in self.layers:
            x = layer(x)
        return x


class Model(nn.Module):
    """A custom module holding a custom module and a bare parameter."""

    def __init__(self):
        self.block = Block()
        self.head = nn.Dense(1, activation="sigmoid", input_dim=2)

    def forward(self, x):
        return self.head(self.block(x))


def x_batch(p=4, n=2, seed=0):
    return np.random.default_rng(seed).standard_normal((p, n)).astype(np.float32)


# ---- Parameter ----
def test_parameter_is_a_tensor_that_requires_grad():
    p = nn.Parameter(np.zeros(3, np.float32))
    assert isinstance(p, ts.Tensor)
    assert p.requires_grad
    assert not nn.Parameter(np.zeros(3, np.float32), requires_grad=False).requires_grad
    assert repr(p).startswith("Parameter(")


# ---- finding parameters ----
def test_parameters_are_found_through_attributes_and_lists_with_dotted_names():
    m = Model()
    names = [name for name, _ in m.named_parameters()]
    assert names == [
        "block.layers.0.weight", "block.layers.0.bias",
        "block.layers.1.weight", "block.layers.1.bias",
        "head.weight", "head.bias",
    ]
    assert m.parameters()[0] is m.block.layers[0].weight
    assert m.parameters()[-1] is m.head.bias


def test_names_follow_assignment_order_not_the_alphabet_and_are_stable():
    class Backwards(nn.Module):
        def __init__(self):
            self.z = nn.Parameter(np.ones(1, np.float32))
            self.a = nn.Parameter(np.ones(2, np.float32))
            self.ws = [nn.Parameter(np.ones(3, np.float32)), nn.Parameter(np.ones(4, np.float32))]

    m = Backwards()
    first = [name for name, _ in m.named_parameters()]
    assert first == ["z", "a", "ws.0", "ws.1"]
    assert [name for name, _ in m.named_parameters()] == first


def test_the_walks_see_past_attributes_of_types_never_met_before():
    """The walks pass over attributes by their types (nn/module.py, kind_of): a type is classified when first met."""
    Opaque = type("Opaque", (), {})  # fresh types on every run: no walk has met them
    Pair = collections.namedtuple("Pair", "w layer")  # a tuple, of a new class
    Mine = type("Mine", (nn.Parameter,), {"__slots__": ()})

    class Holder(nn.Module):
        def __init__(self):
            self.before = Opaque()
            self.pair = Pair(nn.Parameter(np.ones(2, np.float32)), nn.Dense(1, input_dim=2))
            self.mine = Mine(np.ones(3, np.float32))
            self.table = {"hidden": nn.Dense(1, input_dim=1)}  # a dict is not looked into (as PyTorch)
            self.after = Opaque()

    m = Holder()
    for _ in range(2):  # the types unknown, then known
        assert [n for n, _ in m.named_parameters()] == ["pair.0", "mine", "pair.1.weight", "pair.1.bias"]
        assert list(m.modules()) == [m, m.pair.layer] and list(m.named_children()) == [("pair.1", m.pair.layer)]
        assert m.trainable_parameters() == [m.pair.w, m.mine, m.pair.layer.weight, m.pair.layer.bias]


def test_sequential_names_its_layers_by_position():
    model = ts.Sequential([nn.Dense(3, activation="tanh", input_dim=2), nn.Dropout(0.5), nn.Dense(1, input_dim=3)])
    assert [name for name, _ in model.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    assert [p.shape for p in model.parameters()] == [(3, 2), (3,), (1, 3), (1,)]


def test_sequential_inside_a_custom_module():
    class Wrapper(nn.Module):
        def __init__(self):
            self.body = ts.Sequential([nn.Dense(2, input_dim=2)])

    assert [name for name, _ in Wrapper().named_parameters()] == ["body.0.weight", "body.0.bias"]


def test_a_shared_parameter_is_listed_once():
    shared = nn.Parameter(np.ones(2, np.float32))

    class Tied(nn.Module):
        def __init__(self):
            self.w = shared
            self.ws = [shared, nn.Parameter(np.ones(3, np.float32))]

    assert [name for name, _ in Tied().named_parameters()] == ["w", "ws.1"]
    assert len(Tied().state_dict()) == 2


def test_a_layer_used_twice_lists_its_parameters_once():
    dense = nn.Dense(2, input_dim=2)
    model = ts.Sequential([dense, nn.Tanh(), dense])
    assert [name for name, _ in model.named_parameters()] == ["0.weight", "0.bias"]
    # and backward accumulates both uses into the one parameter
    x = x_batch()
    model(x).sum().backward()
    w, b = dense.weight.data, dense.bias.data
    h = np.tanh(x @ w.T + b)
    # d/db of sum(h @ W.T + b) = (1 per row, per unit) through the second use, plus through the first
    via_second = np.full(2, len(x), np.float32)
    via_first = ((1 - h**2) * (np.ones((len(x), 2)) @ w)).sum(axis=0)
    np.testing.assert_allclose(dense.bias.grad, via_second + via_first, rtol=1e-5)


def test_lazy_dense_has_no_parameters_until_built():
    model = ts.Sequential([nn.Dense(3), nn.Dense(1)])
    assert model.parameters() == []
    model(x_batch(n=5))
    assert [p.shape for p in model.parameters()] == [(3, 5), (3,), (1, 3), (1,)]


# ---- forward, zero_grad, modes ----
def test_call_runs_forward_and_a_module_without_forward_says_so():
    m = Model()
    x = x_batch()
    np.testing.assert_array_equal(m(x).data, m.forward(x).data)

    class Empty(nn.Module):
        pass

    with pytest.raises(NotImplementedError, match="Empty"):
        Empty()(x)


def test_zero_grad_clears_every_gradient():
    m = Model()
    m(x_batch()).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_train_and_eval_reach_every_submodule():
    m = ts.Sequential([Model(), nn.Dropout(0.5)])
    everything = list(m.modules())
    assert len(everything) == 7  # Sequential, Model, Block, three Dense, Dropout
    assert all(mod.training for mod in everything)
    assert m.eval() is m
    assert not any(mod.training for mod in everything)
    m.train()
    assert all(mod.training for mod in everything)


def test_eval_turns_dropout_off_inside_a_model():
    model = ts.Sequential([nn.Dense(50, input_dim=4, kernel_initializer="ones"), nn.Dropout(0.5)])
    x = np.ones((3, 4), np.float32)
    assert np.any(model(x).data == 0)
    model.eval()
    np.testing.assert_array_equal(model(x).data, np.full((3, 50), 4.0, np.float32))


# ---- freezing ----
def test_requires_grad_false_freezes_one_parameter():
    m = Model()
    m.head.bias.requires_grad_(False)
    assert any(p is m.head.bias for p in m.parameters())
    assert not any(p is m.head.bias for p in m.trainable_parameters())
    assert len(m.trainable_parameters()) == len(m.parameters()) - 1
    m(x_batch()).sum().backward()
    assert m.head.bias.grad is None
    assert m.head.weight.grad is not None


def test_trainable_false_freezes_a_module_and_true_restores_it():
    m = Model()
    m.block.trainable = False
    assert not m.block.trainable and not m.block.layers[1].trainable
    assert m.trainable
    assert len(m.parameters()) == 6
    trainable = m.trainable_parameters()
    assert len(trainable) == 2 and trainable[0] is m.head.weight and trainable[1] is m.head.bias
    m(x_batch()).sum().backward()
    assert all(p.grad is None for p in m.block.parameters())

    m.block.trainable = True
    assert len(m.trainable_parameters()) == 6
    assert all(p.requires_grad for p in m.parameters())


def test_trainable_false_on_the_whole_model():
    m = Model()
    m.trainable = False
    assert len(m.parameters()) == 6
    assert m.trainable_parameters() == []


def test_a_lazy_layer_frozen_before_it_is_built_stays_frozen():
    dense = nn.Dense(2)
    dense.trainable = False
    dense(x_batch())
    assert dense.built
    assert dense.parameters() != []
    assert dense.trainable_parameters() == []


# ---- repr ----
def test_repr_is_a_tree_like_pytorch():
    model = ts.Sequential([nn.Dense(3, activation="tanh", input_dim=2, name="hidden"), nn.Dropout(0.25),
                           nn.Dense(1, activation="sigmoid", input_dim=3, name="out")])
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Dense(2 -> 3, activation=tanh, name='hidden')\n"
        "  (1): Dropout(rate=0.25)\n"
        "  (2): Dense(3 -> 1, activation=sigmoid, name='out')\n"
        ")"
    )
    assert repr(nn.Dense(4, name="lazy")) == "Dense(? -> 4, activation=linear, name='lazy')"


def test_repr_of_nested_modules_is_indented():
    m = Model()
    lines = repr(m).splitlines()
    assert lines[0] == "Model("
    assert lines[1] == "  (block): Block("
    assert lines[2].startswith("    (layers.0): Dense(2 -> 3, activation=tanh")
    assert lines[3].startswith("    (layers.1): Dense(3 -> 2, activation=linear")
    assert lines[4] == "  )"
    assert lines[5].startswith("  (head): Dense(2 -> 1, activation=sigmoid")
    assert lines[6] == ")"


# ---- Sequential ----
def test_sequential_is_one_class_with_add_len_and_indexing():
    assert ts.Sequential is nn.Sequential
    model = ts.Sequential()
    assert len(model) == 0
    first = nn.Dense(3, input_dim=2)
    model.add(first)
    model.add(nn.ReLU())
    assert len(model) == 2 and model[0] is first
    x = x_batch()
    expected = np.maximum(x @ first.weight.data.T + first.bias.data, 0)
    np.testing.assert_allclose(model(x).data, expected, rtol=1e-6)


@pytest.mark.parametrize("make", [
    lambda a, b: nn.containers.Sequential(a, b),                 # PyTorch's way
    lambda a, b: nn.containers.Sequential([a, b], name="net"),   # Keras' way
    lambda a, b: nn.Sequential(layers=[a, b], name="net"),
    lambda a, b: nn.Sequential([a, b], "net"),                   # 0.1's positional name
])
def test_the_plain_container_takes_layers_the_pytorch_and_the_keras_way(make):
    model = make(nn.Dense(3, input_dim=2), nn.ReLU())
    assert isinstance(model, nn.containers.Sequential) and len(model) == 2 and model.input_dim == 2
    assert model(x_batch()).shape == (4, 3)


def test_sequential_add_rejects_what_is_not_a_layer():
    with pytest.raises(TypeError, match=r"Sequential.add expects a layer \(a Module\), got function"):
        ts.Sequential().add(lambda x: x)


def test_sequential_default_names_count_up():
    a, b = ts.Sequential(), ts.Sequential()
    index = [0 if s.name == "sequential" else int(s.name.rsplit("_", 1)[1]) for s in (a, b)]
    assert index[1] == index[0] + 1
    assert ts.Sequential(name="mine").name == "mine"


# ---- state_dict ----
def test_state_dict_is_ordered_numpy_copies():
    m = Model()
    sd = m.state_dict()
    assert list(sd) == [name for name, _ in m.named_parameters()]
    for (name, p), value in zip(m.named_parameters(), sd.values()):
        assert type(value) is np.ndarray
        assert value.dtype == p.dtype and value.shape == p.shape
        np.testing.assert_array_equal(value, p.data)
        assert not np.shares_memory(value, p.data), name
    before = m.head.weight.data.copy()
    sd["head.weight"] += 1
    np.testing.assert_array_equal(m.head.weight.data, before)


def test_state_dict_round_trip():
    source, target = Model(), Model()
    x = x_batch()
    assert not np.allclose(source(x).data, target(x).data)
    params_before = target.parameters()
    sd = source.state_dict()
    target.load_state_dict(sd)
    np.testing.assert_array_equal(target(x).data, source(x).data)
    # the same Parameter objects (an optimiser holding them keeps working), holding copies
    assert all(a is b for a, b in zip(target.parameters(), params_before))
    sd["head.bias"] += 10
    assert not np.shares_memory(target.head.bias.data, source.head.bias.data)
    np.testing.assert_array_equal(target.head.bias.data, source.head.bias.data)


def test_load_state_dict_reports_every_problem_at_once_and_changes_nothing():
    m = Model()
    before = m.state_dict()
    bad = m.state_dict()
    del bad["block.layers.0.bias"]
    bad["head.weight"] = np.zeros((2, 1), np.float32)  # transposed
    bad["head.bias"] = np.zeros(1, np.float64)  # wrong dtype
    bad["block.layers.1.weight"] = np.full((2, 3), 7.0, np.float32)  # fine, and must not be loaded
    bad["tail.weight"] = np.zeros((4, 4), np.float32)
    with pytest.raises(ValueError) as err:
        m.load_state_dict(bad)
    msg = str(err.value)
    assert "nothing was changed" in msg
    assert "missing key 'block.layers.0.bias' (expected shape (3,))" in msg
    assert "unexpected key 'tail.weight' (received shape (4, 4))" in msg
    assert "'head.weight': expected shape (1, 2), received (2, 1)" in msg
    assert "'head.bias': expected dtype float32, received float64" in msg
    for name, value in m.state_dict().items():
        np.testing.assert_array_equal(value, before[name])


def test_load_state_dict_not_strict_ignores_missing_and_unexpected_keys_but_not_shapes():
    m = Model()
    m.load_state_dict({"head.bias": np.array([5.0], np.float32), "extra": np.zeros(1)}, strict=False)
    np.testing.assert_array_equal(m.head.bias.data, [5.0])
    with pytest.raises(ValueError, match=r"'head.bias': expected shape \(1,\), received \(2,\)"):
        m.load_state_dict({"head.bias": np.zeros(2, np.float32)}, strict=False)


def test_a_trained_model_deep_copies_into_an_independent_twin():
    import copy

    ts.manual_seed(0)
    model = ts.Sequential([ts.Input(shape=(2,)), nn.Dense(3, activation="tanh"), nn.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    x = np.ones((4, 2), np.float32)
    model.fit(x, np.ones(4), verbose=0)
    twin = copy.deepcopy(model)
    assert type(twin[0].weight) is nn.Parameter and twin[0].weight is not model[0].weight
    np.testing.assert_array_equal(twin.predict(x), model.predict(x))
    twin.fit(x, np.zeros(4), verbose=0)  # its optimiser moves its own parameters only
    assert not np.array_equal(twin.get_weights()[0], model.get_weights()[0])
    with pytest.raises(RuntimeError, match="only tensors made by the user"):
        copy.deepcopy(model[0].weight * 2)


def test_modules_walks_the_children_named_children_names_depth_first():
    shared = nn.Dense(2, input_dim=2)

    class Odd(nn.Module):  # names its children itself: the walk must follow it, not its attributes
        def __init__(self):
            self.hidden = nn.Dense(2, input_dim=2)
            self.shown = nn.Dense(3, input_dim=2)

        def named_children(self):
            yield "shown", self.shown

    class Tree(nn.Module):
        def __init__(self):
            self.first = shared
            self.blocks = [nn.Dense(2, input_dim=2), "not a module", (shared,)]
            self.pair = (Odd(), nn.Dropout(0.1))
            self.again = shared

    def by_named_children(m):  # the definition: this module, then each child's walk in named_children's order
        out = [m]
        for _, child in m.named_children():
            out += by_named_children(child)
        return out

    tree = Tree()
    assert list(tree.modules()) == by_named_children(tree)
    assert [type(m).__name__ for m in tree.modules()] == ["Tree", "Dense", "Dense", "Odd", "Dense", "Dropout", "Dense"]

