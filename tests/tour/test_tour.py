"""The tour as a gallery: every step runs, its pictures land in a folder, and index.html shows them all."""

from __future__ import annotations

import re
import shutil
import sys

import pytest

from tinygrad_seminar.__main__ import main

PICTURES = (".png", ".svg")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz's dot program is not installed")
def test_the_quick_tour_writes_its_pictures_and_an_index_of_them(tmp_path, capsys):
    pytest.importorskip("matplotlib", reason="the tour's plots need the extra plot")
    assert main(["tour", "--quick", "--out", str(tmp_path / "gallery")]) == 0
    out = capsys.readouterr().out
    gallery = tmp_path / "gallery"
    pictures = sorted(p.name for p in gallery.iterdir() if p.suffix in PICTURES)
    assert len(pictures) >= 12, pictures
    index = (gallery / "index.html").read_text()
    linked = set(re.findall(r'href="([^"]+)"', index))
    assert set(pictures) | {"backprop.html"} <= linked  # every picture (and the backprop page) is in the index
    assert all(f"picture: {gallery / name}" in out for name in pictures)  # and each path is printed
    assert "http" not in index  # viewable offline: nothing fetched
    assert "skipping" not in out


def test_without_matplotlib_and_dot_the_tour_says_what_it_skipped_and_runs_the_rest(tmp_path, capsys, monkeypatch):
    for name in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib now raises ImportError
    monkeypatch.setenv("PATH", str(tmp_path))  # and there is no dot
    assert main(["tour", "--quick", "--out", str(tmp_path / "gallery")]) == 0
    out = capsys.readouterr().out
    assert out.count('skipping the pictures that need matplotlib: pip install "tinygrad_seminar[plot]"') == 1
    assert out.count("skipping the pictures that need dot: apt-get install graphviz") == 1
    assert "== 9. The gradient checker" in out  # every step ran
    index = (tmp_path / "gallery" / "index.html").read_text()
    assert "Skipped the pictures that need matplotlib" in index and "<img" not in index


def test_no_pictures_writes_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["tour", "--quick", "--no-pictures"]) == 0
    assert list(tmp_path.iterdir()) == []
    assert "picture:" not in capsys.readouterr().out
