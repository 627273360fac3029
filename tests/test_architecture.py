"""The package's architecture, read from its source with ast (nothing is imported).

No import cycles; autograd at the bottom, importing nothing else of the package; private names stay in
their module; no package imports hidden in function bodies; files and functions of a readable size.

An edge A -> B means a statement in A imports module B: ``from . import engine`` imports the submodule
``engine``, ``from .x import Name`` imports x, ``from .. import nn`` imports the package nn (its
``__init__``), ``import pkg.a.b`` imports pkg.a.b. The packages Python initialises on the way to B are
no edges: a package's ``__init__`` importing its submodules, which import their siblings, is no cycle
unless some path leads back to it.
"""

from __future__ import annotations

import ast
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = "tinygrad_seminar"
MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


@dataclass(frozen=True)
class Edge:
    """One module of the package imported by one statement."""

    source: str
    target: str
    line: int
    name: str = ""  # the name taken from target (`from target import name`), "" when the module itself is taken
    binding: tuple[str, ...] = ()  # (local name, package module) when the statement binds a module to a name
    in_function: bool = False


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def known_prefix(dotted: str, modules: set[str]) -> str:
    """The longest prefix of ``dotted`` that is a module (``dotted`` itself if none is)."""
    parts = dotted.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in modules:
            return ".".join(parts[:n])
    return dotted


