"""`CHANGELOG.md` of a generated Enode package: what changed from the previous Enode-Version,
rendered from `enode-codegen diff` (the structural report with the declared sentences)."""

from __future__ import annotations

from pathlib import Path

from .diff import packaged_report, render_markdown
from .identity import SpecIdentity
from .paths import CHANGES_DIR, SOURCE_DIR, packaged_versions, spec_file

__all__ = ["changelog_for", "changelog_inputs"]


def changelog_for(identity: SpecIdentity, header_md: str) -> str | None:
    """The CHANGELOG.md text of the package built from the spec, or None when it is not one
    of the packaged Enode versions (third-party specs get no changelog)."""
    if not identity.packaged:
        return None
    version = identity.version
    versions = packaged_versions()
    index = versions.index(version)
    lines = [header_md, "", f"# Changelog: Enode-Version {version}", ""]
    if index == 0:
        lines += [
            "## Initial version",
            "",
            "None to report: this is the oldest Enode-Version this project carries.",
        ]
        return "\n".join(lines) + "\n"
    previous = versions[index - 1]
    report, _ = packaged_report(previous, version)
    heading, _, rest = render_markdown(
        report, title=f"Changes from Enode-Version {previous}", level=2
    ).partition("\n\n")
    lines += [
        heading,
        "",
        f"What a client pinned to Enode-Version {previous} must know to move to {version}. "
        "Across several versions: `enode-codegen diff OLD NEW`.",
        "",
        rest,
    ]
    return "\n".join(lines).rstrip("\n") + "\n"


def changelog_inputs(identity: SpecIdentity) -> list[Path]:
    """The files a package's changelog is computed from (for the regeneration stamp)."""
    if not identity.packaged:
        return []
    sources = sorted(SOURCE_DIR.glob("*.yaml")) + sorted(CHANGES_DIR.glob("*.yaml"))
    return [spec_file(v) for v in packaged_versions()] + sources
