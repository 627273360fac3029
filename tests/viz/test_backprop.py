"""ts.viz.backward_steps and animate_backward: one picture per step of the engine's backward, in its order.

The last picture shows every parameter's ``.grad``; each highlights one op and marks what just arrived;
the page plays them with nothing to fetch, and opens at the step its address names in a real browser.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from html.parser import HTMLParser

import numpy as np
import pytest
import strategies as S
from helpers import leaf
from hypothesis import given

import tinygrad_seminar as ts
from tinygrad_seminar import nn
from tinygrad_seminar.autograd.engine import AccumulateGrad, propagate, toposort
from tinygrad_seminar.viz.draw import HIGHLIGHT_FILL, HIGHLIGHT_LINE

RNG = np.random.default_rng(3)
X = RNG.standard_normal((5, 2))
Y = (X[:, :1] > 0).astype(np.float64)
BROWSERS = ("chromium", "chromium-browser", "google-chrome")


def bce_model_and_loss():
    """A 2-16-1 float64 network (tanh, sigmoid) and its binary cross-entropy on (X, Y)."""
    ts.manual_seed(0)
    model = ts.Sequential([nn.Dense(16, activation="tanh", input_dim=2, name="hidden", dtype="float64"),
                           nn.Dense(1, activation="sigmoid", name="out", dtype="float64")])
    return model, ts.losses.binary_crossentropy(Y, model(X))


class StepCounter(AccumulateGrad):
    """loss.backward()'s own sink, told of every step: the tensors whose op the engine differentiates, in order."""

    def __init__(self, seeds) -> None:
        super().__init__(seeds)
        self.outputs = []

    def step(self, t, g, arrived) -> None:
        self.outputs.append(t)


def engine_steps(loss) -> list:
    """The engine's own backward of ``loss`` (graph kept; it fills .grad): the op outputs, one per step."""
    seed = np.ones_like(loss.data)
    counter = StepCounter([seed])
    propagate([loss], [seed], counter, retain_graph=True)
    return counter.outputs


def label_of(t) -> str:
    return type(t.grad_fn).label or type(t.grad_fn).__name__


OPS = {"+": lambda a, b: a + b, "*": lambda a, b: a * b, "-": lambda a, b: a - b, "tanh": lambda a, b: a.tanh(),
       "sigmoid": lambda a, b: a.sigmoid()}


def built(leaves, recipe):
    """The leaves of an expression_graphs draw, as tensors, and the loss: the last result, summed."""
    values = [leaf(a) for a in leaves]
    for op, i, j in recipe:
        values.append(OPS[op](values[i], values[j]))
    return values[:len(leaves)], values[-1].sum()


def dot_nodes(source: str) -> dict:
    """A DOT source's nodes (the legend's left out): name -> its attribute text."""
    found = re.findall(r"^\s*(\w+) \[(.*)\]$", source, re.M)
    return {name: attrs for name, attrs in found if name not in ("graph", "node", "edge")
            and not name.startswith("legend_")}


def marks(step) -> tuple[list, list]:
    """(the highlighted nodes, the titles of the tensors marked "just arrived") of a frame's DOT source."""
    nodes = dot_nodes(step.source)
    lit = [name for name, attrs in nodes.items() if HIGHLIGHT_FILL in attrs]
    marked = [name for name, attrs in nodes.items() if "just arrived" in attrs]
    red_boxes = [name for name, attrs in nodes.items() if f'color="{HIGHLIGHT_LINE}"' in attrs and "shape=box" in attrs]
    assert marked == red_boxes  # a tensor that just received a gradient is outlined, and only such a tensor
    return lit, sorted(re.search(r"<b>(.*?)</b>", nodes[name]).group(1) for name in marked)


# ---- one frame per step of the engine's backward, in its order ----
def test_one_frame_per_step_of_the_engines_backward_in_its_order():
    _, loss = bce_model_and_loss()
    steps = ts.viz.backward_steps(loss)
    outputs = engine_steps(loss)
    n = len(steps)
    assert n == len(outputs) == len({id(t.grad_fn) for t in toposort([loss])}) == 14
    for k, (step, t) in enumerate(zip(steps, outputs), start=1):
        assert step.number == k
        assert step.caption.startswith(f"step {k} of {n}: backward of {label_of(t)}")
        assert any(ctx is t.grad_fn for ctx in step.frame.op.ctxs)  # the node highlighted holds that op
    assert [s.op for s in steps[-4:]] == ["sigmoid", "affine", "tanh", "affine"]
    assert all(s.op == "binary_crossentropy" and "(inside binary_crossentropy)" in s.caption for s in steps[:10])


