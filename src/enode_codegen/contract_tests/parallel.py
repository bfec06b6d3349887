"""The contract suite on several cores: pytest-xdist workers, each with its own embedded mock.

`--workers N` (default: the cores this process may use, `os.sched_getaffinity`); 1 runs
in this process as before. Only the embedded mock (in-process, or `--mock-server`: one
spawned server per worker) runs in parallel: a running server or a live deployment is one
shared state (resets, request budget), so it is always tested by one process; so is a run
that stops at its first failures (`-x`, `--maxfail`), whose exit code stays 1 (pytest-xdist
would end it as interrupted, 2).

PYTEST_DONT_REWRITE: plugin.py imports this module as well as naming it a plugin.

What keeps a parallel run's reports equal to a serial one's:
- the seed: drawn once by the controller and handed to every worker;
- one version's `test_operation` tests stay together, in order, on one worker (the
  scheduler below), and each version's group starts from a reset mock (test_operations.py);
  every other test resets the mock itself;
- the coverage counts, named-check counts, retries and waivers each worker recorded are
  sent back (`workeroutput`) and added up by the controller, which writes the summary and
  the JUnit file from the workers' reports; the requests of the session's start (token,
  discovery of real IDs), the same in every worker, are counted once.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.util
import os
import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from . import exceptions
from .options import Options
from .record import RECORDER

__all__ = ["choose_workers", "session_start", "usable_cores", "worker_options"]

_KEY = "enode_contract_recorder"
# what the session's start recorded in this process (counted once over all workers)
_START: Counter[Any] = Counter()  # (version, METHOD, path, status) -> responses
_MERGED_START = [False]


def usable_cores() -> int:
    return len(os.sched_getaffinity(0))


def serial_reason(options: Options) -> str | None:
    """Why this run cannot be split over workers (None: it can)."""
    if options.webhook_receiver is not None:
        return "a webhook receiver is one shared state"
    if options.server is not None or options.live:
        return "a running server is one shared state"
    return None


def choose_workers(config: pytest.Config, options: Options) -> None:
    """In the controller: turn `--workers` into pytest-xdist's options (before xdist's own
    pytest_configure, which is trylast, starts the workers)."""
    if hasattr(config, "workerinput") or not config.pluginmanager.has_plugin("xdist"):
        return
    if config.getoption("numprocesses", None) is not None or config.getoption("collectonly"):
        return  # -n given: pytest-xdist's own choice
    wanted = options.workers if options.workers is not None else usable_cores()
    if wanted <= 1 or serial_reason(options) is not None or config.getoption("usepdb"):
        return
    if config.getoption("maxfail", 0):
        return  # -x / --maxfail: stop at the first failures, as one process does (exit 1)
    config.option.numprocesses = wanted
    config.option.dist = "load"  # the scheduler: pytest_xdist_make_scheduler below
    config.option.tx = ["popen"] * wanted


def worker_options(config: pytest.Config, options: Options) -> Options:
    """In a worker: the controller's seed (a random seed is drawn once per run)."""
    given = getattr(config, "workerinput", {}).get("enode_contract_seed")
    if given is None:
        return options
    seed, seed_given = given
    return dataclasses.replace(options, seed=seed, seed_given=seed_given)


@contextlib.contextmanager
def session_start() -> Iterator[None]:
    """Wraps the session fixtures' requests (token, discovery): counted once in a parallel
    run, as in a serial one."""
    before = Counter(RECORDER.requests)
    try:
        yield
    finally:
        _START.update(RECORDER.requests - before)


def pytest_itemcollected(item: pytest.Item) -> None:
    """Each schemathesis item is named by its operation already at collection: they share
    their function's node ID, and xdist matches a worker's reports to its items by node ID
    (plugin.py names the reports the same way in a serial run)."""
    if not item.nodeid.endswith(item.name):
        from _pytest.nodeid import coerce_node_id

        item._id = coerce_node_id(f"{item.nodeid.rsplit('::', 1)[0]}::{item.name}")


def _scope(nodeid: str) -> str:
    """One version's schemathesis tests are one unit of work; every other test its own."""
    found = _OPERATION.search(nodeid)
    return f"operations-{found.group(1)}" if found else nodeid


_OPERATION = re.compile(r"::test_operation\[(\d{4}-\d{2}-\d{2})\]")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    from xdist.scheduler import LoadScopeScheduling  # type: ignore[import-untyped]

    class ByVersion(LoadScopeScheduling):  # type: ignore[misc]
        """Units in collection order, each to the first free worker; a unit's tests run
        in order on one worker."""

        def _split_scope(self, nodeid: str) -> str:
            return _scope(nodeid)

    return ByVersion(config, log)


def _pairs(counter: Counter[Any]) -> list[list[Any]]:
    return [[list(key) if isinstance(key, tuple) else key, n] for key, n in counter.items()]


def _counter(pairs: list[list[Any]]) -> Counter[Any]:
    return Counter({(tuple(key) if isinstance(key, list) else key): n for key, n in pairs})


def pytest_sessionstart(session: pytest.Session) -> None:
    """In the controller of a parallel run: the generated clients, when they are not
    installed, are generated here once (and said so), not by two workers at once."""
    config = session.config
    if hasattr(config, "workerinput") or not config.getoption("numprocesses", None):
        return
    from enode_codegen.generator.identity import package_names

    from .clients import prepare
    from .options import current

    versions = current().versions
    if versions and importlib.util.find_spec(package_names("", versions[0])[0]) is None:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        prepare(reporter.write_line if reporter is not None else print)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    from .options import current

    options = current()
    node.workerinput["enode_contract_seed"] = [options.seed, options.seed_given]


def pytest_sessionfinish(session: pytest.Session) -> None:
    """In a worker: what it recorded, for the controller (report.Recorder's counters)."""
    output = getattr(session.config, "workeroutput", None)
    if output is None:
        return
    output[_KEY] = {
        "requests": _pairs(RECORDER.requests - _START),
        "start_requests": _pairs(_START),
        "checks": _pairs(RECORDER.checks),
        "retries": _pairs(RECORDER.retries),
        "receiver_answers": _pairs(RECORDER.receiver_answers),
        "waivers": _pairs(exceptions.uses()),
    }


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """In the controller: add a finished worker's records to this process's (the summary is
    written from them; passes, failures and skips come with the workers' reports)."""
    sent = getattr(node, "workeroutput", {}).get(_KEY)
    if sent is None:
        return
    with RECORDER._lock:
        RECORDER.requests.update(_counter(sent["requests"]))
        if not _MERGED_START[0] and sent["start_requests"]:
            _MERGED_START[0] = True
            RECORDER.requests.update(_counter(sent["start_requests"]))
        RECORDER.checks.update(_counter(sent["checks"]))
        RECORDER.retries.update(_counter(sent["retries"]))
        RECORDER.receiver_answers.update(_counter(sent["receiver_answers"]))
    exceptions.add_uses(_counter(sent["waivers"]))
