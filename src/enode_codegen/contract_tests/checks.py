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

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

from . import _st
from .report import RECORDER, REDACTOR
from .targets import Target

__all__ = ["CHECKS", "Check", "CheckFailure", "Sequence"]


@dataclass(frozen=True)
class Check:
    code: str
    name: str
    title: str
    expected: str
    writes: bool = False  # needs non-GET requests (skipped against a read-only live target)


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
)
CHECKS: dict[str, Check] = {check.name: check for check in _ALL}

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
