"""train_test_split: scikit-learn's spelling, counts and fractions, no empty part, stratified proportions."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygrad_seminar as ts
from tinygrad_seminar.datasets import train_test_split

X, Y = np.arange(20.0).reshape(10, 2), np.arange(10)


def test_pairs_stay_together_and_every_sample_is_used_once():
    xa, xb, ya, yb = train_test_split(X, Y, test_size=0.3, rng=np.random.default_rng(0))  # rng, as before
    assert len(xa) == 7 and len(xb) == 3
    np.testing.assert_array_equal(xa[:, 0] / 2, ya)
    np.testing.assert_array_equal(xb[:, 0] / 2, yb)
    assert sorted([*ya, *yb]) == list(range(10))


def test_random_state_seeds_like_rng_and_the_default_follows_manual_seed():
    a = train_test_split(X, Y, random_state=7)
    b = train_test_split(X, Y, rng=np.random.default_rng(7))
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    ts.manual_seed(1)
    c = train_test_split(X, Y)
    ts.manual_seed(1)
    assert all(np.array_equal(p, q) for p, q in zip(c, train_test_split(X, Y)))


@pytest.mark.parametrize("test_size, n_test", [(3, 3), (np.int64(1), 1), (0.25, 3), (0.7, 7), (0.01, 1), (0.2, 2)])
def test_an_int_is_a_count_and_a_fraction_is_rounded_up(test_size, n_test):
    _, xb, _, yb = train_test_split(X, Y, test_size=test_size, random_state=0)
    assert len(xb) == len(yb) == n_test


@pytest.mark.parametrize("test_size", [0, 10, 11, 0.99, -1])
def test_a_split_that_leaves_a_part_empty_is_an_error(test_size):
    with pytest.raises(ValueError, match=rf"test_size={test_size!r} of 10 samples leaves .* needs at least one"):
        train_test_split(X, Y, test_size=test_size)


@pytest.mark.parametrize("test_size", [1.0, 0.0, 1.5, True, "0.2", None])
def test_test_size_must_be_a_fraction_or_a_count(test_size):
    with pytest.raises(ValueError, match=r"test_size must be a fraction in \(0, 1\) or a whole number of samples, got"):
        train_test_split(X, Y, test_size=test_size)


def test_without_shuffle_the_test_part_is_the_last_samples():
    xa, xb, ya, yb = train_test_split(X, Y, test_size=3, shuffle=False)
    assert ya.tolist() == list(range(7)) and yb.tolist() == [7, 8, 9]


@given(st.lists(st.integers(2, 30), min_size=2, max_size=4), st.floats(0.1, 0.5), st.integers(0, 2**32 - 1))
def test_stratify_keeps_each_class_within_one_sample_of_its_share(counts, fraction, seed):
    y = np.repeat(np.arange(len(counts)), counts)
    n = len(y)
    n_test = int(np.ceil(round(fraction * n, 9)))
    if not len(counts) <= n_test <= n - len(counts):
        return
    x = np.arange(n)
    xa, xb, ya, yb = train_test_split(x, y, test_size=fraction, stratify=y, random_state=seed)
    assert len(yb) == n_test and sorted([*xa, *xb]) == list(range(n))
    np.testing.assert_array_equal(y[xa], ya)
    for c, count in enumerate(counts):
        assert abs((yb == c).sum() - n_test * count / n) < 1 + 1e-9
        assert (ya == c).sum() >= 1  # every class keeps a sample to train on


def test_stratify_takes_one_hot_rows_and_text_labels():
    y = np.repeat([[1, 0], [0, 1]], [8, 2], axis=0)
    _, _, ya, yb = train_test_split(X, y, test_size=5, stratify=y, random_state=0)
    assert yb[:, 1].sum() == 1 and ya[:, 1].sum() == 1
    text = np.array(["a"] * 8 + ["b"] * 2)
    _, xb, _, _ = train_test_split(X, Y, test_size=5, stratify=text, random_state=0)
    assert (xb[:, 0] >= 16).sum() == 1


@pytest.mark.parametrize("kwargs, error, message", [
    ({"stratify": [0] * 9 + [1]}, ValueError, r"stratify: a class has only 1 sample \(class #1 in sorted order\)"),
    ({"stratify": [0, 1] * 5, "shuffle": False}, ValueError, r"stratify needs shuffle=True"),
    ({"stratify": [0, 1]}, ValueError, r"stratify must hold one label per sample \(10\), got shape \(2,\)"),
    ({"stratify": [0, 1, 2, 3, 4] * 2, "test_size": 3}, ValueError, r"stratify: 5 classes need at least 5 samples"),
    ({"random_state": 1, "rng": np.random.default_rng()}, ValueError, r"pass random_state or rng, not both"),
    ({"random_state": -1}, TypeError, r"random_state must be a seed \(a whole number >= 0\), a np.random.Generator"),
    ({"rng": 3}, TypeError, r"rng must be a np.random.Generator, got 3"),
    ({"shuffle": "yes"}, TypeError, r"shuffle must be True or False, got 'yes'"),
])
def test_bad_options_are_errors(kwargs, error, message):
    with pytest.raises(error, match="^train_test_split: " + message):
        train_test_split(X, Y, **kwargs)


def test_x_and_y_must_pair_up():
    with pytest.raises(ValueError, match=r"x and y have different numbers of samples: x has shape \(10, 2\), y has "
                                         r"shape \(9,\)"):
        train_test_split(X, Y[:9])
    with pytest.raises(ValueError, match=r"y is None: pass an array"):
        train_test_split(X, None)
    with pytest.raises(ValueError, match=r"x must have a sample axis, got a scalar"):
        train_test_split(3.0, Y)
