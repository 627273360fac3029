"""The README's commands are what CI runs."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _command(readme: str, marker: str) -> str:
    return next(line.strip() for line in readme.splitlines() if line.strip().endswith(marker))


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    test_cmd = _command(readme, "python -m pytest")
    assert test_cmd in (ROOT / ".ci" / "run").read_text()


def test_readme_tour_command_runs_the_tour():
    readme = (ROOT / "README.md").read_text()
    assert _command(readme, "python -m tinygrad_seminar tour").startswith("python -m venv .venv")


def test_every_python_block_of_the_readme_runs(tmp_path, monkeypatch, capsys):
    import re

    monkeypatch.chdir(tmp_path)  # the Keras block saves moons.keras in the current folder
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    assert len(blocks) >= 3
    for i, block in enumerate(blocks):
        exec(compile(block, f"README.md block {i}", "exec"), {})
    assert (tmp_path / "moons.keras").is_file()
    assert (tmp_path / "graph.svg").is_file() and (tmp_path / "backprop.html").is_file()  # the pictures' block
