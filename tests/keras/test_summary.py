"""model.summary(): Keras' table, parameter counts sum(n_l * (n_{l-1} + 1)), the not-built hint, _repr_html_."""

from __future__ import annotations

import re

import pytest

import tinygrad_seminar as ts
from tinygrad_seminar import nn


def classifier(name: str = "clf") -> ts.Sequential:
    return ts.Sequential([ts.Input(shape=(4,)), nn.Dense(8, activation="tanh", name="hidden"), nn.Dropout(0.2),
                          nn.Dense(3, activation="softmax", name="out")], name=name)


KERAS_TABLE = """\
Model: "clf"
_________________________________________________________________
 Layer (type)                Output Shape                 Param #
=================================================================
 hidden (Dense)              (None, 8)                         40
_________________________________________________________________
 dropout_NN (Dropout)        (None, 8)                          0
_________________________________________________________________
 out (Dense)                 (None, 3)                         27
=================================================================
Total params: 67 (268.00 B)
Trainable params: 67 (268.00 B)
Non-trainable params: 0 (0.00 B)
_________________________________________________________________"""


def test_summary_prints_and_returns_keras_table(capsys):
    model = classifier()
    dropout = model[1].name
    assert model.summary() is None  # Keras 3: it prints, and returns None
    table = model.summary_text()
    assert capsys.readouterr().out == table + "\n"
    expected = KERAS_TABLE.replace("dropout_NN (Dropout)".ljust(28), f"{dropout} (Dropout)".ljust(28))
    assert table == expected
    assert all(len(line) <= 65 for line in table.splitlines())


def test_summary_with_another_print_fn_and_summary_text(capsys):
    lines, model = [], classifier()
    assert model.summary(print_fn=lines.append) is None
    table = model.summary_text()
    assert lines == [table]
    assert capsys.readouterr().out == ""


def total_params(table: str) -> int:
    return int(re.search(r"^Total params: ([\d,]+) ", table, re.M).group(1).replace(",", ""))


@pytest.mark.parametrize("widths", [[2, 4, 1], [3, 16, 16, 2], [5, 1], [784, 128, 10], [1, 1, 1, 1, 1]])
def test_parameter_counts_are_sum_of_units_times_inputs_plus_one(widths):
    model = ts.Sequential([ts.Input(shape=(widths[0],))] + [nn.Dense(n, activation="relu") for n in widths[1:]])
    table = model.summary_text()
    counts = [widths[i] * (widths[i - 1] + 1) for i in range(1, len(widths))]
    assert total_params(table) == sum(counts)
    rows = [line for line in table.splitlines() if "(Dense)" in line]
    assert [int(row.split()[-1].replace(",", "")) for row in rows] == counts
    assert [re.search(r"\(None, (\d+)\)", row).group(1) for row in rows] == [str(n) for n in widths[1:]]
    assert f"\nTrainable params: {sum(counts):,} (" in table and "\nNon-trainable params: 0 (0.00 B)\n" in table


def test_thousands_are_grouped_and_bytes_scale():
    table = ts.Sequential([nn.Dense(128, input_dim=784)]).summary_text()
    assert "100,480" in table
    assert "Total params: 100,480 (392.50 KB)" in table


def test_frozen_layers_count_as_non_trainable():
    model = classifier()
    model[0].trainable = False
    table = model.summary_text()
    assert "Total params: 67 (268.00 B)" in table
    assert "Trainable params: 27 (108.00 B)" in table
    assert "Non-trainable params: 40 (160.00 B)" in table


def test_a_float64_model_counts_eight_bytes_per_parameter():
    model = ts.Sequential([nn.Dense(1, input_dim=2, dtype="float64")])
    assert "Total params: 3 (24.00 B)" in model.summary_text()


NOT_BUILT = (r"Model 'lazy' has not been built yet, so its weights and output shapes are unknown\. Build it by "
             r"giving the first layer input_dim=n \(or input_shape=\(n,\)\), by starting a Sequential with "
             r"ts\.Input\(shape=\(n,\)\), by calling it on data \(model\(x\)\), or by fit\.")


def test_a_model_not_built_yet_says_how_to_build_it(capsys):
    model = ts.Sequential([nn.Dense(4, activation="tanh"), nn.Dense(1)], name="lazy")
    model.summary()
    text = model.summary_text()
    assert re.fullmatch(NOT_BUILT, text)
    assert capsys.readouterr().out == text + "\n"
    assert re.fullmatch(r"<p>" + NOT_BUILT.replace("'", "&#x27;") + r"</p>", model._repr_html_())
    model.build(3)
    assert total_params(model.summary_text()) == 4 * 4 + 1 * 5


def test_an_empty_sequential_is_not_built_either():
    assert "has not been built yet" in ts.Sequential(name="empty").summary_text()


class TwoLayer(ts.Model):
    def __init__(self):
        self.name = "two_layer"
        self.hidden = nn.Dense(6, activation="tanh", name="h")
        self.out = nn.Dense(2, name="o")

    def forward(self, x):
        return self.out(self.hidden(x))


def test_a_subclassed_model_lists_its_layers_once_built():
    model = TwoLayer()
    assert "Model 'two_layer' has not been built yet" in model.summary_text()
    model(ts.zeros(1, 3))
    table = model.summary_text()
    assert re.search(r"^ h \(Dense\) .* 24$", table, re.M)
    assert re.search(r"^ o \(Dense\) .* 14$", table, re.M)
    assert total_params(table) == 38


def test_repr_html_is_an_html_table_of_the_same_rows():
    model = classifier()
    page = model._repr_html_()
    assert page.startswith('<b>Model: "clf"</b><table><thead><tr><th>Layer (type)</th><th>Output Shape</th>'
                           "<th>Param #</th></tr></thead><tbody>")
    cells = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td[^>]*>(.*?)</td></tr>", page)
    assert cells == [("hidden (Dense)", "(None, 8)", "40"), (f"{model[1].name} (Dropout)", "(None, 8)", "0"),
                     ("out (Dense)", "(None, 3)", "27")]
    assert "Total params: 67 (268.00 B)<br>Trainable params: 67 (268.00 B)<br>Non-trainable params: 0" in page


def test_repr_html_escapes_names_once():
    model = ts.Sequential([nn.Dense(2, input_dim=2, name="a<b>&c")], name="<script>")
    page = model._repr_html_()
    assert "<script>" not in page and "a<b>" not in page
    assert '<b>Model: "&lt;script&gt;"</b>' in page and "<td>a&lt;b&gt;&amp;c (Dense)</td>" in page
    lazy = ts.Sequential([nn.Dense(2)], name="a<b & c")._repr_html_()
    assert lazy.startswith("<p>Model &#x27;a&lt;b &amp; c&#x27; has not been built yet")


def test_summary_leaves_the_training_mode_as_it_was():
    model = classifier()
    model.summary_text()
    assert all(m.training for m in model.modules())
    model.eval()
    model._repr_html_()
    assert not any(m.training for m in model.modules())
