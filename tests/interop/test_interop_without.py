"""ts.interop without its optional packages: importing the package never needs them, and each function that
does says what to install. These tests always run (the packages are hidden, not required)."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import tinygrad_seminar as ts
from tinygrad_seminar import interop
from tinygrad_seminar.keras import layers as L

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def no_torch(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` raises ImportError, as when it is missing


def model():
    return ts.Sequential([L.Input((3,)), L.Dense(2, activation="relu")])


@pytest.mark.parametrize("call", [
    lambda: interop.to_torch(model()),
    lambda: interop.to_torch_state_dict(model()),
    lambda: interop.from_torch(object(), (3,)),
], ids=["to_torch", "to_torch_state_dict", "from_torch"])
def test_without_torch_the_error_says_what_to_install(no_torch, call):
    with pytest.raises(ImportError, match=r"pip install torch \(the CPU build alone.*download.pytorch.org/whl/cpu"):
        call()


def test_load_torch_state_dict_takes_arrays_without_torch(no_torch):
    m = model()
    interop.load_torch_state_dict(m, {"0.weight": np.ones((2, 3), np.float32), "0.bias": np.zeros(2, np.float32)})
    assert np.array_equal(m.predict(np.ones((1, 3), np.float32), verbose=0), [[3.0, 3.0]])


def test_importing_the_package_imports_neither_torch_nor_onnx():
    code = "import sys, tinygrad_seminar; print(sorted({'torch', 'onnx', 'onnxruntime'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.stdout.strip() == "[]"


def test_without_onnx_export_names_the_extra(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match=r'pip install "tinygrad_seminar\[onnx\]"'):
        model().export(tmp_path / "m.onnx", format="onnx")
    with pytest.raises(ImportError, match=r'pip install "tinygrad_seminar\[onnx\]"'):
        interop.from_onnx(tmp_path / "m.onnx")
    assert list(tmp_path.iterdir()) == []
