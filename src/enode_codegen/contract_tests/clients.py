"""The generated client packages the suite drives (`test_clients.py`).

Each `enode_<version>` is imported from where the user has it: `generated/` (a checkout, or
the folder `enode-codegen generate` wrote into, put on sys.path by `plugin.py`), or an
installed `enode-client-<version>`. When neither has it (the tool installed from a wheel, in
an empty folder), the suite generates the packaged versions once into a cache folder
(`$XDG_CACHE_HOME/enode-codegen/`, else `~/.cache/enode-codegen/`; `ENODE_CLIENTS_CACHE`
overrides it) and loads them from there: the clients of the very specs under test. Later
runs reuse it (generation's stamp: nothing changed, nothing rewritten).
"""

from __future__ import annotations

import importlib
import os
import sys
import threading
import time
import types
from collections.abc import Callable
from pathlib import Path

from enode_codegen import __version__
from enode_codegen._cache import cache_root
from enode_codegen.generator.identity import package_names

__all__ = ["cache_dir", "load", "prepare"]

_LOCK = threading.Lock()
_GENERATED: list[str | None] = []  # once per run: None (done) or why it could not be done


def cache_dir() -> Path:
    """Where the packaged versions' clients are generated when they are not installed."""
    override = os.environ.get("ENODE_CLIENTS_CACHE")
    if override:
        return Path(override)
    return cache_root() / f"clients-{__version__}"


def load(version: str, say: Callable[[str], None] = print) -> types.ModuleType | str:
    """The generated client package of `version`, or why it cannot be had (one sentence)."""
    name, distribution = package_names("", version)
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise
    failed = prepare(say)
    if failed is not None:
        return failed
    folder = cache_dir() / distribution
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    importlib.invalidate_caches()
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError:
        return (
            f"{name} is neither installed nor in {folder}: `pip install {distribution}`, or "
            "run the suite from the folder where `enode-codegen generate` wrote generated/"
        )


def prepare(say: Callable[[str], None] = print) -> str | None:
    """Generate the packaged versions' clients into the cache, once per process (later runs
    reuse them); None, or why it failed. A parallel run calls it in the controller before
    its workers start, so the workers only read the cache (parallel.py)."""
    with _LOCK:
        if not _GENERATED:
            _GENERATED.append(_generate(say))
    return _GENERATED[0]


def _generate(say: Callable[[str], None]) -> str | None:
    """Generate every packaged version into the cache; None, or why it failed."""
    from enode_codegen.generator.errors import SpecError
    from enode_codegen.generator.generate import generate
    from enode_codegen.generator.output import FormatError
    from enode_codegen.generator.paths import packaged_versions, spec_file

    target = cache_dir()
    started = time.monotonic()
    try:
        _, changed = generate([spec_file(v) for v in packaged_versions()], target, prune=True)
    except (SpecError, FormatError, OSError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        return (
            f"the client packages are not installed and generating them into {target} "
            f"failed: {first}"
        )
    if changed:
        say(
            f"contract: generated the client packages into {target} "
            f"({time.monotonic() - started:.1f}s; later runs reuse them)"
        )
    return None
