"""Where the project's inputs and outputs live, in a checkout and in an installed wheel.

Everything the tool reads (specs, templates, runtime, mock seed) is package data under
`enode_codegen/`, so it is found the same way from a wheel in any directory. Only the
default output folder differs: `generated/` of the checkout when running from one,
otherwise `generated/` under the current directory.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = [
    "CHANGES_DIR",
    "CHECKOUT_ROOT",
    "GENERATED_DIR",
    "PACKAGE_DIR",
    "PUBLISHED_DIR",
    "RELEASES_DIR",
    "RUNTIME_DIR",
    "SOURCE_DIR",
    "SPEC_DIR",
    "TEMPLATES_DIR",
    "discover_versions",
    "is_dated",
    "packaged_versions",
    "shown_path",
    "spec_file",
]

PACKAGE_DIR = Path(__file__).resolve().parent.parent
SPEC_DIR = PACKAGE_DIR / "spec"
SOURCE_DIR = SPEC_DIR / "source"  # the newest version, by area: the one hand-written API
CHANGES_DIR = SPEC_DIR / "changes"  # per version, what it changed (Overlay documents)
PUBLISHED_DIR = SPEC_DIR / "published"  # one rendered document per version (build-specs)
TEMPLATES_DIR = PACKAGE_DIR / "templates"
RUNTIME_DIR = PACKAGE_DIR / "runtime"
RELEASES_DIR = PACKAGE_DIR / "releases"  # release ledgers of generated packages (releases.py)


def _checkout_root() -> Path | None:
    """The repository root when this package runs from a source checkout (src layout)."""
    root = PACKAGE_DIR.parent.parent
    if PACKAGE_DIR.parent.name == "src" and (root / "pyproject.toml").is_file():
        return root
    return None


CHECKOUT_ROOT = _checkout_root()
GENERATED_DIR = CHECKOUT_ROOT / "generated" if CHECKOUT_ROOT else Path("generated")


_DATED = re.compile(r"\d{4}-\d{2}-\d{2}")
_SPEC_SUFFIXES = (".yaml", ".yml", ".json")


def is_dated(version: str) -> bool:
    """Whether `version` names a dated Enode-Version (`2024-10-01`), the name of its file."""
    return _DATED.fullmatch(version) is not None


def discover_versions(spec_dir: Path) -> list[Path]:
    """The document of every version under `spec_dir`, oldest first: the rendered
    `published/<version>.yaml` of a spec folder laid out like ours, else each dated
    `<version>.yaml` in `spec_dir`, else the `openapi.yaml` of each sub-folder."""
    if (spec_dir / "published").is_dir():
        spec_dir = spec_dir / "published"
    dated = sorted(
        p
        for p in spec_dir.iterdir()
        if p.suffix in _SPEC_SUFFIXES and is_dated(p.stem) and p.is_file()
    )
    if dated:
        return dated
    return sorted(p / "openapi.yaml" for p in spec_dir.iterdir() if (p / "openapi.yaml").is_file())


def packaged_versions() -> list[str]:
    """The Enode-Versions this package carries, oldest first (`2023-04-01`, ...)."""
    return [p.stem for p in discover_versions(PUBLISHED_DIR)]


def spec_file(version: str) -> Path:
    """The published (rendered) document of one packaged version."""
    return PUBLISHED_DIR / f"{version}.yaml"


def shown_path(path: Path) -> str:
    """A stable name of an input file for generated headers: `enode_codegen/spec/...` for the
    packaged specs (the same from a checkout or a wheel), the file name otherwise."""
    resolved = path.resolve()
    if resolved.is_relative_to(PACKAGE_DIR):
        return resolved.relative_to(PACKAGE_DIR.parent).as_posix()
    return path.name
