"""Progress by Enode-Version: one line as the last test of each version finishes.

    contract 2023-04-01: done, 97 tests: 95 passed, 2 skipped, 0 failed (1/4 versions, 41.2s)

Tests run module by module (operations, stateful flows, clients), each over every
version; the line tells which versions are complete and how they fared.
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
_STARTED = [time.monotonic()]


def version_of(item: pytest.Item) -> str | None:
    """The Enode-Version a test item runs against (its first dated parameter)."""
    match = _VERSION.search(item.name)
    return match.group(1) if match else None


def pytest_collection_finish(session: pytest.Session) -> None:
    _LEFT.clear()
    _OUTCOMES.clear()
    _STARTED[0] = time.monotonic()
    for item in session.items:
        version = version_of(item)
        if version is not None:
            _LEFT[version] += 1
            _OUTCOMES.setdefault(version, Counter())


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[Any]
) -> Generator[None, pluggy.Result[pytest.TestReport], None]:
    outcome = yield
    report = outcome.get_result()
    version = version_of(item)
    if version is None or version not in _OUTCOMES:
        return
    if report.failed:
        _OUTCOMES[version]["failed"] += 1
    elif report.skipped:
        _OUTCOMES[version]["skipped"] += 1
    elif report.when == "call":
        _OUTCOMES[version]["passed"] += 1


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None]:
    yield
    version = version_of(item)
    if version is None or version not in _LEFT:
        return
    _LEFT[version] -= 1
    if _LEFT[version]:
        return
    outcomes = _OUTCOMES[version]
    tests = sum(outcomes.values())
    done = sum(1 for left in _LEFT.values() if not left)
    reporter = item.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    reporter.ensure_newline()
    reporter.write_line(
        f"contract {version}: done, {tests} tests: {outcomes['passed']} passed, "
        f"{outcomes['skipped']} skipped, {outcomes['failed']} failed "
        f"({done}/{len(_LEFT)} versions, {time.monotonic() - _STARTED[0]:.1f}s)"
    )
