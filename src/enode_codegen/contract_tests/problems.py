"""The problem types of Enode's error answers: which `type` URL a problem+json body of each
status carries (the reference's "Errors" section and the spec's Problem example name them
`https://developers.enode.com/api/problems/<slug>`; older answers use docs.enode.io)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

__all__ = ["SLUGS", "mismatch"]

# status -> slugs its problem `type` may end with (statuses not listed: any http(s) URL)
SLUGS: dict[int, frozenset[str]] = {
    400: frozenset({"bad-request"}),
    401: frozenset({"unauthorized"}),
    403: frozenset({"forbidden"}),
    404: frozenset({"not-found", "entity-not-found"}),
    405: frozenset({"method-not-allowed"}),
    409: frozenset({"conflict"}),
    422: frozenset({"enode-controlled-entity"}),
    429: frozenset({"too-many-requests"}),
    500: frozenset({"internal-server-error"}),
    503: frozenset({"service-unavailable"}),
}
HOSTS = frozenset({"developers.enode.com", "docs.enode.io"})


def mismatch(status: int, body: Any) -> str | None:
    """Why `body` is not the problem document of `status` (None: it is)."""
    if not isinstance(body, dict) or not isinstance(body.get("type"), str):
        return None  # the schema check reports a problem without a string `type`
    problem_type = body["type"]
    parts = urlsplit(problem_type)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"`type` {problem_type!r} is not an absolute URL"
    slug = parts.path.rstrip("/").rsplit("/", 1)[-1]
    expected = SLUGS.get(status)
    if expected is not None and slug not in expected:
        wanted = " or ".join(f"`.../problems/{name}`" for name in sorted(expected))
        return f"a {status} answer's problem `type` is {problem_type!r}; expected {wanted}"
    return None
