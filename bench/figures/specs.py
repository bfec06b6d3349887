"""The documents the figures feed to peers: each Enode version bundled into one JSON file."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from ..common import CACHE, PYTHON, ROOT, Skip, measure

__all__ = ["bundled_specs", "count_operations", "versions"]

_DATED = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def versions() -> list[str]:
    """Every published version under spec/published/ (rendered by `enode-codegen build-specs`)."""
    return sorted(
        p.stem
        for p in (ROOT / "src" / "enode_codegen" / "spec" / "published").glob("*.yaml")
        if _DATED.match(p.stem)
    )


@functools.cache
def bundled_specs() -> dict[str, Path]:
    """{version: bench/.cache/bundled/<version>.json} from `enode-codegen bundle`."""
    folder = CACHE / "bundled"
    folder.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    for version in versions():
        done = measure([PYTHON, "-m", "enode_codegen.generator", "bundle", version], cwd=ROOT)
        if done.returncode != 0:
            raise Skip(f"`enode-codegen bundle {version}` failed:\n{done.stderr[-2000:]}")
        path = folder / f"{version}.json"
        path.write_text(done.stdout)
        out[version] = path
    return out


def count_operations(document: dict[str, object]) -> int:
    """Operations (path + method pairs) in an OpenAPI document."""
    paths = document.get("paths") or {}
    assert isinstance(paths, dict)
    return sum(1 for item in paths.values() for method in item if method in _METHODS)
