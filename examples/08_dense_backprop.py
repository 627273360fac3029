"""Seminar step 8: a dense network learns XOR by backpropagation; the same network trained by autograd."""

import numpy as np

import tinygrad_seminar as ts
from tinygrad_seminar import rules

X = np.array([[0, 0, 1, 1],
              [0, 1, 0, 1]], dtype=float)
Y = np.array([[0, 1, 1, 0]], dtype=float)
net = rules.DenseNetwork([2, 4, 1], hidden_activation="tanh", output_activation="sigmoid", seed=0)
print("deltas before training (delta^[1] is 4 x p, delta^[2] is 1 x p):")
for l, d in enumerate(net.backprop(X, Y)[1:], start=1):
    print(f"  delta^[{l}] =", np.round(d, 3).tolist())
model = net.to_model()                                        # the same weights as ts.Sequential of Dense
net.fit(X, Y, epochs=2000, learning_rate=0.5)
print(f"BCE {net.loss_[0]:.3f} -> {net.loss_[-1]:.4f};  y^ = {np.round(net.predict(X), 3).ravel()}")

# side by side: 2000 steps of eta * p on the engine's gradient of the mean BCE, through ts.nn.Dense
p, y = X.shape[1], ts.Tensor(Y.T)
params = [t for layer in model.layers for t in (layer.weight, layer.bias)]
for _ in range(2000):
    a = model(X.T)                                            # the framework takes samples as rows
    loss = -(y * a.log() + (1 - y) * (1 - a).log()).mean()
    for t, g in zip(params, ts.grad(loss, params)):
        t.data = t.data - 0.5 * p * g.numpy()
twin = rules.DenseNetwork.from_model(model)
print("largest difference between the two trainings' weights:",
      max(np.abs(twin.w[l] - net.w[l]).max() for l in (1, 2)))
