"""Looking inside: the operator graph drawn (``draw_graph``), the model's layers (``plot_model``),
backpropagation played step by step (``backward_steps``, ``animate_backward``) and in the slides'
notation (``trace``). Everything here reads graphs and models; nothing changes them."""

from .backprop import Step, animate_backward, backward_steps
from .draw import draw_graph, draw_tensor
from .layers import plot_model
from .render import Graph, GraphvizNotFoundError
from .structure import GraphTooLargeError
from .trace import Trace, trace

__all__ = [
    "Graph", "GraphTooLargeError", "GraphvizNotFoundError", "Step", "Trace", "animate_backward", "backward_steps",
    "draw_graph", "draw_tensor", "plot_model", "trace",
]
