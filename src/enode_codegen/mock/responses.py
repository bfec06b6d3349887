"""Rendering replies: project canonical records onto the version's response schema, then
(strict mode) validate the result against the spec before it is sent.

A response the spec forbids (a body that fails its schema, or a status the operation does
not document) is a *violation*: it is logged at ERROR level, recorded in
`Responder.violations` (and `GET /_mock/violations`), and in strict mode replaced by a
500 problem. Tests assert the list stays empty.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import Response

from .problems import PROBLEM_MEDIA_TYPE, ProblemError, dumps, problem_response
from .projection import ProjectorCompiler, Unrepresentable
from .specs import Operation, SpecIndex

__all__ = ["GENERIC_STATUSES", "Responder", "ResponseCache", "Violation"]

log = logging.getLogger("mock.responses")

# Statuses any operation may answer although no operation documents them: they come
# from HTTP itself (wrong method, body too large, wrong content type) or from the mock.
GENERIC_STATUSES = frozenset({405, 406, 413, 415, 500})


@dataclass(frozen=True)
class Violation:
    version: str
    operation_id: str
    status: int
    problems: tuple[str, ...]
    body: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "operationId": self.operation_id,
            "status": self.status,
            "problems": list(self.problems),
            "body": self.body,
        }


@dataclass
class Responder:
    index: SpecIndex
    strict: bool = True
    violations: list[Violation] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._projectors = {
            version: ProjectorCompiler(spec.store) for version, spec in self.index.versions.items()
        }
        self._cache: dict[tuple[str, int], Any] = {}

    def _projector(self, op: Operation, status: int, pointer: str) -> Any:
        key = (op.version + op.operation_id, status)
        projector = self._cache.get(key)
        if projector is None:
            projector = self._projectors[op.version].compile(pointer)
            self._cache[key] = projector
        return projector

    def render(
        self, op: Operation, status: int, body: Any, headers: dict[str, str] | None = None
    ) -> Response:
        spec = op.response(status)
        if spec is None:
            outcome = self._violation(op, status, body, [f"status {status} is not documented"])
            if self.strict:
                return outcome
            if body is None:
                return Response(status_code=status, headers=headers)
            return Response(dumps(body), status_code=status, media_type="application/json")
        if spec.schema_pointer is None or spec.validator is None:
            return Response(status_code=status, headers=headers)
        try:
            projected = self._projector(op, status, spec.schema_pointer)(body)
        except Unrepresentable as error:
            if 404 in op.responses and status < 300:
                return self.problem(
                    op,
                    ProblemError(
                        404,
                        f"This entity holds a value ({error.value!r}) that Enode-Version "
                        f"{op.version} cannot represent; read it with a newer Enode-Version.",
                    ),
                )
            return self._violation(op, status, body, [str(error)])
        if not spec.validator.is_valid(projected):
            issues = [
                f"{i.where()}: {i.message}" for i in spec.validator.issues(projected, ("body",))
            ]
            outcome = self._violation(op, status, projected, issues)
            if self.strict:
                return outcome
        return Response(
            dumps(projected), status_code=status, media_type=spec.media_type, headers=headers
        )

    def problem(self, op: Operation | None, error: ProblemError) -> Response:
        if op is not None:
            spec = op.response(error.status)
            if spec is None and error.status not in GENERIC_STATUSES:
                outcome = self._violation(op, error.status, error.body(), ["status not documented"])
                if self.strict:
                    return outcome
            elif spec is not None and spec.validator is not None:
                body = error.body()
                if not spec.validator.is_valid(body) or spec.media_type != PROBLEM_MEDIA_TYPE:
                    outcome = self._violation(op, error.status, body, ["problem body does not fit"])
                    if self.strict:
                        return outcome
        return problem_response(error)

    def record_violation(
        self, version: str, operation: str, status: int, problems: list[str], body: Any
    ) -> None:
        """Record (and log) something the mock produced that the spec forbids."""
        try:
            text = dumps(body).decode()[:2000]
        except (TypeError, ValueError):
            text = repr(body)[:2000]
        self.violations.append(Violation(version, operation, status, tuple(problems), text))
        log.error(
            "SPEC VIOLATION: %s %s would %s: %s",
            version,
            operation,
            f"answer {status}" if status else "send an event",
            "; ".join(problems),
        )

    def _violation(self, op: Operation, status: int, body: Any, problems: list[str]) -> Response:
        self.record_violation(op.version, op.operation_id, status, problems, body)
        return problem_response(
            ProblemError(
                500,
                f"The mock produced a {status} response that Enode-Version {op.version} does not "
                f"allow for {op.operation_id}: {'; '.join(problems)[:500]}",
                slug="mock-spec-violation",
                title="Mock response violates the spec",
            )
        )


class ResponseCache:
    """Rendered GET responses, valid while the state's revision does not change.

    Reads of an unchanged state skip the handler, projection, validation (it was
    validated when first rendered) and serialisation. Responses that depend on the clock
    (statistics) are never cached.
    """

    def __init__(self, limit: int = 2048) -> None:
        self.limit = limit
        self._revision = -1
        self._entries: dict[tuple[Any, ...], tuple[int, bytes, str | None]] = {}

    def get(self, revision: int, key: tuple[Any, ...]) -> Response | None:
        if revision != self._revision:
            self._entries.clear()
            self._revision = revision
            return None
        entry = self._entries.get(key)
        if entry is None:
            return None
        status, body, media_type = entry
        return Response(body, status_code=status, media_type=media_type)

    def put(self, revision: int, key: tuple[Any, ...], response: Response) -> None:
        if revision != self._revision or response.status_code >= 300:
            return
        if len(self._entries) >= self.limit:
            self._entries.clear()
        self._entries[key] = (response.status_code, bytes(response.body), response.media_type)
