"""PyTorch, imported only when a model goes to or comes from it, and the three small modules it lacks.

``Permute`` (between our channels-last layout and PyTorch's channels-first), ``Rescaling`` and
``Normalization`` (Keras' layers) are torch Modules, so they are defined once torch is imported. They are
attributes of this module from then on (and on first access), so ``torch.save`` of a whole model pickles them.
"""

from __future__ import annotations

import numpy as np

INSTALL = ("ts.interop's PyTorch functions need PyTorch: pip install torch (the CPU build alone, without "
           "gigabytes of CUDA libraries: pip install torch --index-url https://download.pytorch.org/whl/cpu)")
NAMES = ("Permute", "Rescaling", "Normalization")
DTYPES = {"float16": "float16", "float32": "float32", "float64": "float64"}
_defined: dict = {}


def torch():
    """The ``torch`` module; an ImportError naming what to install without it."""
    try:
        import torch  # the optional dependency: imported where it is used, never at package import
    except ImportError as e:
        raise ImportError(INSTALL) from e
    return torch


def modules() -> dict:
    """{"Permute": class, "Rescaling": class, "Normalization": class}, torch Modules defined on first use."""
    if not _defined:
        _defined.update(_define(torch().nn))
        globals().update(_defined)
    return _defined


def __getattr__(name: str):  # PEP 562: `torch_modules.Permute` (and unpickling) defines the classes on demand
    if name in NAMES:
        return modules()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def torch_dtype(dtype):
    """torch's dtype of the same name as a numpy float dtype; ValueError for other dtypes."""
    name = np.dtype(dtype).name
    if name not in DTYPES:
        raise ValueError(f"dtype {name} has no PyTorch counterpart here; accepted: {', '.join(DTYPES)}")
    return getattr(torch(), name)


def numpy_dtype(dtype) -> np.dtype:
    """The numpy dtype of a torch float dtype; ValueError for others (bfloat16 has none in numpy)."""
    name = str(dtype).removeprefix("torch.")
    if name not in DTYPES:
        raise ValueError(f"PyTorch dtype {name} has no counterpart here; accepted: {', '.join(DTYPES)}")
    return np.dtype(name)


def _define(nn) -> dict:
    class Permute(nn.Module):
        """y = x.permute(dims): (0, 3, 1, 2) takes channels-last (N, H, W, C) to channels-first (N, C, H, W)."""

        def __init__(self, dims):
            super().__init__()
            self.dims = tuple(int(d) for d in dims)

        def forward(self, x):
            return x.permute(*self.dims)

        def extra_repr(self) -> str:
            return f"dims={self.dims}"

    class Rescaling(nn.Module):
        """y = x * scale + offset (Keras' Rescaling)."""

        def __init__(self, scale: float, offset: float = 0.0):
            super().__init__()
            self.scale, self.offset = float(scale), float(offset)

        def forward(self, x):
            return x * self.scale + self.offset

        def extra_repr(self) -> str:
            return f"scale={self.scale}, offset={self.offset}"

    class Normalization(nn.Module):
        """y = (x - mean) / s, s = max(sqrt(variance), 1e-7), per feature (Keras'); ``invert``: y = x * s + mean."""

        def __init__(self, features: int, invert: bool = False):
            super().__init__()
            self.invert = bool(invert)
            self.register_buffer("mean", torch().zeros(features))
            self.register_buffer("variance", torch().ones(features))

        def forward(self, x):
            s = self.variance.sqrt().clamp(min=1e-7)
            return x * s + self.mean if self.invert else (x - self.mean) / s

        def extra_repr(self) -> str:
            return f"features={self.mean.shape[0]}, invert={self.invert}"

    for cls in (Permute, Rescaling, Normalization):
        cls.__module__, cls.__qualname__ = __name__, cls.__name__
    return {"Permute": Permute, "Rescaling": Rescaling, "Normalization": Normalization}
