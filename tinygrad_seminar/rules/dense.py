"""The dense network and backpropagation, in the slides' notation.

w^[l] in R^{n_l x n_{l-1}}, b^[l] in R^{n_l x 1}; lists ``w`` and ``b`` have index 0 None so that
w[l] reads as w^[l]. Propagation: a^[0] = x; z^[l] = w^[l] a^[l-1] + b^[l]; a^[l] = phi^[l](z^[l]).
Backpropagation: delta^[L] = (y - a^[L]) (.) da^[L]; delta^[l] = (w^[l+1]^T delta^[l+1]) (.) da^[l];
w^[l] <- w^[l] + eta delta^[l] a^[l-1]^T; b^[l] <- b^[l] + eta delta^[l].

Signs and constants: delta is minus the gradient of the loss with respect to z, so the update is
*added*. With softmax + CCE, or sigmoid + BCE, the output delta is y - a^[L] alone. On a batch of p
columns, delta^[l] a^[l-1]^T sums over the samples and the bias takes delta^[l] 1_p: a step of
eta * p on the mean loss (the linear neuron's batch rule divides by p instead).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..keras.sequential import Sequential
from ..nn.layers import Dense
from ._common import batches, check_batch, init_params
from .activations import ACTIVATIONS, dphi_of, phi_of
from .losses import check_pair, loss_value


def _activations(L: int, hidden_activation: str, output_activation: str) -> list:
    """phi^[l] by name for l = 1..L (index 0 None)."""
    phi_of(hidden_activation, ACTIVATIONS)
    return [None] + [hidden_activation] * (L - 1) + [output_activation]


def _check_layers(who: str, w: Sequence, b: Sequence) -> tuple[list, list]:
    """Float copies of w^[l], b^[l] with index 0 None; each b^[l] as a column (n_l, 1)."""
    w = list(w) if w[0] is None else [None, *w]
    b = list(b) if b[0] is None else [None, *b]
    if len(w) != len(b) or len(w) < 2:
        raise ValueError(f"{who}: w and b must list the same layers 1..L (index 0 None); got {len(w) - 1} "
                         f"weight matrices and {len(b) - 1} bias vectors")
    w = [None] + [np.asarray(wl, dtype=float) for wl in w[1:]]
    out_b = [None]
    for l in range(1, len(w)):
        if w[l].ndim != 2 or (l > 1 and w[l].shape[1] != w[l - 1].shape[0]) or np.size(b[l]) != w[l].shape[0]:
            shapes = ", ".join(f"w[{k}] {np.shape(w[k])}, b[{k}] {np.shape(b[k])}" for k in range(1, len(w)))
            raise ValueError(f"{who}: the slides write w^[l] in R^(n_l x n_(l-1)) and b^[l] in R^(n_l x 1); "
                             f"layer {l} does not fit. Received {shapes}.")
        out_b.append(np.asarray(b[l], dtype=float).reshape(-1, 1))
    return w, out_b


def forward(w: Sequence, b: Sequence, X: np.ndarray, hidden_activation: str = "tanh",
            output_activation: str = "sigmoid") -> tuple[list, list]:
    """a^[0] = X; z^[l] = w^[l] a^[l-1] + b^[l]; a^[l] = phi^[l](z^[l]) for l = 1..L.

    Returns the lists (z, a), z[0] None and a[0] = X; a[L] is Y^.
    """
    w, b = _check_layers("forward", w, b)
    X, _ = check_batch("forward", X, n=w[1].shape[1])
    return _forward(w, b, X, _activations(len(w) - 1, hidden_activation, output_activation))


def _forward(w, b, X, names):
    z, a = [None], [X]
    for l in range(1, len(w)):
        z.append(w[l] @ a[l - 1] + b[l])
        a.append(phi_of(names[l])(z[l]))
    return z, a


def _deltas(w, z, a, Y, names, loss):
    L = len(w) - 1
    if loss == "squared":
        delta_L = (Y - a[L]) * dphi_of(names[L])(z[L], a[L])
    else:  # sigmoid + BCE, softmax + CCE
        delta_L = Y - a[L]
    deltas = [None] * (L + 1)
    deltas[L] = delta_L
    for l in range(L - 1, 0, -1):
        deltas[l] = (w[l + 1].T @ deltas[l + 1]) * dphi_of(names[l])(z[l], a[l])
    return deltas


def _prepare(who, w, b, X, Y, hidden_activation, output_activation, loss):
    w, b = _check_layers(who, w, b)
    X, Y = check_batch(who, X, Y, n=w[1].shape[1], m=w[-1].shape[0])
    loss = check_pair(output_activation, loss)
    return w, b, X, Y, _activations(len(w) - 1, hidden_activation, output_activation), loss


def backprop(w: Sequence, b: Sequence, X: np.ndarray, Y: np.ndarray, hidden_activation: str = "tanh",
             output_activation: str = "sigmoid", loss: str | None = None) -> list:
    """delta^[L] = (Y - a^[L]) (.) da^[L] (Y - a^[L] for sigmoid + BCE and softmax + CCE);
    delta^[l] = (w^[l+1]^T delta^[l+1]) (.) da^[l].

    Returns the list of delta^[l], index 0 None, each of shape (n_l, p). ``loss``: 'squared', 'bce'
    or 'cce'; None takes the summary table's pair for the output activation.
    """
    w, b, X, Y, names, loss = _prepare("backprop", w, b, X, Y, hidden_activation, output_activation, loss)
    z, a = _forward(w, b, X, names)
    return _deltas(w, z, a, Y, names, loss)


def backprop_update(w: Sequence, b: Sequence, X: np.ndarray, Y: np.ndarray, eta: float,
                    hidden_activation: str = "tanh", output_activation: str = "sigmoid",
                    loss: str | None = None) -> tuple[list, list]:
    """w^[l] <- w^[l] + eta delta^[l] a^[l-1]^T, b^[l] <- b^[l] + eta delta^[l] 1_p, for l = 1..L.

    Summed over the p columns: a step of eta * p on the mean loss. Returns new lists (w, b), index
    0 None; the arguments are not changed.
    """
    w, b, X, Y, names, loss = _prepare("backprop_update", w, b, X, Y, hidden_activation, output_activation, loss)
    z, a = _forward(w, b, X, names)
    deltas = _deltas(w, z, a, Y, names, loss)
    new_w = [None] + [w[l] + eta * deltas[l] @ a[l - 1].T for l in range(1, len(w))]
    new_b = [None] + [b[l] + eta * deltas[l].sum(axis=1, keepdims=True) for l in range(1, len(w))]
    return new_w, new_b


def _activation_name(layer) -> str:
    """A Dense layer's activation by name: ``activation_name`` if it keeps one, else ``activation``."""
    name = getattr(layer, "activation_name", None) or getattr(layer, "activation", None) or "linear"
    return name if isinstance(name, str) else getattr(name, "__name__", repr(name))


