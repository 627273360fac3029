"""Exercise notebooks: for each exercise its statement, a stub to fill in and a check cell, without outputs.

``notebook(ids, title)`` builds one (nbformat 4.5, as plain JSON: no Jupyter needed to write it);
``write_notebooks(folder)`` writes the catalogue's, one per group of seminar topics (NOTEBOOKS), as they
are committed in ``notebooks/exercises/``. A stub cell carries ``{"exercise": id}`` in its metadata and the
tag "stub", a check cell the tag "check": the tests fill the stubs with the reference solutions and run them.
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path

from ..files import atomic_write
from .catalogue import all_exercises, get

__all__ = ["NOTEBOOKS", "notebook", "write_notebooks"]

#: file name -> (title, the topics it holds, by their number)
NOTEBOOKS = {
    "01_neurons.ipynb": ("One neuron: the perceptron, the linear and sigmoid neurons, the delta rule's table",
                         ("2", "4", "5", "6")),
    "02_networks.ipynb": ("Networks: softmax, categorical cross-entropy, backpropagation", ("7", "8")),
    "03_framework.ipynb": ("The framework: a Dense layer's backward, your own ts.Function", ("9",)),
}
SETUP = "import numpy as np  # noqa: F401 - your answers use it\n\nimport tinygrad_seminar as ts"
HOW = ("Fill in each stub (numpy in, numpy out), then run the cell below it: it checks your answer against the "
       "engine's automatic gradient on seeded cases and says where it differs. From a terminal: "
       "`python -m tinygrad_seminar exercises check FILE.py`.")


def _cell(kind: str, cell_id: str, source: str, **metadata) -> dict:
    cell = {"cell_type": kind, "id": cell_id, "metadata": metadata, "source": source.splitlines(keepends=True)}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def notebook(exercise_ids, title: str = "Exercises") -> dict:
    """A notebook of the exercises ``exercise_ids``: a setup cell, then a statement, a stub and a check each."""
    cells = [_cell("markdown", "title", f"# {title}\n\n{HOW}"), _cell("code", "setup", SETUP)]
    topic = None
    for exercise_id in exercise_ids:
        ex = get(exercise_id)
        if ex.topic != topic:
            topic = ex.topic
            cells.append(_cell("markdown", f"topic-{exercise_id}", f"## {topic or 'More exercises'}"))
        statement = inspect.cleandoc(ex.statement)
        text = f"### {ex.title} (`{ex.id}`)\n\n```text\n{statement}\n```"
        cells.append(_cell("markdown", f"{ex.id}-statement", text))
        cells.append(_cell("code", f"{ex.id}-stub", ex.runner.stub(ex).rstrip("\n"), exercise=ex.id, tags=["stub"]))
        cells.append(_cell("code", f"{ex.id}-check", f'print(ts.exercises.check("{ex.id}", {ex.solution_name}))',
                           tags=["check"]))
    metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                "language_info": {"name": "python"}, "exercises": list(exercise_ids)}
    return {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def write_notebooks(folder) -> list[Path]:
    """Write the catalogue's notebooks (NOTEBOOKS) into ``folder``; return their paths."""
    written = []
    for name, (title, topics) in NOTEBOOKS.items():
        ids = [ex.id for ex in all_exercises() if ex.topic.split(".")[0] in topics]
        text = json.dumps(notebook(ids, title), indent=1, ensure_ascii=False) + "\n"
        path = Path(folder) / name
        atomic_write(path, lambda f, text=text: f.write(text.encode("utf-8")))
        written.append(path)
    return written
