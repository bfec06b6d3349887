"""Test-wide setup: the generated packages are importable straight from generated/."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for package_dir in sorted((ROOT / "generated").glob("*/pyproject.toml")):
    sys.path.insert(0, str(package_dir.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
