"""ts.viz.plot_model: a model's layers in order, one box each, with their shapes (Keras' plot_model)."""

from __future__ import annotations

import html
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

import tinygrad_seminar as ts
from tinygrad_seminar import nn

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
NODE = re.compile(r"^\t(\w+) \[label=<(.*)>\]$", re.MULTILINE)
ROW = re.compile(r'<tr><td align="left">(.*?)</td><td align="left">(.*?)</td></tr>')
EDGE = re.compile(r"^\t(\w+) -> (\w+)$", re.MULTILINE)


def boxes(graph) -> list[tuple[str, str, dict]]:
    """Each box of the DOT source in order: (node id, title, {caption: value})."""
    found = []
    for node, label in NODE.findall(graph.source):
        title = html.unescape(re.search(r"<b>(.*?)</b>", label).group(1))
        rows = {html.unescape(a): html.unescape(b) for a, b in ROW.findall(label)}
        found.append((node, title, rows))
    return found


def titles(graph) -> list[str]:
    return [title for _, title, _ in boxes(graph)]


def rows(graph) -> list[dict]:
    return [r for _, _, r in boxes(graph)]


def three_layers() -> ts.Sequential:
    return ts.Sequential([ts.Input(shape=(2,)), nn.Dense(16, activation="relu", name="dense_in"),
                          nn.Dense(8, activation="relu", name="dense_mid"),
                          nn.Dense(1, activation="sigmoid", name="dense_out")], name="three")


# ---- the proof: a 3-layer model's layers in order, with their shapes ----
def test_a_three_layer_model_lists_its_layers_in_order_with_their_shapes():
    graph = ts.viz.plot_model(three_layers())
    assert titles(graph) == ["input (InputLayer)", "dense_in (Dense)", "dense_mid (Dense)", "dense_out (Dense)"]
    shapes = [(r.get("input"), r["output"]) for r in rows(graph)]
    assert shapes == [(None, "(None, 2)"), ("(None, 2)", "(None, 16)"), ("(None, 16)", "(None, 8)"),
                      ("(None, 8)", "(None, 1)")]


def test_the_edges_chain_the_input_through_the_layers_in_order():
    graph = ts.viz.plot_model(three_layers())
    assert [node for node, _, _ in boxes(graph)] == ["input", "layer0", "layer1", "layer2"]
    assert EDGE.findall(graph.source) == [("input", "layer0"), ("layer0", "layer1"), ("layer1", "layer2")]
    assert (graph.nodes, graph.edges) == (4, 3)
    assert repr(graph).startswith("<Graph 'three': 4 nodes, 3 edges")


def test_each_dense_box_says_its_activation():
    graph = ts.viz.plot_model(three_layers())
    assert [r.get("activation") for r in rows(graph)] == [None, "relu", "relu", "sigmoid"]


# ---- the options ----
def test_show_shapes_false_removes_the_shapes_and_keeps_the_rest():
    graph = ts.viz.plot_model(three_layers(), show_shapes=False)
    assert "(None," not in graph.source
    assert rows(graph) == [{}, {"activation": "relu"}, {"activation": "relu"}, {"activation": "sigmoid"}]
    assert titles(graph)[1] == "dense_in (Dense)"


def test_show_dtype_adds_each_layers_dtype():
    assert "dtype" not in ts.viz.plot_model(three_layers()).source  # off by default
    graph = ts.viz.plot_model(three_layers(), show_dtype=True)
    assert [r.get("dtype") for r in rows(graph)] == [None, "float32", "float32", "float32"]


def test_show_dtype_says_float64_for_a_float64_model():
    model = ts.Sequential([nn.Dense(3, input_dim=2, dtype="float64", name="wide"), nn.Dropout(0.5, name="drop")])
    graph = ts.viz.plot_model(model, show_dtype=True)
    assert [r.get("dtype") for r in rows(graph)] == [None, "float64", "float64"]  # Dropout: the model's dtype


def test_show_layer_names_false_shows_only_the_class_names():
    graph = ts.viz.plot_model(three_layers(), show_layer_names=False)
    assert titles(graph) == ["InputLayer", "Dense", "Dense", "Dense"]
    assert "dense_in" not in graph.source
    assert rows(graph)[1]["output"] == "(None, 16)"


@pytest.mark.parametrize("rankdir", ["TB", "LR", "BT", "RL"])
def test_rankdir_is_passed_to_graphviz(rankdir):
    graph = ts.viz.plot_model(three_layers(), rankdir=rankdir)
    assert f"rankdir={rankdir}" in graph.source


def test_the_default_direction_is_top_to_bottom():
    assert "rankdir=TB" in ts.viz.plot_model(three_layers()).source


# ---- other layers and models ----
def test_dropout_and_activation_layers_get_a_box_each_with_unchanged_shapes():
    model = ts.Sequential([ts.Input(shape=(2,)), nn.Dense(4, name="hidden"), nn.Dropout(0.25, name="drop"),
                           nn.Activation("relu", name="act"), nn.Dense(1, name="out")])
    graph = ts.viz.plot_model(model)
    assert titles(graph) == ["input (InputLayer)", "hidden (Dense)", "drop (Dropout)", "act (Activation)",
                             "out (Dense)"]
    assert [(r.get("input"), r["output"]) for r in rows(graph)[2:4]] == [("(None, 4)", "(None, 4)")] * 2
    assert EDGE.findall(graph.source)[-1] == ("layer2", "layer3")


