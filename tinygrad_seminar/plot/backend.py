"""matplotlib, imported only when a picture is made, headless when there is no display.

matplotlib comes with the extra ``plot`` (``pip install "tinygrad_seminar[plot]"``); importing
``tinygrad_seminar`` never needs it. Every function of ``ts.plot`` gets its axes through ``axes``.
"""

from __future__ import annotations

import os
import sys

INSTALL = 'the pictures of ts.plot need matplotlib: pip install "tinygrad_seminar[plot]"'


def pyplot():
    """``matplotlib.pyplot``, with the Agg backend on a Linux without display; ImportError naming the extra."""
    try:
        import matplotlib  # the optional extra: imported where a picture is made, never at package import
    except ImportError as e:
        raise ImportError(INSTALL) from e
    headless = sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless and not os.environ.get("MPLBACKEND"):  # a server, CI, a terminal: draw to files, open no window
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def axes(ax=None, ncols: int = 1, figsize: tuple[float, float] | None = None):
    """(figure, axes): the given ``ax`` and its figure, or a new figure with ``ncols`` axes side by side."""
    if ax is not None:
        return ax.figure, ax
    fig, made = pyplot().subplots(1, ncols, figsize=figsize or (5.0 * ncols, 4.0), squeeze=True)
    return fig, made
