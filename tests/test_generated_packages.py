"""Each generated package is clean, typed code: ruff and `mypy --strict` pass on it as shipped."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = sorted(p.parent for p in (ROOT / "generated").glob("*/pyproject.toml"))


def test_there_is_one_package_per_version() -> None:
    assert [p.name for p in PACKAGES] == [
        "enode-client-2023-04-01",
        "enode-client-2023-08-01",
        "enode-client-2024-01-01",
        "enode-client-2024-10-01",
    ]


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_mypy_strict_and_ruff_pass(package: Path) -> None:
    module = next(p.name for p in package.iterdir() if (p / "__init__.py").is_file())
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", module],
        cwd=package,
        capture_output=True,
        text=True,
        check=False,
    )
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "."],
        cwd=package,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr
    fmt = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--no-cache", "."],
        cwd=package,
        capture_output=True,
        text=True,
        check=False,
    )
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr


@pytest.mark.parametrize("package", PACKAGES, ids=lambda p: p.name)
def test_runtime_dependencies_are_httpx_and_pydantic_only(package: Path) -> None:
    text = (package / "pyproject.toml").read_text()
    deps = text.split("dependencies = [", 1)[1].split("]", 1)[0]
    names = sorted(
        line.strip().strip('",').split(">")[0].split("=")[0]
        for line in deps.splitlines()
        if line.strip()
    )
    assert names == ["httpx", "pydantic"]
