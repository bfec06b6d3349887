"""The regeneration stamp never hides a stale tree: whenever `check` reports a difference,
`generate` rewrites the package, and afterwards `check` is clean again."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from enode_codegen.generator import models, paths
from enode_codegen.generator.generate import check, generate
from enode_codegen.generator.stamp import STAMP

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "fixtures" / "tiny" / "openapi.yaml"
PACKAGE = "enode-client-2099-01-01"


def _edit_output(out: Path, _inputs: Path, _monkeypatch: pytest.MonkeyPatch) -> None:
    client = next(out.rglob("_client.py"))
    client.write_text(client.read_text().replace("Get a widget", "Get a gadget"))


def _add_stray_file(out: Path, _inputs: Path, _monkeypatch: pytest.MonkeyPatch) -> None:
    (out / PACKAGE / "enode_2099_01_01" / "leftover.py").write_text("x = 1\n")


def _delete_output(out: Path, _inputs: Path, _monkeypatch: pytest.MonkeyPatch) -> None:
    next(out.rglob("models.py")).unlink()


def _edit_template(out: Path, inputs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    template = inputs / "templates" / "package" / "README.md.jinja"
    template.write_text(template.read_text() + "\nOne more line.\n")


def _edit_runtime(out: Path, inputs: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    module = inputs / "runtime" / "_log.py"
    module.write_text(module.read_text() + "\nEXTRA = 1\n")


CHANGES: dict[str, Callable[[Path, Path, pytest.MonkeyPatch], None]] = {
    "output edited": _edit_output,
    "stray output file": _add_stray_file,
    "output deleted": _delete_output,
    "template changed": _edit_template,
    "runtime changed": _edit_runtime,
}


@pytest.mark.parametrize("change", list(CHANGES), ids=list(CHANGES))
def test_generate_and_check_agree_after(
    change: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # private copies of the generator's inputs, so a test can change them
    inputs = tmp_path / "inputs"
    shutil.copytree(paths.TEMPLATES_DIR, inputs / "templates")
    shutil.copytree(paths.RUNTIME_DIR, inputs / "runtime", ignore=shutil.ignore_patterns("__py*"))
    shutil.copytree(models.FORMAT_SETTINGS, inputs / "format_settings")
    monkeypatch.setattr(paths, "TEMPLATES_DIR", inputs / "templates")
    monkeypatch.setattr(paths, "RUNTIME_DIR", inputs / "runtime")
    monkeypatch.setattr(models, "FORMAT_SETTINGS", inputs / "format_settings")

    out = tmp_path / "generated"
    _, changed = generate([TINY], out)
    assert changed == [PACKAGE]
    assert (out / STAMP).is_file()
    assert check([TINY], out) == []

    CHANGES[change](out, inputs, monkeypatch)
    assert check([TINY], out), f"{change}: check should report the tree stale"

    _, changed = generate([TINY], out)
    assert changed == [PACKAGE], f"{change}: the stamp hid a stale tree"
    assert check([TINY], out) == []
    _, changed = generate([TINY], out)  # and now the stamp may skip the work
    assert changed == []


def test_a_changed_spec_file_regenerates(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(TINY.parent, spec)
    out = tmp_path / "generated"
    generate([spec / "openapi.yaml"], out)
    widgets = spec / "widgets.yaml"
    widgets.write_text(widgets.read_text().replace("Get a widget", "Fetch a widget"))
    assert check([spec / "openapi.yaml"], out)
    _, changed = generate([spec / "openapi.yaml"], out)
    assert changed == [PACKAGE]
    assert check([spec / "openapi.yaml"], out) == []
