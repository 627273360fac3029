"""one_hot (integer or text labels) and standardize."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_seminar.datasets import one_hot, standardize


def test_one_hot_of_integer_labels():
    assert one_hot([2, 0]).tolist() == [[0, 0, 1], [1, 0, 0]]
    assert one_hot(np.array([[1.0], [0.0]]), n_classes=3).tolist() == [[0, 1, 0], [1, 0, 0]]  # (n, 1), whole floats
    assert one_hot([1, 0], dtype="int64").dtype == np.int64


@given(st.lists(st.integers(0, 4), min_size=1, max_size=20))
def test_one_hot_rows_hold_one_1_at_the_label(labels):
    out = one_hot(labels)
    assert out.shape == (len(labels), max(labels) + 1) and (out.sum(axis=1) == 1).all()
    assert out.argmax(axis=1).tolist() == labels


@given(st.lists(st.sampled_from(["cat", "dog", "bird", "ant"]), min_size=1, max_size=20))
def test_one_hot_of_text_labels_follows_their_sorted_order(labels):
    classes, codes = np.unique(labels, return_inverse=True)
    np.testing.assert_array_equal(one_hot(labels), one_hot(codes))
    np.testing.assert_array_equal(one_hot(np.array(labels, dtype=object), n_classes=5)[:, :len(classes)],
                                  one_hot(codes))


@pytest.mark.parametrize("labels, kwargs, message", [
    ([2], {"n_classes": 2}, r"labels must lie in \[0, 1\], got 2 to 2"),
    ([-1, 0], {}, r"labels must lie in \[0, k-1\], got -1"),
    ([0.5, 1], {}, r"labels must be whole numbers 0..k-1, got 0.5 \(at index 0\); encode them as integers first"),
    ([0, np.nan], {}, r"labels must be whole numbers 0..k-1, got nan \(at index 1\)"),
    (["a", "b", "c"], {"n_classes": 2}, r"the labels hold 3 different texts, more than n_classes=2"),
    (np.array(["a", 1], dtype=object), {}, r"labels mix text and other values \(int, str\)"),
    ([[0, 1], [1, 0]], {}, r"labels must have shape \(n,\), got shape \(2, 2\)"),
    ([], {}, r"labels are empty; pass n_classes"),
    ([0], {"n_classes": 0}, r"n_classes must be a whole number >= 1 or None, got 0"),
    ([0], {"n_classes": 2.0}, r"n_classes must be a whole number >= 1 or None, got 2.0"),
])
def test_one_hot_says_what_is_wrong(labels, kwargs, message):
    with pytest.raises(ValueError, match="^one_hot: " + message):
        one_hot(labels, **kwargs)


def test_standardize_reuses_the_training_statistics():
    x = np.array([[1.0, 10.0], [3.0, 30.0]])
    z, mean, std = standardize(x)
    np.testing.assert_allclose(z, [[-1, -1], [1, 1]])
    np.testing.assert_allclose(standardize([[5.0, 50.0]], mean, std)[0], [[3, 3]])
    np.testing.assert_allclose(standardize([[1.0, 2.0], [1.0, 4.0]])[0], [[0, -1], [0, 1]])  # std 0: centred only


def test_a_constant_columns_std_is_returned_as_the_divisor_used():
    train, test = np.array([[1.0, 2.0], [1.0, 4.0]]), np.array([[3.0, 5.0]])
    _, mean, std = standardize(train)
    assert std.tolist() == [1.0, 1.0]
    by_hand = (test - mean) / std  # a student's reuse: finite, and what standardize gives
    np.testing.assert_allclose(by_hand, standardize(test, mean, std)[0])


def test_standardize_refuses_text_and_nan():
    with pytest.raises(TypeError, match=r"standardize: x must be numbers, got dtype <U1; encode text columns first"):
        standardize([["a", "b"]])
    with pytest.raises(ValueError, match=r"standardize: x holds 1 NaN or infinite values \(first in column 1\)"):
        standardize([[1.0, np.nan], [2.0, 3.0]])