def test_an_unbuilt_model_shows_question_marks_until_it_is_built():
    model = ts.Sequential([nn.Dense(3, name="first"), nn.Dense(1, name="second")])
    graph = ts.viz.plot_model(model)
    assert titles(graph) == ["input (InputLayer)", "first (Dense)", "second (Dense)"]
    assert rows(graph) == [{"output": "?"}, {"input": "?", "output": "?"}, {"input": "?", "output": "?"}]
    model(np.zeros((4, 5), dtype=np.float32))  # the first batch builds it
    assert [r["output"] for r in rows(ts.viz.plot_model(model))] == ["(None, 5)", "(None, 3)", "(None, 1)"]


def test_a_model_with_only_its_input_shows_the_input_shape():
    graph = ts.viz.plot_model(ts.Sequential([ts.Input(shape=(3,))]))
    assert rows(graph) == [{"output": "(None, 3)"}]
    assert (graph.nodes, graph.edges) == (1, 0)


def test_a_users_layer_without_a_name_or_compute_output_shape_is_drawn_by_running_it():
    class Pairs(nn.Module):
        def forward(self, x):
            return ts.concatenate([x, x], axis=-1)

    model = ts.Sequential([nn.Dense(3, input_dim=2, name="first"), Pairs()])
    (_, title, shapes), = boxes(ts.viz.plot_model(model))[2:]
    assert title == "layer_1 (Pairs)"
    assert shapes == {"input": "(None, 3)", "output": "(None, 6)"}


def test_layer_names_are_escaped_in_the_dot_source():
    model = ts.Sequential([nn.Dense(1, input_dim=2, name="a<b>&c")])
    graph = ts.viz.plot_model(model)
    assert "a&lt;b&gt;&amp;c" in graph.source
    assert titles(graph)[1] == "a<b>&c (Dense)"


def test_model_plot_is_plot_model():
    model = three_layers()
    assert model.plot().source == ts.viz.plot_model(model).source
    assert model.plot(rankdir="LR", show_dtype=True).source == ts.viz.plot_model(
        model, rankdir="LR", show_dtype=True).source


# ---- writing the picture ----
@needs_dot
def test_to_file_png_writes_a_png(tmp_path):
    path = tmp_path / "model.png"
    graph = ts.viz.plot_model(three_layers(), to_file=path)
    assert path.read_bytes().startswith(PNG_MAGIC)
    assert graph.nodes == 4


@needs_dot
def test_to_file_svg_writes_svg_that_names_every_layer(tmp_path):
    path = tmp_path / "model.svg"
    ts.viz.plot_model(three_layers(), to_file=str(path))
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    texts = [t.text for t in root.iter() if t.tag.endswith("text")]
    for title in ["input (InputLayer)", "dense_in (Dense)", "dense_mid (Dense)", "dense_out (Dense)"]:
        assert title in texts
    assert "(None, 16)" in texts


def test_to_file_dot_writes_the_source(tmp_path):
    path = tmp_path / "model.dot"
    graph = ts.viz.plot_model(three_layers(), to_file=path)
    assert path.read_text(encoding="utf-8") == graph.source


# ---- wrong arguments: the error names the argument ----
@pytest.mark.parametrize("kwargs, error, match", [
    ({"show_shapes": "yes"}, TypeError, "show_shapes must be True or False, got 'yes'"),
    ({"show_dtype": 1}, TypeError, "show_dtype must be True or False, got 1"),
    ({"show_layer_names": None}, TypeError, "show_layer_names must be True or False, got None"),
    ({"rankdir": "sideways"}, ValueError, "rankdir must be one of LR, TB, RL, BT, got 'sideways'"),
    ({"rankdir": "tb"}, ValueError, "rankdir must be one of"),
    ({"to_file": 3}, TypeError, "to_file must be a file name such as 'model.png', got int"),
    ({"to_file": "model.jpg"}, ValueError, r"to_file must end with one of \.svg, \.png"),
])
def test_a_wrong_argument_is_named(kwargs, error, match):
    with pytest.raises(error, match="plot_model: " + match):
        ts.viz.plot_model(three_layers(), **kwargs)


def test_a_to_file_of_an_unknown_format_writes_nothing(tmp_path):
    path = tmp_path / "model.jpeg"
    with pytest.raises(ValueError, match="plot_model: to_file must end with"):
        ts.viz.plot_model(three_layers(), to_file=path)
    assert not Path(path).exists()


@pytest.mark.parametrize("model", [nn.Dense(2, name="lonely"), "model", None], ids=["a layer", "a str", "None"])
def test_something_that_is_not_a_model_is_refused(model):
    with pytest.raises(TypeError, match="plot_model: model must be a Sequential or a Model with layers"):
        ts.viz.plot_model(model)
