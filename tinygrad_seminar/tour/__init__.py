"""The seminar in one command, as a gallery: each step runs, prints what it shows, checks what it claims,
and writes its pictures into a folder, listed at the end in an ``index.html`` that opens offline.

Data is made in code. Besides the pictures, the only file written is a saved model in a temporary
folder, removed after.
"""

from __future__ import annotations

import os

import tinygrad_seminar as ts

from .gallery import Gallery
from .networks import dense_backprop, gradient_checker, keras_workflow, one_layer
from .neurons import linear_neuron, mcculloch_pitts, newton, perceptron, sigmoid_and_delta

STEPS = (mcculloch_pitts, perceptron, newton, linear_neuron, sigmoid_and_delta, one_layer, dense_backprop,
         keras_workflow, gradient_checker)
DEFAULT_OUT = "seminar-tour"


def tour(out: str | os.PathLike | None = DEFAULT_OUT, quick: bool = False) -> Gallery:
    """Run every step; pictures go into ``out`` (None: no pictures). ``quick``: a short tour, under 10 seconds."""
    print(f"tinygrad_seminar {ts.__version__}: a tour of the seminar, from one neuron to Keras")
    gallery = Gallery(out, quick)
    for step in STEPS:
        step(gallery)
    print("\nEvery rule above is proved equal to autograd by property tests: see docs/seminar.md.")
    index = gallery.index()
    if index is not None:
        print(f"\nThe pictures: {len(gallery.pictures)} in {gallery.out}; open {index} in a browser.")
    return gallery


__all__ = ["DEFAULT_OUT", "STEPS", "Gallery", "tour"]
