"""What the tests of ts.plot ask of a picture: saved as a PNG, it is not blank."""

from __future__ import annotations

import numpy as np


def drawn_fraction(fig, path) -> float:
    """Save ``fig`` as a PNG at ``path``; the fraction of its pixels that differ from the background colour."""
    import matplotlib.image as mpimg  # noqa: PLC0415 - tests of ts.plot run only where matplotlib is installed

    fig.savefig(path, dpi=60)
    pixels = mpimg.imread(path)[..., :3]
    background = np.median(pixels.reshape(-1, 3), axis=0)  # the most common colour: the figure's face
    return float(np.mean(np.abs(pixels - background).max(axis=-1) > 0.02))


def assert_drawn(fig, path, at_least: float = 0.05) -> None:
    """At least 5 % of the PNG's pixels differ from the background: the picture is not blank."""
    fraction = drawn_fraction(fig, path)
    assert fraction >= at_least, f"{path}: only {fraction:.1%} of the pixels are drawn"
