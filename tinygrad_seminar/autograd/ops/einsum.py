"""einsum: numpy's einsum with subscripts ("ij,jk->ik"); each operand's gradient is an einsum of the
output's gradient with the other operands, so it is recorded like any op under create_graph."""

from __future__ import annotations

from collections import Counter

import numpy as np

from ..base import TensorBase
from .op import Op


def parse(spec: str, n: int) -> tuple[list, str]:
    """(the operands' subscripts, the output's); the output is implicit as in numpy when '->' is absent."""
    spec = spec.replace(" ", "")
    if "." in spec:
        raise NotImplementedError("einsum: '...' (ellipsis) is not supported; name every axis with a letter")
    ins, _, out = spec.partition("->")
    subs = ins.split(",")
    if len(subs) != n:
        raise ValueError(f"einsum: {spec!r} names {len(subs)} operands, {n} were given")
    for s in subs:
        if len(set(s)) != len(s):
            raise NotImplementedError(f"einsum: a letter repeated in one operand ({s!r}, a diagonal) is not supported")
    if "->" not in spec:
        counts = Counter("".join(subs))
        out = "".join(sorted(c for c, k in counts.items() if k == 1))
    return subs, out


def einsum_of(spec: str, *operands):
    return Einsum.apply(*operands, spec=spec) if any(isinstance(o, TensorBase) for o in operands) \
        else np.einsum(spec, *operands)


class Einsum(Op):
    @staticmethod
    def forward(ctx, *operands, spec):
        subs, out = parse(spec, len(operands))
        ctx.subs, ctx.out = subs, out
        ctx.save_for_backward(*operands)
        return np.einsum(",".join(subs) + "->" + out, *operands)

    @staticmethod
    def backward(ctx, g):
        operands = ctx.saved_tensors
        grads = []
        for k, s in enumerate(ctx.subs):
            if not ctx.needs_input_grad[k]:
                grads.append(None)
                continue
            others = [(ctx.subs[j], operands[j]) for j in range(len(operands)) if j != k]
            # a letter of operand k summed away and in no other operand: a ones array carries its length
            alone = "".join(c for c in s if c not in ctx.out and all(c not in t for t, _ in others))
            terms = [ctx.out] + [t for t, _ in others] + ([alone] if alone else [])
            arrays = [g] + [o for _, o in others]
            if alone:
                arrays.append(np.ones([operands[k].shape[s.index(c)] for c in alone], g.dtype))
            grads.append(einsum_of(",".join(terms) + "->" + s, *arrays))
        return tuple(grads)
