"""Who a spec is, decided once where it enters: `SpecIdentity`.

A spec is either one of the dated Enode-Versions this tool carries (read from its
published document, `spec/published/<version>.yaml`) or any other OpenAPI document. That
decides its package and distribution names (`enode_2024_10_01` / `enode-client-2024-10-01`
for a dated version, from the title otherwise), whether it gets a changelog (packaged
versions only) and whether it gets release versions (packaged versions, and any package
whose release ledger exists). `generate.py` builds one `SpecIdentity` per spec and passes
it to the stages that ask (`changelog.py`, the release step), which ask nothing again.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .naming import snake_name
from .paths import is_dated, packaged_versions, spec_file
from .releases import ledger_file

__all__ = ["SpecIdentity", "package_names"]


def package_names(title: str, version: str) -> tuple[str, str]:
    """(import name, distribution name): `enode_2024_10_01` / `enode-client-2024-10-01` for a
    dated Enode version; otherwise derived from the title and version."""
    if is_dated(version):
        return f"enode_{version.replace('-', '_')}", f"enode-client-{version}"
    base = snake_name(f"{title} client")
    return base, base.replace("_", "-")


@dataclass(frozen=True)
class SpecIdentity:
    """A spec's identity: what it is called and what the tool does for it."""

    spec: Path  # the file it is read from
    title: str  # info.title
    version: str  # info.version: an Enode-Version (`2024-10-01`) or a third party's own
    package: str  # import name
    distribution: str  # distribution name
    packaged: bool  # one of the Enode-Versions this tool carries, read from its published file
    tracked: bool  # gets release versions: packaged, or its package has a release ledger

    @classmethod
    def of(
        cls, spec: Path, document: dict[str, Any], *, package: str | None = None
    ) -> SpecIdentity:
        """The identity of the spec read from `spec` (its bundled `document`); `package`
        overrides the import name (and the distribution name, from it)."""
        info = document.get("info", {})
        title, version = str(info.get("title", "api")), str(info.get("version", ""))
        name, distribution = package_names(title, version)
        if package is not None:
            name, distribution = package, package.replace("_", "-")
        packaged = version in packaged_versions() and spec.resolve() == spec_file(version).resolve()
        tracked = packaged or ledger_file(distribution).is_file()
        return cls(spec, title, version, name, distribution, packaged, tracked)
