"""The code keeps the shape docs/architecture.md describes: no import circles, small modules, and recipes that
name real files."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from conftest import PROJECT

SRC = PROJECT / "src"
PACKAGE = SRC / "spacekg"
ARCHITECTURE = PROJECT / "docs" / "architecture.md"
MAX_MODULE_LINES = 400  # STYLE.md: split a module past ~400 lines


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imports(path: Path) -> set[str]:
    """The spacekg modules a file imports, wherever the import statement stands (functions and TYPE_CHECKING included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == "spacekg"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "spacekg":
            # `from spacekg.web import state` imports the module spacekg.web.state; `from spacekg.web import create_app` the package
            for alias in node.names:
                submodule = f"{node.module}.{alias.name}"
                found.add(submodule if submodule in MODULES else node.module)
    return found & set(MODULES)


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module, or a module importing itself (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                circles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return circles


def test_no_module_imports_another_that_imports_it_back() -> None:
    graph = {name: _imports(path) - {name} for name, path in MODULES.items()}
    assert _circles(graph) == []


def test_the_circle_finder_finds_a_circle() -> None:
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_stages_do_not_import_the_stages_after_them() -> None:
    """sources -> rdf -> validate -> reason -> store -> web: an earlier stage never imports a later one."""
    order = ["sources", "rdf", "validate", "reason", "store", "web"]
    for name, path in MODULES.items():
        parts = name.split(".")
        if len(parts) < 2 or parts[1] not in order:
            continue
        stage = order.index(parts[1])
        for imported in _imports(path):
            target = imported.split(".")
            if len(target) > 1 and target[1] in order:
                assert order.index(target[1]) <= stage, f"{name} (stage {parts[1]}) imports {imported}"


def test_every_module_stays_small() -> None:
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in MODULES.items()}
    assert {name: size for name, size in sizes.items() if size > MAX_MODULE_LINES} == {}


def test_every_file_the_architecture_document_names_exists() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:src|tests|data|ontology|shapes|queries|docs|scripts|benchmarks)/[^`\s]*)`", text))
    assert len(named) > 20, "the document names the files of each stage and recipe"
    patterns = {path for path in named if "*" in path or "<" in path}  # data/*.csv, queries/<name>.rq: kinds of files, not files
    missing = sorted(path for path in named - patterns if not (PROJECT / path.rstrip("/")).exists())
    assert missing == []


def test_every_recipe_says_how_many_files_it_touches_before_and_after() -> None:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    recipes = re.findall(r"^### Recipe: (.+)$", text, re.M)
    assert set(recipes) >= {"add a data file kind", "add a page", "add a canned query", "add an output format"}
    for section in re.split(r"^### Recipe: ", text, flags=re.M)[1:]:
        assert re.search(r"Files touched: \d+[^(]*\(was \d+", section), section.splitlines()[0]
