"""Progress by Enode-Version. Tests run module by module (operations, stateful flows,
clients), each over every version: a line as a module finishes a version, and one as the
last test of a version finishes.

    contract 2023-04-01 operations: 42 passed, 0 skipped, 0 failed (12.3s)
    ...
    contract 2023-04-01: done, 97 tests: 95 passed, 2 skipped, 0 failed (1/4 versions, 41.2s)
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Generator
from typing import Any

import pluggy
import pytest

__all__ = ["version_of"]

_VERSION = re.compile(r"\[(\d{4}-\d{2}-\d{2})")
_LEFT: Counter[str] = Counter()
_OUTCOMES: dict[str, Counter[str]] = {}
_GROUP_LEFT: Counter[tuple[str, str]] = Counter()  # (version, module)
_GROUP_OUTCOMES: dict[tuple[str, str], Counter[str]] = {}
_STARTED = [time.monotonic()]


def version_of(item: pytest.Item) -> str | None:
    """The Enode-Version a test item runs against (its first dated parameter)."""
    match = _VERSION.search(item.name)
    return match.group(1) if match else None


def _module(item: pytest.Item | str) -> str:
    nodeid = item if isinstance(item, str) else item.nodeid
    return nodeid.split("::", 1)[0].rsplit("/", 1)[-1].removesuffix(".py").removeprefix("test_")


def _version_of_id(nodeid: str) -> str | None:
    match = _VERSION.search(nodeid.partition("::")[2])
    return match.group(1) if match else None


def pytest_collection_finish(session: pytest.Session) -> None:
    _start([(version_of(item), item.nodeid) for item in session.items])


def _start(tests: list[tuple[str | None, str]]) -> None:
    for state in (_LEFT, _OUTCOMES, _GROUP_LEFT, _GROUP_OUTCOMES):
        state.clear()
    _STARTED[0] = time.monotonic()
    for version, nodeid in tests:
        if version is not None:
            _LEFT[version] += 1
            _OUTCOMES.setdefault(version, Counter())
            _GROUP_LEFT[version, _module(nodeid)] += 1
            _GROUP_OUTCOMES.setdefault((version, _module(nodeid)), Counter())


# --workers (parallel.py): the controller counts from the workers' reports
_DISTRIBUTED = [False]


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node: Any, ids: list[str]) -> None:
    if not _DISTRIBUTED[0]:  # every worker collects the same tests
        _DISTRIBUTED[0] = True
        _start([(_version_of_id(nodeid), nodeid) for nodeid in ids])


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if not _DISTRIBUTED[0]:
        return
    version = _version_of_id(report.nodeid)
    if version is None or version not in _OUTCOMES:
        return
    kind = _kind(report)
    group = (version, _module(report.nodeid))
    if kind is not None:
        _OUTCOMES[version][kind] += 1
        _GROUP_OUTCOMES[group][kind] += 1
    if report.when == "teardown":
        _finished(version, group, _REPORTER[0])


_REPORTER: list[Any] = [None]


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    _REPORTER[0] = config.pluginmanager.get_plugin("terminalreporter")


def _kind(report: pytest.TestReport) -> str | None:
    return (
        "failed"
        if report.failed
        else "skipped"
        if report.skipped
        else "passed"
        if report.when == "call"
        else None
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[Any]
) -> Generator[None, pluggy.Result[pytest.TestReport], None]:
    outcome = yield
    report = outcome.get_result()
    version = version_of(item)
    if version is None or version not in _OUTCOMES:
        return
    kind = _kind(report)
    if kind is not None:
        _OUTCOMES[version][kind] += 1
        _GROUP_OUTCOMES[version, _module(item)][kind] += 1


def _counts(outcomes: Counter[str]) -> str:
    return (
        f"{outcomes['passed']} passed, {outcomes['skipped']} skipped, {outcomes['failed']} failed"
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None]:
    yield
    version = version_of(item)
    if version is None or version not in _LEFT:
        return
    _finished(
        version, (version, _module(item)), item.config.pluginmanager.get_plugin("terminalreporter")
    )


def _finished(version: str, group: tuple[str, str], reporter: Any) -> None:
    """A test of `version` in `group` (version, module) finished: the lines it completes."""
    elapsed = time.monotonic() - _STARTED[0]
    _GROUP_LEFT[group] -= 1
    _LEFT[version] -= 1
    lines = []
    if not _GROUP_LEFT[group]:
        lines.append(f"contract {version} {group[1]}: {_counts(_GROUP_OUTCOMES[group])}")
    if not _LEFT[version]:
        outcomes = _OUTCOMES[version]
        done = sum(1 for left in _LEFT.values() if not left)
        lines.append(
            f"contract {version}: done, {sum(outcomes.values())} tests: {_counts(outcomes)} "
            f"({done}/{len(_LEFT)} versions, {elapsed:.1f}s)"
        )
    if reporter is not None and lines:
        # on lines of their own, not glued to pytest's dots
        if getattr(getattr(reporter, "_tw", None), "width_of_current_line", 0):
            reporter.write("\n")
        for line in lines:
            reporter.write_line(line)
