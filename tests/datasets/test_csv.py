"""load_csv."""

import pytest

from tinygrad_seminar import datasets


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
