"""pandas DataFrames and Series as arrays: bool and category columns as numbers, text refused with the fix."""

import subprocess
import sys

import numpy as np
import pytest

from tinygrad_seminar.datasets import frames, one_hot, standardize, train_test_split


def test_importing_the_package_does_not_import_pandas():
    code = "import sys, tinygrad_seminar; assert 'pandas' not in sys.modules, 'pandas was imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_what_is_not_pandas_is_handed_back_untouched():
    value = [[1, 2]]
    assert frames.to_array(value, "x") is value and not frames.is_pandas(np.zeros(2))


@pytest.fixture
def pd():
    return pytest.importorskip("pandas", reason="DataFrame support is tested with pandas, the 'data' extra "
                                                '(pip install "tinygrad_seminar[data]")')


def test_get_dummies_bool_columns_become_0_and_1(pd):
    df = pd.get_dummies(pd.DataFrame({"age": [19, 18], "sex": ["female", "male"]}), columns=["sex"])
    assert [str(t) for t in df.dtypes] == ["int64", "bool", "bool"]
    np.testing.assert_array_equal(frames.to_array(df, "x"), [[19, 1, 0], [18, 0, 1]])


def test_category_columns_become_their_codes_and_nullable_columns_nan(pd):
    df = pd.DataFrame({"size": pd.Categorical(["M", "S", None], categories=["S", "M", "L"]),
                       "n": pd.array([1, None, 3], dtype="Int64"), "ok": pd.array([True, False, None], dtype="boolean"),
                       "obj": pd.Series([1.5, 2, None], dtype=object)})
    np.testing.assert_array_equal(frames.to_array(df, "x"), [[1, 1, 1, 1.5], [0, np.nan, 0, 2], [np.nan, 3, np.nan,
                                                                                                  np.nan]])
    np.testing.assert_array_equal(frames.to_array(df["size"], "y"), [1, 0, np.nan])


def test_an_empty_frame_keeps_its_rows(pd):
    assert frames.to_array(pd.DataFrame(index=range(3)), "x").shape == (3, 0)


@pytest.mark.parametrize("dtype", [object, "string"])
def test_text_columns_are_refused_naming_them_and_get_dummies(pd, dtype):
    df = pd.DataFrame({"age": [19, 18], "sex": ["female", "male"], "region": ["sw", "se"]}).astype(
        {"sex": dtype, "region": dtype})
    with pytest.raises(TypeError, match=r"^x is a DataFrame with columns that are not numbers: 'sex' \(.*\), "
                                        r"'region' \(.*\)\. Encode them first: "
                                        r"x = pd\.get_dummies\(x, columns=\['sex', 'region'\]\) "
                                        r".*load_csv\(path, categorical='onehot'\)$"):
        frames.to_array(df, "x")


def test_a_series_of_text_or_dates_is_refused_with_the_fix(pd):
    with pytest.raises(TypeError, match=r"^y holds text \(dtype .*, e\.g\. 'yes'\), not numbers: encode it "
                                        r"first, e\.g\. y\.astype\('category'\)\.cat\.codes"):
        frames.to_array(pd.Series(["yes", "no"]), "y")
    with pytest.raises(TypeError, match=r"^x holds dates or durations \(dtype datetime64.*\.dt\.year"):
        frames.to_array(pd.Series(pd.to_datetime(["2024-01-01"])), "x")


def test_the_datasets_functions_take_frames_and_series(pd):
    df = pd.DataFrame({"a": [1.0, 3.0, 5.0, 7.0], "b": [True, False, True, False]})
    y = pd.Series(["cat", "dog", "cat", "dog"])
    np.testing.assert_array_equal(one_hot(y), [[1, 0], [0, 1], [1, 0], [0, 1]])
    np.testing.assert_array_equal(one_hot(y.astype("category")), one_hot(y))
    z, mean, std = standardize(df)
    np.testing.assert_allclose(mean, [4, 0.5])
    np.testing.assert_allclose(z.std(axis=0), [1, 1], rtol=1e-6)
    codes = pd.Series([0, 1, 0, 1])
    xa, xb, ya, yb = train_test_split(df, codes, test_size=2, stratify=y, random_state=0)
    assert isinstance(xa, np.ndarray) and xa.shape == (2, 2) and sorted(yb.tolist()) == [0, 1]
    with pytest.raises(TypeError, match=r"^y holds text"):
        train_test_split(df, y)
