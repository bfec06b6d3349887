"""`enode-codegen diff OLD NEW`: what a team must change when it moves its Enode-Version pin.

The report is computed from the two documents (a structural diff), operation by
operation (matched by operationId, so a moved operation is one entry), and each
difference is classed by Enode's rules (reference, "Versioning"): breaking are changed
authentication, a new required input, changed input validation, a removed route or
method, a removed or renamed response field, and a new case in a response enum (not
breaking from 2024-10-01 on). Everything else additive is not.

Webhook events (the document's `webhooks`, matched by event name) are compared too: an
event the newer version adds is additive, one it no longer sends is breaking, and the
payload of an event both have is compared like a response body (the receiver reads it).

Between packaged versions, each difference is tied to the declared change that made it
(`spec/changes/<version>.yaml`): the overlay action whose changed JSON pointers contain,
or are contained in, the difference's pointers. A difference no declared change covers
is undeclared drift; `tests/test_spec_diff.py` holds both directions to zero.

The stages, one module each, in order:

    flatten.py      a schema -> its fields, one per JSON path, each where it is written
    compare.py      two documents -> differences, each classed by a rule of rules.py
    renames.py      a property gone and one come, alike but for the name -> one rename
    attribution.py  differences + the declared changes -> each tied to the one that made it
    render.py       the report -> Markdown or JSON
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from ..bundle import bundle_spec
from ..paths import CHANGES_DIR, SOURCE_DIR, spec_file
from ..publish import Rendition, render_versions
from .attribution import DeclaredChange, attribute, coverage_problems, declared_changes
from .compare import _parameters as _parameters  # facts.py walks documents as diff does
from .compare import _webhooks as _webhooks
from .compare import compare
from .flatten import _follow as _follow
from .render import is_downgrade, render_json, render_markdown
from .report import Difference, Report, merge
from .rules import ENUM_ADDITIONS_NONBREAKING_FROM, KINDS, Direction, Kind, Rule, When

__all__ = [
    "ENUM_ADDITIONS_NONBREAKING_FROM",
    "KINDS",
    "DeclaredChange",
    "Difference",
    "Direction",
    "Kind",
    "Report",
    "Rule",
    "When",
    "attribute",
    "coverage_problems",
    "declared_changes",
    "diff_documents",
    "is_downgrade",
    "packaged_report",
    "render_json",
    "render_markdown",
]


def diff_documents(
    old: dict[str, Any],
    new: dict[str, Any],
    *,
    old_name: str = "",
    new_name: str = "",
    declared: list[DeclaredChange] | None = None,
) -> Report:
    """The structural differences from `old` to `new`, merged per subject; with `declared`,
    each tied to the declared change that made it."""
    new_version = new_name or str(new.get("info", {}).get("version", ""))
    report = Report(old_name or str(old.get("info", {}).get("version", "")), new_version)
    raw = compare(old, new, new_version)
    report.differences = merge(raw) if declared is None else attribute(raw, declared)
    report.declared = [f"{c.version}: {c.id}" for c in declared or []]
    return report


def packaged_report(old: str, new: str) -> tuple[Report, list[DeclaredChange]]:
    """The attributed report between two packaged versions (read from spec/published) and
    the declared changes between them."""
    # read, not validated again: build-specs validated them when it wrote them, and
    # `generate`/`validate`/`check` check them (validating here tripled generation time)
    documents = {v: _published_document(spec_file(v)) for v in (old, new)}
    low, high = sorted((old, new))
    declared = declared_changes(_renditions(_fingerprint(SOURCE_DIR, CHANGES_DIR)), low, high)
    report = diff_documents(
        documents[old], documents[new], old_name=old, new_name=new, declared=declared
    )
    return report, declared


# One `generate` asks for the report of every pair of adjacent versions: each published
# document is read, and the versions rendered from the source, once per process while their
# files are unchanged. Both are only read here, never changed.
def _fingerprint(*folders: Path) -> tuple[tuple[str, int, int], ...]:
    files = sorted(p for folder in folders for p in folder.glob("*.yaml"))
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)


@functools.lru_cache(maxsize=2)
def _renditions(fingerprint: tuple[tuple[str, int, int], ...]) -> list[Rendition]:
    return render_versions()


def _published_document(path: Path) -> dict[str, Any]:
    stat = path.stat()
    return _read_published(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _read_published(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    return bundle_spec(Path(path)).document
