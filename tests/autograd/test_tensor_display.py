"""A tensor in Jupyter: an HTML table of shape, dtype, requires_grad, grad_fn, and its values abbreviated."""

from __future__ import annotations

import re

import numpy as np

import tinygrad_seminar as ts


def cell(page: str, key: str) -> str:
    return re.search(rf"<th[^>]*>{key}</th><td[^>]*>(.*?)</td>", page).group(1)


def test_a_leaf_shows_what_it_is():
    x = ts.Tensor(np.ones((2, 3), np.float32), requires_grad=True, name="w<1>")
    page = x._repr_html_()
    assert cell(page, "name") == "w&lt;1&gt;"  # escaped
    assert (cell(page, "shape"), cell(page, "dtype")) == ("(2, 3)", "float32")
    assert cell(page, "requires_grad") == "True" and cell(page, "grad_fn") == "None (a leaf)"


def test_a_result_names_its_op_and_a_big_tensor_is_abbreviated_as_numpy_does():
    x = ts.Tensor(np.arange(1000.0).reshape(10, 100), requires_grad=True)
    page = (x * 2).log_softmax()._repr_html_()
    assert cell(page, "grad_fn") == "log_softmax" and "name" not in page
    values = re.search(r"<pre[^>]*>(.*)</pre>", page, re.S).group(1)
    assert "..." in values and len(values) < 1000


def test_a_held_gradient_is_mentioned():
    x = ts.Tensor(np.ones(2), requires_grad=True)
    (x * x).sum().backward()
    assert cell(x._repr_html_(), "grad") == "held (.grad)"
