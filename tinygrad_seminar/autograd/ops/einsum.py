"""einsum: numpy's einsum with subscripts ("ij,jk->ik"), with "..." for broadcast batch axes and letters
repeated in one operand (a diagonal: "ii->i", "ii->"). Each operand's gradient is an einsum of the output's
gradient with the other operands, so it is recorded like any op under create_graph."""

from __future__ import annotations

import string
from collections import Counter

import numpy as np

from ..base import TensorBase
from .op import Op


def parse(spec: str, shapes: list) -> tuple[list, str]:
    """(the operands' subscripts, the output's), letters only: "..." becomes letters of its own, numbered from
    the right as numpy broadcasts; the output is implicit as in numpy when '->' is absent."""
    spec = spec.replace(" ", "")
    ins, arrow, out = spec.partition("->")
    subs = ins.split(",")
    if len(subs) != len(shapes):
        raise ValueError(f"einsum: {spec!r} names {len(subs)} operands, {len(shapes)} were given")
    for s in subs + [out]:
        if s.replace("...", "").strip(string.ascii_letters) or s.count("...") > 1:
            raise ValueError(f"einsum: {s!r} in {spec!r}: subscripts are letters, with at most one '...'")
    spare = [c for c in string.ascii_letters if c not in spec]
    ranks = [len(shape) - len(s.replace("...", "")) for s, shape in zip(subs, shapes)]
    for s, shape, r in zip(subs, shapes, ranks):
        if r < 0 or (r > 0 and "..." not in s):
            raise ValueError(f"einsum: {s!r} names {len(s.replace('...', ''))} axes of an operand of shape "
                             f"{tuple(shape)}")
    batch = "".join(spare[:max(ranks, default=0)])  # the letters "..." stands for, the leftmost first
    subs = [s.replace("...", batch[len(batch) - r:] if r else "") for s, r in zip(subs, ranks)]
    if not arrow:
        counts = Counter("".join(subs))
        out = batch + "".join(sorted(c for c, k in counts.items() if k == 1 and c not in batch))
    else:
        out = out.replace("...", batch)
    return subs, out


def einsum_of(spec: str, *operands):
    return Einsum.apply(*operands, spec=spec) if any(isinstance(o, TensorBase) for o in operands) \
        else np.einsum(spec, *operands)


def undiagonal(s: str, taken: str) -> tuple[str, list]:
    """``s`` with each repeated letter after its first renamed to a fresh one, and the (first, fresh) pairs:
    an identity matrix on each pair puts a gradient onto the diagonal the repeated letter took."""
    fresh = (c for c in string.ascii_letters if c not in taken)
    renamed, pairs = "", []
    for i, c in enumerate(s):
        if c in s[:i]:
            pairs.append((c, next(fresh)))
            renamed += pairs[-1][1]
        else:
            renamed += c
    return renamed, pairs


class Einsum(Op):
    @staticmethod
    def forward(ctx, *operands, spec):
        subs, out = parse(spec, [np.shape(o) for o in operands])
        ctx.subs, ctx.out = subs, out
        ctx.save_for_backward(*operands)
        return np.einsum(",".join(subs) + "->" + out, *operands)

    @staticmethod
    def backward(ctx, g):
        operands = ctx.saved_tensors
        return tuple(operand_grad(ctx, g, operands, k) if ctx.needs_input_grad[k] else None
                     for k in range(len(operands)))


def operand_grad(ctx, g, operands, k: int):
    """d out / d operand k, contracted with g: an einsum of g with the other operands (and, for a letter
    repeated in operand k, an identity matrix that puts it onto the diagonal)."""
    s = ctx.subs[k]
    shape = operands[k].shape
    others = [(ctx.subs[j], operands[j]) for j in range(len(operands)) if j != k]
    # a letter of operand k summed away and in no other operand: a ones array carries its length
    alone = "".join(dict.fromkeys(c for c in s if c not in ctx.out and all(c not in t for t, _ in others)))
    terms = [ctx.out] + [t for t, _ in others]
    arrays = [g] + [o for _, o in others]
    if alone:
        terms.append(alone)
        arrays.append(np.ones([shape[s.index(c)] for c in alone], g.dtype))
    target, pairs = undiagonal(s, "".join(terms) + s)
    for first, fresh in pairs:
        terms.append(first + fresh)
        arrays.append(np.eye(shape[s.index(first)], dtype=g.dtype))
    return einsum_of(",".join(terms) + "->" + target, *arrays)
