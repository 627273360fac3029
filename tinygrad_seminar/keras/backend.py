"""``keras.backend``: what Keras scripts call on it here: ``clear_session``, ``floatx``, ``epsilon``."""

from __future__ import annotations

from ..nn.losses import EPSILON
from ..nn.module import reset_names


def clear_session() -> None:
    """Start the layers' default names again (dense, dense_1, ...), as Keras' ``clear_session`` does; there is no
    graph or device state to free here."""
    reset_names()


def floatx() -> str:
    """The default float type of layers and data: "float32"."""
    return "float32"


def epsilon() -> float:
    """The fuzz factor the losses clip probabilities with: 1e-7, as Keras'."""
    return EPSILON


__all__ = ["clear_session", "epsilon", "floatx"]
