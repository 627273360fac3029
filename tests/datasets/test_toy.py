"""Toy data made in code."""

import numpy as np
import pytest

import tinygrad_seminar as ts
from tinygrad_seminar import datasets


@pytest.mark.parametrize("make, classes", [(datasets.moons, 2), (datasets.circles, 2), (datasets.blobs, 4)])
def test_generators_give_float32_rows_and_integer_labels(make, classes):
    x, y = make(100, rng=np.random.default_rng(0))
    assert x.shape == (100, 2) and x.dtype == np.float32
    assert y.shape == (100,) and set(np.unique(y)) == set(range(classes))


def test_generators_follow_manual_seed():
    ts.manual_seed(3)
    a = datasets.moons(50)
    ts.manual_seed(3)
    b = datasets.moons(50)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


def test_logic_gates():
    x, y = datasets.logic_gate("xor")
    assert x.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]] and y.tolist() == [0, 1, 1, 0]
    assert datasets.logic_gate("AND")[1].tolist() == [0, 0, 0, 1]
    with pytest.raises(ValueError, match=r"name must be one of and, or, xor, got 'nand'"):
        datasets.logic_gate("nand")
