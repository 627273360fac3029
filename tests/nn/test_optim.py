"""Optimisers against PyTorch's published update formulas, written out again here by hand.

The problem: two parameters (a vector and a 2x3 matrix), each on its own quadratic
f(p) = 0.5 * p^T A p with A symmetric positive definite, so d f / d p = A p.
"""

import numpy as np
import pytest
from quadratic import P0, STEPS, A, grad_of, make_params, run
from tinygrad_seminar.optim import SGD, Adagrad, Adam, RMSprop

import tinygrad_seminar as ts

# ---- the published algorithms, one step for one parameter, in float64 ----

def ref_sgd(p, g, st, t, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
    if weight_decay:
        g = g + weight_decay * p
    if momentum:
        st["b"] = g.copy() if t == 1 else momentum * st["b"] + g
        g = g + momentum * st["b"] if nesterov else st["b"]
    return p - lr * g


def ref_adam(p, g, st, t, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
    b1, b2 = betas
    if weight_decay:
        g = g + weight_decay * p
    st["m"] = b1 * st.get("m", 0.0) + (1 - b1) * g
    st["v"] = b2 * st.get("v", 0.0) + (1 - b2) * g**2
    m_hat = st["m"] / (1 - b1**t)
    v_hat = st["v"] / (1 - b2**t)
    return p - lr * m_hat / (np.sqrt(v_hat) + eps)


def ref_rmsprop(p, g, st, t, lr, alpha=0.99, eps=1e-8, momentum=0.0, centered=False, weight_decay=0.0):
    if weight_decay:
        g = g + weight_decay * p
    st["v"] = alpha * st.get("v", 0.0) + (1 - alpha) * g**2
    v_tilde = st["v"]
    if centered:
        st["g_ave"] = alpha * st.get("g_ave", 0.0) + (1 - alpha) * g
        v_tilde = v_tilde - st["g_ave"] ** 2
    if momentum > 0:
        st["b"] = momentum * st.get("b", 0.0) + g / (np.sqrt(v_tilde) + eps)
        return p - lr * st["b"]
    return p - lr * g / (np.sqrt(v_tilde) + eps)


def ref_adagrad(p, g, st, t, lr, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10):
    clr = lr / (1 + (t - 1) * lr_decay)
    if weight_decay:
        g = g + weight_decay * p
    st["sum"] = st.get("sum", initial_accumulator_value) + g**2
    return p - clr * g / (np.sqrt(st["sum"]) + eps)


CASES = [
    (SGD, ref_sgd, {"lr": 0.1}),
    (SGD, ref_sgd, {"lr": 0.05, "momentum": 0.9}),
    (SGD, ref_sgd, {"lr": 0.05, "momentum": 0.8, "nesterov": True}),
    (SGD, ref_sgd, {"lr": 0.05, "momentum": 0.7, "weight_decay": 0.3}),
    (SGD, ref_sgd, {"lr": 0.05, "momentum": 0.7, "nesterov": True, "weight_decay": 0.2}),
    (Adam, ref_adam, {"lr": 0.1}),
    (Adam, ref_adam, {"lr": 0.05, "betas": (0.8, 0.9), "eps": 0.1, "weight_decay": 0.3}),
    (RMSprop, ref_rmsprop, {"lr": 0.01}),
    (RMSprop, ref_rmsprop, {"lr": 0.02, "alpha": 0.9, "eps": 0.1}),
    (RMSprop, ref_rmsprop, {"lr": 0.02, "alpha": 0.9, "centered": True}),
    (RMSprop, ref_rmsprop, {"lr": 0.02, "alpha": 0.9, "momentum": 0.8}),
    (RMSprop, ref_rmsprop, {"lr": 0.01, "alpha": 0.8, "eps": 0.01, "momentum": 0.5, "centered": True,
                            "weight_decay": 0.25}),
    (Adagrad, ref_adagrad, {"lr": 0.1}),
    (Adagrad, ref_adagrad, {"lr": 0.1, "lr_decay": 0.5}),
    (Adagrad, ref_adagrad, {"lr": 0.1, "initial_accumulator_value": 2.0, "eps": 0.1}),
    (Adagrad, ref_adagrad, {"lr": 0.2, "lr_decay": 0.1, "weight_decay": 0.3, "initial_accumulator_value": 0.5}),
]
IDS = [f"{cls.__name__}-" + "-".join(f"{k}={v}" for k, v in kw.items()) for cls, _, kw in CASES]


def reference_trajectory(ref, kw, steps=STEPS, p0=P0):
    out = []
    for i, p in enumerate(p0):
        p, st, traj = p.astype(np.float64), {}, []
        for t in range(1, steps + 1):
            p = ref(p, grad_of(i, p), st, t, **kw)
            traj.append(p)
        out.append(traj)
    return out  # out[param][step]


@pytest.mark.parametrize("cls,ref,kw", CASES, ids=IDS)
def test_matches_published_update(cls, ref, kw):
    params = make_params()
    got = run(cls(params, **kw), params)
    want = reference_trajectory(ref, kw)
    for i in range(len(params)):
        for t in range(STEPS):
            np.testing.assert_allclose(got[i][t], want[i][t], rtol=1e-12, atol=1e-14, err_msg=f"param {i} step {t + 1}")
    # and the optimiser did move the parameters (a no-op step would fail the comparison above too)
    assert not np.allclose(got[0][-1], P0[0])


@pytest.mark.parametrize("cls,ref,kw", CASES, ids=IDS)
def test_float32_stays_float32_in_place(cls, ref, kw):
    params = make_params(np.float32)
    arrays = [p.data for p in params]
    opt = cls(params, **kw)
    got = run(opt, params)
    want = reference_trajectory(ref, kw)
    for i, p in enumerate(params):
        assert p.data is arrays[i], "step must update .data in place"
        assert p.data.dtype == np.float32
        assert all(a.dtype == np.float32 for a in opt.state[i].values() if isinstance(a, np.ndarray))
        np.testing.assert_allclose(got[i][-1], want[i][-1], rtol=2e-4, atol=2e-5)


@pytest.mark.parametrize("cls,ref,kw", CASES, ids=IDS)
def test_grad_is_not_modified(cls, ref, kw):
    params = make_params()
    opt = cls(params, **kw)
    for _ in range(3):
        grads = [grad_of(i, p.data) for i, p in enumerate(params)]
        kept = [g.copy() for g in grads]
        for p, g in zip(params, grads):
            p.grad = g
        opt.step()
        for p, g, k in zip(params, grads, kept):
            assert p.grad is g
            np.testing.assert_array_equal(p.grad, k)


@pytest.mark.parametrize("cls,ref,kw", CASES[1:2] + CASES[5:6] + CASES[11:12] + CASES[13:14])
def test_param_without_grad_is_skipped_and_keeps_its_own_step_count(cls, ref, kw):
    params = make_params()
    opt = cls(params, **kw)
    params[0].grad = grad_of(0, params[0].data)
    params[1].grad = None  # e.g. frozen, or not used by this loss
    opt.step()
    np.testing.assert_array_equal(params[1].data, P0[1])
    got = run(opt, params, steps=3)
    want = reference_trajectory(ref, kw, steps=4)
    np.testing.assert_allclose(got[0][-1], want[0][3], rtol=1e-12)
    np.testing.assert_allclose(got[1][-1], want[1][2], rtol=1e-12)  # 3 steps of its own, bias corrections too


def test_with_backward_sgd_minimises_the_quadratic():
    a = ts.Tensor(A[0])
    p = ts.Tensor(P0[0], requires_grad=True)
    opt = SGD([p], lr=0.2, momentum=0.5)
    for _ in range(200):
        opt.zero_grad()
        loss = 0.5 * ((a @ p) * p).sum()
        loss.backward()
        opt.step()
    np.testing.assert_allclose(p.data, 0.0, atol=1e-8)


# ---- state_dict ----

@pytest.mark.parametrize("cls,ref,kw", CASES, ids=IDS)
def test_state_dict_round_trip_continues_identically(cls, ref, kw):
    params = make_params()
    opt = cls(params, **kw)
    run(opt, params, steps=3)
    sd = opt.state_dict()
    snapshot = [{k: np.copy(v) for k, v in st.items()} for st in sd["state"]]
    twins = [ts.Tensor(p.data.copy(), requires_grad=True) for p in params]
    expected = run(opt, params, steps=4)

    other = cls(twins)  # default hyper-parameters: load_state_dict brings them back
    other.load_state_dict(sd)
    assert other.hyperparameters() == opt.hyperparameters()
    got = run(other, twins, steps=4)
    for e, g in zip(expected, got):
        for a, b in zip(e, g):
            np.testing.assert_array_equal(a, b)
    # the dict handed out was a copy, and loading copied it again
    for st, snap in zip(sd["state"], snapshot):
        for k in snap:
            np.testing.assert_array_equal(st[k], snap[k])


def test_state_dict_contents_follow_pytorch_names():
    params = make_params()
    opt = Adam(params, lr=0.1)
    run(opt, params, steps=2)
    sd = opt.state_dict()
    assert sd["optimizer"] == "Adam"
    assert sd["hyperparameters"] == {"lr": 0.1, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0}
    assert set(sd["state"][0]) == {"step", "exp_avg", "exp_avg_sq"} and sd["state"][0]["step"] == 2
    assert sd["state"][1]["exp_avg"].shape == (2, 3)


def test_state_dict_is_cast_to_the_parameter_dtype():
    params = make_params()
    opt = RMSprop(params, momentum=0.5, centered=True)
    run(opt, params, steps=2)
    sd = opt.state_dict()
    p32 = make_params(np.float32)
    opt32 = RMSprop(p32)
    opt32.load_state_dict(sd)
    assert opt32.centered is True and opt32.momentum == 0.5
    assert all(a.dtype == np.float32 for st in opt32.state for a in st.values() if isinstance(a, np.ndarray))


def test_failed_load_lists_every_problem_and_changes_nothing():
    params = make_params()
    opt = Adam(params, lr=0.1)
    run(opt, params, steps=2)
    before = opt.state_dict()
    bad = opt.state_dict()
    bad["hyperparameters"] = {**bad["hyperparameters"], "lr": 0.5, "betas": (0.9, 1.5)}
    bad["state"][0]["exp_avg"] = np.zeros(5)
    bad["state"][1]["exp_avg_sq"] = np.ones((2, 3))  # fine on its own: must not be applied either
    bad["state"][1]["bogus"] = np.zeros((2, 3))
    with pytest.raises(ValueError) as e:
        opt.load_state_dict(bad)
    msg = str(e.value)
    assert "betas[1] must be in [0, 1), got 1.5" in msg
    assert "state[0]['exp_avg'] has shape (5,), parameter 0 has shape (4,)" in msg
    assert "state[1] has unexpected keys ['bogus']" in msg
    bad["hyperparameters"]["betas"] = (0.5, 0.5)  # valid hyper-parameters, a bad state: still nothing loads
    with pytest.raises(ValueError, match="has shape"):
        opt.load_state_dict(bad)
    after = opt.state_dict()
    assert after["hyperparameters"] == before["hyperparameters"]
    for s0, s1 in zip(before["state"], after["state"]):
        assert s0.keys() == s1.keys()
        for k in s0:
            np.testing.assert_array_equal(s0[k], s1[k])


def test_load_rejects_other_optimiser_wrong_length_and_missing_keys():
    params = make_params()
    sgd = SGD(params, momentum=0.9)
    run(sgd, params, steps=1)
    adam = Adam(params)
    with pytest.raises(ValueError, match="state of a 'SGD', not of a 'Adam'"):
        adam.load_state_dict(sgd.state_dict())
    sd = sgd.state_dict()
    sd["state"] = sd["state"][:1]
    with pytest.raises(ValueError, match="state has 1 entries, the optimiser has 2 parameters"):
        SGD(params, momentum=0.9).load_state_dict(sd)
    run(adam, params, steps=1)
    sd = adam.state_dict()
    del sd["state"][0]["exp_avg_sq"]
    with pytest.raises(ValueError, match=r"state\[0\] misses the keys \['exp_avg_sq'\]"):
        Adam(params).load_state_dict(sd)
    with pytest.raises(ValueError, match="expected a dict with keys"):
        adam.load_state_dict({"lr": 0.1})
    with pytest.raises(ValueError, match="bind"):
        Adam().load_state_dict(adam.state_dict())


# ---- against PyTorch itself, when it happens to be installed ----

@pytest.mark.parametrize("cls,ref,kw", CASES, ids=IDS)
def test_against_torch(cls, ref, kw):
    torch = pytest.importorskip("torch")
    params = make_params()
    ours = run(cls(params, **kw), params)
    tparams = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in P0]
    topt = getattr(torch.optim, cls.__name__)(tparams, **kw)
    for t in range(STEPS):
        for i, p in enumerate(tparams):
            p.grad = torch.from_numpy(grad_of(i, p.detach().numpy()))
        topt.step()
        for i, p in enumerate(tparams):
            np.testing.assert_allclose(ours[i][t], p.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_rebind_moves_to_new_parameters_keeping_or_dropping_the_state_of_those_it_had():
    a, b = ts.ones(3, requires_grad=True), ts.ones(2, requires_grad=True)
    opt = Adam([a], lr=0.1)
    a.grad = np.ones(3, np.float32)
    opt.step()
    moments = opt.state[0]["exp_avg"].copy()
    opt.rebind([a, b])
    assert opt.params == [a, b] and np.array_equal(opt.state[0]["exp_avg"], moments) and opt.state[1] == {}
    opt.rebind([a, b], keep_state=False)
    assert opt.state == [{}, {}]
    with pytest.raises(TypeError, match=r"Adam: params\[0\] is a str, not a Tensor"):
        opt.rebind(["w"])
    assert opt.params == [a, b]  # a refused rebind changes nothing
