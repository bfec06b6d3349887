"""The contract suite's pytest wiring: options, the target, known IDs, reports.

    enode-codegen contract                          # against the embedded mock
    enode-codegen contract --target live            # ENODE_* environment variables
    enode-codegen contract --profile thorough --seed 7

(`python -m enode_codegen.contract_tests` is the same; run.py loads this plugin first.)

See contract_tests/README.md.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pluggy
import pytest

from enode_codegen.generator.paths import GENERATED_DIR

from . import exceptions, parallel, report
from .curl import REQUEST_LOG, curl_lines
from .options import Options, add_options, current, from_pytest, set_current
from .record import RECORDER
from .redaction import REDACTOR
from .targets import Target, opened
from .transports import budget_spent

# one line per Enode-Version as its last test finishes
pytest_plugins = [
    "enode_codegen.contract_tests.progress",
    "enode_codegen.contract_tests.parallel",  # --workers: pytest-xdist, records merged
]

# the generated client packages, importable straight from generated/
for _package_dir in sorted(GENERATED_DIR.resolve().glob("*/pyproject.toml")):
    if str(_package_dir.parent) not in sys.path:
        sys.path.insert(0, str(_package_dir.parent))

_STARTED = time.monotonic()


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    try:
        options = from_pytest(config)
    except ValueError as error:
        raise pytest.UsageError(str(error)) from None
    options = parallel.worker_options(config, options)
    set_current(options)
    parallel.choose_workers(config, options)
    REDACTOR.add(options.webhook_secret)
    for _name, value in options.webhook_headers:
        REDACTOR.add(value)
    if getattr(config.option, "xmlpath", None) is None and not hasattr(config, "workerinput"):
        # beside the summary; pytest's junitxml creates the folder when it writes
        config.option.xmlpath = str(Path(options.summary_path).parent / "junit.xml")
    config.addinivalue_line("markers", "writes: the test sends non-GET requests")


RECEIVER_MODULE = "test_webhook_receiver.py"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """With --webhook-receiver the run tests the user's receiver only: the target's test
    modules are not collected (nor their specs loaded, nor the mock started)."""
    if current().webhook_receiver is None:
        return None
    name = collection_path.name
    if name.startswith("test_") and name.endswith(".py") and name != RECEIVER_MODULE:
        return True
    return None


def pytest_report_header(config: pytest.Config) -> list[str]:
    options = current()
    seed_note = "" if options.seed_given else " (random; rerun with --seed to reproduce)"
    if options.webhook_receiver is not None:
        extra = ", ".join(f"{name}: [REDACTED]" for name, _ in options.webhook_headers)
        return [
            f"contract webhook receiver: {options.webhook_receiver}"
            + (f" (with {extra})" if extra else "")
            + "; secret from "
            + ("--webhook-secret" if config.getoption("--webhook-secret") else "the environment"),
            f"contract profile: {options.profile.name}; seed {options.seed}{seed_note}",
            f"contract versions: {', '.join(options.versions)}",
        ]
    return [
        f"contract target: {options.target}"
        + (" (spawned server)" if options.mock_server and not options.live else "")
        + (" (enode-mock)" if options.server_is_mock else "")
        + (
            " (not an enode-mock: tested as a live target)"
            if options.server and options.live
            else ""
        )
        + (f", fault {options.fault}" if options.fault else ""),
        f"contract profile: {options.profile.name} ({options.profile.description}); "
        f"seed {options.seed}{seed_note}",
        f"contract versions: {', '.join(options.versions)}",
    ]


# --- fixtures --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def options() -> Options:
    return current()


@pytest.fixture(scope="session")
def target(options: Options) -> Iterator[Target]:
    from . import _st  # schemathesis loads once a test needs the target, not at startup

    with contextlib.ExitStack() as stack:
        with parallel.session_start():  # the token request: counted once over all workers
            opened_target = stack.enter_context(opened(options))
            _st.bind(opened_target)
        yield opened_target


@pytest.fixture(scope="session")
def known_ids(target: Target, options: Options) -> dict[str, dict[str, list[str]]]:
    """IDs of real entities per version and path parameter, read from the target's lists."""
    from . import _st
    from .catalog import discover

    found = {}
    with parallel.session_start():  # the same requests in every worker: counted once
        for version in options.versions:
            _st.load(version)
            found[version] = discover(target, version)
            _st.set_known_ids(version, found[version])
    return found


@pytest.fixture(autouse=True)
def _request_log() -> Iterator[None]:
    REQUEST_LOG.clear()
    yield


# --- reports ---------------------------------------------------------------------------


