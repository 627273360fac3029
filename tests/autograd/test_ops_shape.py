"""The shape ops of issue 17 in the op table: clone, squeeze, unsqueeze, expand, permute, flip."""

from __future__ import annotations

import numpy as np
import pytest
import strategies as S
import tinygrad_seminar.functional as F
from hypothesis import strategies as st
from op_table import Case, property_tests

import tinygrad_seminar as ts


@st.composite
def one_axis(draw, extra: int = 0):
    """x (at least 1-D) and an axis of it (of x with ``extra`` more axes, for unsqueeze)."""
    x = draw(S.arrays(S.shapes(min_dims=1)))
    n = x.ndim + extra
    return (x,), {"dim": draw(st.integers(-n, n - 1))}


@st.composite
def ones_in_shape(draw):
    x = draw(S.arrays(S.shapes(min_dims=1, max_side=2)))
    return (x,), {}


@st.composite
def expand_inputs(draw):
    result = draw(S.broadcasting_shapes(2))
    return (draw(S.arrays(result.input_shapes[0])),), {"shape": result.result_shape}


@st.composite
def flip_inputs(draw):
    x = draw(S.arrays(S.shapes(min_dims=1)))
    return (x,), {"dims": tuple(draw(st.sets(st.integers(0, x.ndim - 1), min_size=1)))}


@st.composite
def two_axes(draw):
    x = draw(S.arrays(S.shapes(min_dims=1)))
    return (x,), {"a": draw(st.integers(-x.ndim, x.ndim - 1)), "b": draw(st.integers(-x.ndim, x.ndim - 1))}


@st.composite
def flatten_inputs(draw):
    x = draw(S.arrays(S.shapes(min_dims=1)))
    start = draw(st.integers(0, x.ndim - 1))
    return (x,), {"start": start, "end": draw(st.integers(start, x.ndim - 1)) - x.ndim * draw(st.booleans())}


def numpy_flatten(x, start, end):
    end %= x.ndim
    return x.reshape(x.shape[:start] + (-1,) + x.shape[end + 1:])


OPS = [
    Case("transpose(a, b)", lambda x, a, b: x.transpose(a, b), lambda x, a, b: np.swapaxes(x, a, b), two_axes()),
    Case("flatten", lambda x, start, end: x.flatten(start, end), numpy_flatten, flatten_inputs()),
    Case("clone", lambda x: x.clone(), np.copy, S.unary()),
    Case("squeeze", lambda x: x.squeeze(), np.squeeze, ones_in_shape()),
    Case("unsqueeze", lambda x, dim: x.unsqueeze(dim), lambda x, dim: np.expand_dims(x, dim), one_axis(extra=1)),
    Case("expand", lambda x, shape: x.expand(shape), np.broadcast_to, expand_inputs()),
    Case("permute", lambda x, axes: x.permute(*axes), np.transpose, S.transpose_inputs()),
    Case("flip", lambda x, dims: x.flip(dims), lambda x, dims: np.flip(x, dims), flip_inputs()),
]

(test_values_match_numpy, test_gradient_matches_central_differences, test_second_derivatives_match_central_differences,
 test_float32_in_float32_out_and_float32_gradients) = property_tests(OPS)


def test_squeeze_a_dim_of_length_other_than_1_changes_nothing_as_pytorch():
    x = ts.zeros(2, 1, 3)
    assert x.squeeze(0).shape == (2, 1, 3) and x.squeeze(1).shape == (2, 3) and x.squeeze(-2).shape == (2, 3)


def test_unsqueeze_and_expand_and_permute_as_pytorch():
    x = ts.zeros(2, 3)
    assert x.unsqueeze(0).shape == (1, 2, 3) and x.unsqueeze(-1).shape == (2, 3, 1)
    assert x.unsqueeze(1).expand(-1, 4, -1).shape == (2, 4, 3)
    assert x.permute(1, 0).shape == (3, 2) and F.permute(x, (1, 0)).shape == (3, 2)
    with pytest.raises(RuntimeError, match="permutation"):
        x.permute(0, 0)
    with pytest.raises(IndexError, match="Dimension out of range"):
        x.unsqueeze(3)


