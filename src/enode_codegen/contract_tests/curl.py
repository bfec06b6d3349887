"""Requests as curl lines: rendering a request as a shell command, finding the curl lines in
a failure's text, and the request log of the running test (its last requests, for failures
that are not schemathesis's own)."""

from __future__ import annotations

import re
import threading

from .redaction import REDACTOR

__all__ = ["REQUEST_LOG", "RequestLog", "curl_lines", "quote", "to_curl"]


def quote(text: str) -> str:
    """`text` as one single-quoted shell word."""
    return "'" + text.replace("'", "'\"'\"'") + "'"


_SKIP_HEADERS = frozenset(
    {"host", "content-length", "accept-encoding", "connection", "user-agent", "accept"}
)


def to_curl(method: str, url: str, headers: dict[str, str], body: bytes) -> str:
    parts = ["curl", "-X", method.upper()]
    for name, value in headers.items():
        if name.lower() in _SKIP_HEADERS:
            continue
        if name.lower() == "authorization":
            parts += ["-H", '"Authorization: Bearer $ENODE_TOKEN"']
            continue
        parts += ["-H", quote(f"{name}: {value}")]
    if body:
        parts += ["-d", quote(body.decode("utf-8", "replace"))]
    parts.append(quote(url))
    return " ".join(parts)


_CURL = re.compile(r"curl\s+-X\s+[A-Z]+\s.*")


def curl_lines(text: str) -> list[str]:
    seen: list[str] = []
    for match in _CURL.finditer(text):
        line = match.group(0).strip()
        if line not in seen:
            seen.append(line)
    return seen


class RequestLog:
    """The last requests of the running test, for the curl lines of failures that are not
    schemathesis's own (scenario and client tests)."""

    def __init__(self, keep: int = 3) -> None:
        self.keep = keep
        self._entries: list[tuple[str, str, dict[str, str], bytes]] = []
        self._lock = threading.Lock()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def add(self, method: str, url: str, headers: dict[str, str], body: bytes) -> None:
        if "/_mock/" in url or url.endswith("/oauth2/token"):
            return
        with self._lock:
            self._entries.append((method, url, headers, body))
            del self._entries[: -self.keep]

    def curls(self) -> list[str]:
        with self._lock:
            entries = list(self._entries)
        return [REDACTOR(to_curl(*entry)) for entry in entries]


REQUEST_LOG = RequestLog()
