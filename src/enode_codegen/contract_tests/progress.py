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


def _module(item: pytest.Item) -> str:
    return (
        item.nodeid.split("::", 1)[0].rsplit("/", 1)[-1].removesuffix(".py").removeprefix("test_")
    )


def pytest_collection_finish(session: pytest.Session) -> None:
    for state in (_LEFT, _OUTCOMES, _GROUP_LEFT, _GROUP_OUTCOMES):
        state.clear()
    _STARTED[0] = time.monotonic()
    for item in session.items:
        version = version_of(item)
        if version is not None:
            _LEFT[version] += 1
            _OUTCOMES.setdefault(version, Counter())
            _GROUP_LEFT[version, _module(item)] += 1
            _GROUP_OUTCOMES.setdefault((version, _module(item)), Counter())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[Any]
) -> Generator[None, pluggy.Result[pytest.TestReport], None]:
    outcome = yield
    report = outcome.get_result()
    version = version_of(item)
    if version is None or version not in _OUTCOMES:
        return
    kind = (
        "failed"
        if report.failed
        else "skipped"
        if report.skipped
        else "passed"
        if report.when == "call"
        else None
    )
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
    reporter = item.config.pluginmanager.get_plugin("terminalreporter")
    elapsed = time.monotonic() - _STARTED[0]
    group = (version, _module(item))
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
