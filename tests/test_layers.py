"""The import graph follows the layer table in docs/DEVELOPING.md and has no cycles.

The graph is read with `ast` from every first-party file (imports inside functions count too: a
lazy import still ties the layers together). An edge goes to the module imported: `from pkg
import name` is an edge to `pkg.name` when that is a module, else to `pkg`. The table's rows
say, per folder (or entrypoint file), which first-party folders it may import and which outside
packages it must not (the "never" column).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEVELOPING = ROOT / "docs" / "DEVELOPING.md"
SKIP_DIRS = {"tests", "benchmarks", ".git", ".venv", "venv", "__pycache__", "node_modules"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def first_party_files() -> dict[str, Path]:
    files = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in SKIP_DIRS or any(p.startswith(".") for p in rel.parts):
            continue
        files[module_name(path)] = path
    return files


def _resolve(module: str, level: int, importer: str, is_package: bool) -> str:
    if level == 0:
        return module
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """First-party modules `name` imports, and (with a "!" prefix) the outside top-level packages."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()

    def add(target: str) -> None:
        if target in known:
            found.add(target)
        elif target.split(".")[0] in {k.split(".")[0] for k in known}:
            # a name inside a first-party module: the nearest enclosing module
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target:
                found.add(target)
        else:
            found.add("!" + target.split(".")[0])

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(node.module or "", node.level, name, is_package)
            for alias in node.names:
                full = f"{base}.{alias.name}" if base else alias.name
                add(full if full in known else base)
    found.discard(name)
    return found


def import_graph() -> dict[str, set[str]]:
    files = first_party_files()
    known = set(files)
    return {name: imports_of(name, path, known) for name, path in files.items()}


def layer_table() -> dict[str, tuple[set[str], set[str]]]:
    """folder or file -> (first-party layers it may import, outside packages it must never import)."""
    text = DEVELOPING.read_text(encoding="utf-8")
    section = text.split("## Layers", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 4 or not cells[0].startswith("`"):
            continue
        layer = cells[0].strip("`").rstrip("/").removesuffix(".py")
        rows[layer] = (set(re.findall(r"`([\w.]+)/?`", cells[2])), set(re.findall(r"`([\w.]+)`", cells[3])))
    return rows


def layer_of(module: str, table: dict) -> str | None:
    top = module.split(".")[0]
    return top if top in table else None


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w.startswith("!") or w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def violations(graph: dict[str, set[str]], table: dict) -> list[str]:
    found = []
    for module, targets in sorted(graph.items()):
        layer = layer_of(module, table)
        if layer is None:
            found.append(f"{module}: its folder is not in the layer table of docs/DEVELOPING.md")
            continue
        may, never = table[layer]
        for target in sorted(targets):
            if target.startswith("!"):
                if target[1:] in never:
                    found.append(f"{module} imports {target[1:]}, which `{layer}` must never import")
                continue
            other = layer_of(target, table)
            if other != layer and other not in may:
                found.append(f"{module} imports {target}: `{layer}` may import only {sorted(may) or 'itself'}")
    return found


def test_the_layer_table_is_readable():
    table = layer_table()
    assert {"data_access", "geo", "ui", "pages", "sample_data", "dashboard"} <= set(table)
    assert table["pages"][0] >= {"ui", "data_access", "geo"}
    assert "streamlit" in table["data_access"][1]


def test_the_import_graph_follows_the_layer_table():
    assert violations(import_graph(), layer_table()) == []


def test_there_is_no_import_cycle():
    assert cycles(import_graph()) == []


@pytest.mark.parametrize(
    "graph, expected",
    [
        ({"a.x": {"a.y"}, "a.y": {"a.x"}}, [["a.x", "a.y"]]),
        ({"a.x": {"a.y"}, "a.y": {"a.z"}, "a.z": {"a.x"}}, [["a.x", "a.y", "a.z"]]),
        ({"a.x": {"a.y", "!sqlalchemy"}, "a.y": set()}, []),
    ],
)
def test_the_cycle_finder_finds_cycles(graph, expected):
    assert cycles(graph) == expected


def test_a_violation_is_reported():
    table = {"data_access": (set(), {"streamlit"}), "ui": ({"data_access"}, set())}
    graph = {"data_access.x": {"ui.shell", "!streamlit"}, "ui.shell": {"data_access.x"}}
    assert violations(graph, table) == [
        "data_access.x imports streamlit, which `data_access` must never import",
        "data_access.x imports ui.shell: `data_access` may import only itself",
    ]
