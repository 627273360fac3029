"""Toy data made in code, and CSV loading."""

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


def test_logic_gates_and_one_hot():
    x, y = datasets.logic_gate("xor")
    assert x.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]] and y.tolist() == [0, 1, 1, 0]
    assert datasets.one_hot([2, 0]).tolist() == [[0, 0, 1], [1, 0, 0]]
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 1\]"):
        datasets.one_hot([2], n_classes=2)


def test_train_test_split_keeps_pairs_together():
    x = np.arange(10.0)[:, None]
    xa, xb, ya, yb = datasets.train_test_split(x, np.arange(10), test_size=0.3, rng=np.random.default_rng(0))
    assert len(xa) == 7 and len(xb) == 3
    assert np.array_equal(xa[:, 0], ya) and np.array_equal(xb[:, 0], yb)


def test_standardize_reuses_the_training_statistics():
    x = np.array([[1.0, 10.0], [3.0, 30.0]])
    z, mean, std = datasets.standardize(x)
    np.testing.assert_allclose(z, [[-1, -1], [1, 1]])
    np.testing.assert_allclose(datasets.standardize([[5.0, 50.0]], mean, std)[0], [[3, 3]])


def test_load_csv_reads_a_header_a_target_and_a_byte_order_mark(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("\ufeffa,b,label\n1,2,0\n3,4,1\n", encoding="utf-8")
    x, y, names = datasets.load_csv(path, target="label")
    assert x.tolist() == [[1, 2], [3, 4]] and y.tolist() == [0, 1] and names == ["a", "b"]
    x, y, names = datasets.load_csv(path, target=["b", "label"])
    assert x.tolist() == [[1], [3]] and y.shape == (2, 2) and names == ["a"]


def test_load_csv_says_where_a_value_is_not_a_number_and_lists_the_columns(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("a,b\n1,\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 2, column 'b': '' is not a number"):
        datasets.load_csv(path)
    with pytest.raises(ValueError, match=r"no column named 'c'; the columns are \['a', 'b'\]"):
        datasets.load_csv(path, target="c")
    semi = tmp_path / "s.csv"
    semi.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(ValueError, match="delimiter=';'"):
        datasets.load_csv(semi)
