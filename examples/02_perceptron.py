"""Seminar step 2: Rosenblatt's perceptron learns AND and OR online, and cannot learn XOR."""

import numpy as np

from tinygrad_seminar import rules

X = np.array([[0, 0, 1, 1],
              [0, 1, 0, 1]], dtype=float)
gates = {"AND": [[0, 0, 0, 1]], "OR": [[0, 1, 1, 1]], "XOR": [[0, 1, 1, 0]]}
for name, Y in gates.items():
    p = rules.Perceptron(2, seed=0).fit(X, np.array(Y, dtype=float), epochs=30, learning_rate=0.1)
    print(f"{name}: mistakes per epoch {p.errors_[:12]}...  y^ = {p.predict(X).ravel()}  "
          f"(w = {np.round(p.w.ravel(), 2)}, b = {p.b.item():+.2f})")
print("XOR is not linearly separable: no epoch is ever free of mistakes.")

# one step by hand: w <- w + eta (y - y^) x^T
w, b = np.zeros((1, 2)), np.zeros((1, 1))
w, b = rules.perceptron_update(w, b, np.array([[1.0], [1.0]]), 0, eta=0.1)
print("one update from w = 0 on x = (1, 1), y = 0 (y^ = step(0) = 1): w =", w, "b =", b)
