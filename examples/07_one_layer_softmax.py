"""Seminar step 7: a one-layer network, softmax + categorical cross-entropy, on three blobs."""

import numpy as np

from tinygrad_seminar import rules

rng = np.random.default_rng(3)
centres = np.array([[0.0, 3.0, -3.0],
                    [3.0, -2.0, -2.0]])
labels = rng.integers(0, 3, size=150)
X = centres[:, labels] + rng.normal(0, 0.8, size=(2, 150))    # 2 x p
Y = np.eye(3)[:, labels]                                      # one-hot columns, 3 x p
for activation in ("softmax", "sigmoid"):
    net = rules.OneLayerNetwork(2, 3, activation, seed=0).fit(X, Y, epochs=200, learning_rate=0.5)
    acc = (net.predict(X).argmax(axis=0) == labels).mean()
    print(f"{activation:7s}: loss {net.loss_[0]:.3f} -> {net.loss_[-1]:.3f}, accuracy {acc:.0%}")
print("W =\n", np.round(net.W, 2))
print("first three columns of Y^ (one-vs-all sigmoids: no need to sum to 1):\n", np.round(net.predict(X[:, :3]), 3))
