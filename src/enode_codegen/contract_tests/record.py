"""The record of a run: one `Recorder` (`RECORDER`) that the transports, checks and pytest
hooks add to while the run goes on. It knows nothing of specs or reports: the reporters
(report.py) read it when they write, so it sits on the ground floor with redaction and the
curl lines, and every other module of the suite may import it."""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass, field

from .curl import curl_lines
from .redaction import REDACTOR

__all__ = ["RECORDER", "FailureEntry", "Recorder"]


@dataclass
class FailureEntry:
    nodeid: str
    summary: str
    curls: list[str]


@dataclass
class Recorder:
    """What the run did, as it happens: every response, check, retry, skip and failure."""

    # (Enode-Version header or None, METHOD, path, status) -> responses; the reporters sort
    # them into operations at write time (report.py)
    requests: Counter[tuple[str | None, str, str, int]] = field(default_factory=Counter)
    failures: list[FailureEntry] = field(default_factory=list)
    # (version, named check, passed) -> evaluations (checks.py)
    checks: Counter[tuple[str, str, bool]] = field(default_factory=Counter)
    # status -> answers waited out as their Retry-After said and sent again (transports.py)
    retries: Counter[int] = field(default_factory=Counter)
    passed: int = 0
    skipped: int = 0
    # why tests were skipped -> how many (read-only live target, spent request budget, ...)
    skip_reasons: Counter[str] = field(default_factory=Counter)
    # (version, answer) -> deliveries to the user's webhook receiver (checks.ReceiverChecks)
    receiver_answers: Counter[tuple[str, str]] = field(default_factory=Counter)
    # (METHOD, path) -> sequence number of its last 2xx answer (request order)
    last_success: dict[tuple[str, str], int] = field(default_factory=dict)
    _sequence: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, version: str | None, method: str, path: str, status: int) -> None:
        with self._lock:
            self._sequence += 1
            if 200 <= status < 300:
                self.last_success[(method.upper(), path)] = self._sequence
            self.requests[(version, method.upper(), path, status)] += 1

    def succeeded_after(self, first: tuple[str, str], then: tuple[str, str]) -> bool:
        """Whether `then` (METHOD, path) last succeeded after `first` last succeeded."""
        with self._lock:
            a = self.last_success.get(first)
            b = self.last_success.get(then)
        return a is not None and b is not None and b > a

    def forget_successes(self) -> None:
        """The mock was reset: what succeeded before no longer exists."""
        with self._lock:
            self.last_success.clear()

    def add_retry(self, status: int) -> None:
        with self._lock:
            self.retries[status] += 1

    def add_check(self, version: str, check: str, *, passed: bool) -> None:
        with self._lock:
            self.checks[(version, check, passed)] += 1

    def add_receiver_answer(self, version: str, answer: str) -> None:
        with self._lock:
            self.receiver_answers[(version, answer)] += 1

    def add_skip(self, reason: str) -> None:
        with self._lock:
            self.skipped += 1
            self.skip_reasons[reason.removeprefix("Skipped: ")] += 1

    def add_failure(self, nodeid: str, text: str) -> None:
        text = REDACTOR(text)
        summary = _failure_summary(text)
        with self._lock:
            self.failures.append(FailureEntry(nodeid, summary, curl_lines(text)))


RECORDER = Recorder()


def _failure_summary(text: str) -> str:
    wanted = re.compile(
        r"^\s*(\|\s*)?(- (ST|EN)\d{3} .*|Expected: .*|\[\d{3}\] .*|`\{.*|E\s+.*"
        r"|.*Error: .*|AssertionError.*)$"
    )
    picked: list[str] = []
    for line in text.splitlines():
        if wanted.match(line):
            clean = re.sub(r"^\s*(\|\s*)?(E\s+)?", "", line).strip()
            if clean and clean not in picked:
                picked.append(clean)
        if len(picked) >= 6:
            break
    if not picked:
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        picked = lines[-1:] if lines else ["(no message)"]
    return " / ".join(picked)[:600]