def _redacted_longrepr(rep: pytest.TestReport) -> str:
    return REDACTOR(str(rep.longrepr)) if rep.longrepr is not None else ""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[Any]
) -> Generator[None, pluggy.Result[pytest.TestReport], None]:
    outcome = yield
    rep = outcome.get_result()
    if not rep.nodeid.endswith(item.name):
        # schemathesis's items share their function's node ID; name each by its operation
        rep.nodeid = f"{rep.nodeid.rsplit('::', 1)[0]}::{item.name}"
    if rep.failed and call.excinfo is not None and budget_spent(call.excinfo.value):
        rep.outcome = "skipped"
        rep.longrepr = (str(item.path), 0, f"Skipped: {budget_spent(call.excinfo.value)}")
        return
    if not rep.failed:
        return
    text = _redacted_longrepr(rep)
    if not curl_lines(text):
        curls = REQUEST_LOG.curls()
        if curls:
            text += "\n\nReproduce the last requests of the test with:\n\n" + "\n".join(
                f"    {line}" for line in curls
            )
    rep.longrepr = text


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.failed:
        RECORDER.add_failure(report.nodeid, str(report.longrepr))
    elif report.when == "call" and report.passed:
        RECORDER.passed += 1
    elif report.skipped:
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        RECORDER.add_skip(reason)


@pytest.hookimpl(trylast=True)
def pytest_exception_interact(node: Any, call: Any, report: pytest.TestReport) -> None:
    if report.failed and report.longrepr is not None:
        report.longrepr = _redacted_longrepr(report)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if hasattr(session.config, "workerinput"):
        return
    from . import _st

    options = current()
    if options.webhook_receiver is not None:
        path = Path(options.summary_path)
        report.write_receiver_summary(
            path,
            RECORDER,
            options_line=_options_line(options),
            receiver=options.webhook_receiver,
            versions=options.versions,
            duration=time.monotonic() - _STARTED,
            exitstatus=int(exitstatus),
        )
        _announce(session, path, int(exitstatus))
        return
    documented = {}
    for version in options.versions:
        try:
            documented[version] = _st.documented_statuses(version)
        except Exception:  # an invalid spec already failed the run
            documented[version] = {}
    path = Path(options.summary_path)
    report.write_summary(
        path,
        RECORDER,
        options_line=_options_line(options),
        versions=options.versions,
        documented=documented,
        waivers=exceptions.uses(),
        waiver_reasons={w.id: (w.blame, w.reason) for w in exceptions.WAIVERS},
        duration=time.monotonic() - _STARTED,
        exitstatus=int(exitstatus),
    )
    _announce(session, path, int(exitstatus))


def _announce(session: pytest.Session, path: Path, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        # on a line of its own, not glued to the progress column ("[100%]contract summary")
        if getattr(getattr(reporter, "_tw", None), "width_of_current_line", 0):
            reporter.write("\n")
        if exitstatus == pytest.ExitCode.INTERRUPTED:
            reporter.write_line(
                f"contract: INTERRUPTED after {RECORDER.passed} passed, "
                f"{len(RECORDER.failures)} failed, {RECORDER.skipped} skipped; the tests that "
                "did not run are not counted"
            )
        reporter.write_line(f"contract summary: {path}")


def _options_line(options: Options) -> str:
    if options.webhook_receiver is not None:
        parts = [f"--webhook-receiver {options.webhook_receiver}", "--webhook-secret [REDACTED]"]
        parts += [f"--webhook-header '{name}:[REDACTED]'" for name, _ in options.webhook_headers]
        parts += [
            f"--profile {options.profile.name}",
            f"--seed {options.seed}",
            f"--versions {','.join(options.versions)}",
        ]
        return "`enode-codegen contract " + " ".join(parts) + "`"
    parts = [f"--target {options.target}"]
    if options.mock_server:
        parts.append("--mock-server")
    if options.fault:
        parts.append(f"--fault {options.fault}")
    if options.allow_writes:
        parts.append("--allow-writes")
    if options.max_rps:
        parts.append(f"--max-rps {options.max_rps:g}")
    if options.max_requests:
        parts.append(f"--max-requests {options.max_requests}")
    parts += [
        f"--profile {options.profile.name}",
        f"--seed {options.seed}",
        f"--versions {','.join(options.versions)}",
    ]
    return "`enode-codegen contract " + " ".join(parts) + "`"


_MODULE_ORDER = ("test_operations", "test_behaviour", "test_stateful", "test_clients")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """schemathesis per operation first, then the named behaviour checks (test_behaviour_*),
    the stateful tests, then the clients (so with -x the first failure is the most specific
    check)."""

    def rank(item: pytest.Item) -> int:
        found = getattr(item, "module", None)
        module = found.__name__.rsplit(".", 1)[-1] if found is not None else ""
        family = next((m for m in _MODULE_ORDER if module.startswith(m)), None)
        return _MODULE_ORDER.index(family) if family else len(_MODULE_ORDER)

    items.sort(key=rank)
