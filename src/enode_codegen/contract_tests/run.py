"""`enode-codegen contract [options]`: the contract suite from the installed tool.

Runs pytest on this package with the suite's plugin (`plugin.py`) loaded first, so its
options (`--target`, `--profile`, `--seed`, `--versions`, ...) work from any directory, and
with the suite's own configuration (`pytest.ini` beside this file, `-c`): the pytest
configuration of the folder it runs in (`addopts`, plugins' settings) never applies.
Every other argument is pytest's. `--help` shows the suite's options (`--pytest-help`: all
of pytest's).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["PYTEST_ARGS", "help_text", "main"]

HERE = Path(__file__).resolve().parent
PYTEST_ARGS = (
    "-c",
    str(HERE / "pytest.ini"),  # never the configuration of the folder the suite runs in
    "--rootdir",
    str(HERE),
    "-p",
    "enode_codegen.contract_tests.plugin",
    "-p",
    "no:cacheprovider",  # never write a cache into site-packages or the user's folder
    "--pyargs",
    "enode_codegen.contract_tests",
)
PROG = "enode-codegen contract"
USAGE = f"{PROG} [options] [pytest options]"
PYTEST_POINTER = (
    "Every other option is pytest's, e.g. -k EXPRESSION (select tests), -x (stop at the first "
    "failure), -q/-v, --junit-xml FILE; `enode-codegen contract --pytest-help` lists them all."
)


class _Group:
    """Collects the suite's pytest options (`options.add_options`) into argparse, to show
    them in the suite's own help; one definition serves both."""

    def __init__(self, parser: argparse.ArgumentParser) -> None:
        self.parser = parser

    def getgroup(self, name: str, description: str) -> _Group:
        return _Group(self.parser)

    def addoption(self, *names: str, **kwargs: Any) -> None:
        self.parser.add_argument(*names, **kwargs)


def help_text() -> str:
    """The suite's `--help`: its options first, then where pytest's are."""
    from .options import add_options

    def fill(text: str) -> str:  # never broken inside `--pytest-help`
        return textwrap.fill(text, width=79, break_on_hyphens=False)

    parser = argparse.ArgumentParser(
        prog=PROG,
        usage=USAGE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=fill(
            "Test a target (the embedded mock by default, any running server, or "
            "the live API) against the Enode specs of each version: schemathesis per operation, "
            "named behaviour checks, stateful flows and the generated clients. Reports go to "
            "the summary path below and junit.xml beside it."
        ),
        epilog=fill(PYTEST_POINTER),
        add_help=False,
    )
    parser.add_argument("-h", "--help", action="store_true", help="show this help")
    parser.add_argument("--pytest-help", action="store_true", help="show pytest's help")
    add_options(_Group(parser))
    return parser.format_help()


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if "-h" in args or "--help" in args:
        sys.stdout.write(help_text())
        return 0
    if "--pytest-help" in args:
        args = [("--help" if a == "--pytest-help" else a) for a in args]

    import pytest

    extra: list[str] = []
    if importlib.util.find_spec("pytest_asyncio") is not None:
        # installed beside the tool, pytest-asyncio warns on every run that this option is
        # unset (the suite has no async tests)
        extra = ["-o", "asyncio_default_fixture_loop_scope=function"]
    return int(pytest.main([*PYTEST_ARGS, *extra, *args]))
