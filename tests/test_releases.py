"""Release versions of generated packages: the version moves when, and only when, the
package's content does; the kind of bump follows the spec diff and the generator epoch;
the ledger in the repository makes a fresh clone compute the same (generator/releases.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from enode_codegen.generator import paths, releases
from enode_codegen.generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
TINY = ROOT / "tests" / "fixtures" / "tiny"
DIST = "enode-client-2099-01-01"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the tiny spec whose package has (an empty) release ledger in a scratch
    releases folder: it opts in to release versions as the packaged Enode-Versions do."""
    shutil.copytree(TINY, tmp_path / "spec")
    monkeypatch.setattr(paths, "RELEASES_DIR", tmp_path / "releases")
    (tmp_path / "releases").mkdir()
    (tmp_path / "releases" / f"{DIST}.json").write_text('{"releases": []}\n')
    return tmp_path


def _generate(project: Path) -> str:
    """Generate the package; its version as pyproject.toml says."""
    args = [str(project / "spec" / "openapi.yaml"), "--output", str(project / "out")]
    assert main(["generate", *args]) == 0
    pyproject = (project / "out" / DIST / "pyproject.toml").read_text()
    version: str = tomllib.loads(pyproject)["project"]["version"]
    return version


def _release(project: Path, *extra: str) -> int:
    args = [str(project / "spec" / "openapi.yaml"), "--output", str(project / "out"), *extra]
    return main(["release", *args])


def _changelog(project: Path) -> str:
    return (project / "out" / DIST / "CHANGELOG.md").read_text()


def _edit(project: Path, old: str, new: str) -> None:
    widgets = project / "spec" / "widgets.yaml"
    text = widgets.read_text()
    assert old in text
    widgets.write_text(text.replace(old, new, 1))


def _released(project: Path) -> str:
    assert _release(project) == 0
    latest = releases.latest(DIST)
    assert latest is not None
    return latest.version


