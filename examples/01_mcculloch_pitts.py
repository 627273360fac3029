"""Seminar step 1: the McCulloch-Pitts neuron, z = w x + b, y^ = step(z), weights set by hand.

Samples are columns, as on the slides: X is n x p.
"""

import numpy as np

from tinygrad_seminar import rules

X = np.array([[0, 0, 1, 1],
              [0, 1, 0, 1]], dtype=float)
print("X (inputs x samples):\n", X)
for name, w, b in [("AND", [1, 1], -1.5), ("OR", [1, 1], -0.5), ("NAND", [-1, -1], 1.5)]:
    neuron = rules.McCullochPitts(w, b)
    print(f"{name:5s} w = {neuron.w.ravel()}, b = {neuron.b.item():+.1f}:  y^ = {neuron.predict(X).ravel()}")
print("NOT   w = [-1], b = +0.5:  y^ =", rules.McCullochPitts([-1], 0.5).predict([[0, 1]]).ravel())
print("step(0) =", rules.step(0.0), "(the slide's step fires at z = 0)")