class DenseNetwork:
    """``DenseNetwork(layers_dims, hidden_activation="tanh", output_activation="sigmoid", seed=None, loss=None)``.

    ``layers_dims = [n_0, n_1, ..., n_L]``. w^[l], b^[l] start uniform in (-1, 1) from
    ``np.random.default_rng(seed)``, drawn w^[1], b^[1], w^[2], b^[2], ...; ``net.w[l]`` is w^[l].
    The loss defaults to the summary table's pair for the output activation (linear, tanh, relu:
    1/2 squared error; sigmoid: BCE; softmax: CCE). ``fit`` continues from the current weights and
    keeps ``loss_``: the mean loss on all of (X, Y) after each epoch.
    """

    layout = "columns"  # samples are columns, X in R^{n x p}: how ts.plot passes data to predict

    def __init__(self, layers_dims: Sequence[int], hidden_activation: str = "tanh",
                 output_activation: str = "sigmoid", seed: int | None = None, loss: str | None = None):
        self.layers_dims = [int(n) for n in layers_dims]
        if len(self.layers_dims) < 2 or min(self.layers_dims) < 1:
            raise ValueError(f"layers_dims must list n_0, ..., n_L (at least two positive sizes); got {layers_dims}")
        self.names = _activations(len(self.layers_dims) - 1, hidden_activation, output_activation)
        self.hidden_activation, self.output_activation = hidden_activation, output_activation
        self.loss = check_pair(output_activation, loss)
        self.w, self.b = init_params(self.layers_dims, seed)
        self.loss_: list[float] = []

    @property
    def L(self) -> int:
        """The number of layers with weights (the last layer's index)."""
        return len(self.layers_dims) - 1

    def _args(self):
        return self.hidden_activation, self.output_activation

    def forward(self, X) -> tuple[list, list]:
        """The lists (z, a) of the propagation, z[0] None, a[0] = X, a[L] = Y^."""
        return forward(self.w, self.b, X, *self._args())

    def predict(self, X) -> np.ndarray:
        """Y^ = a^[L], shape (n_L, p)."""
        return self.forward(X)[1][-1]

    def backprop(self, X, Y) -> list:
        """The list of delta^[l] for this batch (index 0 None), as ``backprop`` computes them."""
        return backprop(self.w, self.b, X, Y, *self._args(), loss=self.loss)

    def fit(self, X, Y, epochs: int = 100, learning_rate: float = 0.1, batch_size: int | None = None) -> DenseNetwork:
        """``epochs`` passes of backprop_update over consecutive batches of ``batch_size`` columns
        (None: the whole batch at once, summed over samples; 1: the slides' online rule)."""
        X, Y = check_batch("DenseNetwork.fit", X, Y, n=self.layers_dims[0], m=self.layers_dims[-1])
        self.loss_ = []
        for _ in range(epochs):
            for cols in batches(X.shape[1], batch_size):
                self.w, self.b = backprop_update(self.w, self.b, X[:, cols], Y[:, cols], learning_rate,
                                                 *self._args(), loss=self.loss)
            z, a = _forward(self.w, self.b, X, self.names)
            self.loss_.append(loss_value(self.loss, Y, z[-1], a[-1]))
        return self

    # ---- the bridge to the framework ----
    def to_model(self, dtype: str = "float64"):
        """A ``ts.Sequential`` of ``ts.nn.Dense`` layers with these weights: Dense.weight = w^[l],
        Dense.bias = b^[l] flattened. The model takes samples as rows: ``model(X.T)`` is ``predict(X).T``."""
        layers = [Dense(self.layers_dims[l], activation=self.names[l], input_dim=self.layers_dims[l - 1],
                              kernel_initializer="zeros", dtype=dtype) for l in range(1, self.L + 1)]
        for l, layer in enumerate(layers, start=1):
            layer.weight.data[...] = self.w[l]
            layer.bias.data[...] = self.b[l].ravel()
        return Sequential(layers)

    @classmethod
    def from_model(cls, model, loss: str | None = None) -> DenseNetwork:
        """The DenseNetwork with the weights of a ``ts.Sequential`` of Dense layers (copied, as float64).

        Every hidden layer must share one activation; the loss defaults to the table's pair."""
        layers = list(model.layers)
        if not layers or not all(hasattr(layer, "weight") for layer in layers):
            raise ValueError("from_model: the model must be a Sequential of Dense layers only "
                             f"(got {[type(layer).__name__ for layer in layers]})")
        names = [_activation_name(layer) for layer in layers]
        hidden = set(names[:-1])
        if len(hidden) > 1:
            raise ValueError(f"from_model: a DenseNetwork has one hidden activation; the model's are {names[:-1]}")
        dims = [int(layers[0].weight.shape[1])] + [int(layer.weight.shape[0]) for layer in layers]
        net = cls(dims, hidden.pop() if hidden else "tanh", names[-1], loss=loss)
        for l, layer in enumerate(layers, start=1):
            net.w[l] = np.array(layer.weight.data, dtype=float)
            bias = getattr(layer, "bias", None)
            net.b[l] = np.zeros((dims[l], 1)) if bias is None else np.array(bias.data, dtype=float).reshape(-1, 1)
        return net