def import_base(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module a ``from ... import`` statement names, relative levels resolved."""
    if node.level == 0:
        return node.module
    parts = (module if is_package else module.rpartition(".")[0]).split(".")
    if node.level > len(parts):
        raise ValueError(f"{module}:{node.lineno}: relative import beyond the top-level package")
    base = ".".join(parts[:len(parts) - node.level + 1])
    return f"{base}.{node.module}" if node.module else base


def import_statements(tree: ast.AST, in_function: bool = False):
    """Every import statement of the tree, and whether it sits in a function or method body."""
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child, in_function
        yield from import_statements(child, in_function or isinstance(child, FUNCTIONS))


def edges_of(module: str, is_package: bool, tree: ast.AST, modules: set[str]) -> list[Edge]:
    """The package modules each import statement of ``module`` imports (third-party imports skipped)."""
    top = module.split(".")[0]
    ours = lambda dotted: dotted == top or dotted.startswith(top + ".")  # noqa: E731
    edges = []
    for node, in_function in import_statements(tree):
        at = {"source": module, "line": node.lineno, "in_function": in_function}
        if isinstance(node, ast.Import):
            for alias in node.names:
                if ours(alias.name):  # `import pkg.a.b` binds pkg, `import pkg.a.b as m` binds m to pkg.a.b
                    target = known_prefix(alias.name, modules)
                    binding = (alias.asname, target) if alias.asname else (top, top)
                    edges.append(Edge(target=target, binding=binding, **at))
            continue
        base = import_base(module, is_package, node)
        if not ours(base):
            continue
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            if submodule in modules:  # `from pkg import submodule`
                edges.append(Edge(target=submodule, binding=(alias.asname or alias.name, submodule), **at))
            else:
                edges.append(Edge(target=known_prefix(base, modules), name=alias.name, **at))
    return edges


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one module, each sorted."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while not component or component[-1] != v:
                component.append(stack.pop())
                on_stack.discard(component[-1])
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def cycle_through(graph: dict[str, set[str]], start: str, members: set[str]) -> list[str]:
    """A shortest cycle from ``start`` back to it within ``members`` (breadth first), [] if none."""
    parents, queue = {start: ""}, deque([start])
    while queue:
        node = queue.popleft()
        for nxt in sorted(graph[node] & members):
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(parents[path[-1]])
                return path[::-1]
            if nxt not in parents:
                parents[nxt] = node
                queue.append(nxt)
    return []


def import_cycles(graph: dict[str, set[str]]) -> list[tuple[list[str], list[str]]]:
    """Each tangle of modules importing each other: its modules, and the shortest cycle among them."""
    found = []
    for component in strongly_connected(graph):
        members = set(component)
        found.append((component, min((cycle_through(graph, m, members) for m in component), key=len)))
    return found


# ---- the package, parsed once ----
PATHS = {module_name(p): p for p in sorted((ROOT / PACKAGE).rglob("*.py"))}
TREES = {m: ast.parse(p.read_text(encoding="utf-8"), filename=str(p)) for m, p in PATHS.items()}
EDGES = [e for m, tree in TREES.items() for e in edges_of(m, PATHS[m].name == "__init__.py", tree, set(PATHS))]
GRAPH = {m: {e.target for e in EDGES if e.source == m and e.target != m and e.target in PATHS} for m in PATHS}


def module_of(node: ast.AST, bound: dict[str, str]) -> str | None:
    """The package module an expression names through a file's imports (``bound``: local name -> module)."""
    if isinstance(node, ast.Name):
        return bound.get(node.id)
    if isinstance(node, ast.Attribute) and (outer := module_of(node.value, bound)):
        return f"{outer}.{node.attr}" if f"{outer}.{node.attr}" in PATHS else None
    return None


def where(module: str, line: int) -> str:
    return f"{PATHS[module].relative_to(ROOT).as_posix()}:{line}"


def report(what: str, offenders: list[str]) -> str:
    return f"{what}, {len(offenders)} in all:\n  " + "\n  ".join(offenders)


# ---- the checker itself ----
@pytest.mark.parametrize("module, is_package, source, expected", [
    pytest.param("pkg", True, "from . import engine", ["pkg.engine"], id="from-dot-import-submodule-in-init"),
    pytest.param("pkg.a", False, "from . import VERSION", ["pkg"], id="from-dot-import-name-is-the-init"),
    pytest.param("pkg.a", False, "from .x import Name", ["pkg.x"], id="from-dot-x-import-name-is-x"),
    pytest.param("pkg.sub.a", False, "from .. import nn", ["pkg.nn"], id="from-dot-dot-import-package-is-its-init"),
    pytest.param("pkg.sub", True, "from .x import y", ["pkg.sub.x"], id="relative-import-in-init-is-from-itself"),
    pytest.param("pkg.sub.a", False, "from ..nn.x import y", ["pkg.nn.x"], id="parent-packages-are-no-edges"),
    pytest.param("pkg.a", False, "import pkg.nn.x as m", ["pkg.nn.x"], id="import-dotted-as"),
    pytest.param("pkg.a", False, "import pkg.nn.x", ["pkg.nn.x"], id="import-dotted-is-no-edge-to-the-top"),
    pytest.param("pkg.a", False, "from pkg import nn", ["pkg.nn"], id="absolute-from-pkg-import-submodule"),
    pytest.param("pkg.a", False, "import numpy\nfrom numpy import array", [], id="third-party-is-skipped"),
])
def test_the_checker_resolves_imports(module, is_package, source, expected):
    modules = {"pkg", "pkg.a", "pkg.engine", "pkg.x", "pkg.nn", "pkg.nn.x", "pkg.sub", "pkg.sub.a", "pkg.sub.x"}
    assert [e.target for e in edges_of(module, is_package, ast.parse(source), modules)] == expected


@pytest.mark.parametrize("graph, expected", [
    pytest.param({"pkg": {"pkg.sub"}, "pkg.sub": {"pkg.other"}, "pkg.other": set()}, [],
                 id="init-to-sub-to-sibling-is-no-cycle"),
    pytest.param({"pkg": {"pkg.sub"}, "pkg.sub": {"pkg.other"}, "pkg.other": {"pkg"}},
                 [(["pkg", "pkg.other", "pkg.sub"], ["pkg", "pkg.sub", "pkg.other"])],
                 id="a-path-back-to-the-init-is-a-cycle"),
    pytest.param({"a": {"b"}, "b": {"c"}, "c": {"a", "b"}}, [(["a", "b", "c"], ["b", "c"])],
                 id="a-tangle-shows-its-shortest-cycle"),
    pytest.param({"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"c"}}, [(["a", "b"], ["a", "b"]), (["c", "d"], ["c", "d"])],
                 id="separate-tangles-are-reported-apart"),
])
def test_the_checker_finds_cycles(graph, expected):
    assert import_cycles(graph) == expected


def test_the_checker_sees_imports_in_functions_and_module_bindings():
    source = "import pkg.nn as N\nimport pkg.x\ndef f():\n    from . import x\n    import json\n"
    edges = edges_of("pkg.a", False, ast.parse(source), {"pkg", "pkg.a", "pkg.nn", "pkg.x"})
    assert [(e.target, e.binding, e.in_function) for e in edges] == [
        ("pkg.nn", ("N", "pkg.nn"), False), ("pkg.x", ("pkg", "pkg"), False), ("pkg.x", ("x", "pkg.x"), True)]


def test_the_package_was_found():
    assert {PACKAGE, f"{PACKAGE}.autograd", f"{PACKAGE}.autograd.state", f"{PACKAGE}.nn"} <= set(PATHS)
    assert GRAPH[PACKAGE] >= {f"{PACKAGE}.autograd", f"{PACKAGE}.nn"}


# ---- the package ----
def test_no_import_cycles():
    lines = {(e.source, e.target): e.line for e in reversed(EDGES)}  # the first statement of each edge
    offenders = []
    for modules, cycle in import_cycles(GRAPH):
        hops = zip(cycle, cycle[1:] + cycle[:1])
        offenders.append(f"{len(modules)} modules, each on a cycle: {', '.join(modules)}\n"
                         f"    the shortest cycle: {' -> '.join(cycle + cycle[:1])}"
                         + "".join(f"\n      {where(a, lines[a, b])}: {a} imports {b}" for a, b in hops))
    assert not offenders, report("tangles of modules importing each other", offenders)


def test_autograd_imports_nothing_else_of_the_package():
    inside = lambda m: m == f"{PACKAGE}.autograd" or m.startswith(f"{PACKAGE}.autograd.")  # noqa: E731
    offenders = sorted({f"{where(e.source, e.line)}: {e.source} imports {e.target}"
                        for e in EDGES if inside(e.source) and not inside(e.target)})
    assert not offenders, report("imports from outside tinygrad_seminar.autograd", offenders)


# Each top-level part of the package may import only the parts on lower ranks (and its own modules): the
# layers of docs/architecture.md. Pictures, the tour and the exercises sit on top; nothing below imports them.
RANKS = {"files": 0, "autograd": 0, "nn": 1, "datasets": 1, "keras": 2, "rules": 3, "viz": 4, "plot": 4,
         "interop": 4, "tour": 5, "exercises": 5, "__main__": 6}


def part(module: str) -> str | None:
    """The top-level part of the package a module belongs to (None for the package root itself)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_each_part_imports_only_the_parts_below_it():
    offenders = set()
    for e in EDGES:
        source, target = part(e.source), part(e.target)
        if source is None or target is None or source == target:
            continue
        if RANKS.get(target, 99) >= RANKS.get(source, -1):
            offenders.add(f"{where(e.source, e.line)}: {e.source} ({source}) imports {e.target} ({target})")
    assert not offenders, report("imports that go up the layers (or a part missing from RANKS)", offenders)


def test_no_private_name_is_imported_from_another_module():
    offenders = set()
    for e in EDGES:
        if e.name and is_private(e.name):
            offenders.add(f"{where(e.source, e.line)}: {e.source} imports {e.name} from {e.target}")
        parts = e.target.split(".")
        owner = next((".".join(parts[:i]) for i, part in enumerate(parts) if is_private(part)), None)
        if owner is not None and e.source != owner and not e.source.startswith(owner + "."):
            offenders.add(f"{where(e.source, e.line)}: {e.source} imports the private module {e.target}")
    assert not offenders, report("private names imported", sorted(offenders))


def test_no_module_reaches_into_another_modules_private_names():
    offenders = []
    for m, tree in TREES.items():
        bound = dict(e.binding for e in EDGES if e.source == m and e.binding)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and is_private(node.attr) and (owner := module_of(node.value, bound)):
                offenders.append(f"{where(m, node.lineno)}: {m} uses {owner}.{node.attr}")
    assert not offenders, report("private names reached through a module", sorted(offenders))


def test_no_function_imports_from_the_package():
    offenders = sorted({f"{where(e.source, e.line)}: {e.source} imports {e.target} inside a function"
                        for e in EDGES if e.in_function})
    assert not offenders, report("imports of the package inside functions", offenders)


def test_no_file_is_over_400_lines():
    sizes = {m: len(p.read_text(encoding="utf-8").splitlines()) for m, p in PATHS.items()}
    offenders = [f"{where(m, MAX_FILE_LINES + 1)}: {n} lines, {n - MAX_FILE_LINES} over from this line on"
                 for m, n in sizes.items() if n > MAX_FILE_LINES]
    assert not offenders, report(f"files over {MAX_FILE_LINES} lines", offenders)


def test_no_function_is_over_60_lines():
    offenders = []
    for m, tree in TREES.items():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    offenders.append(f"{where(m, node.lineno)}: {node.name} has {n} lines")
    assert not offenders, report(f"functions over {MAX_FUNCTION_LINES} lines", sorted(offenders))


def test_only_the_package_root_and_main_import_the_exercises():
    inside = lambda m: m == f"{PACKAGE}.exercises" or m.startswith(f"{PACKAGE}.exercises.")  # noqa: E731
    allowed = {PACKAGE, f"{PACKAGE}.__main__"}
    offenders = sorted({f"{where(e.source, e.line)}: {e.source} imports {e.target}"
                        for e in EDGES if inside(e.target) and not inside(e.source) and e.source not in allowed})
    assert not offenders, report("imports of tinygrad_seminar.exercises from the layers below it", offenders)
