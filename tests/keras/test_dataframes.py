"""fit, evaluate and predict on pandas DataFrames and Series (bool columns from pd.get_dummies included)."""

import numpy as np
import pytest

import tinygrad_seminar as ts

pd = pytest.importorskip("pandas", reason="DataFrame support is tested with pandas, the 'data' extra "
                                          '(pip install "tinygrad_seminar[data]"), which CI installs')


def frame(n: int = 200, seed: int = 0):
    """A table as students have one: a number, a text column, and a yes/no label that depends on both."""
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"age": rng.uniform(-1, 1, n), "smoker": rng.choice(["yes", "no"], n)})
    y = pd.Series((df["smoker"] == "yes") | (df["age"] > 0.5), name="sick")  # a bool Series
    return df, y


def classifier(inputs: int) -> ts.Sequential:
    ts.manual_seed(0)
    model = ts.Sequential([ts.Input(shape=(inputs,)), ts.nn.Dense(8, activation="tanh"),
                           ts.nn.Dense(1, activation="sigmoid")])
    model.compile(optimizer=ts.optim.Adam(lr=0.05), loss="binary_crossentropy", metrics=["accuracy"])
    return model


def test_fit_trains_on_a_dataframe_made_with_get_dummies():
    df, y = frame()
    x = pd.get_dummies(df, columns=["smoker"])  # bool columns smoker_no, smoker_yes
    assert [str(t) for t in x.dtypes] == ["float64", "bool", "bool"]
    model = classifier(3)
    history = model.fit(x, y, epochs=40, batch_size=16, verbose=0, validation_data=(x.iloc[:50], y.iloc[:50]))
    assert history.history["loss"][-1] < history.history["loss"][0] / 2
    loss, accuracy = model.evaluate(x, y, verbose=0)
    assert accuracy > 0.9
    assert model.predict(x).shape == (200, 1)


def test_fit_on_a_frame_is_fit_on_its_numbers():
    df, y = frame(60)
    x = pd.get_dummies(df, columns=["smoker"])
    a, b = classifier(3), classifier(3)
    a.fit(x, y, epochs=3, verbose=0, shuffle=False)
    b.fit(x.to_numpy(dtype=np.float32), y.to_numpy(dtype=np.float32), epochs=3, verbose=0, shuffle=False)
    np.testing.assert_array_equal(a.predict(x), b.predict(x.to_numpy(dtype=np.float32)))


def test_a_frame_with_a_text_column_is_refused_with_the_fix():
    df, y = frame(10)
    with pytest.raises(TypeError, match=r"^x is a DataFrame with columns that are not numbers: 'smoker' \(.*\)\. "
                                        r"Encode them first: x = pd\.get_dummies\(x, columns=\['smoker'\]\)"):
        classifier(2).fit(df, y, verbose=0)
    with pytest.raises(TypeError, match=r"^y holds text \(dtype .*\), not numbers: encode it first"):
        classifier(2).evaluate(df[["age", "age"]], df["smoker"], verbose=0)


def test_missing_values_in_a_nullable_column_are_the_usual_nan_error():
    x = pd.DataFrame({"a": pd.array([1, None], dtype="Int64"), "b": [0.5, 1.0]})
    with pytest.raises(ValueError, match=r"^x holds 1 NaN and 0 infinite values \(of 4\); clean or impute them first"):
        classifier(2).predict(x)
