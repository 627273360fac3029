"""Seminar step 4: the linear neuron (ADALINE) by SGD, BGD and mini-batch, on y = 2 x1 - 3 x2 + 0.5 + noise."""

import numpy as np

import tinygrad_seminar as ts
from tinygrad_seminar import rules

rng = np.random.default_rng(0)
X = rng.uniform(-1, 1, size=(2, 100))                      # n x p: samples are columns
Y = np.array([[2.0, -3.0]]) @ X + 0.5 + 0.05 * rng.normal(size=(1, 100))
for solver in ("sgd", "bgd", "mbgd"):
    neuron = rules.LinearNeuron(2, seed=1).fit(X, Y, epochs=100, learning_rate=0.1, solver=solver, batch_size=16)
    print(f"{solver:4s}: w = {np.round(neuron.w.ravel(), 3)}, b = {neuron.b.item():.3f}, "
          f"E2 after epochs 1, 10, 100: {neuron.loss_[0]:.4f} {neuron.loss_[9]:.4f} {neuron.loss_[-1]:.4f}")

# one BGD step by hand equals eta times the engine's gradient of E2 = 1/(2p) sum (y - y^)^2
w0, b0 = rules.LinearNeuron(2, seed=1).w, rules.LinearNeuron(2, seed=1).b
w1, _ = rules.linear_bgd_update(w0, b0, X, Y, eta=0.1)
w = ts.Tensor(w0, requires_grad=True)
E2 = ((ts.Tensor(Y) - (w @ ts.Tensor(X) + ts.Tensor(b0))) ** 2).sum() * (1 / (2 * X.shape[1]))
E2.backward()
print("BGD step by the slide:", w1 - w0, " by the engine, -eta grad E2:", -0.1 * w.grad)
