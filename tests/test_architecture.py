"""The package's shape: no import cycle, and the README's layout says what is there."""

from __future__ import annotations

import ast
import re

from conftest import ROOT

PACKAGE = ROOT / "briefgen"


def modules() -> dict[str, object]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        found[".".join(parts).removesuffix(".__init__")] = path
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the briefgen modules it imports, at the top or inside a function."""
    mods = modules()
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for name, path in mods.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = []
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                targets = [next((c for c in (f"{base}.{a.name}", base) if c in mods), None)
                           for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            graph[name].update(t for t in targets if t in mods and t != name)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle, as its strongly connected component (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_package_has_no_import_cycle():
    assert cycles(import_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_writers_import_only_the_brief_model_of_the_rest_of_briefgen():
    """One model, many writers: a writer knows the model, not the fact base or the templates."""
    graph = import_graph()
    allowed = ("briefgen.writers", "briefgen.compose.model", "briefgen.errors",
               "briefgen.characters", "briefgen.resources")
    for name, targets in graph.items():
        if name.startswith("briefgen.writers"):
            assert [t for t in targets if not t.startswith(allowed)] == [], name


def test_the_readme_layout_names_every_module_and_folder():
    """The Development section of the README lists the tree as it is."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("## Development"):]
    words = set(re.findall(r"[A-Za-z_][\w]*(?:/)?", layout))
    missing = []
    for path in sorted(PACKAGE.rglob("*")):
        inside = path.relative_to(PACKAGE).parts
        if "__pycache__" in inside or path.name == "__init__.py" or \
                inside[0] == "resources" and len(inside) > 1:  # packaged files, not code
            continue
        if path.suffix == ".py" or path.is_dir():
            name = path.stem + ("/" if path.is_dir() else "")
            if name not in words and name.rstrip("/") not in words:
                missing.append(str(path.relative_to(ROOT)))
    assert missing == []
    for named in re.findall(r"\b([a-z_]+)\.py\b", layout):
        assert list(PACKAGE.rglob(f"{named}.py")), f"README names {named}.py, which is not there"
