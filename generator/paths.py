"""Where the project's inputs and outputs live."""

from __future__ import annotations

from pathlib import Path

__all__ = ["GENERATED_DIR", "PROJECT_ROOT", "SPEC_DIR", "TEMPLATES_DIR", "discover_versions"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SPEC_DIR = PROJECT_ROOT / "spec"
TEMPLATES_DIR = PROJECT_ROOT / "templates"
GENERATED_DIR = PROJECT_ROOT / "generated"


def discover_versions(spec_dir: Path) -> list[Path]:
    """The root document of every version folder under `spec_dir`, oldest first."""
    return sorted(p / "openapi.yaml" for p in spec_dir.iterdir() if (p / "openapi.yaml").is_file())
