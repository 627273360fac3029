"""Hypothesis strategies for the autodiff tests: the one place where test inputs are made.

Shapes are small (at most 3 axes of 1..4), because gradcheck builds full Jacobians. Elements are
float64 and moderate (|x| in [0.1, 3]), so central differences with eps = 1e-6 are accurate. Inputs
stay a margin away from kinks and ties (relu and abs at 0, equal maxima, the bounds of clip) and inside
their domains (log, sqrt and the base of a tensor power are positive), because there the derivative
is not defined and no gradient check could pass.

Strategies for the op table yield ``(arrays, params)``: a tuple of float64 arrays (the inputs that get
gradients) and a dict of keyword arguments that stay constant (an axis, an index, a condition).

The strategies for ts.rules (the last section) follow the slides instead: samples are columns, and
elements are plain float64 in a range, since those tests compare the rules with the engine's exact
gradients rather than with central differences.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

MAX_DIMS = 3
MAX_SIDE = 4
MARGIN = 0.1  # the least distance from a kink, a tie or the edge of a domain


# ---- elements ----
def signed(lo: float = MARGIN, hi: float = 3.0):
    """Floats with |x| in [lo, hi], either sign: never near 0."""
    magnitude = st.floats(lo, hi)
    return st.one_of(magnitude, magnitude.map(lambda v: -v))


def positive(lo: float = MARGIN, hi: float = 3.0):
    return st.floats(lo, hi)


def grid(offset: float):
    """k + offset for integers k in [-3, 2]: two grids with offsets 0.25 and 0.75 never come closer than 0.5."""
    return st.integers(-3, 2).map(lambda k: k + offset)


# ---- shapes and arrays ----
def shapes(min_dims: int = 0, max_dims: int = MAX_DIMS, min_side: int = 1, max_side: int = MAX_SIDE):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side)


def arrays(shape, elements=None):
    """float64 arrays of ``shape`` (a tuple or a strategy of tuples); signed elements by default."""
    return hnp.arrays(np.float64, shape, elements=signed() if elements is None else elements)


def distinct_arrays(shape):
    """Every element differs from every other by at least 0.1: no ties for max and min."""
    return hnp.arrays(np.float64, shape, elements=st.integers(-30, 30).map(lambda k: k / 10), unique=True)


def broadcasting_shapes(num_shapes: int):
    """Shapes that broadcast together, e.g. (3, 1) and (4,), as drawn by hypothesis."""
    return hnp.mutually_broadcastable_shapes(num_shapes=num_shapes, min_dims=0, max_dims=MAX_DIMS,
                                             max_side=MAX_SIDE)


def axis_choices(ndim: int):
    """None, one axis (negative ones too) or a tuple of distinct axes."""
    if ndim == 0:
        return st.none()
    return st.one_of(st.none(), st.integers(-ndim, ndim - 1), hnp.valid_tuple_axes(ndim, min_size=1))


# ---- inputs for the op table: (arrays, params) ----
def unary(elements=None, shape=None):
    """One array."""
    return arrays(shapes() if shape is None else shape, elements).map(lambda x: ((x,), {}))


@st.composite
def binary(draw, elements_a=None, elements_b=None):
    """Two arrays whose shapes broadcast together (equal shapes included)."""
    a_shape, b_shape = draw(broadcasting_shapes(2)).input_shapes
    return (draw(arrays(a_shape, elements_a)), draw(arrays(b_shape, elements_b))), {}


@st.composite
def where_inputs(draw):
    """where(cond, a, b): a boolean condition and two arrays, all three broadcasting together."""
    c_shape, a_shape, b_shape = draw(broadcasting_shapes(3)).input_shapes
    cond = draw(hnp.arrays(np.bool_, c_shape))
    return (draw(arrays(a_shape)), draw(arrays(b_shape))), {"cond": cond}


@st.composite
def clip_inputs(draw):
    """x and the bounds min and max (either may be left out), every element MARGIN away from both."""
    lo, hi = draw(st.floats(-1.5, -0.5)), draw(st.floats(0.5, 1.5))
    elements = st.floats(-3.0, 3.0).filter(lambda v: abs(v - lo) > MARGIN and abs(v - hi) > MARGIN)
    x = draw(arrays(shapes(), elements))
    lo, hi = draw(st.sampled_from([(lo, hi), (None, hi), (lo, None)]))
    return (x,), {"min": lo, "max": hi}


@st.composite
def matmul_inputs(draw, kind: str):
    """a @ b for kind "1d@1d", "1d@2d", "2d@1d", "2d@2d", "batched" (batch dims broadcast) or "1d@batched"."""
    m, k, n = draw(st.integers(1, MAX_SIDE)), draw(st.integers(1, MAX_SIDE)), draw(st.integers(1, MAX_SIDE))
    if kind == "1d@1d":
        a_shape, b_shape = (k,), (k,)
    elif kind == "1d@2d":
        a_shape, b_shape = (k,), (k, n)
    elif kind == "2d@1d":
        a_shape, b_shape = (m, k), (k,)
    elif kind == "2d@2d":
        a_shape, b_shape = (m, k), (k, n)
    elif kind == "batched":
        a_batch, b_batch = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=1, max_dims=2,
                                                                  max_side=3)).input_shapes
        a_shape, b_shape = a_batch + (m, k), b_batch + (k, n)
    elif kind == "1d@batched":
        a_shape, b_shape = (k,), draw(shapes(min_dims=1, max_dims=1, max_side=3)) + (k, n)
    else:
        raise ValueError(kind)
    return (draw(arrays(a_shape)), draw(arrays(b_shape))), {}


@st.composite
def reduction_inputs(draw, elements=None, distinct: bool = False):
    """x, an axis choice and keepdims; ``distinct=True`` for max and min (no ties)."""
    shape = draw(shapes())
    x = draw(distinct_arrays(shape) if distinct else arrays(shape, elements))
    return (x,), {"axis": draw(axis_choices(x.ndim)), "keepdims": draw(st.booleans())}


@st.composite
def var_inputs(draw):
    """x, axis, keepdims and ddof; ddof = 1 only when at least two elements are reduced."""
    (x,), params = draw(reduction_inputs())
    n_reduced = x.size // np.sum(x, axis=params["axis"], keepdims=True).size
    return (x,), {**params, "ddof": draw(st.sampled_from([0, 1] if n_reduced > 1 else [0]))}


@st.composite
def softmax_inputs(draw):
    x = draw(arrays(shapes(min_dims=1)))
    return (x,), {"axis": draw(st.integers(-x.ndim, x.ndim - 1))}


@st.composite
def reshape_inputs(draw):
    """x and a new shape (d, -1) for a divisor d of x.size."""
    x = draw(arrays(shapes()))
    d = draw(st.sampled_from([d for d in range(1, x.size + 1) if x.size % d == 0]))
    return (x,), {"shape": draw(st.sampled_from([(d, -1), (-1, d), (-1,)]))}


@st.composite
def transpose_inputs(draw):
    x = draw(arrays(shapes(min_dims=1)))
    return (x,), {"axes": tuple(draw(st.permutations(range(x.ndim))))}


@st.composite
def swapaxes_inputs(draw):
    x = draw(arrays(shapes(min_dims=1)))
    axis = st.integers(-x.ndim, x.ndim - 1)
    return (x,), {"a": draw(axis), "b": draw(axis)}


@st.composite
def broadcast_to_inputs(draw):
    """x and a shape it broadcasts to."""
    result = draw(broadcasting_shapes(2))
    return (draw(arrays(result.input_shapes[0])),), {"shape": result.result_shape}


@st.composite
def basic_index_inputs(draw):
    """x and a basic index: integers, slices (steps, negative ones too) and an ellipsis."""
    x = draw(arrays(shapes(min_dims=1)))
    return (x,), {"idx": draw(hnp.basic_indices(x.shape, allow_ellipsis=True))}


@st.composite
def integer_array_index_inputs(draw):
    """x and one integer array per axis, as numpy's advanced indexing takes them."""
    x = draw(arrays(shapes(min_dims=1)))
    idx = draw(hnp.integer_array_indices(x.shape, result_shape=shapes(min_dims=1, max_dims=2)))
    return (x,), {"idx": idx}


