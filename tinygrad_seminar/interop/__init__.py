"""The way out: a model trained here goes to PyTorch (and comes back), or to ONNX for serving.

``to_torch``, ``from_torch``, ``to_torch_state_dict``, ``load_torch_state_dict`` (PyTorch, imported only
when they run: ``pip install torch``); ``export`` (bound as ``Model.export``) and ``from_onnx`` (the extra
``onnx``: ``pip install "tinygrad_seminar[onnx]"``). docs/interop.md shows both paths.
"""

from .from_torch import from_torch
from .onnx_export import OPSET, export, to_onnx
from .onnx_import import from_onnx
from .to_torch import load_torch_state_dict, to_torch, to_torch_state_dict

__all__ = ["OPSET", "export", "from_onnx", "from_torch", "load_torch_state_dict", "to_onnx", "to_torch",
           "to_torch_state_dict"]
