"""``TerminateOnNaN``: stop training after a batch whose loss is NaN or infinite (Keras 3's callback)."""

from __future__ import annotations

import math

from ...autograd import arguments
from .callback import Callback, Logs


class TerminateOnNaN(Callback):
    """After a training batch whose loss is NaN or +-inf: ``model.stop_training = True`` (fit ends after that
    batch), or, with ``raise_error=True``, a RuntimeError naming the batch.

    The loss read is ``logs["loss"]``, the running mean of the epoch, which turns non-finite with the first
    non-finite batch and stays so; batches count from 0 in the message, as in Keras.
    """

    def __init__(self, raise_error: bool = False) -> None:
        super().__init__()
        self.raise_error = arguments.flag(raise_error, "raise_error", "TerminateOnNaN")

    def on_batch_end(self, batch: int, logs: Logs = None) -> None:
        loss = (logs or {}).get("loss")
        if loss is None or math.isfinite(float(loss)):
            return
        if self.raise_error:
            raise RuntimeError(f"NaN or Inf loss encountered at batch {batch} (loss {float(loss)}). "
                               "Stopping training.")
        print(f"Batch {batch}: Invalid loss, terminating training")
        self.model.stop_training = True


__all__ = ["TerminateOnNaN"]