@given(S.expression_graphs())
def test_on_plain_graphs_the_frames_are_the_engines_steps(graph):
    _, loss = built(*graph)
    steps = ts.viz.backward_steps(loss)
    outputs = engine_steps(loss)
    assert len(steps) == len(outputs) == len({id(t.grad_fn) for t in toposort([loss])})
    assert [s.op for s in steps] == [label_of(t) for t in outputs]
    assert not any("inside" in s.caption for s in steps)


# ---- the last frame shows every .grad; backward_steps leaves .grad alone ----
def test_the_last_frame_shows_every_parameters_grad_and_no_grad_is_touched():
    model, loss = bce_model_and_loss()
    steps = ts.viz.backward_steps(loss)
    params = list(model.parameters())
    assert len(params) == 4 and all(p.grad is None for p in params)
    loss.backward()  # the graph was retained: backward still works
    for p in params:
        np.testing.assert_array_equal(steps[-1].grad_of(p), p.grad, err_msg=p.name)
    hidden_weight = model.layers[0].weight
    assert all(s.grad_of(hidden_weight) is None for s in steps[:-1])  # its gradient arrives at the last step
    np.testing.assert_array_equal(steps[0].grad_of(loss), np.ones(()))  # the seed


@given(S.expression_graphs())
def test_on_plain_graphs_the_last_frame_is_grad_and_each_frame_marks_its_ops_inputs(graph):
    leaves, loss = built(*graph)
    steps = ts.viz.backward_steps(loss)
    assert all(t.grad is None for t in leaves)
    outputs = engine_steps(loss)  # loss.backward(), watched
    for t in leaves:
        if t.grad is None:  # a leaf no op reads
            assert steps[-1].grad_of(t) is None
        else:
            np.testing.assert_allclose(steps[-1].grad_of(t), t.grad, rtol=1e-12, atol=1e-12)
    for step, t in zip(steps, outputs):
        lit, marked = marks(step)
        inputs = {id(a) for a in t.grad_fn.inputs if isinstance(a, ts.Tensor) and a.requires_grad}
        assert len(lit) == 1 and lit[0].startswith("op")
        assert len(marked) == len(inputs)


def test_a_parameter_used_twice_shows_the_partial_sum_then_the_total():
    w = leaf([1.0, -2.0, 3.0])
    a, b = np.array([0.5, 1.0, 2.0]), np.array([3.0, -1.0, 0.25])
    u, v = w * a, w * b
    loss = (u + v).sum()
    steps = ts.viz.backward_steps(loss)
    assert [s.op for s in steps] == ["sum", "+", "*", "*"]
    first = a if engine_steps(loss)[2] is u else b  # the product whose backward the engine runs first
    assert steps[1].grad_of(w) is None
    np.testing.assert_array_equal(steps[2].grad_of(w), first)  # the partial sum
    np.testing.assert_array_equal(steps[3].grad_of(w), a + b)  # the total
    w.grad = None
    loss.backward()
    np.testing.assert_array_equal(steps[3].grad_of(w), w.grad)
    for step in steps[2:]:
        assert marks(step)[1] == ["leaf (requires grad)"]  # w just received a gradient, in both frames


def test_x_times_x_sends_both_halves_at_once():
    w = leaf([1.0, 2.0])
    steps = ts.viz.backward_steps((w * w).sum())
    np.testing.assert_array_equal(steps[-1].grad_of(w), [2.0, 4.0])
    assert "just arrived [2, 4]" in steps[-1].source  # 2 w, not one half of it


