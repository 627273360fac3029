"""The optimiser tests' problem: two parameters (a vector and a 2x3 matrix), each on its own quadratic
f(p) = 0.5 * p^T A p with A symmetric positive definite, so d f / d p = A p. Not a test file."""

import numpy as np

import tinygrad_seminar as ts

STEPS = 7


def spd(n, seed):
    m = np.random.default_rng(seed).standard_normal((n, n))
    return m @ m.T / n + 0.5 * np.eye(n)


A = [spd(4, 1), spd(6, 2)]
P0 = [np.array([1.0, -2.0, 0.5, 3.0]), np.array([[0.3, -1.2, 2.0], [-0.7, 0.1, 1.5]])]


def grad_of(i, p):
    """d/dp 0.5 p^T A_i p = A_i p (the matrix parameter flattened)."""
    return (A[i] @ p.reshape(-1)).reshape(p.shape)



def run(opt, params, steps=STEPS):
    traj = [[] for _ in params]
    for _ in range(steps):
        for i, p in enumerate(params):
            p.grad = grad_of(i, p.data).astype(p.data.dtype)
        opt.step()
        for i, p in enumerate(params):
            traj[i].append(p.data.copy())
    return traj


def make_params(dtype=np.float64):
    return [ts.Tensor(p.astype(dtype), requires_grad=True) for p in P0]
