"""The runtime can be copied verbatim into a generated package: relative imports only, and
nothing beyond httpx, pydantic and the standard library."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from enode_codegen.generator.paths import RUNTIME_DIR

RUNTIME = RUNTIME_DIR
ALLOWED = {"httpx", "pydantic", "pydantic_core", "__future__"}
MODULES = sorted(RUNTIME.glob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_imports_only_allowed_packages(path: Path) -> None:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots = [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            roots = [(node.module or "").split(".")[0]]
        else:
            continue
        for root in roots:
            assert root in ALLOWED or root in sys.stdlib_module_names, f"{path.name}: {root}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_module_has_docstring_and_all(path: Path) -> None:
    tree = ast.parse(path.read_text())
    assert ast.get_docstring(tree), path.name
    assert any(
        isinstance(node, ast.Assign)
        and any(getattr(t, "id", "") == "__all__" for t in node.targets)
        for node in tree.body
    ), path.name


def test_works_when_copied_into_a_package(tmp_path: Path) -> None:
    shutil.copytree(RUNTIME, tmp_path / "enode_fake" / "_runtime")
    (tmp_path / "enode_fake" / "__init__.py").write_text(
        "from ._runtime import SyncAPIClient\n"
        "class Client(SyncAPIClient):\n"
        "    API_VERSION = '2024-10-01'\n"
    )
    script = (
        "import sys, enode_fake\n"
        "assert 'runtime' not in sys.modules\n"
        "c = enode_fake.Client(access_token='t', environment='sandbox')\n"
        "print(type(c).__mro__[1].__module__)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "enode_fake._runtime._client"
