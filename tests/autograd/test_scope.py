"""The scope: every recorded op keeps the modules and composite functions it was made in, outermost first."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import tinygrad_seminar as ts
from tinygrad_seminar import nn
from tinygrad_seminar.autograd import Composite, composite
from tinygrad_seminar.autograd.ops import Add, Affine, GetItem, LogSoftmax, Mul, SigmoidBCE, Sum
from tinygrad_seminar.autograd.state import current_scope
from tinygrad_seminar.nn import losses as nn_losses

X = np.array([[1.0, -2.0], [0.5, 3.0], [-1.0, 0.0]], dtype=np.float32)  # 3 samples, 2 features


def ops_of(out) -> list:
    """The recorded ops (the ctx of each op) of the graph that computed ``out``, inputs first."""
    return [t.grad_fn for t in reversed(ts.autograd.toposort([out]))]  # toposort: outputs first


def ops_of_type(out, op_type) -> list:
    return [ctx for ctx in ops_of(out) if type(ctx) is op_type]


def leaf() -> ts.Tensor:
    return ts.tensor(X, requires_grad=True)


@pytest.fixture(autouse=True)
def scope_empty_around_each_test():
    """Each test starts and ends outside every module and composite (a leak would show here)."""
    assert current_scope() == ()
    yield
    assert current_scope() == ()


class Doubler(nn.Module):
    """A module of one op, ``x * 2``."""

    def forward(self, x):
        return x * 2


class TwoDense(nn.Module):
    """A user module holding two Dense layers, and one op of its own between them."""

    def __init__(self):
        self.first = nn.Dense(4, activation="tanh", input_dim=2, name="first")
        self.second = nn.Dense(1, input_dim=4, name="second")

    def forward(self, x):
        return self.second(self.first(x) + 1.0)


# ---- ops record the scope they were made in ----
def test_an_op_made_outside_any_module_has_the_empty_scope():
    y = leaf() * 2
    assert y.grad_fn.scope == ()


def test_an_op_made_in_a_module_carries_the_module_itself():
    module = Doubler()
    y = module(leaf())
    assert y.grad_fn.scope == (module,)
    assert y.grad_fn.scope[0] is module


def test_ops_of_nested_modules_carry_the_outer_module_then_the_inner_one():
    model = TwoDense()
    out = model(leaf())
    first_affine, second_affine = ops_of_type(out, Affine)
    assert first_affine.scope == (model, model.first)
    assert second_affine.scope == (model, model.second)
    (plus_one,) = ops_of_type(out, Add)  # the op the user module makes itself, between its layers
    assert plus_one.scope == (model,)


def test_ops_of_a_sequential_carry_the_sequential_then_the_layer():
    layers = [nn.Dense(3, activation="tanh", input_dim=2, name="hidden"), nn.Dense(1, name="out")]
    model = nn.containers.Sequential(*layers)
    out = model(leaf())
    affines = ops_of_type(out, Affine)
    assert [ctx.scope for ctx in affines] == [(model, layers[0]), (model, layers[1])]


def test_ops_of_a_keras_sequential_carry_the_model_then_the_layer():
    hidden = nn.Dense(3, activation="tanh", name="hidden")
    model = ts.Sequential([ts.Input(shape=(2,)), hidden], name="model")
    out = model(leaf())
    assert [ctx.scope for ctx in ops_of(out)] == [(model, hidden), (model, hidden)]  # the affine, then tanh


def test_the_scope_seen_inside_forward_is_the_stack_of_running_modules():
    seen = []

    class Inner(nn.Module):
        def forward(self, x):
            seen.append(current_scope())
            return x

    class Outer(nn.Module):
        def __init__(self):
            self.inner = Inner()

        def forward(self, x):
            seen.append(current_scope())
            return self.inner(x)

    outer = Outer()
    outer(leaf())
    assert seen == [(outer,), (outer, outer.inner)]
    assert current_scope() == ()


# ---- the scope is restored when something raises ----
class Failing(nn.Module):
    def forward(self, x):
        raise RuntimeError("boom")


def test_the_scope_is_restored_after_a_forward_that_raises():
    with pytest.raises(RuntimeError, match="boom"):
        Failing()(leaf())
    assert current_scope() == ()
    assert (leaf() * 2).grad_fn.scope == ()  # and the next op is made outside any module


def test_an_outer_module_that_catches_its_inner_modules_error_is_back_in_its_own_scope():
    seen = []

    class Catching(nn.Module):
        def __init__(self):
            self.inner = Failing()

        def forward(self, x):
            try:
                self.inner(x)
            except RuntimeError:
                seen.append(current_scope())
            return x * 2

    outer = Catching()
    out = outer(leaf())
    assert seen == [(outer,)]
    assert out.grad_fn.scope == (outer,)


def test_the_scope_is_restored_after_a_composite_function_that_raises():
    @composite("broken")
    def broken(x):
        x * 2
        raise ValueError("broken inside")

    with pytest.raises(ValueError, match="broken inside"):
        broken(leaf())
    assert current_scope() == ()


def test_the_scope_is_restored_after_a_builtin_composite_that_raises():
    with pytest.raises(IndexError, match="Dimension out of range"):
        leaf().mean(axis=5)  # mean raises, inside its composite
    assert current_scope() == ()


# ---- one scope per thread ----
def test_two_threads_running_different_modules_at_once_each_see_only_their_own():
    barrier = threading.Barrier(2, timeout=10)
    results = {}

    class Waiting(nn.Module):
        """Makes one op, waits until the other thread is inside its own module too, makes another."""

        def forward(self, x):
            before = x * 2
            barrier.wait()  # both threads are now inside a module at the same time
            seen = current_scope()
            barrier.wait()
            return before + 1, seen

    modules = {"a": Waiting(), "b": Waiting()}

    def run(key):
        out, seen = modules[key](leaf())
        results[key] = (out, seen, current_scope())

    threads = [threading.Thread(target=run, args=(key,)) for key in modules]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    assert set(results) == {"a", "b"}
    for key, module in modules.items():
        out, seen, after = results[key]
        assert seen == (module,)
        assert after == ()
        assert [ctx.scope for ctx in ops_of(out)] == [(module,), (module,)]


def test_a_new_thread_starts_with_the_empty_scope_even_when_started_inside_a_module():
    seen = []

    class Spawning(nn.Module):
        def forward(self, x):
            t = threading.Thread(target=lambda: seen.append(current_scope()))
            t.start()
            t.join()
            return x

    Spawning()(leaf())
    assert seen == [()]


# ---- no_grad: nothing recorded ----
def test_under_no_grad_nothing_is_recorded_and_the_scope_is_untouched():
    module = TwoDense()
    with ts.no_grad():
        out = module(leaf())
        assert current_scope() == ()
    assert out.grad_fn is None
    assert current_scope() == ()
    assert module(leaf()).grad_fn.scope == (module, module.second)  # recording again afterwards


# ---- composites ----
def test_each_call_of_a_composite_is_a_fresh_composite():
    x = leaf()
    out = x.mean() + x.mean()
    muls = ops_of_type(out, Mul)  # each mean is a Sum, then a Mul by 1/n
    assert len(muls) == 2
    first, second = (ctx.scope[-1] for ctx in muls)
    assert isinstance(first, Composite) and isinstance(second, Composite)
    assert first.label == second.label == "mean"
    assert first is not second
    assert out.grad_fn.scope == ()  # the + joining them is outside both


def test_all_the_ops_of_one_composite_call_share_one_composite():
    out = leaf().mean()
    (total,) = ops_of_type(out, Sum)
    assert out.grad_fn.scope == total.scope
    assert out.grad_fn.scope[0] is total.scope[0]
    assert repr(out.grad_fn.scope[0]) == "Composite('mean')"


def test_nested_composites_keep_both_the_outermost_first():
    out = leaf().var()  # var calls mean
    labels = {tuple(entry.label for entry in ctx.scope) for ctx in ops_of(out)}
    assert labels == {("var",), ("var", "mean")}


def test_a_users_composite_inside_a_module_comes_after_the_module():
    @composite("double")
    def double(x):
        return x * 2

    class UsesDouble(nn.Module):
        def forward(self, x):
            return double(x)

    module = UsesDouble()
    scope = module(leaf()).grad_fn.scope
    assert scope[0] is module
    assert isinstance(scope[1], Composite) and scope[1].label == "double"


def test_a_loss_is_recorded_as_its_composite():
    y = np.ones((3, 2), dtype=np.float32)
    loss = ts.losses.mse_value(y, leaf())
    assert {ctx.scope[0].label for ctx in ops_of(loss)} == {"mse"}


@pytest.mark.parametrize("label", ["", 3, None])
def test_a_composite_label_must_be_a_non_empty_string(label):
    with pytest.raises(TypeError, match="composite: label must be a non-empty str"):
        composite(label)


def test_composite_without_parentheses_says_how_to_write_it():
    with pytest.raises(TypeError, match=r"write @composite\('name'\)"):
        @composite
        def f(x):
            return x


def test_composite_keeps_the_name_and_docstring_of_what_it_decorates():
    def documented(x):
        """Twice x."""
        return x * 2

    wrapped = composite("twice")(documented)
    assert wrapped.__name__ == "documented"
    assert wrapped.__doc__ == "Twice x."
    assert wrapped.__wrapped__ is documented


def test_tensor_methods_keep_their_names_and_docstrings():
    assert ts.Tensor.mean.__name__ == "mean"
    assert ts.Tensor.mean.__qualname__ == "Tensor.mean"
    assert ts.Tensor.mean.__doc__ == ts.Tensor.mean.__wrapped__.__doc__
    assert ts.Tensor.var.__doc__.startswith("mean((x - mean(x))^2)")


@pytest.mark.parametrize("name", ["mse_value", "mae_value", "binary_crossentropy_of_probabilities",
                                  "categorical_crossentropy_of_probabilities",
                                  "sparse_categorical_crossentropy_of_probabilities"])
def test_loss_value_functions_keep_their_names_and_docstrings(name):
    fn = getattr(nn_losses, name)
    assert fn.__name__ == name
    assert fn.__doc__ == fn.__wrapped__.__doc__


# ---- how a picture names an op ----
def test_builtin_ops_are_labelled_as_written_in_code():
    assert Add.label == "+"
    assert Mul.label == "*"
    assert LogSoftmax.label == "log_softmax"
    assert Sum.label == "sum" and GetItem.label == "get_item"  # CamelCase class names, as functions
    assert SigmoidBCE.label == "binary_crossentropy"  # a fused loss is named as the loss it computes


def test_a_users_function_has_no_label():
    class Twice(ts.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    assert Twice.label is None
    module = Doubler()
    y = module(Twice.apply(leaf()))
    assert ops_of(y)[0].scope == ()  # a user's Function records its scope too
    assert y.grad_fn.scope == (module,)


# ---- module hooks run inside the module ----
def test_ops_made_by_forward_hooks_are_inside_the_modules_scope():
    module = Doubler()
    module.register_forward_pre_hook(lambda m, args: (args[0] + 1,))
    module.register_forward_hook(lambda m, args, out: out * 3)
    out = module(leaf())
    assert [type(ctx) for ctx in ops_of(out)] == [Add, Mul, Mul]
    assert [ctx.scope for ctx in ops_of(out)] == [(module,)] * 3
