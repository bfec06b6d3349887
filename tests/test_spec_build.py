"""One source + declared changes -> the published documents (`enode-codegen build-specs`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from enode_codegen.generator.cli import main
from enode_codegen.generator.errors import SpecError
from enode_codegen.generator.overlay import Overlay, apply_overlay, load_overlay
from enode_codegen.generator.paths import CHANGES_DIR, PUBLISHED_DIR, SOURCE_DIR
from enode_codegen.generator.publish import HEADER, check_specs, write_specs

VERSIONS = ["2023-04-01", "2023-08-01", "2024-01-01", "2024-10-01"]


def test_published_documents_are_current() -> None:
    """`spec/published/` is what `build-specs` writes (the CI drift check)."""
    lines = check_specs()
    assert not lines, "spec/published is stale; run `enode-codegen build-specs`:\n" + "".join(
        lines[:80]
    )


def test_rendering_is_deterministic_from_any_directory(tmp_path: Path) -> None:
    for seed in ("0", "1"):
        done = subprocess.run(
            [sys.executable, "-m", "enode_codegen.generator", "build-specs", "--check"],
            cwd=tmp_path,
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]


def test_published_documents_say_they_are_generated() -> None:
    published = sorted(PUBLISHED_DIR.glob("*.yaml"))
    assert [p.stem for p in published] == VERSIONS
    for path in published:
        assert path.read_text(encoding="utf-8").splitlines()[0] == HEADER


def _copy_inputs(tmp_path: Path) -> tuple[Path, Path, Path]:
    source = shutil.copytree(SOURCE_DIR, tmp_path / "source")
    changes = shutil.copytree(CHANGES_DIR, tmp_path / "changes")
    published = shutil.copytree(PUBLISHED_DIR, tmp_path / "published")
    return source, changes, published


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_an_action_that_selects_nothing_is_an_error_and_writes_nothing(tmp_path: Path) -> None:
    source, changes, published = _copy_inputs(tmp_path)
    change = changes / "2024-10-01.yaml"
    text = change.read_text(encoding="utf-8")
    change.write_text(
        text.replace("InverterInformation.properties.sn", "InverterInformation.properties.serial"),
        encoding="utf-8",
    )
    before = _snapshot(published)
    with pytest.raises(SpecError) as caught:
        write_specs(published, source, changes)
    [problem] = caught.value.problems
    assert problem.file.endswith("2024-10-01.yaml") and problem.line is not None
    assert "selects nothing" in problem.message
    assert _snapshot(published) == before


def test_a_change_that_breaks_validation_names_the_version(tmp_path: Path) -> None:
    source, changes, published = _copy_inputs(tmp_path)
    change = changes / "2024-01-01.yaml"
    change.write_text(
        change.read_text(encoding="utf-8")
        + "  - target: $.components.schemas.UserLinkResponse.properties.linkState\n"
        + "    update: {$ref: '#/components/schemas/NoSuchSchema'}\n",
        encoding="utf-8",
    )
    before = _snapshot(published)
    with pytest.raises(SpecError) as caught:
        write_specs(published, source, changes)
    assert any(
        p.file.startswith("2023-08-01") and "NoSuchSchema" in p.message
        for p in caught.value.problems
    ), caught.value
    assert _snapshot(published) == before


def test_a_change_document_off_the_chain_is_reported(tmp_path: Path) -> None:
    source, changes, published = _copy_inputs(tmp_path)
    shutil.copy(changes / "2024-01-01.yaml", changes / "2022-01-01.yaml")
    with pytest.raises(SpecError, match="not on the chain"):
        write_specs(published, source, changes)


def test_invalid_jsonpath_is_reported_with_its_line(tmp_path: Path) -> None:
    source, changes, published = _copy_inputs(tmp_path)
    change = changes / "2024-10-01.yaml"
    change.write_text(
        change.read_text(encoding="utf-8").replace(
            "$.components.schemas.AssetLocation", "$.components.schemas[AssetLocation]"
        ),
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as caught:
        write_specs(published, source, changes)
    [problem] = caught.value.problems
    assert "invalid JSONPath" in problem.message and problem.pointer.endswith("/target")


def test_check_shows_a_hand_edit_as_a_diff(tmp_path: Path) -> None:
    source, changes, published = _copy_inputs(tmp_path)
    edited = published / "2024-10-01.yaml"
    edited.write_text(
        edited.read_text(encoding="utf-8").replace("Get battery", "Get a battery", 1),
        encoding="utf-8",
    )
    lines = check_specs(published, source, changes)
    assert any(line.startswith("-") and "Get a battery" in line for line in lines)
    assert any(line.startswith("+") and "Get battery" in line for line in lines)
    assert main(["build-specs", "--check"]) == 0  # the packaged documents are current


def _overlay(tmp_path: Path, actions: str) -> Overlay:
    path = tmp_path / "overlay.yaml"
    path.write_text(
        "overlay: 1.1.0\ninfo: {title: t, version: '1'}\nactions:\n" + actions, encoding="utf-8"
    )
    return load_overlay(path)


def test_overlay_actions_follow_the_specification(tmp_path: Path) -> None:
    document = {
        "a": {"b": 1, "c": {"d": [1]}, "list": ["x", "y", "z"]},
        "paths": {"/old": {"get": {"summary": "s"}}},
    }
    overlay = _overlay(
        tmp_path,
        "  - {target: $.a, update: {b: 2, c: {e: 3}, new: [1]}}\n"
        "  - {target: '$.a.list', update: w}\n"
        "  - {target: \"$.a.list[?@ == 'y' || @ == 'z']\", remove: true}\n"
        "  - {target: $.a.c.d, update: 2}\n"
        "  - {target: $.paths, update: {/new: {}}}\n"
        "  - {target: \"$.paths['/new']\", copy: \"$.paths['/old']\"}\n"
        "  - {target: \"$.paths['/old']\", remove: true}\n"
        "  - {target: \"$.paths['/new'].get.summary\", update: t}\n",
    )
    applied = apply_overlay(document, overlay)
    assert document == {
        "a": {"b": 2, "c": {"d": [1, 2], "e": 3}, "list": ["x", "w"], "new": [1]},
        "paths": {"/new": {"get": {"summary": "t"}}},
    }
    assert applied[2].touched == ["/a/list/2", "/a/list/1"]
    assert applied[5].touched == ["/paths/~1new/get"]


def test_overlay_structure_errors_name_the_action(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        _overlay(
            tmp_path,
            "  - {target: $.a, update: {}, remove: true}\n"
            "  - {target: $.a, remove: false}\n"
            "  - {update: {}}\n",
        )
    messages = [(p.pointer, p.line, p.message) for p in caught.value.problems]
    assert messages == [
        ("/actions/0", 4, "an action needs exactly one of `update`, `remove: true`, `copy`"),
        ("/actions/1", 5, "an action needs exactly one of `update`, `remove: true`, `copy`"),
        ("/actions/2", 6, "an action needs a `target` JSONPath"),
    ]
    overlay = _overlay(tmp_path, "  - {target: $.a, copy: $.missing}\n")
    with pytest.raises(SpecError, match=r"copy '\$.missing' selects 0 nodes"):
        apply_overlay({"a": {}}, overlay)
