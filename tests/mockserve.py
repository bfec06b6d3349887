"""`enode-mock serve` as a real process for tests that need one (the browser tests, Enode's
SDK, webhooks end to end): the installed command, or this checkout's module."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from enode_codegen._process import serving

__all__ = ["mock_served"]


def _enode_mock() -> list[str]:
    installed = shutil.which("enode-mock")
    return [installed] if installed else [sys.executable, "-m", "enode_codegen.mock"]


@contextmanager
def mock_served(log: Path, *options: str) -> Iterator[str]:
    """The base URL of `enode-mock serve OPTIONS` on a free port, ready; its output goes to
    `log`; stopped on exit."""
    command = [*_enode_mock(), "serve", *options, "--log-level", "warning"]
    with serving(
        lambda port: [*command, "--port", str(port)], ready="/health/ready", log=log
    ) as base:
        yield base
