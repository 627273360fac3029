"""McCulloch and Pitts (1943): z = w x + b, y^ = phi(z) with the step phi(z) = 1 if z >= 0 else 0.

Weights are set by hand; learning them is Rosenblatt's step (perceptron.py).
"""

from __future__ import annotations

import numpy as np

from ._common import check_batch, check_params


def step(z: np.ndarray) -> np.ndarray:
    """phi(z) = 1 if z >= 0 else 0 (so step(0) = 1, as on the slide)."""
    return (np.asarray(z) >= 0).astype(float)


class McCullochPitts:
    """``McCullochPitts(w, b)``: y^ = step(w x + b), w in R^{1 x n}, b in R^{1 x 1}, fixed by hand.

    >>> AND = McCullochPitts([1, 1], -1.5)
    >>> AND.predict([[0, 0, 1, 1], [0, 1, 0, 1]])
    array([[0., 0., 0., 1.]])
    """

    layout = "columns"  # samples are columns, X in R^{n x p}: how ts.plot passes data (Perceptron inherits it)

    def __init__(self, w, b):
        self.w, self.b = check_params(type(self).__name__, w, b, rows=1)

    @property
    def n_inputs(self) -> int:
        return self.w.shape[1]

    def net_input(self, X) -> np.ndarray:
        """Z = w X + b, shape (1, p)."""
        X, _ = check_batch(f"{type(self).__name__}.net_input", X, n=self.n_inputs)
        return self.w @ X + self.b

    def predict(self, X) -> np.ndarray:
        """Y^ = step(w X + b): 0 or 1 for each column of X, shape (1, p)."""
        X, _ = check_batch(f"{type(self).__name__}.predict", X, n=self.n_inputs)
        return step(self.w @ X + self.b)
