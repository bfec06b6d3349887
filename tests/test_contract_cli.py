"""`enode-codegen contract` as a command a newcomer meets: its own help, listed in the
tool's help, no files from `--help`, deaf to the pytest configuration of the folder it runs
in, `--target URL` for a running `enode-mock serve`, an interrupted run said as such, and a
live target's action waits bounded by one budget for the run.

Each run selects a few tests (`-k`) of one version: the command, not the suite, is tested.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from snapshots import PYTEST_FINAL, blank

from enode_codegen import contract_tests

BIN = Path(sys.executable).parent
CODEGEN = BIN / "enode-codegen"
VERSION = "2024-10-01"
FEW = "test_client_not_found or test_health_ready"


def contract(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CODEGEN), "contract", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_contract_help_is_the_suites_own(tmp_path: Path) -> None:
    result = contract("--help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "usage: enode-codegen contract [options] [pytest options]"
    assert "pytest.main()" not in result.stdout
    options = [m for m in re.findall(r"^  (?:-h, )?(--[a-z-]+)", result.stdout, re.MULTILINE)]
    assert options[:4] == ["--help", "--pytest-help", "--target", "--mock-server"], options
    assert {"--profile", "--seed", "--versions", "--summary", "--action-wait"} <= set(options)
    pointer = "`enode-codegen contract --pytest-help` lists them all."
    assert " ".join(result.stdout.split()).endswith(pointer)
    assert len(lines) < 100
    assert list(tmp_path.iterdir()) == [], "--help creates nothing"


def test_pytest_help_is_one_option_away(tmp_path: Path) -> None:
    result = contract("--pytest-help", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "-k EXPRESSION" in result.stdout and "--target" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_the_tools_help_lists_contract(tmp_path: Path) -> None:
    out = subprocess.run(
        [str(CODEGEN), "--help"], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"^    contract +test the mock, a running server", out, re.MULTILINE), out


def test_the_current_folders_pytest_configuration_does_not_apply(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\naddopts = "--cov=somewhere --strict-config"\n'
        'asyncio_mode = "nonsense"\n'
    )
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = --no-such-option\n")
    result = contract(
        "--versions", VERSION, "-k", "test_health_ready", "--summary",
        str(tmp_path / "r" / "summary.md"), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PytestConfigWarning" not in result.stdout + result.stderr
    # pytest's header says which configuration it read: the suite's own, never the folder's
    # (nor, from a checkout, the project's pyproject.toml)
    suite = Path(contract_tests.__file__).parent
    assert f"rootdir: {suite}\nconfigfile: pytest.ini\n" in result.stdout, result.stdout
    final = PYTEST_FINAL.fullmatch(result.stdout.strip().splitlines()[-1])
    assert final is not None and final["counts"].startswith("1 passed"), result.stdout


@pytest.fixture(scope="module")
def running_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`enode-mock serve --port 0`; its URL, read from its banner."""
    process = subprocess.Popen(
        [str(BIN / "enode-mock"), "serve", "--port", "0", "--log-level", "warning"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        found = re.search(r"http://127\.0\.0\.1:\d+", process.stdout.readline())
        assert found, "no banner"
        yield found.group()
    finally:
        process.terminate()
        process.wait(10)


def test_target_url_tests_a_running_mock_without_live_limits(
    running_mock: str, tmp_path: Path
) -> None:
    result = contract(
        "--target", running_mock, "--versions", VERSION, "-k", FEW, "--seed", "1",
        "--summary", str(tmp_path / "summary.md"), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    out = blank(result.stdout, [tmp_path])
    assert "contract target: http://127.0.0.1:<port> (enode-mock)" in out, out
    assert f"contract {VERSION}: done, 2 tests: 2 passed, 0 skipped, 0 failed" in out, out
    summary = (tmp_path / "summary.md").read_text()
    assert f"`enode-codegen contract --target {running_mock} --profile ci" in summary
    assert "--max-rps" not in summary and "--max-requests" not in summary


def test_target_must_be_mock_live_or_a_url(tmp_path: Path) -> None:
    result = contract("--target", "staging", cwd=tmp_path)
    assert result.returncode == 4
    assert (
        "ERROR: --target 'staging': give mock, live, or a running server's http(s) URL, "
        "e.g. http://127.0.0.1:8080"
    ) in result.stderr, result.stderr


def test_an_interrupted_run_says_so(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [str(CODEGEN), "contract", "--versions", VERSION, "-v", "-p", "no:randomly",
         "--summary", str(tmp_path / "summary.md")],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        if " PASSED" in line:
            process.send_signal(signal.SIGINT)  # Ctrl-C
            break
    out = "".join(seen) + process.stdout.read()
    assert process.wait(120) == 2, out  # pytest.ExitCode.INTERRUPTED
    assert re.search(r"^contract: INTERRUPTED after [1-9]\d* passed, 0 failed", out, re.M), out
    verdict = (tmp_path / "summary.md").read_text().splitlines()[2]
    assert verdict.startswith("INTERRUPTED at "), verdict


def test_live_action_waits_share_one_budget() -> None:
    """An action that never leaves PENDING costs the run its --action-wait budget once."""
    from enode_codegen.contract_tests.options import Options
    from enode_codegen.contract_tests.targets import LiveTarget

    env = {
        "ENODE_BASE_URL": "http://127.0.0.1:9",
        "ENODE_TOKEN_URL": "http://127.0.0.1:9/oauth2/token",
        "ENODE_CLIENT_ID": "id",
        "ENODE_CLIENT_SECRET": "secret-for-the-budget-test",
    }
    target = LiveTarget(Options(target="live", action_wait=0.3), env)
    target.sleep = lambda seconds: time.sleep(min(seconds, 0.05))  # type: ignore[method-assign]
    polls = []

    def never() -> bool:
        polls.append(time.monotonic())
        return False

    started = time.monotonic()
    assert target.wait_for(never) is False
    assert 0.3 <= time.monotonic() - started < 2
    assert target.action_timeout(300) == 0
    polls.clear()
    assert target.wait_for(never) is False  # spent: asked once, no more waiting
    assert len(polls) == 1
    assert target.wait_for(lambda: True) is True
