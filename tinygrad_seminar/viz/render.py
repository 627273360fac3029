"""Graph: a picture made with Graphviz, which shows itself in Jupyter and saves itself by extension.

Building a Graph and reading ``.source`` need only the ``graphviz`` package; rendering (``save`` to an
image, ``svg``, Jupyter's display) runs Graphviz's ``dot`` program, and without it says how to install it.
"""

from __future__ import annotations

import os

import graphviz

from ..files import atomic_write

FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}

INSTALL_DOT = (
    "Graphviz's `dot` program is not installed (or not on PATH), so the graph cannot be rendered. Install it "
    "with `apt-get install graphviz` (Debian, Ubuntu), `brew install graphviz` (macOS) or `conda install graphviz`. "
    "Without it, graph.source still gives the DOT text, and graph.save('graph.dot') writes it.")


class GraphvizNotFoundError(RuntimeError):
    """Rendering needs Graphviz's ``dot`` program, which is not installed; the message says how to get it."""


class Graph:
    """A drawn graph: ``.digraph`` (a ``graphviz.Digraph``), ``.source`` (DOT text), ``.save(path)``, ``.svg()``.

    In Jupyter it displays itself as SVG. ``nodes`` and ``edges`` count what was drawn (legend excluded).
    """

    def __init__(self, digraph: graphviz.Digraph, nodes: int = 0, edges: int = 0, title: str = "") -> None:
        self.digraph, self.nodes, self.edges, self.title = digraph, nodes, edges, title

    @property
    def source(self) -> str:
        """The DOT text of the graph (no ``dot`` program needed)."""
        return self.digraph.source

    def pipe(self, format: str) -> bytes:  # noqa: A002 - graphviz's name
        """The graph rendered by ``dot`` in ``format`` ('svg', 'png', 'pdf')."""
        try:
            return self.digraph.pipe(format=format)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotFoundError(INSTALL_DOT) from None

    def svg(self) -> str:
        """The graph as SVG text."""
        return self.pipe("svg").decode("utf-8")

    def save(self, path: str | os.PathLike) -> str:
        """Write the picture; the extension says the format: .svg, .png, .pdf, or .dot (the source). Returns path."""
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"Graph.save: path must be a file name such as 'graph.svg', got {type(path).__name__}")
        path = os.fspath(path)
        ext = os.path.splitext(path)[1].lower()
        if ext not in FORMATS:
            raise ValueError(f"Graph.save: cannot tell the format from {path!r}; end the name with one of "
                             f"{', '.join(FORMATS)}")
        data = self.source.encode("utf-8") if FORMATS[ext] == "dot" else self.pipe(FORMATS[ext])
        return atomic_write(path, lambda f: f.write(data))

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        """Jupyter shows the SVG."""
        return {"image/svg+xml": self.svg()}

    def __repr__(self) -> str:
        title = f" {self.title!r}" if self.title else ""
        return (f"<Graph{title}: {self.nodes} nodes, {self.edges} edges; .save('graph.svg') writes it, "
                ".source is its DOT text>")
