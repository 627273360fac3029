"""load_csv on files made here, one for each quirk of the course's CSV files, and each bad case's message."""

import re
import subprocess
import sys
import warnings

import numpy as np
import pytest
from csv_strategies import csv_files
from hypothesis import given

from tinygrad_seminar.datasets import load_csv


def write(folder, text: str, name: str = "d.csv", encoding: str = "utf-8"):
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def quiet(*args, **kwargs):
    """load_csv, failing on any warning (each quirk of a well-used file loads without one)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return load_csv(*args, **kwargs)


# ---- the course's quirks, one file each ----
def test_quoted_numbers_are_numbers(tmp_path):
    path = write(tmp_path, 'price,"rooms","bath"\n221900,"3","1"\n538000,"3","2.25"\n')
    x, y, names = quiet(path, target="price")
    assert x.tolist() == [[3, 1], [3, 2.25]] and y.tolist() == [221900, 538000] and names == ["rooms", "bath"]
    assert x.dtype == np.float32 and y.dtype == np.float32


TEXT = "age,sex,smoker,charges\n19,female,yes,16884.9\n18,male,no,1725.5\n28,male,no,4449.5\n"


def test_text_columns_are_refused_by_default_naming_them_and_the_options(tmp_path):
    path = write(tmp_path, TEXT)
    message = r"2 columns hold text, and a model needs numbers \('sex': 'female', 'male'; 'smoker': 'no', 'yes'\)\. " \
              r"Pass categorical='onehot' .*'sex=female'.* or categorical='codes' .*drop=\['sex', 'smoker'\]"
    with pytest.raises(ValueError, match=message):
        load_csv(path)


def test_text_columns_encode_as_one_hot_columns_or_sorted_codes(tmp_path):
    path = write(tmp_path, TEXT)
    x, y, names = quiet(path, categorical="onehot")
    assert names == ["age", "sex=female", "sex=male", "smoker=no", "smoker=yes"]
    assert x.tolist() == [[19, 1, 0, 0, 1], [18, 0, 1, 1, 0], [28, 0, 1, 1, 0]]
    x, _, names = quiet(path, categorical="codes")
    assert names == ["age", "sex", "smoker"] and x[:, 1:].tolist() == [[0, 1], [1, 0], [1, 0]]


def test_a_text_target_becomes_sorted_codes_and_its_classes(tmp_path):
    path = write(tmp_path, "a,kind\n1, dog\n2,cat \n3,dog\n4,bird\n")  # spaces around a cell are no part of it
    x, y, names, classes = quiet(path, target="kind", return_classes=True)
    assert y.tolist() == [2, 1, 2, 0] and y.dtype == np.int64 and classes == ["bird", "cat", "dog"]
    assert quiet(path, target="a", categorical="codes", return_classes=True)[3] is None  # numbers: no class names


MISSING = "hp,weight,origin,mpg\n130,3504,usa,18\n?,2046,usa,25\n150,,japan,15\n?,2875,?,21\n"


def test_question_marks_and_empty_cells_are_an_error_naming_column_line_and_count(tmp_path):
    path = write(tmp_path, MISSING)
    with pytest.raises(ValueError, match=r"4 cells are missing \(empty, or one of na_values .*\): "
                                         r"column 'hp': '\?' \(2 cells\), first on line 3; "
                                         r"column 'weight': '' \(1 cell\), first on line 4; "
                                         r"column 'origin': '\?' \(1 cell\), first on line 5\. "
                                         r"Pass missing='drop' .* missing='mean' or 'median'"):
        load_csv(path, categorical="onehot")


def test_missing_cells_drop_their_rows_or_are_filled(tmp_path):
    path = write(tmp_path, MISSING)
    x, y, _ = quiet(path, categorical="codes", missing="drop")
    assert x.tolist() == [[130, 3504, 0]] and y.tolist() == [18]  # 'usa' is the one text left: code 0
    x, y, names = quiet(path, categorical="onehot", missing="mean")
    assert names == ["hp", "weight", "origin=japan", "origin=usa"] and y.tolist() == [18, 25, 15, 21]
    np.testing.assert_allclose(x[:, :2], [[130, 3504], [140, 2046], [150, (3504 + 2046 + 2875) / 3], [140, 2875]])
    assert x[3, 2:].tolist() == [0, 1]  # a text column's most frequent value
    x, _, _ = quiet(path, categorical="codes", missing="median", drop=["weight"])
    assert x[:, 0].tolist() == [130, 140, 150, 140]


def test_a_missing_target_is_not_filled(tmp_path):
    path = write(tmp_path, "a,y\n1,0\n2,?\n3,1\n")
    with pytest.raises(ValueError, match=r"the target 'y' has missing cells \('\?' \(1 cell\), first on line 3\); "
                                         r"missing='mean' fills features only: pass missing='drop'"):
        load_csv(path, missing="mean")
    assert quiet(path, missing="drop")[1].tolist() == [0, 1]


def test_an_id_column_is_warned_about_suggesting_drop(tmp_path):
    path = write(tmp_path, "id,a,y\n842302,1,0\n842517,2,1\n")
    with pytest.warns(UserWarning, match=r"column 'id' \(its name\) looks like an identifier: .* drop=\['id'\]") as w:
        load_csv(path)
    assert w[0].filename == __file__  # the warning points at the user's line
    assert quiet(path, drop=["id"])[2] == ["a", "y"][:1]
    assert quiet(path, columns=["id", "a"])[2] == ["id", "a"]  # named on purpose: no warning


@pytest.mark.parametrize("name, cells, why", [
    ("PassengerId", [str(i) for i in range(3)], "its name"),
    ("customer_id", [str(i) for i in range(3)], "its name"),
    ("Unnamed: 0", [str(i) for i in range(3)], "its name"),  # pandas' index, written by df.to_csv
    ("code", [str(7 * i + 1000) for i in range(25)], "a different whole number on each of the 25 rows, evenly spaced"),
    ("name", [f"car {i}" for i in range(25)], "a different text on each of the 25 rows"),
])
def test_identifier_like_columns_by_name_or_by_unique_values(tmp_path, name, cells, why):
    path = write(tmp_path, f"{name},y\n" + "".join(f"{c},{i % 2}\n" for i, c in enumerate(cells)))
    with pytest.warns(UserWarning, match=re.escape(f"{name!r} ({why})")):
        load_csv(path, categorical="codes")


def test_unique_numbers_in_few_rows_or_measurements_are_no_identifier(tmp_path):
    quiet(write(tmp_path, "a,y\n1,0\n2,1\n3,0\n"))
    quiet(write(tmp_path, "a,y\n" + "".join(f"{i + 0.5},{i % 2}\n" for i in range(30)), name="e.csv"))
    areas = np.random.default_rng(0).choice(np.arange(800, 4000), 30, replace=False)  # whole, all different
    quiet(write(tmp_path, "sqft,price\n" + "".join(f"{a},{i}\n" for i, a in enumerate(areas)), name="h.csv"))


def test_a_trailing_header_comma_is_no_column(tmp_path):
    path = write(tmp_path, '"id","diagnosis","radius",\n1,M,17.99\n2,B,20.57\n')  # BreastCancerWisconsin.csv
    x, y, names, classes = quiet(path, target="diagnosis", drop="id", return_classes=True)
    assert names == ["radius"] and x.tolist() == [[np.float32(17.99)], [np.float32(20.57)]]
    assert y.tolist() == [1, 0] and classes == ["B", "M"]


def test_trailing_commas_in_the_rows_are_no_column(tmp_path):
    x, y, names = quiet(write(tmp_path, "a,b\n1,2,\n3,4,\n"))
    assert x.tolist() == [[1], [3]] and y.tolist() == [2, 4] and names == ["a"]
    x, y, names = quiet(write(tmp_path, "a,b,\n1,2,\n3,4,\n", name="e.csv"))
    assert names == ["a"] and y.tolist() == [2, 4]


ONE_HOT = "x1,x2,y1,y2,y3\n0.9,0.4,0,1,0\n0.5,0.1,0,0,1\n0.4,0.9,1,0,0\n"


def test_several_label_columns_warn_when_the_target_is_left_at_its_default(tmp_path):
    path = write(tmp_path, ONE_HOT)
    with pytest.warns(UserWarning, match=r"target=-1 takes the last column, 'y3', as the label, but \['y1', 'y2', "
                                         r"'y3'\] look like label columns \(one-hot: one 1 in each row\): .* Pass "
                                         r"target=\['y1', 'y2', 'y3'\] for a one-hot target"):
        load_csv(path)
    x, y, names, classes = quiet(path, target=["y1", "y2", "y3"], return_classes=True)
    assert x.shape == (3, 2) and names == ["x1", "x2"] and classes == ["y1", "y2", "y3"]
    assert y.tolist() == [[0, 1, 0], [0, 0, 1], [1, 0, 0]] and y.dtype == np.float32


def test_label_columns_are_seen_by_name_or_by_value(tmp_path):
    by_name = write(tmp_path, "a,class_1,class_2\n1,0.2,0.8\n2,0.5,0.5\n")  # probabilities: one-hot by name only
    with pytest.warns(UserWarning, match=r"\['class_1', 'class_2'\] look like label columns: "):
        load_csv(by_name)
    by_value = write(tmp_path, "a,setosa,versicolor\n1,1,0\n2,0,1\n", name="e.csv")
    with pytest.warns(UserWarning, match=r"\['setosa', 'versicolor'\] look like label columns \(one-hot"):
        load_csv(by_value)
    quiet(write(tmp_path, "x1,x2,y\n1,0,1\n0,1,1\n0,0,0\n", name="f.csv"))  # features x1, x2 are no labels


def test_a_semicolon_file_is_detected_with_its_decimal_commas(tmp_path):
    path = write(tmp_path, "Größe;Gewicht;Klasse\n1,75;70,5;1\n1,60;55;0\n")  # Excel in a German locale
    x, y, names = quiet(path)
    np.testing.assert_allclose(x, [[1.75, 70.5], [1.60, 55]], rtol=1e-6)
    assert names == ["Größe", "Gewicht"] and y.tolist() == [1, 0]
    x, y, names = quiet(write(tmp_path, "a\tb\n1\t2\n", name="e.tsv"))
    assert x.tolist() == [[1]] and y.tolist() == [2]


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_a_byte_order_mark_is_no_part_of_the_first_name(tmp_path, encoding):
    path = write(tmp_path, "a,b,label\r\n1,2,0\r\n3,4,1\r\n", encoding=encoding)
    x, y, names = quiet(path, target="label")
    assert x.tolist() == [[1, 2], [3, 4]] and y.tolist() == [0, 1] and names == ["a", "b"]
    assert quiet(path, target="a", encoding=encoding.replace("-sig", ""))[2] == ["b", "label"]


def test_blank_lines_and_lines_of_delimiters_are_skipped_and_lines_still_counted(tmp_path):
    path = write(tmp_path, "a,b\n\n1,2\n,\n?,4\n")
    with pytest.raises(ValueError, match=r"column 'a': '\?' \(1 cell\), first on line 5"):
        load_csv(path)
    assert quiet(path, missing="drop")[0].tolist() == [[1]]


@given(csv_files())
def test_a_table_of_numbers_reads_back_however_it_is_written(tmp_path_factory, drawn):
    data, values, names = drawn
    path = tmp_path_factory.mktemp("csv") / "t.csv"
    path.write_bytes(data)
    x, y, got = quiet(path, target=names[0])
    assert got == names[1:]
    np.testing.assert_array_equal(x, values[:, 1:].astype(np.float32))
    np.testing.assert_array_equal(y, values[:, 0].astype(np.float32))


def test_numeric_files_load_without_pandas(tmp_path):
    path = write(tmp_path, '\ufeff"a";"b"\n"1,5";2;\n')
    code = ("import sys; sys.modules['pandas'] = None\n"  # import pandas now raises ImportError
            "import tinygrad_seminar as ts\n"
            f"x, y, names = ts.datasets.load_csv({str(path)!r})\n"
            "assert x.tolist() == [[1.5]] and y.tolist() == [2] and names == ['a'], (x, y, names)\n"
            "assert sys.modules['pandas'] is None")
    subprocess.run([sys.executable, "-c", code], check=True)
