"""Review fixes: names kept through Dense's cast, quick collection of long graphs, errors before work."""

from __future__ import annotations

import re
import time

import numpy as np
import pytest

import tinygrad_seminar as ts
from tinygrad_seminar.viz import GraphTooLargeError, animate_backward, backward_steps, draw_graph, plot_model, trace
from tinygrad_seminar.viz.structure import collect


def test_a_named_float64_input_keeps_its_name_through_a_float32_dense():
    x = ts.Tensor(np.random.default_rng(0).standard_normal((4, 2)), name="x")  # float64, as numpy makes it
    model = ts.Sequential([ts.nn.Dense(3, input_dim=2), ts.nn.Dense(1)])
    titles = re.findall(r"<b>(.*?)</b><br/>\(4, 2\) float32", draw_graph(model(x).sum()).source)
    assert titles == ["x"]


def test_a_long_chain_is_collected_in_linear_time():
    t = ts.Tensor(np.ones(2), requires_grad=True)
    y = t
    for _ in range(40_000):
        y = y * 1.0
    start = time.perf_counter()
    s = collect([y], 10**6)
    assert len(s.ops) == 40_000
    assert time.perf_counter() - start < 5  # 19 s when each op was looked up in a list


def test_backward_steps_names_itself_when_the_graph_is_too_large():
    y = ts.Tensor(np.ones(2), requires_grad=True)
    for _ in range(30):
        y = y * 1.0
    with pytest.raises(GraphTooLargeError, match="^backward_steps: .*max_nodes=10"):
        backward_steps(y.sum(), max_nodes=10)


@pytest.mark.parametrize(("path", "error"), [(None, TypeError), (5, TypeError), ("/no/such/folder/p.html",
                                                                                 FileNotFoundError)])
def test_animate_backward_checks_its_path_before_running_backward(monkeypatch, path, error):
    x = ts.Tensor([1.0, 2.0], requires_grad=True)
    monkeypatch.setattr(ts.viz.backprop, "backward_steps", lambda *a, **k: pytest.fail("backward ran"))
    with pytest.raises(error, match="animate_backward"):
        animate_backward((x * x).sum(), path)


def test_trace_of_something_that_is_not_a_module_is_a_type_error():
    with pytest.raises(TypeError, match="trace: model must be a Module"):
        trace(np.ones(3))


def test_plot_model_of_a_subclassed_model_says_what_to_do_instead():
    class Net(ts.keras.Model):
        def __init__(self):
            super().__init__()
            self.hidden = ts.nn.Dense(4, input_dim=2)

        def forward(self, x):
            return self.hidden(x)

    with pytest.raises(TypeError, match=r"Net has no list of layers.*draw_graph\(model\(x\)\).*summary"):
        plot_model(Net())


def test_plot_model_of_a_plain_module_suggests_no_summary_it_lacks():
    class Net(ts.nn.Module):
        def __init__(self):
            self.hidden = ts.nn.Dense(4, input_dim=2)

        def forward(self, x):
            return self.hidden(x)

    with pytest.raises(TypeError, match=r"Net has no list of layers.*draw_graph\(model\(x\)\)$"):
        plot_model(Net())


def test_an_op_reading_one_tensor_twice_is_drawn_with_two_edges():
    a = ts.tensor([1.0, 2.0], requires_grad=True)
    source = ts.viz.draw_graph((a * a).sum()).source
    mul = re.search(r"(op\d+) \[label=<[^\n]*\*", source).group(1)
    assert len(re.findall(rf"\bt\d+ -> {mul}\b", source)) == 2
    composite = ts.viz.draw_graph(a.silu().sum()).source  # a composite, a * sigmoid(a), reading a twice: one edge
    assert len(re.findall(r"\bt\d+ -> op0\b", composite)) == 1


def test_a_conv_layer_on_data_draws_it_named_as_given_and_channels_first():
    conv = ts.nn.Conv2D(2, 3)
    x = ts.randn(1, 5, 5, 3)
    x.name = "images"
    source = draw_graph(conv(x).sum()).source
    assert re.search(r"<b>images, channels first</b><br/>\(1, 3, 5, 5\) float32", source)
    x.requires_grad_()  # now the transpose is an op of the graph, from the user's own tensor
    source = draw_graph(conv(x).sum()).source
    assert re.search(r"<b>images</b><br/>\(1, 5, 5, 3\) float32", source) and "channels first" not in source
