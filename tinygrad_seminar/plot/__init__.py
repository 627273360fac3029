"""The seminar's pictures, drawn with matplotlib (the extra ``plot``): each function returns the Figure."""

# part A
from .boundary import decision_boundary

__all__ = [
    # part A
    "decision_boundary",
]