@st.composite
def repeated_index_inputs(draw):
    """x and an integer array picking more rows than x has, so some row is picked twice (or more)."""
    x = draw(arrays(shapes(min_dims=1)))
    n = x.shape[0]
    picks = draw(st.lists(st.integers(-n, n - 1), min_size=n + 1, max_size=n + 3))
    return (x,), {"idx": np.array(picks)}


@st.composite
def concatenate_inputs(draw):
    """Two or three arrays equal in every axis except ``axis``."""
    shape = list(draw(shapes(min_dims=1)))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    pieces = []
    for _ in range(draw(st.integers(2, 3))):
        shape[axis] = draw(st.integers(1, 3))
        pieces.append(draw(arrays(tuple(shape))))
    return tuple(pieces), {"axis": axis}


@st.composite
def stack_inputs(draw):
    """Two or three arrays of one shape and a new axis for them."""
    shape = draw(shapes())
    pieces = tuple(draw(arrays(shape)) for _ in range(draw(st.integers(2, 3))))
    return pieces, {"axis": draw(st.integers(-len(shape) - 1, len(shape)))}


# ---- inputs for the layer and loss tests: rows are samples ----
def batch_shapes(min_features: int = 1):
    """(samples, features), 1..4 of each."""
    return st.tuples(st.integers(1, MAX_SIDE), st.integers(min_features, MAX_SIDE))


