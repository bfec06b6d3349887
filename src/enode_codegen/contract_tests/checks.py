"""Running the named checks (codes.py) against the target: rules about sequences of calls
that no schema can state (pagination, the action lifecycle, reads that must agree, version
shapes, refresh hints, problem types).

A test drives a `Sequence`: every request goes through schemathesis (`_st`), so each
response is still checked for its status, content type and schema, and is remembered as a
curl line. A broken rule raises `CheckFailure`, whose message names the check, says what
was expected and what came instead, and lists the request sequence as curl lines. Every
evaluation is counted per version in the run's record (record.py), which the summary lists
("Behaviour checks").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NoReturn

import pytest

from . import _st
from .codes import CHECKS, Check
from .record import RECORDER
from .redaction import REDACTOR
from .targets import Target

__all__ = ["CheckFailure", "Reply", "Sequence", "skip_unless_writes"]


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