def test_clone_copies_the_data():
    x = ts.tensor([1.0, 2.0], requires_grad=True)
    y = x.clone()
    assert y.data is not x.data and not np.shares_memory(y.data, x.data) and y.requires_grad


def test_flip_several_dims():
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(ts.tensor(x).flip(0, 1).data, x[::-1, ::-1])


@st.composite
def roll_inputs(draw):
    x = draw(S.arrays(S.shapes(min_dims=1)))
    return (x,), {"shifts": draw(st.integers(-5, 5)), "dims": draw(st.integers(-x.ndim, x.ndim - 1))}


@st.composite
def matrix_inputs(draw):
    x = draw(S.arrays(S.shapes(min_dims=2)))
    return (x,), {"diagonal": draw(st.integers(-2, 2))}


@st.composite
def gather_inputs(draw):
    x = draw(S.arrays(S.shapes(min_dims=1)))
    dim = draw(st.integers(0, x.ndim - 1))
    shape = tuple(draw(st.integers(1, 4)) if i == dim else n for i, n in enumerate(x.shape))
    index = draw(S.hnp.arrays(np.int64, shape, elements=st.integers(0, x.shape[dim] - 1)))
    return (x,), {"dim": dim, "index": index}


@st.composite
def scatter_add_inputs(draw):
    (x,), params = draw(gather_inputs())
    return (x, draw(S.arrays(params["index"].shape))), params


@st.composite
def pad_inputs(draw):
    x = draw(S.arrays(S.shapes(min_dims=1, min_side=3)))
    widths = draw(st.lists(st.integers(0, 2), min_size=2, max_size=2 * x.ndim).filter(lambda w: len(w) % 2 == 0))
    modes = ["constant", "reflect", "replicate", "circular"]
    return (x,), {"pad": tuple(widths), "mode": draw(st.sampled_from(modes))}


