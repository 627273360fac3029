"""Timing shared by the benchmark scripts (run them as ``python benchmarks/<script>.py``)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence


def interleaved_medians(fns: Sequence[Callable[[], object]], repeat: int, chunk: int = 10) -> list[float]:
    """Median seconds per call of each fn, timed in alternating chunks.

    A virtual machine's speed drifts by tens of percent over seconds; timing the contenders turn
    about keeps their ratio honest where timing one after the other does not.
    """
    for fn in fns:
        for _ in range(chunk):
            fn()
    samples: list[list[float]] = [[] for _ in fns]
    for _ in range(max(repeat // chunk, 3)):
        for fn, out in zip(fns, samples):
            t0 = time.perf_counter()
            for _ in range(chunk):
                fn()
            out.append((time.perf_counter() - t0) / chunk)
    return [statistics.median(s) for s in samples]
