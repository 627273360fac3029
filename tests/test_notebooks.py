"""The notebooks in notebooks/: the nine topics, committed without outputs, and each runs top to bottom.

``run_notebook(notebook, cwd)`` executes one notebook through nbclient in a fresh ``python3`` kernel and returns
it executed; it is a plain function so that other notebook tests (the exercises) can import or copy it.
Executing needs the dev extra's nbclient, nbformat and ipykernel; without them those tests are skipped.
"""

from __future__ import annotations

import importlib.util
import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
EXPECTED = (
    "01_mcculloch_pitts",
    "02_perceptron",
    "03_derivative",
    "04_linear_neuron",
    "05_sigmoid_neuron",
    "06_delta_rule",
    "07_one_layer_softmax",
    "08_dense_backprop",
    "09_custom_ops_and_gradcheck",
)
CELL_TIMEOUT = 60  # seconds one cell may take before the run fails
MISSING = [name for name in ("nbclient", "nbformat", "ipykernel") if importlib.util.find_spec(name) is None]


def notebook_paths() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def run_notebook(notebook, cwd: str | os.PathLike, timeout: int = CELL_TIMEOUT):
    """Execute a notebook top to bottom and return it executed, as an nbformat v4 notebook.

    ``notebook``: the path of an .ipynb file, or a notebook already read with ``nbformat.read`` (say, with
    solutions filled in), which is executed in place. The kernel is a fresh ``python3`` one whose working
    directory is ``cwd`` (whatever a notebook writes lands there); it imports the package of this checkout
    (the checkout comes first on its PYTHONPATH), keeps no IPython history, logs only its errors, prints
    tracebacks without colours and draws each figure once (as Jupyter does, less the trim to a tight
    bounding box). A cell that raises, or runs longer than ``timeout`` seconds, raises nbclient's
    ``CellExecutionError`` (or a ``TimeoutError``) naming the cell and showing its traceback.
    """
    import nbformat
    from nbclient import NotebookClient

    if not isinstance(notebook, dict):
        notebook = nbformat.read(os.fspath(notebook), as_version=4)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    env.pop("MPLBACKEND", None)  # the kernel picks Jupyter's inline backend, as in a notebook server
    kernel_options = ["--HistoryManager.enabled=False", "--InteractiveShell.colors=nocolor", "--log-level=ERROR",
                      # each figure is still drawn in full, but once: a tight bounding box would draw it twice
                      '--InlineBackend.print_figure_kwargs={"bbox_inches": None}']
    client = NotebookClient(notebook, timeout=timeout, startup_timeout=60, kernel_name="python3",
                            extra_arguments=kernel_options, resources={"metadata": {"path": os.fspath(cwd)}})
    client.execute(env=env)
    return notebook


def test_the_notebooks_are_the_nine_topics_of_the_seminar():
    assert [path.stem for path in notebook_paths()] == list(EXPECTED)


@pytest.mark.parametrize("path", notebook_paths(), ids=lambda path: path.stem)
def test_the_committed_notebook_carries_no_outputs_and_no_execution_counts(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    assert notebook["nbformat"] == 4
    for number, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{path.name}, cell {number}: clear the outputs before committing"
            assert cell["execution_count"] is None, f"{path.name}, cell {number}: clear the execution count"


needs_kernel = pytest.mark.skipif(bool(MISSING), reason=f"executing notebooks needs {', '.join(MISSING)} (the dev "
                                                      'extra): pip install -e ".[dev]"')


@pytest.fixture(scope="module")
def notebook_runs(request, tmp_path_factory):
    """path -> the Future of ``run_notebook(path, a fresh folder)``, for every notebook this session tests.

    They are all queued at once and run two at a time: most of a run is a kernel starting and importing on
    one core, so two in parallel take about half the time. Each test waits for its own notebook's run; the
    runs not yet started when the module's tests end (after a failure with -x, say) are cancelled.
    """
    tested = sorted({item.callspec.params["path"] for item in request.session.items
                     if getattr(item, "originalname", None) == "test_the_notebook_runs_top_to_bottom"})
    pool = ThreadPoolExecutor(max_workers=2)
    try:
        yield {path: pool.submit(run_notebook, path, tmp_path_factory.mktemp(path.stem)) for path in tested}
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@needs_kernel
@pytest.mark.parametrize("path", notebook_paths(), ids=lambda path: path.stem)
def test_the_notebook_runs_top_to_bottom(path, notebook_runs):
    executed = notebook_runs[path].result()  # a failing cell raises here, with its traceback
    code = [cell for cell in executed.cells if cell.cell_type == "code"]
    assert all(cell.execution_count is not None for cell in code)
