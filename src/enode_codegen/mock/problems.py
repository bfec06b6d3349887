"""Problem documents (RFC 7807, `application/problem+json`) and the exception carrying one."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from starlette.responses import Response

from .schemas import Issue

__all__ = [
    "PROBLEM_BASE",
    "PROBLEM_MEDIA_TYPE",
    "ProblemError",
    "dumps",
    "json_response",
    "problem_response",
]

PROBLEM_BASE = "https://developers.enode.com/api/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"

_KINDS: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Bad request"),
    401: ("unauthorized", "Unauthorized"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    413: ("payload-too-large", "Payload too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("enode-controlled-entity", "Entity is controlled by Enode"),
    500: ("internal-server-error", "Internal server error"),
    503: ("service-unavailable", "Service unavailable"),
}


def dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


class ProblemError(Exception):
    """Raised anywhere in request handling; answered as a problem document."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        slug: str | None = None,
        issues: Iterable[Issue] = (),
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        default_slug, default_title = _KINDS.get(status, ("error", "Error"))
        self.status = status
        self.detail = detail
        self.title = title or default_title
        self.slug = slug or default_slug
        self.issues = list(issues)
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.slug,
            "title": self.title,
            "detail": self.detail,
        }
        if self.issues:
            body["issues"] = [issue.as_dict() for issue in self.issues]
        return body

    @classmethod
    def invalid(
        cls, issues: list[Issue], *, title: str = "Request validation failed"
    ) -> ProblemError:
        """400 naming the first issue in `detail` and listing all of them."""
        first = issues[0]
        detail = f"{first.where()}: {first.message}"
        if len(issues) > 1:
            detail += f" (and {len(issues) - 1} more issue{'s' if len(issues) > 2 else ''})"
        return cls(400, detail, title=title, issues=issues)


def json_response(
    status: int,
    body: Any,
    media_type: str = "application/json",
    headers: Mapping[str, str] | None = None,
) -> Response:
    return Response(dumps(body), status_code=status, media_type=media_type, headers=headers)


def problem_response(error: ProblemError) -> Response:
    return json_response(error.status, error.body(), PROBLEM_MEDIA_TYPE, error.headers)
