"""The primitive ops by family: ``math`` (elementwise), ``reduce``, ``shape`` (moving numbers), ``fused``."""

from .dropout import Dropout
from .fused import Affine, SigmoidBCE, SoftmaxCE, SparseSoftmaxCE
from .math import (
    Abs,
    Add,
    Cast,
    Clip,
    Div,
    Exp,
    Log,
    Matmul,
    Maximum,
    Minimum,
    Mul,
    Neg,
    Pow,
    Relu,
    Sigmoid,
    Softplus,
    Sqrt,
    Step,
    Sub,
    Tanh,
    Where,
)
from .op import Op, count, inverse, stable_sigmoid
from .reduce import LogSoftmax, Max, Min, Softmax, Sum
from .shape import BroadcastTo, Concatenate, GetItem, PickPerRow, Reshape, ScatterAdd, Transpose

__all__ = [
    "Abs", "Add", "Affine", "BroadcastTo", "Cast", "Clip", "Concatenate", "Div", "Dropout", "Exp", "GetItem", "Log",
    "LogSoftmax", "Matmul", "Max", "Maximum", "Min", "Minimum", "Mul", "Neg", "Op", "PickPerRow", "Pow", "Relu",
    "Reshape", "ScatterAdd", "Sigmoid", "SigmoidBCE", "Softmax", "SoftmaxCE", "Softplus", "SparseSoftmaxCE", "Sqrt",
    "Step", "Sub", "Sum", "Tanh", "Transpose", "Where", "count", "inverse", "stable_sigmoid",
]