def np_pad(x, pad, mode):
    widths = [(0, 0)] * x.ndim
    for k in range(len(pad) // 2):
        widths[x.ndim - 1 - k] = (pad[2 * k], pad[2 * k + 1])
    return np.pad(x, widths, mode={"replicate": "edge", "circular": "wrap"}.get(mode, mode))


def np_scatter_add(x, src, dim, index):
    out = x.copy()
    grids = list(np.indices(index.shape, sparse=True))
    grids[dim] = index
    np.add.at(out, tuple(grids), src)
    return out


MORE = [
    Case("roll", lambda x, shifts, dims: x.roll(shifts, dims), lambda x, shifts, dims: np.roll(x, shifts, dims),
         roll_inputs()),
    Case("tril", lambda x, diagonal: x.tril(diagonal), lambda x, diagonal: np.tril(x, diagonal), matrix_inputs()),
    Case("triu", lambda x, diagonal: x.triu(diagonal), lambda x, diagonal: np.triu(x, diagonal), matrix_inputs()),
    Case("repeat", lambda x: x.repeat(2, *([1] * (x.ndim - 1)), 3) if x.ndim else x.repeat(3),
         lambda x: np.tile(x, (2,) + (1,) * (x.ndim - 1) + (3,)) if x.ndim else np.tile(x, 3), S.unary()),
    Case("gather", lambda x, dim, index: x.gather(dim, index),
         lambda x, dim, index: np.take_along_axis(x, index, dim), gather_inputs()),
    Case("take_along_dim", lambda x, dim, index: x.take_along_dim(index, dim),
         lambda x, dim, index: np.take_along_axis(x, index, dim), gather_inputs()),
    Case("scatter_add", lambda x, src, dim, index: x.scatter_add(dim, index, src), np_scatter_add,
         scatter_add_inputs()),
    Case("pad", lambda x, pad, mode: x.pad(pad, mode), np_pad, pad_inputs()),
]

(test_more_values_match_numpy, test_more_gradients_match_central_differences,
 test_more_second_derivatives_match_central_differences,
 test_more_float32_in_float32_out_and_float32_gradients) = property_tests(MORE)


def test_split_chunk_and_cat_as_pytorch():
    x = ts.tensor(np.arange(10.0).reshape(5, 2), requires_grad=True)
    parts = x.split(2)
    assert [p.shape for p in parts] == [(2, 2), (2, 2), (1, 2)]
    assert [p.shape[1] for p in x.split([1, 1], dim=1)] == [1, 1]
    assert [p.shape[0] for p in x.chunk(2)] == [3, 2]
    y = F.cat(parts, dim=0)
    np.testing.assert_array_equal(y.data, x.data)
    (y * y).sum().backward()
    np.testing.assert_array_equal(x.grad, 2 * x.data)
    with pytest.raises(RuntimeError, match="add up"):
        x.split([2, 2])


def test_tile_pads_the_dims_in_front_and_constant_pad_takes_a_value():
    x = ts.tensor([[1.0, 2.0]])
    assert x.tile(2).shape == (1, 4) and x.tile((3, 1, 1)).shape == (3, 1, 2)
    np.testing.assert_array_equal(F.pad(x, (1, 0), value=9.0).data, [[9.0, 1.0, 2.0]])


def test_where_broadcasts_its_condition_and_operands():
    a = ts.tensor([[1.0], [2.0]], requires_grad=True)
    b = ts.tensor([10.0, 20.0, 30.0], requires_grad=True)
    y = ts.where(np.array([True, False, True]), a, b)
    assert y.shape == (2, 3)
    y.sum().backward()
    np.testing.assert_array_equal(a.grad, [[2.0], [2.0]])
    np.testing.assert_array_equal(b.grad, [0.0, 2.0, 0.0])


SPECS = {"ij,jk->ik": [(2, 3), (3, 4)], "bi,bi->b": [(3, 2), (3, 2)], "ij->": [(2, 3)], "ij->ji": [(2, 3)],
         "i,j->ij": [(2,), (3,)], "ijk,ik->j": [(2, 3, 2), (2, 2)], "ij,jk,kl->il": [(2, 2), (2, 3), (3, 2)],
         "ij,j": [(2, 3), (3,)],
         # "..." for batch axes, broadcast as numpy does (sizes 1 and missing axes); letters repeated in an operand
         "...ij,...jk->...ik": [(2, 1, 2, 3), (4, 3, 2)], "...ij->...ji": [(2, 2, 3)],
         "...i,...i->...": [(2, 1, 3), (4, 3)], "...ij": [(3, 2, 2)], "ii->i": [(3, 3)], "ii->": [(3, 3)],
         "ii": [(2, 2)], "iij->j": [(2, 2, 3)], "iji->j": [(2, 3, 2)], "ij,jj->i": [(2, 3), (3, 3)],
         "...ii->...": [(2, 3, 3)], "bii,bi->b": [(2, 3, 3), (1, 3)]}


@st.composite
def einsum_inputs(draw):
    spec = draw(st.sampled_from(sorted(SPECS)))
    return tuple(draw(S.arrays(s)) for s in SPECS[spec]), {"spec": spec}


EINSUM = [Case("einsum", lambda *xs, spec: F.einsum(spec, *xs), lambda *xs, spec: np.einsum(spec, *xs),
               einsum_inputs())]

(test_einsum_values_match_numpy, test_einsum_gradients_match_central_differences,
 test_einsum_second_derivatives_match_central_differences,
 test_einsum_float32_in_float32_out_and_float32_gradients) = property_tests(EINSUM)


def test_einsum_puts_the_gradient_of_a_repeated_letter_on_the_diagonal():
    a = ts.tensor(np.arange(9.0).reshape(3, 3), requires_grad=True)
    trace = F.einsum("ii->", a)
    assert trace.item() == 12.0
    trace.backward()
    np.testing.assert_array_equal(a.grad, np.eye(3))
    b = ts.tensor(np.arange(8.0).reshape(2, 2, 2), requires_grad=True)
    (F.einsum("iij->j", b) * ts.tensor([1.0, 10.0])).sum().backward()
    np.testing.assert_array_equal(b.grad, np.eye(2)[:, :, None] * [1.0, 10.0])


def test_einsum_refuses_a_spec_that_does_not_fit_its_operands():
    with pytest.raises(ValueError, match="names 2 axes of an operand of shape"):
        F.einsum("ij->i", ts.zeros(2, 3, 4))
    with pytest.raises(ValueError, match="names 2 operands, 1 were given"):
        F.einsum("ij,jk->ik", ts.zeros(2, 3))
    with pytest.raises(ValueError, match="at most one '...'"):
        F.einsum("...i...->i", ts.zeros(2, 3))


@pytest.mark.parametrize("spec", sorted(SPECS))
def test_every_einsum_spec_has_first_and_second_derivatives(spec):
    """The table above draws 25 specs at random; this runs each once (ellipses and diagonals included)."""
    rng = np.random.default_rng(1)
    xs = [ts.Tensor(rng.normal(size=s), requires_grad=True) for s in SPECS[spec]]
    np.testing.assert_allclose(F.einsum(spec, *xs).data, np.einsum(spec, *[x.data for x in xs]), rtol=1e-12)
    assert ts.gradcheck(lambda *a: F.einsum(spec, *a), *xs)
    assert ts.gradgradcheck(lambda *a: F.einsum(spec, *a), *xs)


@pytest.mark.parametrize("pad", [(1, 2), (3, 0, 0, 2), (2, 2, 1, 1, 1, 0)])
def test_circular_pad_has_first_and_second_derivatives(pad):
    x = ts.Tensor(np.random.default_rng(2).normal(size=(2, 3, 3)), requires_grad=True)
    np.testing.assert_array_equal(F.pad(x, pad, "circular").data, np_pad(x.data, pad, "circular"))
    assert ts.gradcheck(lambda a: F.pad(a, pad, "circular"), x)
    assert ts.gradgradcheck(lambda a: F.pad(a, pad, "circular"), x)
    with pytest.raises(ValueError, match="wrap around more than once"):
        F.pad(x, (4, 0), "circular")


def test_transpose_of_two_axes_swaps_them_as_pytorch_and_a_partial_permutation_is_refused():
    a = ts.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert a.transpose(0, 1).data.tolist() == [[1.0, 3.0], [2.0, 4.0]]  # torch's; numpy's transpose(0, 1) is a no-op
    assert a.transpose((0, 1)).data.tolist() == a.data.tolist() and a.transpose().data.tolist() == a.T.data.tolist()
    z = ts.zeros(2, 3, 4)
    assert z.transpose(1, 2).shape == (2, 4, 3) and z.transpose(2, 0, 1).shape == (4, 2, 3)
    with pytest.raises(ValueError, match=r"^transpose: axes \(1, 2\) are not a permutation of the 3 axes; swap two "
                                         r"with transpose\(a, b\)"):
        z.transpose((1, 2))


def test_flatten_from_a_start_dim_as_pytorch():
    z = ts.zeros(2, 3, 4)
    assert z.flatten(1).shape == (2, 12) and z.flatten(0, 1).shape == (6, 4) and z.flatten().shape == (24,)
    assert ts.tensor(3.0).flatten().shape == (1,) and ts.zeros(0, 3, 4).flatten(1).shape == (0, 12)
    assert ts.tensor(3.0).transpose(0, -1).shape == ()  # a scalar's one axis, as in PyTorch
    with pytest.raises(IndexError, match=r"\[-1, 0\], but got 5"):
        ts.tensor(3.0).flatten(5)
    with pytest.raises(ValueError, match=r"^flatten: start_dim \(2\) comes after end_dim \(1\)"):
        z.flatten(2, 1)


def test_leaky_relu_step_and_matmul_are_tensor_methods_too():
    x = ts.tensor([[-2.0, 0.0], [1.0, 3.0]])
    assert x.leaky_relu().data.tolist() == F.leaky_relu(x).data.tolist() == [[np.float32(-0.4), 0.0], [1.0, 3.0]]
    assert x.leaky_relu(0.5).data.tolist() == [[-1.0, 0.0], [1.0, 3.0]]
    assert x.step().data.tolist() == F.step(x).data.tolist() == [[0.0, 1.0], [1.0, 1.0]]
    assert x.matmul(x).data.tolist() == (x @ x).data.tolist()
