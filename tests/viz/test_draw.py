"""draw_graph: the operator graph, its exact node and edge counts, names, boxes by layer, composites as one node.

The counting rule (viz/structure.py): one node per tensor shown and one per op node; one edge from each
distinct tensor an op node reads, and one edge from the op node to each tensor it produces that is shown.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import tinygrad_seminar as ts
from tinygrad_seminar.viz import GraphTooLargeError, GraphvizNotFoundError, draw_graph

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")


def node_labels(source: str, raw: bool = False) -> dict[str, str]:
    """Node id -> label text (HTML tags removed unless raw) of the drawn nodes, the legend left out."""
    labels = {}
    for name, label in re.findall(r"^\s*(\w+) \[label=<(.*)> (?:color|fillcolor|shape)=", source, flags=re.M):
        if not name.startswith("legend"):
            labels[name] = label if raw else re.sub(r"<[^>]+>", " ", label)
    return labels


def op_titles(source: str) -> list[str]:
    """The names in bold of the op nodes, in the order they are written."""
    return [re.search(r"<b>(.*?)</b>", text).group(1) for name, text in node_labels(source, raw=True).items()
            if name.startswith("op")]


def edges(source: str) -> list[tuple[str, str]]:
    return [(a, b) for a, b in re.findall(r"^\s*(\w+) -> (\w+)", source, flags=re.M) if not a.startswith("legend")]


def clusters(source: str) -> list[str]:
    """The labels of the boxes drawn (the legend's box left out)."""
    return re.findall(r'subgraph cluster_\d+ \{\s*graph \[[^\]]*label="([^"]*)"', source)


def issue_expression():
    """((x @ W.T + b).tanh().sum() - y) ** 2 with W, b, x named; y a named tensor that needs no grad."""
    rng = np.random.default_rng(0)
    W = ts.Tensor(rng.standard_normal((3, 2)), requires_grad=True, name="W")
    b = ts.Tensor(rng.standard_normal(3), requires_grad=True, name="b")
    x = ts.Tensor(rng.standard_normal((4, 2)), name="x")
    y = ts.Tensor(np.array(0.5), name="y")
    return ((x @ W.T + b).tanh().sum() - y) ** 2, (W, b, x, y)


def test_the_issue_expression_has_exact_counts_names_and_shapes(tmp_path):
    loss, (W, b, x, y) = issue_expression()
    graph = draw_graph(loss)
    # ops: transpose, @, +, tanh, sum, -, ** (7); tensors: W, W.T, x, x@W.T, b, +, tanh, sum, y, -, ** (11)
    # edges: transpose 1 + 1, @ 2 + 1, + 2 + 1, tanh 1 + 1, sum 1 + 1, - 2 + 1, ** 1 + 1 (its 2 is a constant)
    assert (graph.nodes, graph.edges) == (18, 17)
    labels = node_labels(graph.source)
    assert len(labels) == 18 and len(edges(graph.source)) == graph.edges == 17
    for t in (W, b, x, y, loss):
        assert any(t.name is None or t.name in text for text in labels.values())
    tensors = [text for name, text in labels.items() if name.startswith("t")]
    assert len(tensors) == 11
    assert all(re.search(r"\(\d*(, \d+)*,?\) float64", text) for text in tensors)  # every tensor says shape, dtype
    assert any("W" in t and "(3, 2)" in t for t in tensors) and any("x" in t and "(4, 2)" in t for t in tensors)
    assert sorted(op_titles(graph.source)) == sorted(["transpose", "@", "+", "tanh", "sum", "-", "**"])
    assert "const 2" in graph.source  # the exponent, a constant, is written in its op's node
    graph.save(tmp_path / "expression.svg")
    graph.save(tmp_path / "expression.png")
    assert (tmp_path / "expression.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" or shutil.which("dot") is None


@needs_dot
def test_dot_parses_the_source(tmp_path):
    loss, _ = issue_expression()
    source = draw_graph(loss, show_values=True).source
    out = subprocess.run(["dot", "-Tsvg"], input=source.encode(), capture_output=True, timeout=60)
    assert out.returncode == 0, out.stderr.decode()
    ET.fromstring(out.stdout)  # well-formed SVG


def mlp_and_loss(seed: int = 0):
    ts.manual_seed(seed)
    model = ts.Sequential([ts.nn.Dense(16, activation="tanh", input_dim=2, name="hidden"),
                           ts.nn.Dense(1, activation="sigmoid", name="out")])
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((8, 2)).astype(np.float32)
    y = (x[:, :1] > 0).astype(np.float32)
    return model, ts.losses.binary_crossentropy(y, model(ts.Tensor(x, name="x")))


def test_a_2_16_1_network_draws_one_box_per_layer_and_the_loss_as_one_node(tmp_path):
    model, loss = mlp_and_loss()
    graph = draw_graph(loss)
    assert clusters(graph.source) == ["hidden (Dense)", "out (Dense)"] or sorted(clusters(graph.source)) == [
        "hidden (Dense)", "out (Dense)"]
    assert sorted(op_titles(graph.source)) == ["affine", "affine", "binary_crossentropy", "sigmoid", "tanh"]
    for p in model.parameters():
        assert p.name in graph.source  # hidden.weight, hidden.bias, out.weight, out.bias
    graph.save(tmp_path / "mlp.png")


def test_parameters_and_layer_outputs_sit_in_their_layer_box():
    _, loss = mlp_and_loss()
    source = draw_graph(loss).source
    boxes = re.findall(r'subgraph cluster_\d+ \{\s*graph \[[^\]]*label="([^"]*)"[^\]]*\]\s*(.*?)\n\t\}', source, re.S)
    for label, body in boxes:
        layer = label.split()[0]
        assert f"{layer}.weight" in body and f"{layer}.bias" in body
    assert "x</b>" not in "".join(body for _, body in boxes)  # the input is outside every box


def test_mean_is_one_node_labelled_mean(tmp_path):
    x = ts.Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, name="x")
    graph = draw_graph(x.mean())
    assert op_titles(graph.source) == ["mean"]
    assert (graph.nodes, graph.edges) == (3, 2)  # x -> mean -> result; the Sum and the Mul by 1/6 are hidden
    graph.save(tmp_path / "mean.svg")


def test_softmax_log_softmax_and_losses_are_one_node_each():
    z = ts.Tensor(np.ones((2, 3)), requires_grad=True, name="z")
    y = np.eye(3)[[0, 2]]
    for expr, label in ((z.softmax(), "softmax"), (z.log_softmax(), "log_softmax"),
                        (ts.losses.categorical_crossentropy(y, z, from_logits=True), "categorical_crossentropy"),
                        (ts.losses.mse(y, z), "mse"), (z.var(), "var"), (z.min(), "min")):
        assert op_titles(draw_graph(expr).source) == [label]


def test_a_users_function_and_a_users_composite_are_drawn_by_their_names():
    class Cube(ts.Function):
        @staticmethod
        def forward(ctx, a):
            ctx.save_for_backward(a)
            return a ** 3

        @staticmethod
        def backward(ctx, g):
            (a,) = ctx.saved_tensors
            return 3 * a * a * g

    @ts.autograd.composite("half_square")
    def half_square(t):
        return 0.5 * t * t

    x = ts.Tensor(np.ones(3), requires_grad=True, name="x")
    assert sorted(op_titles(draw_graph(half_square(Cube.apply(x))).source)) == ["Cube", "half_square"]


def test_nested_modules_draw_nested_boxes_and_a_container_without_ops_draws_none():
    class Block(ts.nn.Module):
        def __init__(self):
            self.inner = ts.nn.Dense(3, activation="relu", input_dim=2, name="inner")
            self.name = "block"

        def forward(self, x):
            return self.inner(x) * 2.0  # Block's own op: a box of its own around inner's

    model = ts.Sequential([Block(), ts.nn.Dense(1, input_dim=3, name="head")])
    source = draw_graph(model(np.ones((4, 2), np.float32)).sum()).source
    assert sorted(clusters(source)) == ["block (Block)", "head (Dense)", "inner (Dense)"]
    block = source.index('label="block (Block)"')
    inner = source.index('label="inner (Dense)"')
    end_of_block = source.index("\n\t}", block)
    assert block < inner < end_of_block  # inner's box is written inside block's


def test_cluster_modules_false_draws_no_boxes():
    _, loss = mlp_and_loss()
    assert clusters(draw_graph(loss, cluster_modules=False).source) == []


def test_values_and_gradients_are_shown_when_asked():
    x = ts.Tensor(np.array([1.0, 2.0]), requires_grad=True, name="x")
    big = ts.Tensor(np.arange(10.0), requires_grad=True, name="big")
    loss = (x * x).sum() + big.sum()
    loss.backward()
    plain = node_labels(draw_graph(loss, show_grads=False).source)
    assert not any("value" in t or "grad" in t for t in plain.values())
    shown = node_labels(draw_graph(loss, show_values=True).source)
    text = " ".join(shown.values())
    assert "value [1, 2]" in text and "grad [2, 4]" in text  # at most max_elements: the numbers
    assert "value min 0 · mean 4.5 · max 9" in text  # more: min / mean / max
    assert "grad min 1 · mean 1 · max 1" in text


def test_a_roots_own_leaf_and_several_roots_can_be_drawn():
    a = ts.Tensor(np.ones(2), requires_grad=True, name="a")
    graph = draw_graph(a * 2.0, a + 1.0)
    assert graph.nodes == 5 and graph.edges == 4
    assert draw_graph(a).nodes == 1


def test_a_100000_op_chain_is_refused_quickly_naming_max_nodes():
    t = ts.Tensor(np.ones(1), requires_grad=True)
    y = t
    for _ in range(100_000):
        y = y + 1.0
    start = time.perf_counter()
    with pytest.raises(GraphTooLargeError, match="max_nodes=500"):
        draw_graph(y)
    assert time.perf_counter() - start < 5
    small = ts.Tensor(np.ones(1), requires_grad=True)
    z = small
    for _ in range(300):
        z = z * 1.0
    with pytest.raises(ValueError, match="max_nodes=500"):  # 601 nodes: just over the limit
        draw_graph(z)
    assert draw_graph(z, max_nodes=700).nodes == 601


def test_bad_arguments_are_refused_before_any_work():
    x = ts.Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(TypeError, match="at least one tensor"):
        draw_graph()
    with pytest.raises(TypeError, match="root 1 must be a Tensor, got ndarray"):
        draw_graph(x, np.ones(2))
    with pytest.raises(TypeError, match="show_values must be True or False"):
        draw_graph(x, show_values="yes")
    with pytest.raises(ValueError, match="max_elements must be a positive int"):
        draw_graph(x, max_elements=0)
    with pytest.raises(ValueError, match="rankdir must be one of LR, TB, RL, BT, got 'up'"):
        draw_graph(x, rankdir="up")


def test_save_chooses_the_format_from_the_extension(tmp_path):
    graph = draw_graph(issue_expression()[0])
    assert (tmp_path / "g.dot").exists() is False
    graph.save(tmp_path / "g.dot")
    assert (tmp_path / "g.dot").read_text() == graph.source
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.pdf, \.dot"):
        graph.save(tmp_path / "g.jpeg")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        graph.save(tmp_path / "missing" / "g.svg")


def test_without_dot_rendering_says_how_to_install_it_and_source_still_works(tmp_path, monkeypatch):
    graph = draw_graph(issue_expression()[0])
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot program on this PATH
    assert "digraph" in graph.source
    graph.save(tmp_path / "g.dot")
    with pytest.raises(GraphvizNotFoundError, match="apt-get install graphviz.*brew install graphviz.*conda install "
                                                    "graphviz.*source still"):
        graph.save(tmp_path / "g.svg")
    assert not (tmp_path / "g.svg").exists()


@needs_dot
def test_jupyter_displays_svg_and_tensor_draw_is_draw_graph():
    loss, _ = issue_expression()
    bundle = loss.draw(show_values=True)._repr_mimebundle_()
    ET.fromstring(bundle["image/svg+xml"])
    assert loss.draw(rankdir="TB").source == draw_graph(loss, rankdir="TB").source


def test_drawing_changes_nothing_and_backward_still_works():
    model, loss = mlp_and_loss()
    before = {n: p.data.copy() for n, p in model.named_parameters()}
    draw_graph(loss, show_values=True)
    loss.backward()
    assert all(np.array_equal(before[n], p.data) and p.grad is not None for n, p in model.named_parameters())
    draw_graph(loss, show_values=True)  # after a plain backward: names, shapes, dtypes and values still drawn


def test_unnamed_boxes_and_parameters_are_called_by_their_path_in_the_model():
    class Block(ts.nn.Module):
        def __init__(self):
            self.inner = ts.nn.Dense(3, input_dim=2, name="inner")
            self.scale = ts.nn.Parameter(np.ones(3, np.float32))  # a parameter of the user's own, unnamed

        def forward(self, x):
            return self.inner(x) * self.scale

    class Net(ts.nn.Module):
        def __init__(self):
            self.block = Block()

        def forward(self, x):
            return self.block(x).relu()

    source = draw_graph(Net()(np.ones((4, 2), np.float32)).sum()).source
    assert sorted(clusters(source)) == ["block (Block)", "inner (Dense)"]  # Net's box is named by its class
    assert "<b>block.scale</b>" in source and "<b>inner.weight</b>" in source  # a layer's own name wins


def test_graph_save_refuses_what_is_not_a_path():
    with pytest.raises(TypeError, match="Graph.save: path must be a file name such as 'graph.svg', got int"):
        draw_graph(issue_expression()[0]).save(3)
