"""Optimisers: construction, binding to parameters, defaults, and the errors for bad arguments."""

import numpy as np
import pytest
from quadratic import P0, grad_of, make_params, run
from tinygrad_seminar.optim import SGD, Adagrad, Adam, Optimizer, RMSprop

import tinygrad_seminar as ts

# ---- construction, binding, errors ----

def test_defaults_are_pytorchs():
    assert SGD().hyperparameters() == {"lr": 0.01, "momentum": 0.0, "nesterov": False, "weight_decay": 0.0}
    assert Adam().hyperparameters() == {"lr": 1e-3, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0}
    assert RMSprop().hyperparameters() == {"lr": 0.01, "alpha": 0.99, "eps": 1e-8, "momentum": 0.0,
                                           "centered": False, "weight_decay": 0.0}
    assert Adagrad().hyperparameters() == {"lr": 0.01, "lr_decay": 0.0, "weight_decay": 0.0,
                                           "initial_accumulator_value": 0.0, "eps": 1e-10}
    assert all(type(v) is not np.float64 for v in SGD(lr=np.float64(0.5)).hyperparameters().values())


def test_learning_rate_is_an_alias_of_lr():
    params = make_params()
    opt = Adam(params, learning_rate=0.25)
    assert opt.lr == 0.25 and opt.learning_rate == 0.25
    opt.learning_rate = 0.5
    assert opt.lr == 0.5
    with pytest.raises(TypeError, match="give lr or learning_rate .* not both"):
        SGD(params, lr=0.1, learning_rate=0.1)
    with pytest.raises(TypeError, match="not both"):
        SGD(params, lr=0.01, learning_rate=0.1)  # even when lr equals the default
    with pytest.raises(ValueError, match="learning_rate must be >= 0 and finite, got -1"):
        SGD(params, learning_rate=-1)
    with pytest.raises(ValueError, match="learning_rate must be >= 0 and finite, got -2"):
        opt.learning_rate = -2
    assert opt.lr == 0.5


def test_unbound_optimiser_binds_later_and_accepts_a_generator():
    params = make_params()
    opt = SGD(lr=0.1)
    with pytest.raises(RuntimeError, match=r"SGD.step\(\): the optimiser has no parameters.*bind\(params\)"):
        opt.step()
    opt.zero_grad()  # nothing to clear: fine
    assert opt.bind(p for p in params) is opt
    assert opt.params == params
    assert opt.bind(params) is opt  # the same parameters again: a no-op
    with pytest.raises(RuntimeError, match="already bound to 2 parameters"):
        opt.bind(params[:1])
    run(opt, params, steps=1)
    np.testing.assert_allclose(params[0].data, P0[0] - 0.1 * grad_of(0, P0[0]))


def test_zero_grad_sets_none():
    params = make_params()
    opt = Adam(params)
    for p in params:
        p.grad = np.ones_like(p.data)
    opt.zero_grad()
    assert all(p.grad is None for p in params)


def test_closure_is_called_with_grad_enabled():
    p = ts.Tensor([2.0], requires_grad=True)
    opt = SGD([p], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with ts.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 4.0
    np.testing.assert_allclose(p.data, [2.0 - 0.25 * 4.0])


@pytest.mark.parametrize("make,exc,message", [
    (lambda p: SGD(p, lr=-0.1), ValueError, "SGD: lr must be >= 0 and finite, got -0.1"),
    (lambda p: SGD(p, lr=float("inf")), ValueError, "SGD: lr must be >= 0 and finite, got inf"),
    (lambda p: SGD(p, lr="0.1"), TypeError, "SGD: lr must be a real number, got '0.1'"),
    (lambda p: SGD(p, momentum=-0.5), ValueError, "SGD: momentum must be >= 0 and finite, got -0.5"),
    (lambda p: SGD(p, nesterov=True), ValueError, "SGD: nesterov=True needs a momentum > 0, got momentum=0.0"),
    (lambda p: SGD(p, weight_decay=-1e-4), ValueError, "SGD: weight_decay must be >= 0 and finite, got -0.0001"),
    (lambda p: Adam(p, betas=(1.0, 0.999)), ValueError, "Adam: betas[0] must be in [0, 1), got 1.0"),
    (lambda p: Adam(p, betas=(0.9, -0.1)), ValueError, "Adam: betas[1] must be in [0, 1), got -0.1"),
    (lambda p: Adam(p, betas=0.9), TypeError, "Adam: betas must be a pair (beta1, beta2), got 0.9"),
    (lambda p: Adam(p, eps=float("nan")), ValueError, "Adam: eps must be >= 0 and finite, got nan"),
    (lambda p: RMSprop(p, alpha=1.5), ValueError, "RMSprop: alpha must be in [0, 1], got 1.5"),
    (lambda p: RMSprop(p, centered="yes"), TypeError, "RMSprop: centered must be True or False, got 'yes'"),
    (lambda p: Adagrad(p, lr_decay=-1), ValueError, "Adagrad: lr_decay must be >= 0 and finite, got -1"),
    (lambda p: Adagrad(p, initial_accumulator_value=-0.1), ValueError,
     "Adagrad: initial_accumulator_value must be >= 0 and finite, got -0.1"),
    (lambda p: SGD([]), ValueError, "SGD got an empty parameter list"),
    (lambda p: SGD(iter([])), ValueError, "SGD got an empty parameter list"),
    (lambda p: SGD(0.1), TypeError, "for a learning rate write lr=0.1 or learning_rate=0.1"),
    (lambda p: SGD(p[0]), TypeError, "SGD: params must be an iterable of Tensors, got Tensor"),
    (lambda p: SGD([p[0], np.zeros(3)]), TypeError, "SGD: params[1] is a ndarray, not a Tensor"),
    (lambda p: SGD([p[0], p[0]]), ValueError, "SGD: params[1] appears more than once"),
    (lambda p: SGD([p[0] * 2]), ValueError, "SGD: params[0] was computed by an op (not a leaf)"),
    (lambda p: SGD([ts.Tensor([1, 2], dtype="int64")]), TypeError, "params[0] has dtype int64"),
    (lambda p: SGD([{"params": p}]), TypeError, "parameter groups (dicts) are not supported"),
])
def test_errors(make, exc, message):
    with pytest.raises(exc) as e:
        make(make_params())
    assert message in str(e.value)


def test_model_instead_of_parameters_gets_a_hint():
    class Model:
        def parameters(self):
            return iter(make_params())

    with pytest.raises(TypeError, match=r"pass model.parameters\(\), not the model"):
        Adam(Model())


def test_repr_names_hyperparameters():
    assert repr(SGD(lr=0.5)) == "SGD(lr=0.5, momentum=0.0, nesterov=False, weight_decay=0.0; unbound)"
    assert repr(Adam(make_params())).endswith("; 2 parameters)")
    assert isinstance(Adam(), Optimizer)
