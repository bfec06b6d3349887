"""The contract suite's receiver mode (`--webhook-receiver URL`, checks EN601-EN608) against
the two sample receivers (contract_tests/sample_receivers.py) served on 127.0.0.1: the
sloppy one (accepts every signature, 500 on bodies it cannot read) fails with a report that
names each check it broke; the correct one passes (with the webhook's custom authentication
header). The deliveries are valid events of each version's spec, and
neither the secret nor the header's value reaches any output.

Each run is a separate `python -m enode_codegen.contract_tests ...` process, like
tests/test_contract_faults.py; the runs go two at a time.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import hypothesis
import jsonschema
import pytest
from hypothesis import strategies as st

from enode_codegen.contract_tests import _st
from enode_codegen.contract_tests.codes import CHECKS
from enode_codegen.contract_tests.options import webhook_options
from enode_codegen.contract_tests.sample_receivers import (
    correct_receiver,
    serving,
    sloppy_receiver,
)
from enode_codegen.contract_tests.spec import document, webhook_events
from enode_codegen.generator.paths import packaged_versions

ROOT = Path(__file__).resolve().parent.parent
SECRET = "whsec-contract-test-3f9a1c0e7b2d4e6f"
AUTH = ("X-Webhook-Auth", "auth-value-8c1d2e3f4a5b")
OLDEST, NEWEST = packaged_versions()[0], packaged_versions()[-1]
RECEIVER_CHECKS = [check for check in CHECKS.values() if check.receiver]
TIMEOUT = 300


@dataclass
class Outcome:
    returncode: int
    output: str
    summary: str
    junit: str


def _suite(name: str, workdir: Path, args: list[str], env: dict[str, str]) -> Outcome:
    out = workdir / name
    out.mkdir(parents=True, exist_ok=True)
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ENODE_", "PYTEST_"))}
    command = [
        sys.executable,
        "-m",
        "enode_codegen.contract_tests",
        "-q",
        "--profile",
        "fault",
        "--seed",
        "7",
        "--junitxml",
        str(out / "junit.xml"),
        "--summary",
        str(out / "summary.md"),
        *args,
    ]
    done = subprocess.run(
        command,
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    summary, junit = out / "summary.md", out / "junit.xml"
    return Outcome(
        done.returncode,
        done.stdout + done.stderr,
        summary.read_text(encoding="utf-8") if summary.exists() else "",
        junit.read_text(encoding="utf-8") if junit.exists() else "",
    )


IGNORE_TARGET_TESTS = [
    f"--ignore-glob=*{module}.py"
    for module in ("test_operations", "test_behaviour_*", "test_stateful", "test_clients")
]


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Outcome]]:
    work = tmp_path_factory.mktemp("receiver-runs")
    correct = correct_receiver(SECRET, auth_header=AUTH)
    with serving(sloppy_receiver()) as down_url:
        pass  # the port is free again: nothing listens there
    with serving(correct) as correct_url, serving(sloppy_receiver()) as sloppy_url:
        secret = {"ENODE_WEBHOOK_SECRET": SECRET}
        runs: dict[str, tuple[list[str], dict[str, str]]] = {
            # the secret from the environment, the custom header given; the oldest and the
            # newest version (every version's events: test_drawn_events_validate_...)
            "correct": (
                [
                    *("--webhook-receiver", correct_url),
                    *("--webhook-header", f"{AUTH[0]}:{AUTH[1]}"),
                    *("--versions", f"{OLDEST},{NEWEST}"),
                ],
                secret,
            ),
            # the secret as an option
            "sloppy": (
                [
                    "--webhook-receiver",
                    sloppy_url,
                    "--webhook-secret",
                    SECRET,
                    "--versions",
                    NEWEST,
                ],
                {},
            ),
            "down": (
                ["--webhook-receiver", down_url, "--versions", NEWEST, "-k", "accepts_event"],
                secret,
            ),
            # no receiver: only the receiver module is collected, its tests skip
            "no-receiver": (["--versions", NEWEST, *IGNORE_TARGET_TESTS], {}),
            "usage": (["--webhook-receiver", correct_url], {}),
        }
        with ThreadPoolExecutor(max_workers=2) as pool:
            futures = {
                name: pool.submit(_suite, name, work, args, env)
                for name, (args, env) in runs.items()
            }
            yield {name: future.result() for name, future in futures.items()}


def _rows(summary: str) -> dict[str, str]:
    table = summary.split("## Behaviour checks", 1)[1]
    return {
        check.code: next(line for line in table.splitlines() if f"`{check.name}`" in line)
        for check in RECEIVER_CHECKS
    }


def test_a_correct_receiver_passes(outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes["correct"]
    assert outcome.returncode == 0, outcome.output[-4000:]
    assert "PASSED" in outcome.summary.splitlines()[2], outcome.summary[:1000]
    versions = [OLDEST, NEWEST]
    for version in versions:
        # every version's deliveries were sent and answered 200, 400 or 401
        row = next(line for line in outcome.summary.splitlines() if line.startswith(f"| {version}"))
        assert re.search(r"200x\d+ 400x\d+ 401x\d+", row), row
    for code, row in _rows(outcome.summary).items():
        cells = [cell.strip() for cell in row.strip("| ").split("|")[2:]]
        assert len(cells) == len(versions), row
        # every check evaluated on every version, none failed
        assert all(re.fullmatch(r"[1-9]\d* / 0", cell) for cell in cells), (code, row)


def test_a_sloppy_receiver_fails_naming_each_broken_check(
    outcomes: dict[str, Outcome],
) -> None:
    outcome = outcomes["sloppy"]
    assert outcome.returncode == 1, outcome.output[-4000:]
    broken = {
        "EN603": "receiver_rejects_wrong_signature",  # accepts any signature
        "EN604": "receiver_rejects_missing_signature",
        "EN605": "receiver_rejects_tampered_body",
        "EN607": "receiver_malformed_body",  # 500 on what it cannot parse
        "EN608": "receiver_non_array_body",
    }
    for code, name in broken.items():
        title = CHECKS[name].title
        assert f"- {code} {title} [{name}]" in outcome.output, (code, outcome.output[-3000:])
        assert f"test_receiver_{name.removeprefix('receiver_')}[{NEWEST}]" in outcome.summary
    # what was sent and what came instead, replayable with curl
    assert "signed with another secret: 200, expected 4xx" in outcome.output
    assert "an empty body: 500, expected not 5xx" in outcome.output
    failures = outcome.summary.split("## Failures", 1)[1].split("\n## ", 1)[0]
    assert failures.count("### `") == len(broken), failures[:3000]
    assert "curl -X POST" in failures and "X-Enode-Signature: sha1=" in failures
    assert outcome.junit.count("<failure") == len(broken)
    # the summary's check table counts the failed evaluations; valid deliveries passed
    rows = _rows(outcome.summary)
    for code in broken:
        assert re.search(r"\| \d+ / \*\*[1-9]\d*\*\* \|$", rows[code]), rows[code]
    for code in ("EN601", "EN602", "EN606"):
        assert re.search(r"\| [1-9]\d* / 0 \|$", rows[code]), rows[code]


@pytest.mark.parametrize("name", ["correct", "sloppy"])
def test_no_secret_reaches_any_output(name: str, outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes[name]
    for text in (outcome.output, outcome.summary, outcome.junit):
        assert SECRET not in text
        assert AUTH[1] not in text
    assert "--webhook-secret [REDACTED]" in outcome.summary
    if name == "correct":
        assert f"--webhook-header '{AUTH[0]}:[REDACTED]'" in outcome.summary


def test_without_a_receiver_the_checks_skip_with_a_reason(outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes["no-receiver"]
    assert outcome.returncode == 0, outcome.output[-3000:]
    assert re.search(rf"\| {len(RECEIVER_CHECKS)} \| no --webhook-receiver URL", outcome.summary)
    # the target's summary says the receiver checks exist and how to run them
    assert "EN601-EN608) run with `--webhook-receiver URL`" in outcome.summary


def test_a_receiver_that_is_down_fails_saying_so(outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes["down"]
    assert outcome.returncode == 1, outcome.output[-2000:]
    assert "no answer (ConnectError" in outcome.output, outcome.output[-3000:]


@pytest.mark.parametrize(
    ("url", "secret", "headers", "message"),
    [
        ("http://127.0.0.1:9/hook", None, [], "needs the webhook's secret"),
        ("127.0.0.1:9", SECRET, [], "give the receiver's full http(s) URL"),
        (None, SECRET, [], "need --webhook-receiver"),
        ("http://127.0.0.1:9/hook", SECRET, ["no-colon"], "give NAME:VALUE"),
        ("http://127.0.0.1:9/hook", SECRET, ["Bad Name:x"], "give NAME:VALUE"),
    ],
)
def test_bad_receiver_options_say_what_is_wrong(
    url: str | None,
    secret: str | None,
    headers: list[str],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ENODE_WEBHOOK_SECRET", raising=False)
    with pytest.raises(ValueError, match=re.escape(message)) as raised:
        webhook_options(url, secret, headers)
    assert SECRET not in str(raised.value)


def test_a_bad_option_is_a_usage_error_without_traceback(outcomes: dict[str, Outcome]) -> None:
    outcome = outcomes["usage"]
    assert outcome.returncode == 4, outcome.output[-2000:]
    assert "--webhook-receiver needs the webhook's secret" in outcome.output
    assert "Traceback" not in outcome.output


def test_the_secret_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENODE_WEBHOOK_SECRET", SECRET)
    url, secret, headers = webhook_options("http://127.0.0.1:9/hook", None, ["X-A: b"])
    assert (url, secret, headers) == ("http://127.0.0.1:9/hook", SECRET, (("X-A", "b"),))


# --- the deliveries are valid events of the version's spec ------------------------------


def _validator(version: str, name: str) -> jsonschema.protocols.Validator:
    doc = document(version)
    root: dict[str, Any] = {"components": doc["components"], **webhook_events(version)[name]}
    return jsonschema.Draft202012Validator(root, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("version", packaged_versions())
def test_drawn_events_validate_against_the_spec(version: str) -> None:
    """Every event of the version (the keys of its `webhooks`, no list of our own) is drawn
    from its schema, and what is drawn validates against that schema."""
    events = webhook_events(version)
    assert set(events) == set(document(version)["webhooks"]) and len(events) >= 20
    strategies = _st.webhook_event_strategies(version)
    assert set(strategies) == set(events)
    validators = {name: _validator(version, name) for name in events}

    @hypothesis.settings(
        max_examples=3,
        database=None,
        deadline=None,
        suppress_health_check=list(hypothesis.HealthCheck),
    )
    @hypothesis.given(st.data())
    def drawn_events_are_valid(data: st.DataObject) -> None:
        for name, strategy in strategies.items():
            event = data.draw(strategy, label=name)
            assert event["event"] == name
            errors = sorted(validators[name].iter_errors(event), key=str)
            assert not errors, f"{name}: {errors[0].message} at {list(errors[0].absolute_path)}"

    drawn_events_are_valid()
