"""The hostile corpus (tests/hostile/, its README says the format): each case runs the installed
`enode-codegen` as a user would, in a sandbox folder, and must end as its sidecar says: the
exit code, a line of stderr, never a traceback, nothing written outside `--output`, and
`--output` itself untouched unless the case expects a package there."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

HOSTILE = Path(__file__).resolve().parent / "hostile"
CODEGEN = Path(sys.executable).parent / "enode-codegen"
SIDECAR = ".expect.yaml"
KEYS = {"spec", "command", "exit", "stderr", "stderr_lines", "output", "setup", "timeout"}


def _cases() -> list[Path]:
    return sorted(HOSTILE.glob(f"*{SIDECAR}"))


def _spec(sidecar: Path, expected: dict[str, Any]) -> Path:
    """The `spec:` the sidecar names, else the one file or folder beside it of the same name."""
    if "spec" in expected:
        return HOSTILE / str(expected["spec"])
    name = sidecar.name.removesuffix(SIDECAR)
    found = [p for p in HOSTILE.iterdir() if p != sidecar and (p.stem == name or p.name == name)]
    assert len(found) == 1, f"{sidecar.name}: no single spec named {name}.* beside it ({found})"
    return found[0]


def _snapshot(root: Path, skip: Path | None = None) -> dict[str, tuple[str, bytes | str]]:
    """Every entry under `root` (links not followed), as (kind, content or link target)."""
    seen: dict[str, tuple[str, bytes | str]] = {}
    if not root.exists() and not root.is_symlink():
        return seen
    if root.is_symlink():
        return {"": ("link", os.readlink(root))}
    if root.is_file():
        return {"": ("file", root.read_bytes())}
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        if skip is not None and (here == skip or skip in here.parents):
            dirs[:] = []
            continue
        for name in [*dirs, *files]:
            path = here / name
            if skip is not None and path == skip:
                continue
            key = path.relative_to(root).as_posix()
            if path.is_symlink():
                seen[key] = ("link", os.readlink(path))
            elif path.is_dir():
                seen[key] = ("dir", "")
            else:
                seen[key] = ("file", path.read_bytes())
    return seen


def _fill(value: str, places: dict[str, str]) -> str:
    for key, text in places.items():
        value = value.replace("{" + key + "}", text)
    return value


def _set_up(setup: dict[str, Any], places: dict[str, str]) -> None:
    for folder in setup.get("folders", []):
        Path(_fill(folder, places)).mkdir(parents=True, exist_ok=True)
    for path, text in setup.get("files", {}).items():
        target = Path(_fill(path, places))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    for path, points_to in setup.get("symlinks", {}).items():
        link = Path(_fill(path, places))
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(_fill(points_to, places))


def test_every_case_has_a_known_format() -> None:
    cases = _cases()
    assert len(cases) >= 20
    for sidecar in cases:
        expected = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
        assert isinstance(expected, dict), sidecar.name
        assert set(expected) <= KEYS, f"{sidecar.name}: unknown keys {set(expected) - KEYS}"
        assert {"command", "exit"} <= set(expected), sidecar.name
        assert _spec(sidecar, expected).exists(), sidecar.name


@pytest.mark.parametrize("sidecar", _cases(), ids=lambda p: p.name.removesuffix(SIDECAR))
def test_hostile_case(sidecar: Path, tmp_path: Path) -> None:
    expected = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    sandbox = tmp_path / "sandbox"
    work = sandbox / "work"
    work.mkdir(parents=True)
    output = work / "out"
    places = {"spec": str(_spec(sidecar, expected)), "output": str(output), "sandbox": str(sandbox)}
    _set_up(expected.get("setup", {}), places)
    outside_before = _snapshot(sandbox, skip=output)
    corpus_before = _snapshot(HOSTILE)
    output_before = _snapshot(output)

    done = subprocess.run(
        [str(CODEGEN), *(_fill(str(arg), places) for arg in expected["command"])],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=float(expected.get("timeout", 300)),
        check=False,
    )

    said = f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    assert "Traceback" not in done.stdout + done.stderr, said
    assert done.returncode == expected["exit"], said
    if "stderr" in expected:
        assert str(expected["stderr"]) in done.stderr, said
    if "stderr_lines" in expected:
        assert len(done.stderr.splitlines()) == expected["stderr_lines"], said
    assert _snapshot(sandbox, skip=output) == outside_before, "written outside --output"
    assert _snapshot(HOSTILE) == corpus_before, "the corpus itself was written to"
    after = _snapshot(output)
    if "output" in expected:  # a package of that name, beside what was there
        package = str(expected["output"])
        assert f"{package}/pyproject.toml" in after, sorted(after)
        assert set(output_before) <= set(after), "something already there was lost"
    else:
        assert after == output_before, "--output changed"
