"""notebooks/exercises/: the catalogue's notebooks as committed (no outputs), and run with the reference
solutions filled in, every check passes (skipped without nbclient, the extra dev's)."""

from __future__ import annotations

import inspect
import json
import sys
from pathlib import Path

import pytest

import tinygrad_seminar as ts
from tinygrad_seminar.__main__ import main

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "notebooks" / "exercises"


def test_the_committed_notebooks_are_the_catalogues_without_outputs(tmp_path):
    written = ts.exercises.write_notebooks(tmp_path)
    assert sorted(p.name for p in written) == sorted(p.name for p in FOLDER.glob("*.ipynb"))
    covered = []
    for path in written:
        committed = json.loads((FOLDER / path.name).read_text())
        assert committed == json.loads(path.read_text()), f"regenerate: ts.exercises.write_notebooks('{FOLDER}')"
        code = [c for c in committed["cells"] if c["cell_type"] == "code"]
        assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
        stubs = [c["metadata"]["exercise"] for c in code if "stub" in c["metadata"].get("tags", [])]
        assert stubs == committed["metadata"]["exercises"]
        assert sum("check" in c["metadata"].get("tags", []) for c in code) == len(stubs)
        covered += stubs
    assert covered == ts.exercises.ids()


def test_show_notebook_prints_one_for_the_ids_given(capsys):
    assert main(["exercises", "show", "relu_derivative", "backprop", "--notebook"]) == 0
    nb = json.loads(capsys.readouterr().out)
    assert nb["metadata"]["exercises"] == ["relu_derivative", "backprop"] and nb["nbformat"] == 4


def filled_in(path: Path):
    """The notebook with every stub replaced by the exercise's reference solution."""
    nbformat = pytest.importorskip("nbformat")
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if "stub" in cell.metadata.get("tags", []):
            cell.source = inspect.getsource(ts.exercises.get(cell.metadata["exercise"]).reference)
    return nb


@pytest.fixture
def no_ipykernel_left():
    """Running a notebook imports ipykernel into this process, and the progress bar of fit takes an imported
    ipykernel for a Jupyter display (keras/progress.py): take the modules back out for the tests after."""
    before = set(sys.modules)
    yield
    for name in [n for n in sys.modules if n not in before and n.split(".")[0] == "ipykernel"]:
        del sys.modules[name]


def test_the_notebooks_with_the_reference_solutions_pass_every_check(tmp_path, monkeypatch, no_ipykernel_left):
    """Every cell of every notebook, in order, in one kernel (a kernel takes seconds to start)."""
    nbclient = pytest.importorskip("nbclient", reason="running notebooks needs nbclient (the extra dev)")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # the kernel imports this checkout's tinygrad_seminar
    notebooks = {path.name: filled_in(path) for path in sorted(FOLDER.glob("*.ipynb"))}
    cells = []
    for name, nb in notebooks.items():
        for cell in nb.cells:
            cell.id, cell.metadata["notebook"] = f"{name[:2]}-{cell.id}", name
            cells.append(cell)
    one = next(iter(notebooks.values()))
    one.cells = cells
    nbclient.NotebookClient(one, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    checks = [c for c in one.cells if "check" in c.metadata.get("tags", [])]
    verdicts = {(c.metadata["notebook"], c.source): "".join(o.get("text", "") for o in c.outputs) for c in checks}
    assert len(verdicts) == len(ts.exercises.ids())
    assert [k for k, text in verdicts.items() if "passed all" not in text] == [], verdicts
