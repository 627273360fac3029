"""The seminar's pictures, drawn with matplotlib (the extra ``plot``): each function returns the Figure."""

# part A
from .boundary import decision_boundary
from .curves import activations, derivative, learning_curves

__all__ = [
    # part A
    "activations", "decision_boundary", "derivative", "learning_curves",
]
