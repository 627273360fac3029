"""Looking inside a model: ``trace(model)`` records backpropagation in the slides' notation."""

from .trace import Trace, trace

__all__ = ["Trace", "trace"]
