"""Named checks of what a schema cannot say: rules about sequences of calls (pagination,
the action lifecycle, reads that must agree, version shapes, refresh hints, problem types).

Each check has a code and a title like schemathesis's own (`EN101 Page larger than
pageSize`) and one sentence saying what is expected. A test drives a `Sequence`: every
request goes through schemathesis (`_st`), so each response is still checked for its
status, content type and schema, and is remembered as a curl line. A broken rule raises
`CheckFailure`, whose message names the check, says what was expected and what came
instead, and lists the request sequence as curl lines. Every evaluation is counted per
version for the summary (report.py, "Behaviour checks").
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pytest

from . import _st
from .report import RECORDER, REDACTOR, quote
from .targets import Target

__all__ = [
    "CHECKS",
    "Answer",
    "Check",
    "CheckFailure",
    "Delivery",
    "ReceiverChecks",
    "Sequence",
    "skip_unless_writes",
]


@dataclass(frozen=True)
class Check:
    code: str
    name: str
    title: str
    expected: str
    writes: bool = False  # needs non-GET requests (skipped against a read-only live target)
    # tests the user's webhook receiver (--webhook-receiver), not the target
    receiver: bool = False


_ALL = (
    # pagination
    Check(
        "EN101",
        "pagination_page_size",
        "Page larger than pageSize",
        "every page holds at most `pageSize` items",
    ),
    Check(
        "EN102",
        "pagination_cursor_advances",
        "Cursor does not advance",
        "each page's `pagination.after` is new: a cursor never repeats",
    ),
    Check(
        "EN103",
        "pagination_no_duplicates",
        "Item on two pages",
        "no item appears on more than one page of a walk",
    ),
    Check(
        "EN104",
        "pagination_union",
        "Pages differ from the full list",
        "the pages of a walk, in order, are exactly the list fetched with a large pageSize",
    ),
    Check(
        "EN105",
        "pagination_before",
        "`before` does not give the previous page",
        "`before` of page N answers page N-1",
    ),
    Check(
        "EN106",
        "pagination_last_page",
        "Last page has a next cursor",
        "the last page's `pagination.after` is null (and the first page's `before`)",
    ),
    Check(
        "EN107",
        "pagination_page_shape",
        "Later page violates the schema",
        "every page, not only the first, matches the operation's response schema",
    ),
    # actions
    Check(
        "EN201",
        "action_state_machine",
        "Action state goes back or changes after resolving",
        "PENDING -> one of CONFIRMED/FAILED/CANCELLED, and a resolved action never changes",
        writes=True,
    ),
    Check(
        "EN202",
        "action_completed_at",
        "completedAt does not match the state",
        "`completedAt` is set exactly when the action is resolved",
        writes=True,
    ),
    Check(
        "EN203",
        "action_failure_reason",
        "failureReason does not match the state",
        "`failureReason` is null unless the action is FAILED or CANCELLED",
        writes=True,
    ),
    Check(
        "EN204",
        "action_superseded",
        "Superseded action is not CANCELLED/CONFLICT",
        "a newer action on the same target moves the pending one to CANCELLED with "
        "failureReason CONFLICT, and it stays so",
        writes=True,
    ),
    Check(
        "EN205",
        "action_cancel_visible",
        "Cancel is not visible on read",
        "cancelling a PENDING action answers it CANCELLED and it reads CANCELLED afterwards",
        writes=True,
    ),
    Check(
        "EN206",
        "action_cancel_resolved",
        "Cancelling a resolved action is not 409",
        "cancelling a resolved action answers 409 with the unchanged action as body",
        writes=True,
    ),
    Check(
        "EN207",
        "action_effect",
        "Confirmed action has no effect on its target",
        "once an action is CONFIRMED its target reads as the action asked (operation mode, "
        "charging, max current, HVAC mode and setpoints)",
        writes=True,
    ),
    Check(
        "EN208",
        "action_resolves",
        "Action stays PENDING",
        "a PENDING action resolves (the mock: once its delay has passed)",
        writes=True,
    ),
    # reads
    Check(
        "EN301",
        "list_get_agree",
        "List item and single GET disagree",
        "an entity reads the same in its list and through its own GET",
    ),
    Check(
        "EN302",
        "user_list_filter",
        "User list holds another user's entities",
        "a list under /users/{userId} holds exactly that user's entities of the full list",
    ),
    Check(
        "EN303",
        "deleted_is_gone",
        "Deleted entity still readable",
        "after a DELETE every route that reached the entity answers 404",
        writes=True,
    ),
    # versions
    Check(
        "EN401",
        "version_shape",
        "Entity has another version's shape",
        "an entity carries exactly its version's location field (`chargingLocationId`, "
        "`locationId` or `location`) and the same location in every version",
    ),
    Check(
        "EN402",
        "version_enum",
        "Enum value differs between versions",
        "a value a version knows reads the same in it as in the newest version; a value it "
        "does not know never reaches it (null instead)",
    ),
    # refresh hints, health, errors
    Check(
        "EN501",
        "refresh_hint",
        "Refresh hint answers the wrong status",
        "a refresh hint answers 204 for a known asset and 404 for an unknown one",
        writes=True,
    ),
    Check(
        "EN502",
        "health_ready",
        "Health check answers the wrong status",
        "`GET /health/ready` answers 204 without a token (503 problem when not ready)",
    ),
    # the target's own webhook deliveries (test_webhook_deliveries.py)
    Check(
        "EN701",
        "delivery_signed",
        "Delivery not signed with the webhook's secret",
        "every delivery carries `X-Enode-Signature: sha1=<HMAC-SHA1 of the body with the "
        "webhook's secret>` and its own `X-Enode-Delivery` ID",
        writes=True,
    ),
    Check(
        "EN702",
        "delivery_batch",
        "Delivery is not a batch of events",
        "a delivery is a POST of `application/json`: an array of 1 to 100 events",
        writes=True,
    ),
    Check(
        "EN703",
        "delivery_event_schema",
        "Delivered event does not match its schema",
        "every delivered event is one the webhook's version declares, in that version "
        "(`version`), and validates against its schema in the spec's `webhooks`",
        writes=True,
    ),
    Check(
        "EN704",
        "delivery_follows_state",
        "Deliveries miss a state change",
        "an action's `user:vendor-action:updated` events arrive in order, from PENDING to "
        "the state its GET answers once resolved; a test delivery arrives as "
        "`enode:webhook:test`",
        writes=True,
    ),
    # the user's webhook receiver (--webhook-receiver; test_webhook_receiver.py)
    Check(
        "EN601",
        "receiver_accepts_event",
        "Receiver refuses a valid delivery",
        "a correctly signed delivery of any event the version declares answers 2xx within "
        "5 s (Enode's timeout)",
        receiver=True,
    ),
    Check(
        "EN602",
        "receiver_accepts_batch",
        "Receiver refuses a valid batch",
        "a correctly signed batch answers 2xx within 5 s: events mixed, 100 events, an event "
        "the version does not declare (Enode adds events), other whitespace (the signature "
        "covers the bytes)",
        receiver=True,
    ),
    Check(
        "EN603",
        "receiver_rejects_wrong_signature",
        "Receiver accepts a wrong signature",
        "a delivery whose X-Enode-Signature is not the HMAC-SHA1 of its body with the secret "
        "is refused with 4xx (401, 403 or 400), never 2xx or 5xx",
        receiver=True,
    ),
    Check(
        "EN604",
        "receiver_rejects_missing_signature",
        "Receiver accepts a delivery without signature",
        "a delivery without (or with an empty) X-Enode-Signature is refused with 4xx, never "
        "2xx or 5xx",
        receiver=True,
    ),
    Check(
        "EN605",
        "receiver_rejects_tampered_body",
        "Receiver accepts a tampered body",
        "a body changed after signing (a field edited, or the same JSON re-serialised), sent "
        "with the original signature, is refused with 4xx: verify the raw bytes",
        receiver=True,
    ),
    Check(
        "EN606",
        "receiver_replay",
        "Receiver fails on a replayed delivery",
        "a delivery sent again with the same X-Enode-Delivery ID is not a 5xx (2xx: already "
        "handled; Enode redelivers when an answer is lost)",
        receiver=True,
    ),
    Check(
        "EN607",
        "receiver_malformed_body",
        "Receiver fails on a malformed body",
        "a correctly signed body that is not JSON (truncated, not UTF-8, empty) is not a 5xx "
        "(400 expected)",
        receiver=True,
    ),
    Check(
        "EN608",
        "receiver_non_array_body",
        "Receiver fails on a body that is not an array of events",
        "a correctly signed JSON body that is not an array of event objects (an object, null, "
        "an array of numbers, an event without `event`) is not a 5xx (400 expected)",
        receiver=True,
    ),
)
CHECKS: dict[str, Check] = {check.name: check for check in _ALL}


def skip_unless_writes(options: Any, check: str) -> None:
    """Skip the calling test when `check` writes and the target is read-only (`options`:
    the run's Options)."""
    if CHECKS[check].writes and not options.writes_allowed:
        pytest.skip(f"{check} writes: the live target is read-only (pass --allow-writes)")


MAX_CURL_LINES = 12


class CheckFailure(AssertionError):
    """A named check failed: its message reads like a schemathesis failure."""

    def __init__(self, check: Check, message: str, curls: list[str]) -> None:
        self.check = check
        self.detail = message
        self.curls = curls
        super().__init__(self._render())

    def _render(self) -> str:
        lines = [
            f"- {self.check.code} {self.check.title} [{self.check.name}]",
            "",
            f"    Expected: {self.check.expected}",
            "",
            *(f"    {line}" for line in self.detail.splitlines()),
            "",
        ]
        if self.curls:
            shown = self.curls[-MAX_CURL_LINES:]
            left_out = len(self.curls) - len(shown)
            lines.append(
                "Reproduce the request sequence with"
                + (f" (its last {len(shown)} of {len(self.curls)} requests)" if left_out else "")
                + ":"
            )
            lines += ["", *(f"    {curl}" for curl in shown)]
        return REDACTOR("\n".join(lines))


@dataclass
class Reply:
    status: int
    body: Any
    headers: Mapping[str, str]


class Sequence:
    """The requests of one named-check run against `version` of the target, in order."""

    def __init__(self, target: Target, version: str) -> None:
        self.target = target
        self.version = version
        self.curls: list[str] = []

    def send(
        self,
        operation_id: str,
        *,
        path_parameters: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
        body: Any = None,
        headers: dict[str, Any] | None = None,
        shape_check: str | None = None,
        version: str | None = None,
        authenticated: bool = True,
    ) -> Reply:
        """Send one request through schemathesis; its status, content type and schema are
        checked (a violation fails `shape_check` when given, else schemathesis reports
        it)."""
        schema = _st.load(version or self.version)
        case = _st.make_case(
            schema,
            operation_id,
            path_parameters=path_parameters,
            query=query,
            body=body,
            headers=headers,
        )
        response = _st.call(case, self.target, authenticated=authenticated)
        self.curls.append(_st.curl(case, response, self.target.base_url))
        try:
            _st.validate(case, response, self.target)
        except _st.FailureGroup as group:
            if shape_check is None:
                raise
            self.fail(shape_check, str(group))
        try:
            parsed = response.json() if response.content else None
        except ValueError:
            parsed = None
        headers = {name: ", ".join(values) for name, values in response.headers.items()}
        return Reply(response.status_code, parsed, headers)

    def expect(
        self, check: str, condition: bool, message: str, *, version: str | None = None
    ) -> None:
        RECORDER.add_check(version or self.version, check, passed=condition)
        if not condition:
            raise CheckFailure(CHECKS[check], message, list(self.curls))

    def fail(self, check: str, message: str) -> NoReturn:
        RECORDER.add_check(self.version, check, passed=False)
        raise CheckFailure(CHECKS[check], message, list(self.curls))


# --- the user's webhook receiver (--webhook-receiver) -----------------------------------

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
