"""``keras.utils``: ``to_categorical``, ``set_random_seed``, ``plot_model`` (with Keras 3's defaults).

``plot_model`` draws with ``ts.viz.plot_model``. ``viz`` is built on ``keras`` and so cannot be imported
here; the package root installs it as ``plot_model.draw`` (as it binds ``Model.plot``), so importing
``tinygrad_seminar.keras`` in any way makes it work.
"""

from __future__ import annotations

import random

import numpy as np

from ..autograd import arguments, manual_seed
from . import backend


def to_categorical(x, num_classes: int | None = None) -> np.ndarray:
    """Integer labels as one-hot rows, Keras' way: shape ``x.shape + (num_classes,)`` (a trailing axis of 1
    dropped), ``num_classes`` = max label + 1 by default."""
    x = np.asarray(x)
    if x.dtype.kind == "f":
        if not np.all(x == np.round(x)):
            raise ValueError("to_categorical: labels must be whole numbers 0..num_classes-1")
        x = x.astype("int64")
    if x.dtype.kind not in "iu":
        raise TypeError(f"to_categorical: labels must be integers, got dtype {x.dtype}")
    if x.ndim > 1 and x.shape[-1] == 1:
        x = x.reshape(x.shape[:-1])
    if num_classes is not None:
        arguments.whole(num_classes, "num_classes", "to_categorical", minimum=1)
    num_classes = int(x.max()) + 1 if num_classes is None else int(num_classes)
    if x.size and (x.min() < 0 or x.max() >= num_classes):
        raise ValueError(f"to_categorical: labels must be in 0..{num_classes - 1}, got {x.min()}..{x.max()}")
    out = np.zeros((x.size, num_classes), "float64")
    out[np.arange(x.size), x.reshape(-1)] = 1.0
    return out.reshape(x.shape + (num_classes,))


def set_random_seed(seed: int) -> None:
    """Seed Python's ``random``, numpy's global generator and the framework's (``ts.manual_seed``)."""
    if not isinstance(seed, (int, np.integer)):
        raise TypeError(f"set_random_seed: seed must be an integer, got {seed!r}")
    random.seed(int(seed))
    np.random.seed(int(seed))  # noqa: NPY002 - Keras seeds numpy's global generator, which scripts use
    manual_seed(int(seed))


def plot_model(model, to_file: str = "model.png", show_shapes: bool = False, show_dtype: bool = False,
               show_layer_names: bool = False, rankdir: str = "TB", expand_nested: bool = False, dpi: int = 200,
               show_layer_activations: bool = False, show_trainable: bool = False):
    """Draw the model's layers to ``to_file`` (Keras 3's defaults); returns the picture (ts.viz.plot_model's).

    ``expand_nested``, ``dpi``, ``show_layer_activations`` and ``show_trainable`` are accepted for
    Keras' sake; the drawing always shows each Dense layer's activation.
    """
    draw = plot_model.draw
    if draw is None:
        raise RuntimeError("keras.utils.plot_model needs ts.viz: import tinygrad_seminar (the package root) first")
    return draw(model, to_file=to_file, show_shapes=show_shapes, show_dtype=show_dtype,
                show_layer_names=show_layer_names, rankdir=rankdir)


plot_model.draw = None  # set by the package root to ts.viz.plot_model

clear_session = backend.clear_session  # Keras 3 has it in both places

__all__ = ["clear_session", "plot_model", "set_random_seed", "to_categorical"]
