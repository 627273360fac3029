"""Where the tour's pictures go: one file each in a folder, its path printed, all listed in an index.html.

A picture that needs a missing tool (matplotlib, Graphviz's ``dot``) is skipped; the tour says once
what it skipped and how to get it, and runs the rest.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..files import atomic_write
from ..plot.backend import pyplot
from ..viz import GraphvizNotFoundError

HOW_TO_GET = {
    "matplotlib": 'pip install "tinygrad_seminar[plot]"',
    "dot": "apt-get install graphviz (or brew install graphviz, conda install graphviz)",
}


@dataclass
class Picture:
    step: str
    path: Path
    sentence: str


class Gallery:
    """``figure``, ``graph`` and ``page`` write one picture each into ``out`` (None: write nothing).

    ``quick`` asks the steps for a short tour (fewer epochs, coarser pictures).
    """

    def __init__(self, out: str | os.PathLike | None, quick: bool = False) -> None:
        self.out = None if out is None else Path(out)
        self.quick = quick
        self.resolution = 120 if quick else 300  # grid points a side in decision boundaries
        self.pictures: list[Picture] = []
        self.skipped: dict[str, str] = {}
        self.step = ""
        if self.out is not None:
            self.out.mkdir(parents=True, exist_ok=True)

    def begin(self, n: int, title: str) -> None:
        """A step of the tour starts: its title, printed and kept for the index."""
        self.step = f"{n}. {title}"
        print(f"\n== {self.step} ==")

    def figure(self, name: str, sentence: str, make: Callable) -> None:
        """``make()`` returns a matplotlib Figure; it is saved as ``name`` (needs matplotlib)."""
        if self.out is None or "matplotlib" in self.skipped:
            return
        try:
            fig = make()
        except ImportError as e:
            self.skip("matplotlib", str(e))
            return
        path = self.out / name
        atomic_write(path, lambda f: fig.savefig(f, format=path.suffix[1:], dpi=100, bbox_inches="tight"))
        pyplot().close(fig)
        self.add(path, sentence)

    def graph(self, name: str, sentence: str, make: Callable) -> None:
        """``make()`` returns a ``ts.viz.Graph``; it is saved as ``name`` (needs Graphviz's dot)."""
        self.page(name, sentence, lambda path: make().save(path))

    def page(self, name: str, sentence: str, write: Callable) -> None:
        """``write(path)`` writes the file ``name`` (a picture or a page drawn with Graphviz's dot)."""
        if self.out is None or "dot" in self.skipped:
            return
        try:
            write(self.out / name)
        except GraphvizNotFoundError as e:
            self.skip("dot", str(e))
            return
        self.add(self.out / name, sentence)

    def add(self, path: Path, sentence: str) -> None:
        self.pictures.append(Picture(self.step, path, sentence))
        print(f"  picture: {path}")

    def skip(self, tool: str, reason: str) -> None:
        """Say once that the pictures needing ``tool`` are skipped, and how to get it."""
        if tool not in self.skipped:
            self.skipped[tool] = reason
            print(f"  (skipping the pictures that need {tool}: {HOW_TO_GET[tool]})")

    def index(self) -> Path | None:
        """Write ``index.html``: every picture under its step's title with its sentence; viewable offline."""
        if self.out is None:
            return None
        sections, current = [], None
        for p in self.pictures:
            if p.step != current:
                current = p.step
                sections.append(f"<h2>{html.escape(p.step)}</h2>")
            ref = html.escape(p.path.name)
            shown = (f'<a href="{ref}">open the page {ref}</a>' if p.path.suffix == ".html"
                     else f'<a href="{ref}"><img src="{ref}" alt="{html.escape(p.sentence)}"></a>')
            if p.path.suffix == ".svg":  # a graph: at its own size, scrolled sideways, so that its text stays legible
                shown = f'<div class="wide">{shown.replace("<img ", "<img class=natural ")}</div>'

            sections.append(f"<figure>{shown}<figcaption>{html.escape(p.sentence)}</figcaption></figure>")
        skipped = "".join(f"<p>Skipped the pictures that need {html.escape(t)}: {html.escape(HOW_TO_GET[t])}.</p>"
                          for t in self.skipped)
        text = INDEX.format(body="\n".join(sections), skipped=skipped)
        path = self.out / "index.html"
        atomic_write(path, lambda f: f.write(text.encode("utf-8")))
        return path


INDEX = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>The seminar's tour, in pictures</title>
<style>body {{ font-family: Helvetica, Arial, sans-serif; max-width: 1100px; margin: 20px auto; color: #222; }}
figure {{ margin: 12px 0 28px; }} img {{ max-width: 100%; border: 1px solid #ddd; }}
.wide {{ overflow-x: auto; }} img.natural {{ max-width: none; }}
figcaption {{ color: #444; margin-top: 4px; }}</style></head>
<body><h1>The seminar's tour, in pictures</h1>
<p>Written by <code>python -m tinygrad_seminar tour</code>; every picture was drawn by the framework.</p>
{skipped}
{body}
</body></html>
"""
