"""load_csv's bad cases: each is an error (or warning) that names what was given and what would work."""

import re

import numpy as np
import pytest

from tinygrad_seminar.datasets import load_csv


def write(folder, text: str, name: str = "d.csv", encoding: str = "utf-8"):
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


COLUMNS = re.escape("the columns are ['a', 'b', 'y']")


@pytest.fixture
def abc(tmp_path):
    return write(tmp_path, "a,b,y\n1,2,0\n3,4,1\n")


# ---- choosing columns ----
@pytest.mark.parametrize("target", [10, 3, -4])
def test_an_index_out_of_range_names_the_columns(abc, target):
    with pytest.raises(ValueError, match=rf"target={target} is out of range for 3 columns \(0\.\.2, or -1\.\.-3 "
                                         rf"from the end\); {COLUMNS}"):
        load_csv(abc, target=target)


@pytest.mark.parametrize("target", [1.5, 1.0, True, np.float64(2)])
def test_an_index_that_is_not_an_integer_names_the_columns(abc, target):
    with pytest.raises(TypeError, match=rf"target={re.escape(repr(target))} is not a column: .*; {COLUMNS}"):
        load_csv(abc, target=target)


def test_integer_indices_still_work(abc):
    x, y, names = load_csv(abc, target=0)
    assert names == ["b", "y"] and y.tolist() == [1, 3]
    assert load_csv(abc, target=-2)[2] == ["a", "y"]


def test_an_unknown_name_suggests_the_close_one(abc):
    with pytest.raises(ValueError, match=rf"target: no column named 'Y' \(did you mean 'y'\?\); {COLUMNS}"):
        load_csv(abc, target="Y")
    with pytest.raises(ValueError, match=rf"drop: no column named 'c'; {COLUMNS}"):
        load_csv(abc, drop=["c"])


@pytest.mark.parametrize("kwargs, message", [
    ({"target": []}, "target=[] names no column"),
    ({"target": ["y", "y"]}, "target names 'y' twice"),
    ({"target": "y", "drop": ["y"]}, "'y' is the target, so it cannot be in drop too"),
    ({"target": "y", "columns": ["a", "y"]}, "'y' is the target, so it cannot be in columns too"),
    ({"columns": ["a"], "drop": ["a"]}, "'a' is both in columns and in drop"),
    ({"drop": ["a", "b"]}, "no feature column is left"),
    ({"target": {"y"}}, "target must be a column name, an integer index, a list of names or None, got {'y'}"),
    ({"drop": 1.5}, "drop must be a column name, an integer index or a list of them, got 1.5"),
])
def test_contradictory_choices_are_errors(abc, kwargs, message):
    with pytest.raises((ValueError, TypeError), match=re.escape(message)):
        load_csv(abc, **kwargs)


def test_columns_choose_and_order_the_features_and_target_none_gives_no_label(abc):
    x, y, names = load_csv(abc, columns=["b", "a"])
    assert names == ["b", "a"] and x.tolist() == [[2, 1], [4, 3]]
    x, y, names = load_csv(abc, target=None, drop="y")
    assert y is None and names == ["a", "b"]


def test_a_list_target_of_text_is_refused(tmp_path):
    path = write(tmp_path, "a,y1,y2\n1,no,yes\n2,yes,no\n")
    with pytest.raises(ValueError, match=r"a list target is one column per class, of numbers \(0/1\), but 'y1' holds "
                                         r"text; name a single text column as target"):
        load_csv(path, target=["y1", "y2"])


# ---- cells ----
@pytest.mark.parametrize("cell", ["inf", "-Infinity", "1e999"])
def test_infinite_cells_are_refused_naming_line_and_column(tmp_path, cell):
    path = write(tmp_path, f"a,y\n1,0\n{cell},1\n")
    with pytest.raises(ValueError, match=rf"column 'a' holds numbers that are not finite: {re.escape(repr(cell))} "
                                         r"\(1 cell\), first on line 3\. Correct them, or add them to na_values"):
        load_csv(path)


def test_nan_is_refused_when_it_is_not_declared_missing(tmp_path):
    path = write(tmp_path, "a,y\nnan,0\n2,1\n")
    with pytest.raises(ValueError, match=r"column 'a': 'nan' \(1 cell\), first on line 2"):
        load_csv(path)  # declared missing by default: the missing-cell error
    with pytest.raises(ValueError, match=r"column 'a' holds numbers that are not finite: 'nan'"):
        load_csv(path, na_values=["", "?"])


def test_a_stray_marker_in_a_numeric_column_suggests_na_values(tmp_path):
    path = write(tmp_path, "a,y\n" + "".join(f"{i},{i % 2}\n" for i in range(20)) + "-,1\n")
    with pytest.raises(ValueError, match=r"column 'a' holds numbers, but also cells that are none: '-' \(1 cell\), "
                                         r"first on line 22\. If they mark missing values, list them: "
                                         r"na_values=\(.*'-'.*\)"):
        load_csv(path, categorical="onehot")
    assert load_csv(path, na_values=["-"], missing="drop")[0].shape == (20, 1)