@st.composite
def dense_inputs(draw):
    """x (samples, inputs), W (units, inputs) and b (units,) for a dense layer."""
    samples, inputs = draw(batch_shapes())
    units = draw(st.integers(1, MAX_SIDE))
    return draw(arrays((samples, inputs))), draw(arrays((units, inputs))), draw(arrays((units,)))


def probabilities(shape, margin: float = 0.05):
    """Probabilities in [margin, 1 - margin]: away from 0 and 1, where the cross-entropies clip."""
    return arrays(shape, st.floats(margin, 1 - margin))


def unit_targets(shape):
    """Targets in [0, 1], soft ones included, as binary cross-entropy takes them."""
    return arrays(shape, st.floats(0.0, 1.0))


def positive_scores(shape):
    """Unnormalised probabilities, which categorical cross-entropy renormalises per row."""
    return arrays(shape, positive(0.1, 1.0))


@st.composite
def targets_and_predictions(draw, predictions):
    """(y_true, y_pred) of one shape: targets in [0, 1], y_pred drawn by ``predictions(shape)``."""
    shape = draw(shapes())
    return draw(unit_targets(shape)), draw(predictions(shape))


@st.composite
def labels_and_scores(draw, scores):
    """(labels, y_pred): integer labels (p,) and y_pred (p, classes >= 2) drawn by ``scores(shape)``."""
    samples, classes = draw(batch_shapes(min_features=2))
    labels = draw(hnp.arrays(np.int64, samples, elements=st.integers(0, classes - 1)))
    return labels, draw(scores((samples, classes)))


# ---- inputs for ts.rules: samples are columns, as on the slides ----
RULES_HIDDEN_ACTIVATIONS = ["linear", "sigmoid", "tanh", "relu"]
RULES_OUTPUT_LOSS_PAIRS = [("linear", "squared"), ("sigmoid", "squared"), ("tanh", "squared"), ("relu", "squared"),
                           ("sigmoid", "bce"), ("softmax", "cce")]


def finite_floats(lo: float, hi: float):
    """float64 values in [lo, hi], never NaN or infinite."""
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, width=64)


def matrices(rows: int, cols: int, lo: float = -2.0, hi: float = 2.0):
    """float64 arrays of shape (rows, cols), elements in [lo, hi]."""
    return hnp.arrays(np.float64, (rows, cols), elements=finite_floats(lo, hi))


def targets_for_loss(loss: str, m: int, p: int):
    """Y (m x p): any reals for the squared error, [0, 1] for BCE, columns summing to 1 for CCE."""
    if loss == "squared":
        return matrices(m, p)
    if loss == "bce":
        return matrices(m, p, 0.0, 1.0)
    return matrices(m, p, 0.01, 1.0).map(lambda y: y / y.sum(axis=0, keepdims=True))


def activation_floats(name: str):
    """Floats in [-6, 6] for the activation ``name``; for relu, none within 1e-6 of its kink at 0."""
    return finite_floats(-6.0, 6.0).filter(lambda v: name != "relu" or abs(v) > 1e-6)


@st.composite
def neuron_problems(draw, m=1, kind="squared", max_n=4, max_p=6):
    """(w, b, X, Y, eta) for a layer of m neurons (1..4 for m=None), n inputs and a batch of p samples."""
    m = draw(st.integers(1, 4)) if m is None else m
    n, p = draw(st.integers(1, max_n)), draw(st.integers(1, max_p))
    w, b = draw(matrices(m, n, -1.5, 1.5)), draw(matrices(m, 1, -1.5, 1.5))
    X, Y = draw(matrices(n, p)), draw(targets_for_loss(kind, m, p))
    return w, b, X, Y, draw(finite_floats(0.01, 1.0))


