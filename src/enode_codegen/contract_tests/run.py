"""`enode-codegen contract [options]`: the contract suite from the installed tool.

Runs pytest on this package with the suite's plugin (`plugin.py`) loaded first, so its
options (`--target`, `--profile`, `--seed`, `--versions`, ...) work from any directory;
every argument is passed to pytest.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Sequence

__all__ = ["PYTEST_ARGS", "main"]

PYTEST_ARGS = (
    "-p",
    "enode_codegen.contract_tests.plugin",
    "-p",
    "no:cacheprovider",  # never write a cache into site-packages or the user's folder
    "--pyargs",
    "enode_codegen.contract_tests",
)


def main(argv: Sequence[str] | None = None) -> int:
    import pytest

    extra: list[str] = []
    if importlib.util.find_spec("pytest_asyncio") is not None:
        # installed beside the tool, pytest-asyncio warns on every run that this option is
        # unset (the suite has no async tests; a checkout's pyproject.toml sets it)
        extra = ["-o", "asyncio_default_fixture_loop_scope=function"]
    return int(pytest.main([*PYTEST_ARGS, *extra, *(sys.argv[1:] if argv is None else argv)]))
