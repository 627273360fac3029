"""Seminar step 5: the sigmoid neuron on binary cross-entropy, and the slide's factor 1/2."""

import numpy as np

import tinygrad_seminar as ts
from tinygrad_seminar import rules

rng = np.random.default_rng(1)
X = np.hstack([rng.normal(-1, 0.7, size=(2, 50)), rng.normal(1, 0.7, size=(2, 50))])
Y = np.repeat([[0.0, 1.0]], 50, axis=1)
neuron = rules.SigmoidNeuron(2, seed=0).fit(X, Y, epochs=200, learning_rate=0.5)
print(f"mean BCE: epoch 1 {neuron.loss_[0]:.3f}, epoch 200 {neuron.loss_[-1]:.3f}; "
      f"accuracy {((neuron.predict(X) > 0.5) == Y).mean():.0%}")

w0, b0 = rules.SigmoidNeuron(2, seed=0).w, rules.SigmoidNeuron(2, seed=0).b
w1, _ = rules.sigmoid_update(w0, b0, X, Y, eta=0.5)
w = ts.Tensor(w0, requires_grad=True)
z = w @ ts.Tensor(X) + ts.Tensor(b0)
bce = (z.softplus() - ts.Tensor(Y) * z).mean()               # -[y log y^ + (1 - y) log(1 - y^)], mean
(g,) = ts.grad(bce, [w], retain_graph=True)
(g_half,) = ts.grad(bce * 0.5, [w])                           # the loss as the slide prints it
print("the rule's step           ", w1 - w0)
print("-eta grad of mean BCE     ", -0.5 * g.numpy(), "(equal)")
print("-eta grad of 1/2 mean BCE ", -0.5 * g_half.numpy(), "(half: the printed 1/2 would halve the step)")