def test_first_release_then_unchanged_content_keeps_the_version(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _generate(project) == "1.0.0"
    assert _release(project, "--check") == 1  # generated, not recorded yet
    assert "1.0.0 (initial) not recorded yet" in capsys.readouterr().out
    assert _released(project) == "1.0.0"
    before = {p: p.read_bytes() for p in (project / "out" / DIST).rglob("*") if p.is_file()}
    # recording changes nothing generated; regenerating from scratch gives the same bytes
    shutil.rmtree(project / "out")
    assert _generate(project) == "1.0.0"
    after = {p: p.read_bytes() for p in (project / "out" / DIST).rglob("*") if p.is_file()}
    assert after == before
    assert _release(project, "--check") == 0
    assert f"{DIST}: 1.0.0, unchanged" in capsys.readouterr().out
    assert [r.version for r in releases.history(DIST)] == ["1.0.0"]
    assert "### 1.0.0 (initial)" in _changelog(project)


def test_an_additive_spec_change_is_a_minor_release(project: Path) -> None:
    _generate(project)
    _released(project)
    _edit(
        project,
        "        createdAt:\n",
        "        nickname:\n          type: string\n        createdAt:\n",
    )
    assert _generate(project) == "1.1.0"
    changelog = _changelog(project)
    assert "### 1.1.0 (minor)" in changelog
    assert "- Response properties added: `Widget.nickname`" in changelog
    assert "**Breaking.**" not in changelog.split("### 1.0.0")[0]
    # the newest release first, the history kept, the Enode-Version changes part untouched
    assert changelog.index("### 1.1.0") < changelog.index("### 1.0.0 (initial)")
    assert _released(project) == "1.1.0"
    assert [r.bump for r in releases.history(DIST)] == ["initial", "minor"]


def test_a_breaking_spec_change_is_a_major_release(project: Path) -> None:
    _generate(project)
    _released(project)
    _edit(project, "required: [id, colour, createdAt]", "required: [id, colour]")
    _edit(project, "        createdAt:\n          type: string\n          format: date-time\n", "")
    assert _generate(project) == "2.0.0"
    changelog = _changelog(project)
    assert "### 2.0.0 (major)" in changelog
    assert "- **Breaking.** Response properties removed: `Widget.createdAt`" in changelog


def test_a_description_only_change_is_a_patch_release(project: Path) -> None:
    _generate(project)
    _released(project)
    _edit(project, "summary: Get a widget", "summary: Get one widget by its id")
    assert _generate(project) == "1.0.1"
    changelog = _changelog(project)
    assert "### 1.0.1 (patch)" in changelog
    assert "The API description changed without a structural difference" in changelog
    assert "`enode_2099_01_01/_client.py`" in changelog.split("### 1.0.0")[0]


def _changed_runtime(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The generator changes (a runtime module gains a line); the spec does not."""
    runtime = project / "runtime"
    shutil.copytree(paths.RUNTIME_DIR, runtime, ignore=shutil.ignore_patterns("__pycache__"))
    errors = runtime / "_errors.py"
    errors.write_text(errors.read_text() + "\n# a generator-side change\n")
    monkeypatch.setattr(paths, "RUNTIME_DIR", runtime)


def test_a_generator_only_change_is_a_patch_release(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _generate(project)
    _released(project)
    _changed_runtime(project, monkeypatch)
    assert _generate(project) == "1.0.1"
    latest_part = _changelog(project).split("### 1.0.0")[0]
    assert "No change to the API: the generator's output changed" in latest_part
    assert "Files changed: `enode_2099_01_01/_runtime/_errors.py`." in latest_part


def test_a_declared_generator_break_is_a_major_release_once_content_changes(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _generate(project)
    _released(project)
    sentence = "Resource methods take keyword arguments only."
    monkeypatch.setattr(
        releases, "GENERATOR_BREAKING_CHANGES", (*releases.GENERATOR_BREAKING_CHANGES, sentence)
    )
    shutil.rmtree(project / "out")
    assert _generate(project) == "1.0.0"  # the content did not change: no release
    _changed_runtime(project, monkeypatch)
    assert _generate(project) == "2.0.0"
    assert f"- **Breaking (generator).** {sentence}" in _changelog(project)
    assert _released(project) == "2.0.0"
    # the break is used up: the next generator change is a patch again
    errors = paths.RUNTIME_DIR / "_errors.py"
    errors.write_text(errors.read_text() + "# another\n")
    assert _generate(project) == "2.0.1"


def test_a_declared_generator_feature_is_a_minor_release_once_content_changes(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _generate(project)
    _released(project)
    sentence = "Clients gained `drift(obj)`."
    monkeypatch.setattr(releases, "GENERATOR_FEATURES", (*releases.GENERATOR_FEATURES, sentence))
    shutil.rmtree(project / "out")
    assert _generate(project) == "1.0.0"  # the content did not change: no release
    _changed_runtime(project, monkeypatch)
    assert _generate(project) == "1.1.0"
    assert f"- **New (generator).** {sentence}" in _changelog(project)
    assert _released(project) == "1.1.0"
    # the feature is used up: the next generator change is a patch again
    errors = paths.RUNTIME_DIR / "_errors.py"
    errors.write_text(errors.read_text() + "# another\n")
    assert _generate(project) == "1.1.1"


def test_the_packaged_versions_are_recorded() -> None:
    """Every packaged Enode-Version's package has its first release, 1.0.0, recorded, with
    the spec it was built from; generated/ carries a recorded version or the next one."""
    for version in paths.packaged_versions():
        distribution = f"enode-client-{version}"
        history = releases.history(distribution)
        assert history, f"no release recorded for {distribution}"
        assert (history[0].version, history[0].bump) == ("1.0.0", "initial")
        pyproject = ROOT / "generated" / distribution / "pyproject.toml"
        committed = tomllib.loads(pyproject.read_text())["project"]["version"]
        as_tuple = tuple(int(part) for part in committed.split("."))
        assert as_tuple >= tuple(int(part) for part in history[-1].version.split("."))
        copy = json.loads(releases.spec_copy_file(distribution).read_text())
        assert copy["info"]["version"] == version


def test_a_fresh_clone_computes_the_same_versions(tmp_path: Path) -> None:
    """From a `git clone` of this commit, in another directory: `release --check` finds
    every package at its recorded version and `check` finds generated/ current."""
    head = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--no-checkout", str(ROOT), str(clone)], check=True, timeout=120
    )
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", head], check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(clone / "src")}
    for command in (["release", "--check"], ["check"]):
        result = subprocess.run(
            [sys.executable, "-m", "enode_codegen.generator", *command],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        if command[0] == "release":
            for version in paths.packaged_versions():
                recorded = releases.latest(f"enode-client-{version}")
                assert recorded is not None
                assert f"enode-client-{version}: {recorded.version}, unchanged" in result.stdout


def test_a_lost_release_spec_is_a_clear_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _generate(project)
    _released(project)
    releases.spec_copy_file(DIST).unlink()
    _edit(project, "summary: Get a widget", "summary: Get one widget")
    assert main(["generate", str(project / "spec"), "--output", str(project / "out")]) == 1
    err = capsys.readouterr().err
    assert f"{DIST}.spec.json: the spec of release 1.0.0 cannot be read" in err
    assert "left unchanged" in err
