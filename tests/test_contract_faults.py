"""Proof that the contract suite (contract_tests/) catches faults: it is run against
deliberately broken variants of the mock (contract_tests/faults/) and must fail for each,
through its real checks (schemathesis per operation, the named behaviour checks for faults
that keep every answer schema-valid, the stateful scenarios, the clients), while the clean
mock passes with different seeds, in-process, behind the fault middleware without a fault,
as a spawned server, and behind 429/503 answers with Retry-After (waited out).

Every run is a separate `python -m enode_codegen.contract_tests ...` process (no shared state),
with the fast `fault` profile on the newest version and `-x`; the runs go two at a time.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from enode_codegen.contract_tests.codes import CHECKS  # noqa: E402
from enode_codegen.contract_tests.faults import FAULTS, PASSTHROUGH, THROTTLED  # noqa: E402

VERSION = "2024-10-01"
TIMEOUT = 300


@dataclass(frozen=True)
class Run:
    name: str
    args: tuple[str, ...]


@dataclass
class Outcome:
    returncode: int
    output: str
    summary: str
    junit: str


FAULT_NAMES = sorted(name for name in FAULTS if name not in (PASSTHROUGH.name, THROTTLED.name))
CLEAN_RUNS = {
    "clean-in-process": ("--seed", "11"),
    "clean-behind-passthrough": ("--seed", "29", "--fault", PASSTHROUGH.name),
    "clean-spawned-server": ("--seed", "47", "--mock-server"),
    # 429 and 503 answers with Retry-After: the suite waits them out and sends again
    "clean-throttled": ("--seed", "61", "--fault", THROTTLED.name, *THROTTLED.run_args),
}
RUNS = (
    [
        Run(f"fault-{name}", ("--seed", "5", "--fault", name, "-x", *FAULTS[name].run_args))
        for name in FAULT_NAMES
    ]
    + [Run(name, args) for name, args in CLEAN_RUNS.items()]
    + [Run("live-without-credentials", ("--target", "live", "--seed", "3"))]
)


def _run(run: Run, workdir: Path) -> Outcome:
    out = workdir / run.name
    out.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ENODE_", "PYTEST_"))}
    command = [
        sys.executable,
        "-m",
        "enode_codegen.contract_tests",
        "-q",
        "--assert=plain",
        "--profile",
        "fault",
        "--versions",
        VERSION,
        "--junitxml",
        str(out / "junit.xml"),
        "--summary",
        str(out / "summary.md"),
        *run.args,
    ]
    completed = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
    )
    summary = out / "summary.md"
    junit = out / "junit.xml"
    return Outcome(
        completed.returncode,
        completed.stdout + completed.stderr,
        summary.read_text(encoding="utf-8") if summary.exists() else "",
        junit.read_text(encoding="utf-8") if junit.exists() else "",
    )


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    workdir = tmp_path_factory.mktemp("contract-runs")
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {run.name: pool.submit(_run, run, workdir) for run in RUNS}
        return {name: future.result() for name, future in futures.items()}


def _tail(outcome: Outcome) -> str:
    return outcome.output[-4000:]


@pytest.mark.parametrize("fault", FAULT_NAMES)
def test_suite_fails_for_fault(fault: str, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[f"fault-{fault}"]
    assert outcome.returncode == 1, f"expected test failures (exit 1):\n{_tail(outcome)}"
    missing = [marker for marker in FAULTS[fault].caught_by if marker not in outcome.output]
    assert not missing, f"the run failed, but its output lacks {missing}:\n{_tail(outcome)}"
    # the failure is reported with a reproducible curl line, in the output and the summary
    assert "curl -X" in outcome.output, _tail(outcome)
    assert (
        "## Failures" in outcome.summary and "curl -X" in outcome.summary.split("## Failures", 1)[1]
    )
    assert "<failure" in outcome.junit
    named = re.search(r"- (EN\d{3}) .* \[(\w+)\]", outcome.output)
    if named is not None:  # a named check: it is counted as failed in the summary
        row = next(line for line in outcome.summary.splitlines() if f"`{named.group(2)}`" in line)
        assert "**" in row, row


@pytest.mark.parametrize("name", sorted(CLEAN_RUNS))
def test_suite_passes_against_the_clean_mock(name: str, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[name]
    assert outcome.returncode == 0, _tail(outcome)
    # what a user reads: no warnings from pytest plugins about their own configuration
    assert "PytestDeprecationWarning" not in outcome.output, _tail(outcome)
    assert "PytestConfigWarning" not in outcome.output, _tail(outcome)
    assert outcome.summary.startswith("# Enode contract tests: summary")
    assert "PASSED" in outcome.summary.splitlines()[2]
    assert f"| {VERSION} |" in outcome.summary
    # every named check of the target was evaluated, none failed (the receiver checks,
    # EN6xx, need --webhook-receiver: tests/test_contract_webhook_receiver.py)
    table = outcome.summary.split("## Behaviour checks", 1)[1].split("\n## ", 1)[0]
    for check in (c for c in CHECKS.values() if not c.receiver):
        row = next(line for line in table.splitlines() if f"`{check.name}`" in line)
        assert row.rstrip(" |").endswith(" / 0"), row


def test_suite_honours_retry_after(outcomes: dict[str, Outcome]) -> None:
    """Behind the throttling variant (every 5th request 429, every 7th 503, Retry-After: 0)
    the suite waited out both and passed."""
    summary = outcomes["clean-throttled"].summary
    waited = re.search(r"sent again: (.*)\.", summary)
    assert waited is not None, summary[:2000]
    assert "429x" in waited.group(1) and "503x" in waited.group(1)


def test_live_target_without_credentials_skips_cleanly(outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes["live-without-credentials"]
    assert outcome.returncode == 0, _tail(outcome)
    assert "ENODE_BASE_URL" in outcome.output and "not set" in outcome.output
    assert " passed" not in outcome.output.splitlines()[-1], "nothing ran without credentials"
    # the summary says why, with the count
    skipped = outcome.summary.split("## Skipped", 1)[1].split("\n## ", 1)[0]
    assert re.search(r"\| [1-9]\d* \| --target live needs .*ENODE_BASE_URL.* not set \|", skipped)


_TOKEN = re.compile(r"(?i)\b(bearer|basic)\s+(?!\$ENODE_TOKEN|\[)[A-Za-z0-9._~+/=-]{16,}")


def test_no_secret_or_token_leaks(outcomes: dict[str, Outcome]) -> None:
    """Client secrets and tokens never reach the output or the reports (curl lines say
    `$ENODE_TOKEN`)."""
    for name, outcome in outcomes.items():
        for text in (outcome.output, outcome.summary, outcome.junit):
            assert "mock-secret" not in text, name
            leaked = _TOKEN.search(text)
            assert leaked is None, f"{name}: {leaked and leaked.group(0)}"
