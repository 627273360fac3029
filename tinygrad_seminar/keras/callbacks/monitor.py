"""What EarlyStopping and ModelCheckpoint share to watch a monitored value: the mode ("min" or "max")
a metric's name implies, whether a value improves on the best one, and a copy of a model's weights."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ...autograd import arguments

MAX_NAMES = ("acc", "auc", "precision", "recall", "r2", "f1")  # metrics where larger is better


def resolve_mode(owner: str, mode: str, monitor: str) -> str:
    """``mode`` checked ("auto" with a warning if unknown) and, if "auto", resolved from the ``monitor`` name:
    "max" for accuracy-like names (``MAX_NAMES``) that are not losses, else "min". ``owner`` names the caller."""
    if not isinstance(monitor, str):
        raise TypeError(f"{owner}: monitor must be the name of a logged value such as 'val_loss', "
                        f"got {arguments.given(monitor)}")
    if mode not in ("auto", "min", "max"):
        warnings.warn(f"{owner} mode {mode!r} is unknown, falling back to 'auto'", stacklevel=3)
        mode = "auto"
    if mode == "auto":
        name = monitor.removeprefix("val_").lower()
        mode = "max" if "loss" not in name and any(key in name for key in MAX_NAMES) else "min"
    return mode


def check_waiting(owner: str, patience, min_delta, verbose) -> None:
    """What the callbacks that wait on a monitored value share, checked when they are made, not mid-training."""
    arguments.whole(patience, "patience", owner)
    arguments.real(min_delta, "min_delta", owner)
    if not isinstance(verbose, (bool, np.bool_)):  # verbose=True is common in Keras scripts
        arguments.whole(verbose, "verbose", owner)


def improves(mode: str, current: float, reference: float | None, min_delta: float) -> bool:
    """True if ``current`` beats ``reference`` by more than ``min_delta`` in direction ``mode``;
    always True when there is no ``reference`` yet."""
    if reference is None:
        return True
    return current < reference - min_delta if mode == "min" else current > reference + min_delta


def copy_weights(model: Any) -> dict[str, np.ndarray]:
    """A copy of ``model.state_dict()`` that later training steps do not change."""
    return {name: np.array(value, copy=True) for name, value in model.state_dict().items()}
