"""The generator's commands explain themselves: what a user reads when a spec is missing, an
option is mistyped, a version is unknown, a third-party spec meets Enode's rules, a diff goes
back in time, or generation is interrupted (paths and durations blanked)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from snapshots import blank

from enode_codegen.generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
SHAPES = ROOT / "tests" / "fixtures" / "thirdparty" / "shapes.yaml"
CODEGEN = Path(sys.executable).parent / "enode-codegen"


def said(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exit_:  # argparse
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_generate_on_a_folder_without_a_spec(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    assert said(capsys, "generate", "empty", "--output", "out") == (
        2,
        "",
        "enode-codegen generate: no spec found in empty (an openapi.yaml, dated "
        "<version>.yaml files, or sub-folders holding an openapi.yaml)\n",
    )
    assert not (tmp_path / "out").exists()


def test_package_needs_one_spec(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = said(capsys, "generate", "--package", "x", "--output", str(tmp_path))
    assert (code, out) == (2, "")
    assert err == (
        "enode-codegen generate: --package names the package of one spec; give that spec "
        "(none given, so every packaged version), e.g. `enode-codegen generate other-api.json "
        "--package other_client`\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_check_where_nothing_was_generated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = said(capsys, "check", "--output", str(tmp_path / "generated"))
    assert (code, out) == (2, "")
    assert blank(err, [tmp_path]) == (
        "enode-codegen check: nothing to check: there is no folder <path>/generated/ here; "
        "run `enode-codegen generate` first, or point --output at the generated folder\n"
    )


@pytest.mark.parametrize(
    ("args", "usage"),
    [
        (["generate", "--ouput", "x"], "usage: enode-codegen generate "),
        (["diff", "2023-04-01", "2024-10-01", "--fromat", "json"], "usage: enode-codegen diff "),
    ],
)
def test_an_option_error_shows_its_commands_usage(
    args: list[str], usage: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = said(capsys, *args)
    assert code == 2 and out == ""
    assert err.startswith(usage), err
    assert err.rstrip().endswith(f"error: unrecognized arguments: {args[-2]} {args[-1]}") or (
        err.rstrip().endswith(f"error: unrecognized arguments: {args[-2]}")
    ), err


def test_mock_serve_option_error_shows_serves_usage() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "enode-mock"), "serve", "--prot", "1"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("usage: enode-mock serve ")
    assert result.stderr.rstrip().endswith("error: unrecognized arguments: --prot 1")


def test_validate_an_unknown_version_lists_the_known_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert said(capsys, "validate", "2022-01-01") == (
        2,
        "",
        "enode-codegen validate: 2022-01-01 is neither a spec file nor a packaged version "
        "(packaged: 2023-04-01, 2023-08-01, 2024-01-01, 2024-10-01)\n",
    )


def test_a_third_party_spec_under_enode_rules_gets_a_hint(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = said(capsys, "validate", str(SHAPES))
    assert code == 1
    assert err.splitlines()[-1] == (
        "hint: 8 operation(s) do not declare the Enode-Version header, so this is not one of "
        "Enode's specs; for a third-party spec, add --no-enode-rules"
    )
    code, _, err = said(capsys, "validate", str(SHAPES), "--no-enode-rules")
    assert "hint:" not in err


def test_a_reversed_diff_says_it_is_a_downgrade(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = said(capsys, "diff", "2024-10-01", "2023-04-01")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "# Enode-Version 2024-10-01 -> 2023-04-01 (a downgrade)"
    assert "## What changed" not in lines and "## What is undone" in lines
    items = [line for line in lines if line.startswith("- ")]
    assert items and all(
        line.startswith(("- Undone: ", "- **Breaking.** Undone: ")) for line in items
    )
    assert "- **Breaking.** Undone: New `GET /users` (paginated)" in out
    _, forward, _ = said(capsys, "diff", "2023-04-01", "2024-10-01")
    assert "Undone" not in forward and "## What changed" in forward


def test_warnings_come_with_what_was_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A package written says its warnings; the same run again, nothing changed, is quiet
    (it printed four AnyUrl warnings on every run)."""
    code, out, err = said(capsys, "generate", "2024-10-01", "--output", str(tmp_path))
    assert code == 0 and out.endswith("1 package(s) changed: enode-client-2024-10-01\n")
    assert "warning: models: fields holding AnyUrl" in err
    code, out, err = said(capsys, "generate", "2024-10-01", "--output", str(tmp_path))
    assert code == 0 and out.endswith("0 package(s) changed: none\n")
    assert err == ""


def test_ctrl_c_during_generate_prints_one_line(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [str(CODEGEN), "generate", "--output", "out"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    process.stdout.readline()  # the first package is rendered: generation is under way
    time.sleep(0.3)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert err == "enode-codegen generate: interrupted; out left unchanged\n"
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
