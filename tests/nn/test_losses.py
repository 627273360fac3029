"""Losses: closed-form values, from-logits twins, exact gradients, stability, shapes, classes and names."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import strategies as S
from helpers import np_sigmoid, np_softmax
from hypothesis import given

import tinygrad_seminar as ts
from tinygrad_seminar import losses as L

# ---- closed forms in numpy, independent of the framework (np_sigmoid and np_softmax: helpers.py) ----


def np_bce(y, p):
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def np_cce(y, p):
    return -np.mean(np.sum(y * np.log(p), axis=-1))


def batch(seed=0):
    """Regression targets and predictions, binary targets, probabilities and logits: (6, 3) each."""
    rng = np.random.default_rng(seed)
    return {
        "y": rng.standard_normal((6, 3)),
        "pred": rng.standard_normal((6, 3)),
        "binary": rng.integers(0, 2, (6, 3)).astype(np.float64),
        "probs": rng.uniform(0.05, 0.95, (6, 3)),
        "logits": rng.uniform(-4, 4, (6, 3)),
        "labels": np.array([0, 2, 1, 1, 0, 2]),
    }


def one_hot(labels, classes):
    return np.eye(classes)[labels]


# ---- values against closed forms ----
def test_mse_and_mae_are_means_over_every_element():
    b = batch()
    assert L.mse(b["y"], ts.Tensor(b["pred"])).item() == pytest.approx(np.mean((b["y"] - b["pred"]) ** 2), rel=1e-12)
    assert L.mae(b["y"], ts.Tensor(b["pred"])).item() == pytest.approx(np.mean(np.abs(b["y"] - b["pred"])), rel=1e-12)


def test_binary_crossentropy_from_probabilities():
    b = batch()
    soft = np.linspace(0, 1, 18).reshape(6, 3)  # soft targets too
    for y in (b["binary"], soft):
        got = L.binary_crossentropy(y, ts.Tensor(b["probs"])).item()
        assert got == pytest.approx(np_bce(y, b["probs"]), rel=1e-12)


def test_binary_crossentropy_from_logits():
    b = batch()
    z, y = b["logits"], b["binary"]
    expected = np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z))))  # TensorFlow's stable form
    assert L.binary_crossentropy(y, ts.Tensor(z), from_logits=True).item() == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(np_bce(y, np_sigmoid(z)), rel=1e-10)


def test_categorical_crossentropy_sums_over_classes_and_averages_over_samples():
    b = batch()
    probs = np_softmax(b["logits"])
    y = one_hot(b["labels"], 3)
    expected = -np.mean(np.log(probs[np.arange(6), b["labels"]]))
    assert expected == pytest.approx(np_cce(y, probs), rel=1e-12)
    assert L.categorical_crossentropy(y, ts.Tensor(probs)).item() == pytest.approx(expected, rel=1e-12)
    assert L.sparse_categorical_crossentropy(b["labels"], ts.Tensor(probs)).item() == pytest.approx(expected, rel=1e-12)


def test_categorical_crossentropy_renormalises_probabilities_like_keras():
    b = batch()
    y = one_hot(b["labels"], 3)
    unnormalised = b["probs"]
    expected = np_cce(y, unnormalised / unnormalised.sum(axis=1, keepdims=True))
    assert L.categorical_crossentropy(y, ts.Tensor(unnormalised)).item() == pytest.approx(expected, rel=1e-12)


def test_categorical_crossentropy_from_logits():
    b = batch()
    z = b["logits"]
    log_probs = z - np.log(np.sum(np.exp(z), axis=1, keepdims=True))
    soft = np_softmax(np.arange(18.0).reshape(6, 3) / 7)  # soft targets, rows summing to 1
    for y in (one_hot(b["labels"], 3), soft):
        expected = -np.mean(np.sum(y * log_probs, axis=1))
        got = L.categorical_crossentropy(y, ts.Tensor(z), from_logits=True).item()
        assert got == pytest.approx(expected, rel=1e-12)
    expected = -np.mean(log_probs[np.arange(6), b["labels"]])
    got = L.sparse_categorical_crossentropy(b["labels"], ts.Tensor(z), from_logits=True).item()
    assert got == pytest.approx(expected, rel=1e-12)


def test_probabilities_are_clipped_like_keras():
    # a saturated wrong prediction gives -log(1e-7) per element, not inf
    y = np.array([1.0, 0.0])
    p = ts.tensor(np.array([0.0, 1.0]), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = L.binary_crossentropy(y, p)
        loss.backward()
    assert loss.item() == pytest.approx(-np.log(L.EPSILON), rel=1e-6)
    assert np.all(np.isfinite(p.grad))


# ---- from logits: the same as the probability twins, and the exact gradient ----
@given(pair=S.targets_and_predictions(S.arrays))
def test_bce_from_logits_equals_bce_on_sigmoid(pair):
    y, z = pair
    from_logits = L.binary_crossentropy(y, ts.Tensor(z), from_logits=True).item()
    from_probs = L.binary_crossentropy(y, ts.Tensor(z).sigmoid()).item()  # |z| <= 3: far from the clip
    assert from_logits == pytest.approx(from_probs, rel=1e-10)


@given(pair=S.labels_and_scores(S.arrays))
def test_categorical_from_logits_equal_their_softmax_twins(pair):
    labels, z = pair
    y = one_hot(labels, z.shape[1])
    from_logits = L.categorical_crossentropy(y, ts.Tensor(z), from_logits=True).item()
    assert from_logits == pytest.approx(L.categorical_crossentropy(y, ts.Tensor(z).softmax()).item(), rel=1e-10)
    sparse = L.sparse_categorical_crossentropy(labels, ts.Tensor(z), from_logits=True).item()
    assert sparse == pytest.approx(L.sparse_categorical_crossentropy(labels, ts.Tensor(z).softmax()).item(), rel=1e-10)
    assert sparse == pytest.approx(from_logits, rel=1e-12)


def test_bce_from_logits_gradient_is_sigmoid_minus_y_over_n():
    b = batch()
    z = ts.Tensor(b["logits"] * 2, requires_grad=True)
    y = np.linspace(0, 1, 18).reshape(6, 3)
    L.binary_crossentropy(y, z, from_logits=True).backward()
    np.testing.assert_allclose(z.grad, (np_sigmoid(z.data) - y) / 18, rtol=1e-10, atol=1e-17)


def test_categorical_from_logits_gradient_is_softmax_minus_y_over_p():
    b = batch()
    y = one_hot(b["labels"], 3)
    expected = (np_softmax(b["logits"]) - y) / 6
    z = ts.Tensor(b["logits"], requires_grad=True)
    L.categorical_crossentropy(y, z, from_logits=True).backward()
    np.testing.assert_allclose(z.grad, expected, rtol=1e-10, atol=1e-17)
    z = ts.Tensor(b["logits"], requires_grad=True)
    L.sparse_categorical_crossentropy(b["labels"], z, from_logits=True).backward()
    np.testing.assert_allclose(z.grad, expected, rtol=1e-10, atol=1e-17)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_huge_logits_give_finite_losses_and_gradients_without_warnings(dtype):
    z = np.array([[1e4, -1e4], [-1e4, 1e4], [1e4, -1e4]], dtype)
    y_binary = np.array([[1.0, 1.0], [0.0, 1.0], [0.0, 0.0]])
    labels = np.array([1, 1, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        zb = ts.Tensor(z, requires_grad=True)
        bce = L.binary_crossentropy(y_binary, zb, from_logits=True)
        bce.backward()
        zc = ts.Tensor(z, requires_grad=True)
        cce = L.categorical_crossentropy(one_hot(labels, 2), zc, from_logits=True)
        cce.backward()
        zs = ts.Tensor(z, requires_grad=True)
        scce = L.sparse_categorical_crossentropy(labels, zs, from_logits=True)
        scce.backward()
    # a confidently wrong logit costs 1e4 in BCE (two of six elements), a wrong row 2e4 in CCE (one of three)
    assert bce.item() == pytest.approx(2e4 / 6, rel=1e-6)
    assert cce.item() == pytest.approx(2e4 / 3, rel=1e-6)
    assert scce.item() == pytest.approx(cce.item(), rel=1e-6)
    assert bce.dtype == np.dtype(dtype) and zb.grad.dtype == np.dtype(dtype)
    np.testing.assert_allclose(zb.grad, (np.array([[1, 0], [0, 1], [1, 0]]) - y_binary) / 6)
    expected = (np.array([[1, 0], [0, 1], [1, 0]]) - one_hot(labels, 2)) / 3
    np.testing.assert_allclose(zc.grad, expected)
    np.testing.assert_allclose(zs.grad, expected)


# ---- gradchecks ----
@given(pair=S.targets_and_predictions(S.arrays))
def test_gradcheck_mse(pair):
    y, pred = pair
    assert ts.gradcheck(lambda p: L.mse(y, p), ts.Tensor(pred, requires_grad=True))


@given(pair=S.targets_and_predictions(S.arrays))
def test_gradcheck_mae_away_from_the_kink(pair):
    y, offset = pair
    pred = y + offset  # |y^ - y| >= 0.1 everywhere
    assert ts.gradcheck(lambda p: L.mae(y, p), ts.Tensor(pred, requires_grad=True))


@given(pair=S.targets_and_predictions(S.probabilities))
def test_gradcheck_bce_from_probabilities(pair):
    y, p = pair
    assert ts.gradcheck(lambda p: L.binary_crossentropy(y, p), ts.Tensor(p, requires_grad=True))


@given(pair=S.targets_and_predictions(S.arrays))
def test_gradcheck_bce_from_logits(pair):
    y, z = pair
    assert ts.gradcheck(lambda z: L.binary_crossentropy(y, z, from_logits=True), ts.Tensor(z, requires_grad=True))


@given(pair=S.labels_and_scores(S.positive_scores))
def test_gradcheck_categorical_from_probabilities(pair):
    labels, p = pair
    y = one_hot(labels, p.shape[1])
    assert ts.gradcheck(lambda p: L.categorical_crossentropy(y, p), ts.Tensor(p, requires_grad=True))
    assert ts.gradcheck(lambda p: L.sparse_categorical_crossentropy(labels, p), ts.Tensor(p, requires_grad=True))


@given(pair=S.labels_and_scores(S.arrays))
def test_gradcheck_categorical_from_logits(pair):
    labels, z = pair
    y = one_hot(labels, z.shape[1])
    assert ts.gradcheck(lambda z: L.categorical_crossentropy(y, z, from_logits=True), ts.Tensor(z, requires_grad=True))
    assert ts.gradcheck(lambda z: L.sparse_categorical_crossentropy(labels, z, from_logits=True),
                        ts.Tensor(z, requires_grad=True))


@given(pair=S.targets_and_predictions(S.arrays))
def test_gradgradcheck_bce_from_logits(pair):
    y, z = pair
    assert ts.gradgradcheck(lambda z: L.binary_crossentropy(y, z, from_logits=True), ts.Tensor(z, requires_grad=True))


@given(pair=S.labels_and_scores(S.arrays))
def test_gradgradcheck_categorical_from_logits(pair):
    labels, z = pair
    y = np.eye(z.shape[1])[labels] * 0.8 + 0.1  # soft targets: the sum over classes enters the gradient
    assert ts.gradgradcheck(lambda z: L.categorical_crossentropy(y, z, from_logits=True),
                            ts.Tensor(z, requires_grad=True))
    assert ts.gradgradcheck(lambda z: L.sparse_categorical_crossentropy(labels, z, from_logits=True),
                            ts.Tensor(z, requires_grad=True))


@pytest.mark.parametrize("loss, targets", [
    (L.binary_crossentropy, np.linspace(0, 1, 18).reshape(6, 3)),
    (L.categorical_crossentropy, one_hot(np.array([0, 2, 1, 1, 0, 2]), 3)),
    (L.sparse_categorical_crossentropy, np.array([0, 2, 1, 1, 0, 2])),
])
def test_from_logits_gradient_with_create_graph_is_the_same_gradient(loss, targets):
    # gradgradcheck only checks second derivatives against the recorded first ones; these must be right too
    z = ts.Tensor(batch()["logits"], requires_grad=True)
    loss(targets, z, from_logits=True).backward()
    (recorded,) = ts.grad(loss(targets, z, from_logits=True), [z], create_graph=True)
    assert recorded.requires_grad
    np.testing.assert_allclose(recorded.data, z.grad, rtol=1e-12, atol=1e-17)


# ---- what y_true may be ----
@pytest.mark.parametrize("loss, kwargs", [
    (L.mse, {}), (L.mae, {}), (L.binary_crossentropy, {}), (L.binary_crossentropy, {"from_logits": True}),
])
def test_y_true_may_be_a_tensor_an_array_or_a_list(loss, kwargs):
    y = [[0.0, 1.0], [1.0, 0.5]]
    pred = ts.tensor([[0.2, 0.7], [0.9, 0.4]])
    values = [loss(target, pred, **kwargs).item() for target in (ts.tensor(y), np.array(y), y)]
    assert values[0] == values[1] == values[2]


def test_labels_may_be_a_tensor_an_array_or_a_list():
    z = ts.tensor([[1.0, 2.0, 0.5], [0.1, 0.2, 3.0]])
    values = [L.sparse_categorical_crossentropy(labels, z, from_logits=True).item()
              for labels in ([1, 2], np.array([1, 2]), ts.tensor([1, 2]), np.array([[1], [2]]))]
    assert values[0] == values[1] == values[2] == values[3]
    y = [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    assert L.categorical_crossentropy(y, z, from_logits=True).item() == values[0]


def test_targets_keep_the_predictions_dtype():
    pred = ts.tensor([[0.2], [0.7]], requires_grad=True)
    loss = L.binary_crossentropy(np.array([0.0, 1.0]), pred)  # float64 targets, float32 predictions
    loss.backward()
    assert loss.dtype == np.float32 and pred.grad.dtype == np.float32


# ---- shapes: (p,) against (p, 1) is reshaped; anything else is an error ----
@pytest.mark.parametrize("loss, kwargs", [
    (L.mse, {}), (L.mae, {}), (L.binary_crossentropy, {}), (L.binary_crossentropy, {"from_logits": True}),
])
def test_a_flat_target_against_a_column_is_reshaped_not_broadcast(loss, kwargs):
    y = np.array([0.0, 1.0, 1.0, 0.0])
    pred = np.array([[0.1], [0.8], [0.3], [0.6]])
    expected = loss(y[:, None], ts.Tensor(pred), **kwargs).item()
    assert loss(y, ts.Tensor(pred), **kwargs).item() == pytest.approx(expected, rel=1e-15)
    assert loss(y[:, None], ts.Tensor(pred[:, 0]), **kwargs).item() == pytest.approx(expected, rel=1e-15)
    # the (p,) - (p, 1) -> (p, p) broadcast would have given another number
    if loss is L.mse:
        assert expected != pytest.approx(np.mean((y[None, :] - pred) ** 2))


@pytest.mark.parametrize("y_shape, pred_shape", [
    ((4,), (4, 2)), ((4,), (1, 4)), ((3,), (4, 1)), ((4, 1), (4, 2)), ((2, 4), (4, 2)), ((4, 1, 1), (4, 1)),
    ((1,), (4,)),
])
@pytest.mark.parametrize("loss", [L.mse, L.mae, L.binary_crossentropy])
def test_other_shape_mismatches_are_errors_naming_both_shapes(loss, y_shape, pred_shape):
    with pytest.raises(ValueError) as err:
        loss(np.zeros(y_shape), ts.zeros(*pred_shape))
    assert str(err.value).startswith(
        f"{loss.__name__}: y_true has shape {y_shape} but y_pred has shape {pred_shape}; they must be the same"
    )


def test_integer_labels_given_to_categorical_crossentropy_say_what_to_do():
    with pytest.raises(ValueError) as err:
        L.categorical_crossentropy([0, 2, 1], ts.zeros(3, 3), from_logits=True)
    assert str(err.value) == (
        "categorical_crossentropy: y_true has shape (3,) but y_pred has shape (3, 3); they must be the same "
        "(integer labels? use sparse_categorical_crossentropy, or one-hot encode them)"
    )


def test_one_hot_targets_given_to_sparse_say_what_to_do():
    with pytest.raises(ValueError, match=r"labels must have shape \(p,\) or \(p, 1\), got \(2, 3\) \(one-hot"):
        L.sparse_categorical_crossentropy(np.eye(3)[:2], ts.zeros(2, 3))


@pytest.mark.parametrize("labels", [[0, 3], [-1, 0]])
def test_labels_out_of_range_are_an_error(labels):
    with pytest.raises(ValueError) as err:
        L.sparse_categorical_crossentropy(labels, ts.zeros(2, 3))
    assert str(err.value) == (
        f"sparse_categorical_crossentropy: labels must lie in [0, 2] for 3 classes; "
        f"got labels from {min(labels)} to {max(labels)}"
    )


def test_fractional_labels_are_an_error():
    with pytest.raises(ValueError, match="labels must be whole numbers"):
        L.sparse_categorical_crossentropy([0.5, 1.0], ts.zeros(2, 3))


def test_a_label_count_that_differs_from_the_batch_is_an_error_naming_both_shapes():
    with pytest.raises(ValueError) as err:
        L.sparse_categorical_crossentropy([0, 1], ts.zeros(3, 4))
    assert str(err.value) == ("sparse_categorical_crossentropy: labels has shape (2,) but y_pred has shape (3, 4): "
                              "2 labels for 3 predictions")


def test_sparse_needs_a_two_dimensional_y_pred():
    with pytest.raises(ValueError, match=r"y_pred must have shape \(p, classes\), got \(3,\)"):
        L.sparse_categorical_crossentropy([0, 1, 1], ts.zeros(3))


@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("y, low, high", [([0.0, 1.5], "0", "1.5"), ([-0.5, 1.0], "-0.5", "1")])
def test_bce_targets_outside_zero_one_are_an_error(from_logits, y, low, high):
    with pytest.raises(ValueError) as err:
        L.binary_crossentropy(y, ts.tensor([0.3, 0.6]), from_logits=from_logits)
    assert str(err.value) == (
        f"binary_crossentropy: targets must lie in [0, 1]; y_true ranges over [{low}, {high}]"
    )


def test_integer_predictions_are_an_error():
    with pytest.raises(TypeError, match="mse: y_pred must be floating point, got dtype int64"):
        L.mse([1, 2], np.array([1, 2]))


# ---- Keras' classes and names ----
def test_loss_classes_compute_their_functions():
    b = batch()
    pred, z, probs = ts.Tensor(b["pred"]), ts.Tensor(b["logits"]), ts.Tensor(np_softmax(b["logits"]))
    y = one_hot(b["labels"], 3)
    assert L.MeanSquaredError()(b["y"], pred).item() == L.mse(b["y"], pred).item()
    assert L.MeanAbsoluteError()(b["y"], pred).item() == L.mae(b["y"], pred).item()
    assert L.BinaryCrossentropy()(b["binary"], ts.Tensor(b["probs"])).item() == pytest.approx(
        np_bce(b["binary"], b["probs"]), rel=1e-12)
    assert L.BinaryCrossentropy(from_logits=True)(b["binary"], z).item() == \
        L.binary_crossentropy(b["binary"], z, from_logits=True).item()
    assert L.CategoricalCrossentropy()(y, probs).item() == pytest.approx(np_cce(y, np_softmax(b["logits"])))
    assert L.CategoricalCrossentropy(from_logits=True)(y, z).item() == \
        L.categorical_crossentropy(y, z, from_logits=True).item()
    assert L.SparseCategoricalCrossentropy(from_logits=True)(b["labels"], z).item() == \
        L.sparse_categorical_crossentropy(b["labels"], z, from_logits=True).item()
    assert L.SparseCategoricalCrossentropy()(b["labels"], probs).item() == \
        L.sparse_categorical_crossentropy(b["labels"], probs).item()


def test_probabilities_outside_the_unit_interval_are_logits_and_say_so():
    logits = ts.tensor([[2.5], [-1.0]])
    with pytest.raises(ValueError, match=r"probabilities in \[0, 1\].*activation=.sigmoid.*from_logits"):
        ts.losses.binary_crossentropy([1, 0], logits)
    with pytest.raises(ValueError, match=r"activation='softmax'"):
        ts.losses.categorical_crossentropy([[1, 0]], ts.tensor([[2.0, -1.0]]))


def test_nan_predictions_give_a_nan_loss_not_a_missing_activation_error():
    with np.errstate(invalid="ignore"):
        loss = ts.losses.binary_crossentropy([1.0], ts.tensor([float("nan")]))
    assert np.isnan(loss.item())
