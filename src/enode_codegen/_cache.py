"""The tool's cache folder: `$XDG_CACHE_HOME/enode-codegen/`, else `~/.cache/enode-codegen/`.

What is kept there is derived and can be deleted at any time: the packaged specs read as
JSON (`mock/specs.py`), the client packages the contract suite generates when none is
installed (`contract_tests/clients.py`).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_root"]


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "enode-codegen"
