"""Tensor and module hooks, with PyTorch's semantics (compared with PyTorch when it is installed)."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_seminar as ts

X = np.array([1.0, 2.0, -3.0])


def test_a_hook_sees_the_complete_gradient_once_and_its_replacement_flows_on():
    x = ts.tensor(X, requires_grad=True)
    h = x * 2
    seen = []
    h.register_hook(lambda g: seen.append(g.copy()) or g * 10)
    (h * h).sum().backward()  # d/dh = 2h, summed over both uses of h before the hook runs
    np.testing.assert_array_equal(seen[0], 2 * (2 * X))
    assert len(seen) == 1
    np.testing.assert_array_equal(x.grad, 2 * 10 * 2 * (2 * X))


def test_a_leaf_used_twice_gets_one_call_with_the_sum_and_the_replacement_accumulates():
    x = ts.tensor(X, requires_grad=True)
    calls = []
    x.register_hook(lambda g: calls.append(g.copy()) or g + 1)
    (x * 3 + x * 4).sum().backward()
    assert len(calls) == 1
    np.testing.assert_array_equal(calls[0], [7.0, 7.0, 7.0])
    np.testing.assert_array_equal(x.grad, [8.0, 8.0, 8.0])
    (x * 3 + x * 4).sum().backward()  # accumulates into .grad as usual, through the hook again
    np.testing.assert_array_equal(x.grad, [16.0, 16.0, 16.0])


def test_hooks_run_in_registration_order_and_a_removed_one_no_longer_runs():
    x = ts.tensor(X, requires_grad=True)
    order = []
    first = x.register_hook(lambda g: order.append("first") or g * 2)
    x.register_hook(lambda g: order.append("second") or g + 1)
    x.sum().backward()
    assert order == ["first", "second"]
    np.testing.assert_array_equal(x.grad, [3.0, 3.0, 3.0])  # (1 * 2) + 1
    first.remove()
    first.remove()  # twice is harmless
    x.grad, order[:] = None, []
    x.sum().backward()
    assert order == ["second"]
    np.testing.assert_array_equal(x.grad, [2.0, 2.0, 2.0])


def test_hooks_run_for_ts_grad_and_get_tensors_under_create_graph():
    x = ts.tensor(X, requires_grad=True)
    kinds = []
    x.register_hook(lambda g: kinds.append(type(g).__name__))
    ts.grad((x * x).sum(), x)
    ts.grad((x * x).sum(), x, create_graph=True)
    assert kinds == ["ndarray", "Tensor"]


def test_a_hook_returning_a_wrong_shape_is_refused_and_hooks_need_grad():
    x = ts.tensor(X, requires_grad=True)
    x.register_hook(lambda g: np.ones(2))
    with pytest.raises(RuntimeError, match=r"returned a gradient of shape \(2,\) for a tensor of shape \(3,\)"):
        x.sum().backward()
    with pytest.raises(RuntimeError, match="does not require grad"):
        ts.tensor(X).register_hook(print)


def test_forward_hooks_see_and_replace_and_pre_hooks_replace_inputs():
    layer = ts.nn.Dense(2, input_dim=3, kernel_initializer="ones")
    seen = []
    pre = layer.register_forward_pre_hook(lambda m, inputs: (inputs[0] * 2,))
    post = layer.register_forward_hook(lambda m, inputs, out: seen.append((m, out.data.copy())) or out + 1)
    out = layer(ts.tensor([[1.0, 1.0, 1.0]]))
    np.testing.assert_array_equal(out.data, [[7.0, 7.0]])  # ones @ 2x + 0, then + 1
    assert seen[0][0] is layer
    np.testing.assert_array_equal(seen[0][1], [[6.0, 6.0]])
    pre.remove()
    post.remove()
    np.testing.assert_array_equal(layer(ts.tensor([[1.0, 1.0, 1.0]])).data, [[3.0, 3.0]])


def test_a_forward_hook_on_a_keras_model_runs_in_fit_and_predict():
    ts.manual_seed(0)
    model = ts.Sequential([ts.Input(shape=(2,)), ts.nn.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    calls = []
    model.register_forward_hook(lambda m, inputs, out: calls.append(out.shape))
    model.fit(np.zeros((4, 2)), np.zeros(4), batch_size=2, verbose=0)
    model.predict(np.zeros((3, 2)))
    assert calls == [(2, 1), (2, 1), (3, 1)]


def test_the_same_as_pytorch_when_it_is_installed():
    torch = pytest.importorskip("torch")
    x, tx = ts.tensor(X, requires_grad=True), torch.tensor(X, requires_grad=True)
    for t in (x, tx):
        t.register_hook(lambda g: g * 3)
        t.register_hook(lambda g: g + 1)
    (x * x + x).sum().backward()
    (tx * tx + tx).sum().backward()
    np.testing.assert_allclose(x.grad, tx.grad.numpy())


def test_ts_grad_runs_only_the_hooks_on_the_way_to_what_it_is_asked_for():
    a, b = ts.tensor([1.0, 2.0], requires_grad=True), ts.tensor([3.0, 4.0], requires_grad=True)
    called = []
    a.register_hook(lambda g: called.append("a"))
    u = a * 2
    u.register_hook(lambda g: called.append("u"))
    ts.grad((u * b).sum(), b)
    assert called == []
    ts.grad((u * b).sum(), a)
    assert called == ["u", "a"]