def test_hooks_change_the_gradients_shown_as_they_change_grad():
    w = leaf([1.0, 2.0])
    w.register_hook(lambda g: 10 * g)  # a leaf's hook: runs when its gradient is complete, after the last step
    h = w * 3
    h.register_hook(lambda g: g + 1)  # a non-leaf's: runs before its backward
    loss = h.sum()
    steps = ts.viz.backward_steps(loss)
    np.testing.assert_array_equal(steps[-1].grad_of(h), [2.0, 2.0])
    loss.backward()
    np.testing.assert_array_equal(w.grad, [60.0, 60.0])
    np.testing.assert_array_equal(steps[-1].grad_of(w), w.grad)


# ---- each frame highlights one op and marks the gradients that just arrived ----
def test_each_frame_highlights_one_op_and_marks_what_just_arrived():
    _, loss = bce_model_and_loss()
    steps = ts.viz.backward_steps(loss)
    for step in steps:
        lit, _ = marks(step)
        assert len(lit) == 1 and lit[0].startswith("op"), step.caption
        attrs = dot_nodes(step.source)[lit[0]]
        assert "shape=ellipse" in attrs and step.op in attrs
        assert f'label="{step.caption}"' in step.source  # the caption is the picture's title
    arrivals = [marks(step)[1] for step in steps]
    assert arrivals[:9] == [[]] * 9  # inside binary_crossentropy the gradients reach tensors not drawn
    assert arrivals[9:] == [["sigmoid"], ["affine"], ["out.bias", "out.weight", "tanh"], ["affine"],
                            ["hidden.bias", "hidden.weight"]]  # the input x needs no gradient


# ---- the page ----
@pytest.fixture(scope="module")
def played(tmp_path_factory):
    """(path, number of steps) of the page of the 2-16-1 network's backward."""
    _, loss = bce_model_and_loss()
    path = tmp_path_factory.mktemp("page") / "backprop.html"
    assert ts.viz.animate_backward(loss, path) == str(path)
    return path, len(engine_steps(loss))


def test_the_page_holds_one_frame_per_step_and_fetches_nothing(played):
    path, n = played
    text = path.read_text(encoding="utf-8")
    assert re.findall(r'<div class="frame" id="step-(\d+)"', text) == [str(k) for k in range(1, n + 1)]
    assert text.count("<svg") == n and f"step 1 of {n}" in text
    urls = re.findall(r"https?://", text)
    namespaces = re.findall(r'\sxmlns(?::\w+)?="https?://[^"]*"', text)
    assert len(urls) == len(namespaces) > 0  # the only addresses are the SVG namespaces, which nothing fetches
    for fetch in ("<script src", "<link", "@import", "url(", "<img", "<iframe"):
        assert fetch not in text.lower(), fetch
    assert os.listdir(path.parent) == ["backprop.html"]  # no temporary file left beside it


def test_each_frame_marks_its_op_for_the_page_to_scroll_it_into_view(played):
    path, n = played
    frames = path.read_text(encoding="utf-8").split('<div class="frame"')[1:]
    assert len(frames) == n and all(f.count('class="node current"') == 1 for f in frames)
    assert "querySelector('.current')" in path.read_text(encoding="utf-8")


