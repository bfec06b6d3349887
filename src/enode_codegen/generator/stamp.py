"""The regeneration shortcut: skip work when nothing that generation reads has changed.

After a run, `generated/.enode-codegen-stamp.json` (not committed) records the hash
of every input (the spec files each package was built from; every file of the
generator, the templates, the runtime and the formatting settings; the Python version
and every installed distribution's version) and of every output file. A later run with
the same arguments whose inputs and outputs still hash the same returns the recorded
reports without rendering anything.

The stamp must never hide a stale tree: whatever `check` would report (it never reads
the stamp) changes one of these hashes, so `generate` then regenerates.
"""

from __future__ import annotations

import hashlib
import json
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

from . import models, paths
from .output import read_tree

__all__ = ["load_if_current", "save", "tool_fingerprint"]

STAMP = ".enode-codegen-stamp.json"


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tool_fingerprint() -> str:
    """Everything besides the specs that generation reads: every file of the generator, the
    templates, the runtime and the formatting settings (wherever they are configured to
    be), the Python version and the version of every installed distribution (the
    formatters datamodel-code-generator may call among them)."""
    parts: list[str] = [sys.version]
    for folder in (
        paths.PACKAGE_DIR / "generator",
        paths.TEMPLATES_DIR,
        paths.RUNTIME_DIR,
        models.FORMAT_SETTINGS,
    ):
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            if "__pycache__" in path.parts:
                continue
            parts.append(f"{path.as_posix()}:{_digest(path.read_bytes())}")
    parts += sorted(f"{dist.metadata['Name']}=={dist.version}" for dist in metadata.distributions())
    return _digest("\n".join(parts).encode())


def _inputs_fingerprint(reports: list[dict[str, Any]]) -> str | None:
    parts = []
    for report in reports:
        for name in report["inputs"]:
            path = Path(name)
            if not path.is_file():
                return None
            parts.append(f"{name}:{_digest(path.read_bytes())}")
    return _digest("\n".join(sorted(parts)).encode())


def _outputs_fingerprint(target: Path) -> str:
    tree = read_tree(target)
    return _digest(
        "\n".join(f"{name}:{_digest(data)}" for name, data in sorted(tree.items())).encode()
    )


def load_if_current(target: Path, arguments: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The recorded reports when nothing changed since the stamp was written, else None."""
    path = target / STAMP
    try:
        recorded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    reports = recorded.get("reports")
    if recorded.get("arguments") != arguments or not isinstance(reports, list):
        return None
    inputs = _inputs_fingerprint(reports)  # None: an input is missing, never current
    if (
        recorded.get("tool") != tool_fingerprint()
        or inputs is None
        or recorded.get("inputs") != inputs
    ):
        return None
    if recorded.get("outputs") != _outputs_fingerprint(target):
        return None
    return reports


def save(
    target: Path, arguments: dict[str, Any], reports: list[dict[str, Any]], tool_before: str
) -> None:
    """Record this run; not when the generator, templates or runtime changed while it ran."""
    tool = tool_fingerprint()
    if tool != tool_before:
        (target / STAMP).unlink(missing_ok=True)
        return
    data = {
        "arguments": arguments,
        "tool": tool,
        "inputs": _inputs_fingerprint(reports),
        "outputs": _outputs_fingerprint(target),
        "reports": reports,
    }
    path = target / STAMP
    path.unlink(missing_ok=True)  # a link there is replaced, never written through
    path.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
