"""docs/exercises.md: its Python blocks run as written (the teacher's exercise removed after)."""

import re
from pathlib import Path

import tinygrad_seminar as ts

DOC = Path(__file__).resolve().parents[2] / "docs" / "exercises.md"


def test_every_python_block_of_the_exercises_page_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # the grading block reads grades.jsonl if there is one
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)
    assert len(blocks) >= 3
    before = ts.exercises.ids()
    for i, block in enumerate(blocks):
        exec(compile(block, f"docs/exercises.md block {i}", "exec"), {})
    assert ts.exercises.ids() == before
    assert "hint: phi' at the wrong argument" in capsys.readouterr().out
