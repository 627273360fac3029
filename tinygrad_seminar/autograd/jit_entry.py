"""A replay's fast way in: the signature of the plan replayed last, checked by code written for it.

``Jitted.__call__`` finds a plan by a key built from the arguments (``flatten``: nested tuples of types, shapes and
dtypes, hashed and compared): some 300 Python bytecodes a call. A step called in a loop meets one signature call
after call, so a plan, once replayed, gets an entry written for its signature: each argument's class, shape,
dtype and requires_grad compared inline, nothing built. Where it does not match (another signature, a dtype equal
but not the same object, an array given twice), the general path decides, as before. Only flat signatures are
written (Tensors, arrays, None, up to ``MAX_ARRAYS`` arrays); a plan with any other argument has no entry.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .base import TensorBase
from .hooks import HookHandle

MISS = object()  # what an entry returns where the arguments are not its signature's
MAX_ARRAYS = 4  # each pair is checked to be two arrays (an array given twice has a key of its own)


def entry(key: tuple, plan) -> Callable | None:
    """``check(args)``: the arrays of ``args`` (as ``plan`` takes them) if they match ``key`` (Jitted's) and the
    plan's guard holds (``Plan.holds``, written out), else MISS.

    None where the key is not flat (keyword arguments, nested values, an array given twice)."""
    if len(key) != 3 or key[2] or key[1][0] is not tuple:
        return None
    items = key[1][1]
    names: dict = {"ndarray": np.ndarray, "MISS": MISS, "plan": plan, "HOOKS": HookHandle}
    lines = guard_lines(plan, names) + [f"        if len(args) != {len(items)}: return MISS",
                                        f"        {''.join(f'a{k}, ' for k in range(len(items)))}= args"]
    arrays = []
    for k, item in enumerate(items):
        if item is None:
            lines.append(f"        if a{k} is not None: return MISS")
            continue
        if item[0] is np.ndarray:
            _, shape, dtype = item
            lines.append(f"        d{k} = a{k}")
            test = f"a{k}.__class__ is not ndarray"
        elif isinstance(item[0], type) and issubclass(item[0], TensorBase):
            cls, shape, dtype, requires_grad = item
            names[f"T{k}"] = cls
            lines.append(f"        if a{k}.__class__ is not T{k} or a{k}.requires_grad is not {bool(requires_grad)}: "
                         "return MISS")
            lines.append(f"        d{k} = a{k}.data")
            test = f"d{k}.__class__ is not ndarray"
        else:
            return None
        names[f"D{k}"] = dtype
        lines.append(f"        if {test} or d{k}.shape != {tuple(shape)!r} or d{k}.dtype is not D{k}: return MISS")
        arrays.append(f"d{k}")
    if len(arrays) > MAX_ARRAYS:
        return None
    pairs = [f"{a} is {b}" for i, a in enumerate(arrays) for b in arrays[i + 1:]]
    if pairs:
        lines.append(f"        if {' or '.join(pairs)}: return MISS")
    lines.append(f"        return ({''.join(a + ', ' for a in arrays)})")
    source = "\n".join([f"def make({', '.join(names)}):", "    def check(args):", *lines, "    return check"])
    namespace: dict = {}
    exec(compile(source, "<ts.jit entry>", "exec"), namespace)  # noqa: S102 - code we generated above
    return namespace["make"](**names)


def guard_lines(plan, names: dict) -> list[str]:
    """``plan.holds()`` as lines: the same parameter (and state) arrays, the same modes, no hook registered since."""
    tests = []
    for k, (t, a) in enumerate(plan.arrays):
        names[f"P{k}"], names[f"A{k}"] = t, a
        tests.append(f"P{k}.data is not A{k}")
    for k, (m, mode) in enumerate(plan.modules):
        names[f"M{k}"], names[f"MODE{k}"] = m, mode
        tests.append(f"M{k}.training != MODE{k}")
    lines = [f"        if {' or '.join(tests)}: return MISS"] if tests else []
    # as holds(): hooks are looked for again only after one was registered somewhere
    return lines + ["        if plan.hooks_seen != HOOKS.registered and not plan.no_hooks(): return MISS"]
