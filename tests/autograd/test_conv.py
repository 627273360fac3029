"""conv2d, conv1d, max_pool2d, avg_pool2d: values against direct loops written here and against PyTorch,
gradients by central differences, second derivatives by gradgradcheck, and the argument errors."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import strategies as S
import tinygrad_seminar.functional as F
from hypothesis import strategies as st
from op_table import Case, property_tests

import tinygrad_seminar as ts


# ---- the maths, one output number at a time ----
def conv2d_loop(x, w, b=None, stride=(1, 1), pads=(0, 0, 0, 0), dilation=(1, 1), groups=1):
    """y[n, o, i, j] = b[o] + sum_{c, p, q} xpad[n, g*Cg + c, i*sh + p*dh, j*sw + q*dw] * w[o, c, p, q]."""
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    pt, pb, pl, pr = pads
    xp = np.zeros((n, c, h + pt + pb, wd + pl + pr))
    xp[:, :, pt:pt + h, pl:pl + wd] = x
    (sh, sw), (dh, dw) = stride, dilation
    ho = (h + pt + pb - dh * (kh - 1) - 1) // sh + 1
    wo = (wd + pl + pr - dw * (kw - 1) - 1) // sw + 1
    y = np.zeros((n, o, ho, wo))
    for b_, oc, i, j in itertools.product(range(n), range(o), range(ho), range(wo)):
        g = oc // (o // groups)
        total = 0.0 if b is None else b[oc]
        for ci, p, q in itertools.product(range(cg), range(kh), range(kw)):
            total += xp[b_, g * cg + ci, i * sh + p * dh, j * sw + q * dw] * w[oc, ci, p, q]
        y[b_, oc, i, j] = total
    return y


def pool_loop(x, k, stride, pad, reduce, fill):
    n, c, h, wd = x.shape
    xp = np.full((n, c, h + 2 * pad[0], wd + 2 * pad[1]), fill)
    xp[:, :, pad[0]:pad[0] + h, pad[1]:pad[1] + wd] = x
    ho, wo = (h + 2 * pad[0] - k[0]) // stride[0] + 1, (wd + 2 * pad[1] - k[1]) // stride[1] + 1
    y = np.zeros((n, c, ho, wo))
    for i, j in itertools.product(range(ho), range(wo)):
        y[:, :, i, j] = reduce(xp[:, :, i * stride[0]:i * stride[0] + k[0], j * stride[1]:j * stride[1] + k[1]],
                               axis=(2, 3))
    return y


CONV_CASES = [  # (x shape, w shape, stride, padding as given, the four pads, dilation, groups)
    ((2, 3, 5, 6), (4, 3, 3, 3), 1, 0, (0, 0, 0, 0), 1, 1),
    ((1, 2, 7, 7), (3, 2, 3, 2), 2, 1, (1, 1, 1, 1), 1, 1),
    ((2, 4, 6, 5), (6, 2, 2, 3), (1, 2), (2, 0), (2, 2, 0, 0), (2, 1), 2),
    ((1, 3, 6, 6), (3, 1, 3, 3), 3, (1, 2), (1, 1, 2, 2), 1, 3),
    ((2, 2, 5, 6), (2, 2, 2, 3), 1, "same", (0, 1, 1, 1), 1, 1),
    ((1, 2, 7, 6), (4, 1, 3, 2), 1, "same", (2, 2, 1, 2), (2, 3), 2),
    ((1, 1, 4, 4), (1, 1, 4, 4), 1, "valid", (0, 0, 0, 0), 1, 1),
]


@pytest.mark.parametrize("xs, ws, stride, padding, pads, dilation, groups", CONV_CASES)
def test_conv2d_matches_the_direct_loop(xs, ws, stride, padding, pads, dilation, groups):
    rng = np.random.default_rng(0)
    x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])
    pair = lambda v: (v, v) if isinstance(v, int) else v  # noqa: E731
    expected = conv2d_loop(x, w, b, pair(stride), pads, pair(dilation), groups)
    got = F.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation, groups=groups)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got.data, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("xs, ws, stride, padding, pads, dilation, groups", CONV_CASES[:4])
def test_conv2d_gradients_and_second_derivatives(xs, ws, stride, padding, pads, dilation, groups):
    rng = np.random.default_rng(1)
    x, w, b = (ts.Tensor(rng.standard_normal(s), requires_grad=True) for s in (xs, ws, (ws[0],)))
    fn = lambda x, w, b: F.conv2d(x, w, b, stride, padding, dilation, groups)  # noqa: E731
    assert ts.gradcheck(fn, x, w, b)
    assert ts.gradgradcheck(fn, x, w, b)


def test_conv2d_second_order_backward_records_the_convolution_ops_themselves():
    x = ts.Tensor(np.ones((1, 2, 4, 4)), requires_grad=True)
    w = ts.Tensor(np.ones((2, 2, 2, 2)), requires_grad=True)
    gx, gw = ts.grad((F.conv2d(x, w) ** 2).sum(), [x, w], create_graph=True)
    assert gx.requires_grad and gw.requires_grad
    labels = {type(t.grad_fn).__name__ for t in (gx, gw) if t.grad_fn is not None}
    assert labels <= {"ConvTranspose2d", "Conv2dWeightGrad", "Add"} and labels


# ---- the op table: values, central differences, gradgradcheck and float32 on drawn geometries ----
@st.composite
def conv_inputs(draw):
    """x, w, b and a geometry whose kernel fits: groups 1-2, kernels up to 3x3, strides and dilations 1-2."""
    groups, cg, og = draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 2))
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride, dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2))), (draw(st.integers(1, 2)),
                                                                            draw(st.integers(1, 2)))
    padding = draw(st.sampled_from(["same", 0, 1, (1, 0)])) if stride == (1, 1) else draw(st.sampled_from([0, 1]))
    reach = [d * (n - 1) + 1 for d, n in zip(dilation, k)]
    h, w = (draw(st.integers(max(r - 2, 1), r + 2)) for r in reach)
    if padding == 0 or padding == "same":
        h, w = max(h, reach[0]), max(w, reach[1])
    elif padding == (1, 0):
        w = max(w, reach[1])
    x = draw(S.arrays((draw(st.integers(1, 2)), groups * cg, h, w)))
    weight, bias = draw(S.arrays((groups * og, cg) + k)), draw(S.arrays((groups * og,)))
    return (x, weight, bias), {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}


def conv_reference(x, w, b, stride, padding, dilation, groups):
    if padding == "same":
        totals = [d * (k - 1) for d, k in zip(dilation, w.shape[2:])]
        pads = (totals[0] // 2, totals[0] - totals[0] // 2, totals[1] // 2, totals[1] - totals[1] // 2)
    else:
        ph, pw = (padding, padding) if isinstance(padding, int) else padding
        pads = (ph, ph, pw, pw)
    return conv2d_loop(x, w, b, stride, pads, dilation, groups)


@st.composite
def pool_inputs(draw, distinct: bool):
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    pad = (draw(st.integers(0, k[0] // 2)), draw(st.integers(0, k[1] // 2)))
    stride = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(k[0], 5)), draw(st.integers(k[1], 5)))
    x = draw(S.distinct_arrays(shape) if distinct else S.arrays(shape))
    return (x,), {"kernel_size": k, "stride": stride, "padding": pad}


OPS = [
    Case("conv2d", lambda x, w, b, **p: F.conv2d(x, w, b, **p), conv_reference, conv_inputs()),
    Case("max_pool2d", lambda x, **p: F.max_pool2d(x, **p),
         lambda x, kernel_size, stride, padding: pool_loop(x, kernel_size, stride, padding, np.max, -np.inf),
         pool_inputs(distinct=True)),
    Case("avg_pool2d", lambda x, **p: F.avg_pool2d(x, **p),
         lambda x, kernel_size, stride, padding: pool_loop(x, kernel_size, stride, padding, np.mean, 0.0),
         pool_inputs(distinct=False)),
]

(test_values_match_numpy, test_gradient_matches_central_differences, test_second_derivatives_match_central_differences,
 test_float32_in_float32_out_and_float32_gradients) = property_tests(OPS)


def test_conv1d_matches_the_direct_loop_and_has_gradients():
    rng = np.random.default_rng(3)
    x, w, b = rng.standard_normal((2, 4, 9)), rng.standard_normal((6, 2, 3)), rng.standard_normal(6)
    got = F.conv1d(x, w, b, stride=2, padding=1, dilation=2, groups=2)
    expected = conv2d_loop(x[:, :, None], w[:, :, None], b, (1, 2), (0, 0, 1, 1), (1, 2), 2)[:, :, 0]
    np.testing.assert_allclose(got.data, expected, rtol=1e-12, atol=1e-12)
    assert F.conv1d(x, w, groups=2, padding="same").shape == (2, 6, 9)
    tx, tw = ts.Tensor(x, requires_grad=True), ts.Tensor(w, requires_grad=True)
    assert ts.gradcheck(lambda x, w: F.conv1d(x, w, padding="same", groups=2), tx, tw)


@pytest.mark.parametrize("k, stride, pad", [((2, 2), None, (0, 0)), ((3, 2), (2, 1), (1, 1)), ((3, 3), (1, 2), (1, 0))])
def test_pooling_matches_the_direct_loop(k, stride, pad):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 6, 5))
    s = k if stride is None else stride
    np.testing.assert_array_equal(F.max_pool2d(x, k, stride, pad).data, pool_loop(x, k, s, pad, np.max, -np.inf))
    np.testing.assert_allclose(F.avg_pool2d(x, k, stride, pad).data, pool_loop(x, k, s, pad, np.mean, 0.0),
                               rtol=1e-12)
    ones = pool_loop(np.ones_like(x), k, s, pad, np.sum, 0.0)
    np.testing.assert_allclose(F.avg_pool2d(x, k, stride, pad, count_include_pad=False).data,
                               pool_loop(x, k, s, pad, np.sum, 0.0) / ones, rtol=1e-12)


def test_pooling_gradients_and_second_derivatives():
    x = ts.Tensor(np.random.default_rng(5).permutation(96).reshape(2, 3, 4, 4) / 10.0, requires_grad=True)  # no ties
    for fn in (lambda x: F.max_pool2d(x, 3, 2, 1), lambda x: F.avg_pool2d(x, (2, 3), 1, (1, 1)),
               lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False)):
        assert ts.gradcheck(fn, x)
        assert ts.gradgradcheck(fn, x)


def test_max_pool_gives_the_gradient_to_the_first_maximum_of_a_tie_as_pytorch():
    x = ts.Tensor(np.ones((1, 1, 2, 2)), requires_grad=True)
    F.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(x.grad, [[[[1, 0], [0, 0]]]])


def test_float32_stays_float32_and_unbatched_input_works():
    rng = np.random.default_rng(6)
    x = ts.Tensor(rng.standard_normal((3, 5, 5)).astype(np.float32), requires_grad=True)
    w = ts.Tensor(rng.standard_normal((2, 3, 3, 3)).astype(np.float32), requires_grad=True)
    y = F.conv2d(x, w, padding=1)
    assert y.shape == (2, 5, 5) and y.dtype == np.float32
    F.max_pool2d(F.avg_pool2d(y, 2, 1), 2).sum().backward()
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float32
    assert F.max_pool2d(x, 2).dtype == np.float32 and F.avg_pool2d(x, 2).dtype == np.float32


@pytest.mark.filterwarnings("ignore:Using padding='same'")  # PyTorch's note on its own speed
def test_against_pytorch_values_and_gradients():
    torch = pytest.importorskip("torch")
    tf = torch.nn.functional
    rng = np.random.default_rng(7)
    for xs, ws, stride, padding, _, dilation, groups in CONV_CASES:
        x, w, b = rng.standard_normal(xs), rng.standard_normal(ws), rng.standard_normal(ws[0])
        mine = [ts.Tensor(a, requires_grad=True) for a in (x, w, b)]
        theirs = [torch.tensor(a, requires_grad=True) for a in (x, w, b)]
        y = F.conv2d(*mine, stride=stride, padding=padding, dilation=dilation, groups=groups)
        t = tf.conv2d(*theirs, stride=stride, padding=padding, dilation=dilation, groups=groups)
        g = rng.standard_normal(t.shape)
        y.backward(g)
        t.backward(torch.tensor(g))
        np.testing.assert_allclose(y.data, t.detach().numpy(), rtol=1e-10, atol=1e-12)
        for m, th in zip(mine, theirs):
            np.testing.assert_allclose(m.grad, th.grad.numpy(), rtol=1e-10, atol=1e-12)
    x = rng.standard_normal((2, 3, 7, 6))
    for kw in (dict(kernel_size=3, stride=2, padding=1), dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1))):
        for mine_fn, torch_fn in ((F.max_pool2d, tf.max_pool2d), (F.avg_pool2d, tf.avg_pool2d)):
            mx, tx = ts.Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
            y, t = mine_fn(mx, **kw), torch_fn(tx, **kw)
            y.backward(np.arange(y.data.size, dtype=float).reshape(y.shape))
            t.backward(torch.arange(t.numel(), dtype=torch.float64).reshape(t.shape))
            np.testing.assert_allclose(y.data, t.detach().numpy(), rtol=1e-12)
            np.testing.assert_allclose(mx.grad, tx.grad.numpy(), rtol=1e-12)
    x1, w1 = rng.standard_normal((2, 4, 9)), rng.standard_normal((2, 4, 4))
    np.testing.assert_allclose(F.conv1d(x1, w1, padding="same").data,
                               tf.conv1d(torch.tensor(x1), torch.tensor(w1), padding="same").numpy(), rtol=1e-10)


@pytest.mark.parametrize("call, error, words", [
    (lambda: F.conv2d(np.ones((3, 3)), np.ones((1, 1, 2, 2))), ValueError, "input must be 4-D"),
    (lambda: F.conv2d(np.ones((1, 1, 3, 3)), np.ones((1, 2, 2))), ValueError, "weight must be 4-D"),
    (lambda: F.conv2d(np.ones((1, 3, 4, 4)), np.ones((2, 2, 2, 2))), ValueError, "the input has 3 channels"),
    (lambda: F.conv2d(np.ones((1, 4, 4, 4)), np.ones((3, 2, 2, 2)), groups=2), ValueError, "groups=2 must divide"),
    (lambda: F.conv2d(np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3))), ValueError, "larger than the padded input"),
    (lambda: F.conv2d(np.ones((1, 1, 4, 4)), np.ones((1, 1, 2, 2)), stride=0), ValueError, "stride must be positive"),
    (lambda: F.conv2d(np.ones((1, 1, 4, 4)), np.ones((1, 1, 2, 2)), stride=1.5), TypeError, "stride must be an int"),
    (lambda: F.conv2d(np.ones((1, 1, 4, 4)), np.ones((1, 1, 2, 2)), padding=-1), ValueError, "non-negative"),
    (lambda: F.conv2d(np.ones((1, 1, 4, 4)), np.ones((1, 1, 2, 2)), padding="full"), ValueError, "'valid' or 'same'"),
    (lambda: F.conv2d(np.ones((1, 1, 4, 4)), np.ones((1, 1, 2, 2)), stride=2, padding="same"), ValueError,
     "not supported for strided"),
    (lambda: F.conv2d(np.ones((1, 1, 4, 4)), np.ones((2, 1, 2, 2)), np.ones(3)), ValueError,
     r"bias must have shape \(2,\)"),
    (lambda: F.conv2d(np.ones((1, 1, 4, 4), int), np.ones((1, 1, 2, 2))), TypeError, "must hold floats"),
    (lambda: F.conv1d(np.ones((1, 1, 4)), np.ones((1, 1, 2, 2))), ValueError, "weight must be 3-D"),
    (lambda: F.max_pool2d(np.ones((1, 1, 4, 4)), 2, padding=2), ValueError, "at most half the kernel"),
    (lambda: F.max_pool2d(np.ones((1, 1, 2, 2)), 3), ValueError, "larger than the padded input"),
    (lambda: F.avg_pool2d(np.ones((1, 1, 4, 4)), (2, 2, 2)), ValueError, "kernel_size must be one int or 2 ints"),
])
def test_bad_arguments_are_refused_before_any_work(call, error, words):
    with pytest.raises(error, match=words):
        call()


@pytest.mark.parametrize("values, kernel, padding", [("channel of -inf", 3, 1), ("all -inf", 2, 1)])
def test_max_pool_gives_a_window_of_minus_inf_to_its_first_real_cell_as_pytorch(values, kernel, padding):
    x = np.zeros((1, 2, 4, 4), np.float32)
    x[0, 1] = -np.inf
    if values == "all -inf":
        x = np.full((1, 1, 3, 3), -np.inf, np.float32)
    t = ts.tensor(x, requires_grad=True)
    ts.functional.max_pool2d(t, kernel, 1, padding).sum().backward()
    torch = pytest.importorskip("torch", reason="PyTorch is not installed: its side is skipped")
    tt = torch.tensor(x, requires_grad=True)
    torch.nn.functional.max_pool2d(tt, kernel, 1, padding).sum().backward()
    np.testing.assert_array_equal(t.grad, tt.grad.numpy())