@st.composite
def dense_networks(draw, max_layers=4, max_p=5):
    """(dims, w, b, X, Y, eta, hidden, output, loss) of 1..max_layers layers: w and b lists with index 0 None."""
    L = draw(st.integers(1, max_layers))
    hidden = draw(st.sampled_from(RULES_HIDDEN_ACTIVATIONS))
    output, loss = draw(st.sampled_from(RULES_OUTPUT_LOSS_PAIRS))
    dims = [draw(st.integers(1, 4)) for _ in range(L + 1)]
    if output == "softmax" and dims[-1] == 1:
        dims[-1] = draw(st.integers(2, 4))  # one class is allowed, but makes a dull softmax
    w, b = [None], [None]
    for l in range(1, L + 1):
        w.append(draw(matrices(dims[l], dims[l - 1], -1.5, 1.5)))
        b.append(draw(matrices(dims[l], 1, -1.5, 1.5)))
    p = draw(st.integers(1, max_p))
    X, Y = draw(matrices(dims[0], p)), draw(targets_for_loss(loss, dims[-1], p))
    return dims, w, b, X, Y, draw(finite_floats(0.01, 1.0)), hidden, output, loss


@st.composite
def separable_points(draw):
    """(u, X, Y, eta): points separated by u = (w*, b*), each at least 0.2 from it in the augmented space (x, 1)."""
    n, p = draw(st.integers(1, 4)), draw(st.integers(2, 30))
    u = draw(hnp.arrays(np.float64, n + 1, elements=finite_floats(-1.0, 1.0)).filter(lambda v: np.linalg.norm(v) > 0.1))
    u = u / np.linalg.norm(u)
    X = draw(hnp.arrays(np.float64, (n, p), elements=finite_floats(-3.0, 3.0)))
    s = u[:n] @ X + u[n]
    keep = np.abs(s) >= 0.2
    if keep.sum() == 0:
        keep[0], X[:, 0] = True, X[:, 0] + (0.5 - s[0]) * u[:n] / max(np.dot(u[:n], u[:n]), 1e-12)
    X = X[:, keep]
    Y = (u[:n] @ X + u[n] >= 0).astype(float).reshape(1, -1)
    return u, X, Y, draw(finite_floats(0.01, 2.0))


# ---- gradcheck's blame: a two-layer network built from x @ W.T + b ----
@st.composite
def two_layer_nets(draw):
    """(x, W1, b1, W2, b2): x (samples, inputs), W1 (hidden, inputs), b1 (hidden,), W2 (1, hidden), b2 (1,).

    hidden >= 2, so layer 1's activation (samples, hidden) and layer 2's (samples, 1) differ in shape and a
    message can say which layer it blames. Elements are small (|v| in [0.1, 0.8], x in [0.1, 1]), so no
    sigmoid saturates: a backward that forgets the factor (1 - s) then misses the gradient by more than
    gradcheck's default tolerances, wherever the wrong op sits.
    """
    samples, inputs, hidden = draw(st.integers(3, 4)), draw(st.integers(1, 3)), draw(st.integers(2, 4))
    small = signed(MARGIN, 0.8)
    return (draw(arrays((samples, inputs), signed(MARGIN, 1.0))), draw(arrays((hidden, inputs), small)),
            draw(arrays((hidden,), small)), draw(arrays((1, hidden), small)), draw(arrays((1,), small)))


# ---- the pictures of backward: small graphs of primitive ops that reuse their values ----
GRAPH_OPS = ("+", "*", "-", "tanh", "sigmoid")


@st.composite
def expression_graphs(draw, max_leaves=3, max_ops=6):
    """(leaves, recipe): 1..max_leaves float64 arrays of one shape, and 1..max_ops steps (op, i, j).

    Step k applies op to values i and j (unary ops read i only), picked among the leaves and the results
    of the steps before it, leaves first. Values are picked freely, so a leaf is often read by several ops,
    or twice by one (x * x), and some are read by none.
    """
    shape = draw(shapes(min_dims=1, max_dims=2, max_side=3))
    n = draw(st.integers(1, max_leaves))
    leaves = [draw(arrays(shape)) for _ in range(n)]
    recipe = []
    for k in range(draw(st.integers(1, max_ops))):
        pick = st.integers(0, n + k - 1)
        recipe.append((draw(st.sampled_from(GRAPH_OPS)), draw(pick), draw(pick)))
    return leaves, recipe