def test_the_page_is_written_whole_or_not_at_all(tmp_path, monkeypatch):
    path = tmp_path / "page.html"
    path.write_text("an earlier page")
    _, loss = bce_model_and_loss()

    def disk_full(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", disk_full)  # fails after the whole page is written beside the path
    with pytest.raises(OSError, match="disk full"):
        ts.viz.animate_backward(loss, path)
    monkeypatch.undo()
    assert path.read_text() == "an earlier page" and os.listdir(tmp_path) == ["page.html"]
    ts.viz.animate_backward(loss, path)
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_a_missing_folder_is_file_not_found(tmp_path):
    _, loss = bce_model_and_loss()
    with pytest.raises(FileNotFoundError, match="does not exist"):
        ts.viz.animate_backward(loss, tmp_path / "nope" / "page.html")
    assert os.listdir(tmp_path) == []


# ---- the page in a real browser ----
class Shown(HTMLParser):
    """What a page's rendered DOM shows: body's data-step, each frame's id and hidden flag, the status text."""

    def __init__(self, dom: str) -> None:
        super().__init__()
        self.step, self.frames, self.status, self.in_status = None, {}, "", False
        self.feed(dom)

    def handle_starttag(self, tag, attrs) -> None:
        a = dict(attrs)
        if tag == "body":
            self.step = a.get("data-step")
        if tag == "div" and "frame" in (a.get("class") or "").split():
            self.frames[a["id"]] = "hidden" in a
        self.in_status = tag == "span" and a.get("id") == "status"

    def handle_endtag(self, tag) -> None:
        self.in_status = False

    def handle_data(self, data) -> None:
        if self.in_status:
            self.status += data


@pytest.mark.parametrize(("fragment", "expected"), [("#step=3", 3), ("#step=999", "last"), ("", 1)])
def test_chromium_opens_the_page_at_the_step_in_its_address(played, tmp_path, fragment, expected):
    browser = next((shutil.which(name) for name in BROWSERS if shutil.which(name)), None)
    if browser is None:
        pytest.skip(f"no Chromium binary: none of {', '.join(BROWSERS)} is on PATH (apt-get install chromium)")
    path, n = played
    k = n if expected == "last" else expected
    command = [browser, "--headless", "--disable-gpu", "--no-sandbox", f"--user-data-dir={tmp_path / 'profile'}",
               "--virtual-time-budget=2000", "--dump-dom", path.as_uri() + fragment]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    seconds = time.perf_counter() - start
    assert done.returncode == 0 and "<body" in done.stdout, done.stderr[-2000:]
    shown = Shown(done.stdout)
    assert shown.step == str(k), f"{fragment!r}: the page shows step {shown.step} ({seconds:.1f} s)"
    assert [name for name, hidden in shown.frames.items() if not hidden] == [f"step-{k}"]
    assert len(shown.frames) == n
    assert shown.status == f"step {k} of {n}"


# ---- errors ----
def test_a_loss_that_is_no_tensor_is_a_type_error():
    for loss in (0.5, np.ones(()), [1.0]):
        with pytest.raises(TypeError, match=r"backward_steps: loss must be a Tensor, .* got (float|ndarray|list)"):
            ts.viz.backward_steps(loss)


def test_a_loss_of_more_than_one_number_is_refused():
    with pytest.raises(ValueError, match=r"loss must be a single number, as for loss.backward\(\); got shape \(2,\)"):
        ts.viz.backward_steps(leaf([1.0, 2.0]) * 2)


def test_a_loss_that_requires_no_grad_is_refused():
    with pytest.raises(ValueError, match="not computed from tensors that require grad.*requires_grad=True"):
        ts.viz.backward_steps(ts.Tensor([1.0, 2.0]).sum())
    w = leaf([1.0, 2.0])
    with ts.no_grad(), pytest.raises(ValueError, match="outside no_grad"):
        ts.viz.backward_steps((w * 2).sum())
    with pytest.raises(ValueError, match="loss is a leaf tensor .*no step to show"):
        ts.viz.backward_steps(leaf(3.0))


def test_a_graph_freed_by_a_backward_says_retain_graph():
    loss = (leaf([1.0, 2.0]) * 3).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        ts.viz.backward_steps(loss)


def test_bad_options_name_the_function_called():
    loss = (leaf([1.0, 2.0]) * 3).sum()
    with pytest.raises(ValueError, match="^backward_steps: rankdir must be one of"):
        ts.viz.backward_steps(loss, rankdir="up")
    with pytest.raises(ValueError, match="^backward_steps: max_elements must be a positive int"):
        ts.viz.animate_backward(loss, "never-written.html", max_elements=0)


def test_expand_composites_draws_the_primitives_of_a_loss():
    _, loss = bce_model_and_loss()
    steps = ts.viz.backward_steps(loss, expand_composites=True)
    collapsed = ts.viz.backward_steps(loss)
    assert len(steps) == len(collapsed)  # the same engine steps either way
    assert all("inside" not in s.caption for s in steps) and steps[0].op == "neg"
    assert steps[0].nodes > collapsed[0].nodes  # the loss's inner tensors and ops are drawn


def test_a_graph_freed_by_backward_is_refused_before_any_step():
    _, loss = bce_model_and_loss()
    loss.backward()
    with pytest.raises(RuntimeError, match="backward_steps: an earlier backward\\(\\) freed"):
        ts.viz.backward_steps(loss)
