"""The regeneration shortcut: skip work when nothing that generation reads has changed.

After a run, `generated/.enode-codegen-stamp.json` (not committed) records the hash
of every input (the spec files each package was built from, the generator's own
code, templates, runtime, and the versions of the pinned tools) and of every output
file. A later run with the same arguments whose inputs and outputs still hash the
same returns the recorded reports without rendering anything.
"""

from __future__ import annotations

import hashlib
import json
from importlib import metadata
from pathlib import Path
from typing import Any

from .output import read_tree
from .paths import PACKAGE_DIR, RUNTIME_DIR, TEMPLATES_DIR

__all__ = ["load_if_current", "save", "tool_fingerprint"]

STAMP = ".enode-codegen-stamp.json"
_TOOLS = ("datamodel-code-generator", "ruff", "pydantic", "jinja2")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tool_fingerprint() -> str:
    parts: list[str] = []
    for folder, pattern in (
        (PACKAGE_DIR / "generator", "*.py"),
        (TEMPLATES_DIR, "**/*"),
        (RUNTIME_DIR, "**/*.py"),
    ):
        for path in sorted(
            p for p in folder.glob(pattern) if p.is_file() and "__pycache__" not in p.parts
        ):
            parts.append(f"{path.relative_to(PACKAGE_DIR)}:{_digest(path.read_bytes())}")
    for tool in _TOOLS:
        try:
            parts.append(f"{tool}=={metadata.version(tool)}")
        except metadata.PackageNotFoundError:
            parts.append(f"{tool}==?")
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
    if recorded.get("tool") != tool_fingerprint() or recorded.get("inputs") != _inputs_fingerprint(
        reports
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
    (target / STAMP).write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
