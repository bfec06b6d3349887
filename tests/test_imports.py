"""The shape of the source tree: no import circles, no giant modules, ARCHITECTURE.md's rules.

The graph is built from the source text with `ast`, counting imports inside functions too
(a function-level import is how a circle hides), and `if TYPE_CHECKING:` imports as well.
An edge goes to the imported module, or to the package when the name is not a module of it.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
PACKAGE = "enode_codegen"
MAX_LINES = 600

# ARCHITECTURE.md, "Who imports whom": what of the project each stage may import besides
# itself and the package root (`enode_codegen.__version__`); a name is a stage or a module.
# The top-level modules (cli, publish, _process, _cache) may import any stage.
STAGES = ("runtime", "generator", "mock", "contract_tests")
ALLOWED: dict[str, set[str]] = {
    "runtime": set(),
    "generator": set(),
    "mock": {"generator", "runtime._webhooks", "_cache"},
    "contract_tests": {"generator", "mock", "runtime._webhooks", "_cache"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted((SRC / PACKAGE).rglob("*.py")):
        if "templates" in path.relative_to(SRC / PACKAGE).parts:
            continue  # Jinja templates and template-shaped files are not modules of ours
        found[module_name(path)] = path
    return found


def _imported(node: ast.AST, here: str, is_package: bool) -> Iterator[str]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
    elif isinstance(node, ast.ImportFrom):
        if node.level:
            base = here.split(".")
            if not is_package:
                base = base[:-1]
            base = base[: len(base) - (node.level - 1)]
            stem = ".".join(base + ([node.module] if node.module else []))
        else:
            stem = node.module or ""
        yield stem
        for alias in node.names:
            yield f"{stem}.{alias.name}"


def import_graph() -> dict[str, set[str]]:
    """Every module of the package → the modules of the package it imports, at any depth."""
    known = modules()
    graph: dict[str, set[str]] = {}
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        edges = set()
        for node in ast.walk(tree):
            for target in _imported(node, name, path.name == "__init__.py"):
                if target in known and target != name:
                    edges.add(target)
        graph[name] = edges
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

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
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def _package_init_edges(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """The graph without edges from a module to its own package's `__init__`.

    `from . import x` names the package first; it is the submodule that is imported.
    """
    trimmed = {}
    for name, targets in graph.items():
        trimmed[name] = {t for t in targets if not name.startswith(t + ".") or t == PACKAGE}
        trimmed[name].discard(PACKAGE)
    return trimmed


def stage(module: str) -> str | None:
    """The stage (subpackage) a module belongs to; None for the top-level modules."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in STAGES else None


def allowed(module: str, target: str) -> bool:
    here = stage(module)
    if here is None or target == PACKAGE or stage(target) == here:
        return True
    short = target.removeprefix(PACKAGE + ".")
    return any(short == name or short.startswith(name + ".") for name in ALLOWED[here])


def test_the_graph_sees_function_level_imports() -> None:
    graph = import_graph()
    # cli.py imports contract_tests.run inside main(): only a walk of every node finds it.
    assert "enode_codegen.contract_tests.run" in graph["enode_codegen.cli"]
    assert len(graph) > 100


def test_no_import_circle() -> None:
    found = circles(_package_init_edges(import_graph()))
    assert not found, "import circles:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_no_module_over_600_lines() -> None:
    too_long = {
        name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in modules().items()
    }
    too_long = {name: count for name, count in too_long.items() if count > MAX_LINES}
    assert not too_long, f"modules over {MAX_LINES} lines: {too_long}"


def test_stages_import_only_what_architecture_allows() -> None:
    wrong = [
        f"{name} imports {target}"
        for name, targets in sorted(import_graph().items())
        for target in sorted(targets)
        if not allowed(name, target)
    ]
    assert not wrong, "imports ARCHITECTURE.md does not allow:\n" + "\n".join(wrong)


def test_architecture_states_the_rules_this_test_checks() -> None:
    """The page and this test say the same: each stage's line names exactly what it may
    import (names in backticks, folders such as `templates/` aside)."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    rules = text.split("## Who imports whom", 1)[1].split("\n## ", 1)[0]
    for name in STAGES:
        line = next((ln for ln in rules.splitlines() if ln.startswith(f"- `{name}` ")), None)
        assert line is not None, f"ARCHITECTURE.md states no rule for `{name}`"
        named = set(re.findall(r"`([\w.]+)`", line)) - {name}
        assert named == ALLOWED[name], (name, line)


def test_the_rules_catch_an_upward_import() -> None:
    assert not allowed("enode_codegen.generator.cli", "enode_codegen.contract_tests.run")
    assert not allowed("enode_codegen.mock.app", "enode_codegen.runtime._client")
    assert allowed("enode_codegen.mock.console", "enode_codegen.runtime._webhooks")
    assert allowed("enode_codegen.cli", "enode_codegen.contract_tests.run")


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"a"}, "c": set()}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
    ],
)
def test_circles_finds_strongly_connected_modules(
    graph: dict[str, set[str]], expected: list[list[str]]
) -> None:
    assert circles(graph) == expected
