"""Running the named checks of a user's webhook receiver (`--webhook-receiver`, EN6xx):
deliveries POSTed to it, each answer judged and counted, every failed delivery reported
with a curl line that sends exactly the same bytes."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from .checks import MAX_CURL_LINES, CheckFailure
from .codes import CHECKS
from .curl import quote
from .record import RECORDER

__all__ = ["RECEIVER_TIMEOUT", "Answer", "Delivery", "ReceiverChecks"]

# Enode gives up on a delivery after 5 s and retries it (docs/enode-surface-facts.md 8.2)
RECEIVER_TIMEOUT = 5.0
# bodies longer than this (or not plain text) go to a file that the curl line reads
INLINE_BODY = 600


@dataclass(frozen=True)
class Delivery:
    """One POST to the receiver: what it is (for the report), its bytes and headers."""

    label: str
    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no answer (refused connection, timeout)
    error: str | None
    seconds: float

    def __str__(self) -> str:
        if self.status is None:
            return f"no answer ({self.error})"
        late = f" after {self.seconds:.1f} s" if self.seconds > RECEIVER_TIMEOUT else ""
        return f"{self.status}{late}"

    @property
    def ok(self) -> bool:
        """2xx within Enode's timeout."""
        return (
            self.status is not None
            and 200 <= self.status < 300
            and self.seconds <= RECEIVER_TIMEOUT
        )

    @property
    def refused(self) -> bool:
        """4xx: the receiver refused the delivery as the client's fault."""
        return self.status is not None and 400 <= self.status < 500

    @property
    def no_server_error(self) -> bool:
        """Any answer but 5xx (and an answer at all, within the timeout)."""
        return self.status is not None and self.status < 500


@dataclass
class ReceiverChecks:
    """The deliveries of one named receiver check against one version: each is sent,
    every evaluation counted; `finish` reports every failed delivery (not only the first)
    with what came instead and a curl line that sends exactly the same bytes."""

    check: str
    version: str
    url: str
    client: httpx.Client
    extra_headers: tuple[tuple[str, str], ...]
    bodies_dir: Path
    failures: list[str] = field(default_factory=list)
    failed_curls: list[str] = field(default_factory=list)
    evaluations: int = 0

    def post(self, delivery: Delivery) -> Answer:
        headers = {**dict(self.extra_headers), **delivery.headers}
        started = time.monotonic()
        try:
            response = self.client.post(self.url, content=delivery.body, headers=headers)
        except httpx.TimeoutException:
            answer = Answer(None, f"timed out after {RECEIVER_TIMEOUT:g} s", RECEIVER_TIMEOUT)
        except httpx.HTTPError as error:
            answer = Answer(None, f"{type(error).__name__}: {error}", time.monotonic() - started)
        else:
            answer = Answer(response.status_code, None, time.monotonic() - started)
        RECORDER.add_receiver_answer(
            self.version, str(answer.status) if answer.status is not None else "no answer"
        )
        return answer

    def expect(self, delivery: Delivery, answer: Answer, passed: bool, wanted: str) -> None:
        self.evaluations += 1
        RECORDER.add_check(self.version, self.check, passed=passed)
        if not passed:
            self.failures.append(f"{delivery.label}: {answer}, expected {wanted}")
            self.failed_curls.append(self.curl(delivery))

    def curl(self, delivery: Delivery) -> str:
        headers = {**dict(self.extra_headers), **delivery.headers}
        parts = ["curl", "-X", "POST"]
        for name, value in headers.items():
            parts += ["-H", quote(f"{name}: {value}")]
        text = _plain_text(delivery.body)
        if text is not None and len(text) <= INLINE_BODY:
            parts += ["--data-binary", quote(text)]
        else:
            self.bodies_dir.mkdir(parents=True, exist_ok=True)
            # one file per failed delivery of the check (deliveries may share an ID)
            path = self.bodies_dir / f"{self.version}-{self.check}-{len(self.failures)}.json"
            path.write_bytes(delivery.body)
            parts += ["--data-binary", quote(f"@{path.resolve()}")]
        parts.append(quote(self.url))
        return " ".join(parts)

    def finish(self) -> None:
        if not self.failures:
            return
        shown = self.failures[:MAX_CURL_LINES]
        more = len(self.failures) - len(shown)
        detail = (
            f"{len(self.failures)} of {self.evaluations} deliveries to {self.url} "
            f"(Enode-Version {self.version}) failed:\n"
            + "\n".join(f"- {line}" for line in shown)
            + (f"\n- ... and {more} more" if more else "")
        )
        failure = CheckFailure(CHECKS[self.check], detail, self.failed_curls[:MAX_CURL_LINES])
        # the check's own report, without a traceback of the suite's code
        pytest.fail(str(failure), pytrace=False)


def _plain_text(body: bytes) -> str | None:
    """The body as text when a shell argument carries it unchanged (UTF-8, printable)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if any(not ch.isprintable() for ch in text):
        return None
    return text