def test_missing_drop_that_leaves_nothing_and_an_empty_column(tmp_path):
    path = write(tmp_path, "a,b,y\n1,,0\n2,,1\n")
    with pytest.raises(ValueError, match=r"missing='drop' leaves no row: every row has a missing cell"):
        load_csv(path, missing="drop")
    with pytest.raises(ValueError, match=r"column 'b' holds no value \(all 2 cells are missing\): drop it"):
        load_csv(path, missing="mean")


def test_numbers_too_large_for_float32_ask_for_float64(tmp_path):
    path = write(tmp_path, "a,y\n1e39,0\n1,1\n")
    with pytest.raises(ValueError, match=r"column 'a' holds numbers too large for float32 .*: pass dtype='float64'"):
        load_csv(path)
    x, _, _ = load_csv(path, dtype="float64")
    assert x.dtype == np.float64 and x[0, 0] == 1e39


# ---- the file ----
def test_a_row_of_the_wrong_length_names_its_line(tmp_path):
    with pytest.raises(ValueError, match=r"line 3: 3 values for 2 columns \(the header on line 1 names \['a', 'y'\]\)"
                                         r"; a cell holding the delimiter must be quoted"):
        load_csv(write(tmp_path, "a,y\n1,0\n1,5,1\n"))
    with pytest.raises(ValueError, match=r"line 2: 1 values for 2 columns"):
        load_csv(write(tmp_path, "a,y\n1\n", name="e.csv"))


def test_a_semicolon_file_read_with_a_comma_says_so(tmp_path):
    path = write(tmp_path, "a;y\n1;0\n")
    with pytest.raises(ValueError, match=r"the header has one column 'a;y' when split at ','; is the file "
                                         r"';'-separated\? Pass delimiter=';', or leave delimiter=None"):
        load_csv(path, delimiter=",")


def test_missing_empty_header_only_and_duplicate_names(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"there is no file '.*nope\.csv' \(relative paths start from"):
        load_csv(tmp_path / "nope.csv")
    with pytest.raises(ValueError, match=r"the file is empty; expected a header line"):
        load_csv(write(tmp_path, "\n\n"))
    with pytest.raises(ValueError, match=r"the file holds only a header line, \['a', 'y'\], and no rows"):
        load_csv(write(tmp_path, "a,y\n"))
    with pytest.raises(ValueError, match=r"the header names 'a' twice \(columns 0 and 2, counting from 0\)"):
        load_csv(write(tmp_path, "a,b,a\n1,2,3\n"))


def test_an_empty_name_inside_the_header_is_unnamed(tmp_path):
    path = write(tmp_path, ",a,y\n0,5,1\n1,6,0\n")  # df.to_csv with its index
    with pytest.warns(UserWarning, match=r"'Unnamed: 0' \(its name\) looks like an identifier"):
        assert load_csv(path)[2] == ["Unnamed: 0", "a"]


def test_a_file_that_is_not_utf8_names_the_encoding_to_pass(tmp_path):
    path = write(tmp_path, "café,y\n1,0\n", encoding="cp1252")
    with pytest.raises(ValueError, match=r"byte 0xe9 at offset 3 is not utf-8-sig text\. Pass the file's encoding, "
                                         r"e\.g\. encoding='cp1252'"):
        load_csv(path)
    assert load_csv(path, encoding="cp1252")[2] == ["café"]


@pytest.mark.parametrize("kwargs, error, message", [
    ({"missing": "zero"}, ValueError, "missing must be 'error' | 'drop' | 'mean' | 'median', got 'zero'"),
    ({"categorical": "dummies"}, ValueError, "categorical must be 'error' | 'onehot' | 'codes', got 'dummies'"),
    ({"delimiter": ",,"}, ValueError, "delimiter must be one character such as ',' or ';' or '\\t', or None"),
    ({"dtype": "int32"}, ValueError, "dtype must be a float dtype such as 'float32' or 'float64', got 'int32'"),
    ({"dtype": "float99"}, ValueError, "dtype must be a float dtype"),
    ({"na_values": 5}, TypeError, "na_values must be a string or a list of strings, got 5"),
    ({"encoding": "klingon"}, ValueError, "encoding 'klingon' is not one Python knows"),
    ({"return_classes": "yes"}, TypeError, "return_classes must be True or False, got 'yes'"),
    ({"path": None}, TypeError, "path must be a file name (a str or a pathlib.Path), got None"),
])
def test_options_are_checked_before_the_file_is_read(tmp_path, kwargs, error, message):
    with pytest.raises(error, match="^load_csv: " + re.escape(message)):
        load_csv(**{"path": tmp_path / "not-even-there.csv", **kwargs})
