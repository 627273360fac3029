"""docs/interop.md: each of its Python blocks runs as written (in a fresh folder)."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "interop.md").read_text(encoding="utf-8"), re.S)


def test_the_doc_has_its_two_examples():
    assert len(BLOCKS) == 2 and "import torch" in BLOCKS[0] and "import onnxruntime" in BLOCKS[1]


@pytest.mark.parametrize("needs, block", [(("torch",), BLOCKS[0]), (("onnx", "onnxruntime"), BLOCKS[1])],
                         ids=["pytorch", "onnx"])
def test_each_example_runs(needs, block, tmp_path, monkeypatch):
    for package in needs:
        pytest.importorskip(package, reason=f"the example needs {package}")
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "docs/interop.md", "exec"), {})
