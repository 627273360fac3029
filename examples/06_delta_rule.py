"""Seminar step 6: the delta rule and the slide's table of derivatives, checked against the engine."""

import numpy as np

import tinygrad_seminar as ts
from tinygrad_seminar import rules

z = np.array([[-2.0, -0.5, 0.0, 0.5, 2.0]])
engine_phi = {"linear": lambda t: t * 1, "sigmoid": lambda t: t.sigmoid(), "tanh": lambda t: t.tanh(),
              "relu": lambda t: t.relu()}
print("z =", z.ravel())
for name, (phi, dphi) in rules.ACTIVATIONS.items():
    zt = ts.Tensor(z, requires_grad=True)
    (g,) = ts.grad(engine_phi[name](zt).sum(), [zt])
    print(f"{name:8s} table dphi = {np.round(dphi(z, phi(z)).ravel(), 4)}   engine = {np.round(g.numpy().ravel(), 4)}")

rng = np.random.default_rng(2)
X = rng.uniform(-1, 1, size=(3, 40))
Y = np.tanh(np.array([[1.0, -2.0, 0.5]]) @ X + 0.3)
w, b = np.zeros((1, 3)), np.zeros((1, 1))
for _ in range(500):
    w, b = rules.delta_rule_update(w, b, X, Y, 0.5, "tanh")
print("a tanh neuron by the delta rule recovers w = [1, -2, 0.5], b = 0.3:", np.round(w.ravel(), 3), round(b.item(), 3))
