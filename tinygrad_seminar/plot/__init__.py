"""The seminar's pictures, drawn with matplotlib (the extra ``plot``): each function returns the Figure.

matplotlib is imported only when a picture is made; without it, each function raises an ImportError
naming ``pip install "tinygrad_seminar[plot]"``.
"""

from .boundary import decision_boundary
from .curves import activations, derivative, learning_curves
from .display import history_mimebundle
from .evaluation import confusion_matrix, regression
from .geometry import hidden_lines, weights

__all__ = [
    "activations", "confusion_matrix", "decision_boundary", "derivative", "hidden_lines", "learning_curves",
    "history_mimebundle", "regression", "weights",
]
