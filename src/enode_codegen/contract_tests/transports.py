"""The transports every request of the run goes through, whatever the target:
- each response is recorded (record.py) and its request kept as a curl line (curl.py),
- the request budget is kept (`--max-rps`, `--max-requests`),
- `429 Too Many Requests`, and `503` with a `Retry-After`, are waited out as long as the
  `Retry-After` says (at most 60 s, 3 times), then the request is sent again.

`BudgetedSession` (requests, for schemathesis) and `BudgetedTransport` (httpx) go over the
network; `RecordingASGI` wraps the in-process mock and `SyncASGITransport` calls it.
"""

from __future__ import annotations

import contextlib
import email.utils
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import anyio.from_thread
import httpx
import requests

from .curl import REQUEST_LOG
from .record import RECORDER

__all__ = [
    "SAFE_METHODS",
    "Budget",
    "BudgetExhaustedError",
    "BudgetedSession",
    "BudgetedTransport",
    "ReadOnlyError",
    "RecordingASGI",
    "SyncASGITransport",
    "budget_spent",
]

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
MAX_RETRY_AFTER = 60.0
MAX_429_RETRIES = 3


class BudgetExhaustedError(Exception):
    pass


class ReadOnlyError(Exception):
    pass


class Budget:
    """At most `max_rps` requests per second and `max_requests` in the whole run."""

    def __init__(self, max_rps: float | None, max_requests: int | None) -> None:
        self.max_rps = max_rps
        self.max_requests = max_requests
        self.count = 0
        self._next_at = 0.0
        self._lock = threading.Lock()

    def acquire(self, url: str = "") -> None:
        if "/_mock/" in url:  # the mock's admin API is not the API under test
            return
        with self._lock:
            if self.max_requests is not None and self.count >= self.max_requests:
                raise BudgetExhaustedError(
                    f"the request budget of {self.max_requests} requests (--max-requests) is spent"
                )
            self.count += 1
            wait = 0.0
            if self.max_rps:
                now = time.monotonic()
                start = max(now, self._next_at)
                wait = start - now
                self._next_at = start + 1.0 / self.max_rps
        if wait > 0:
            time.sleep(wait)


def budget_spent(error: BaseException) -> str | None:
    """The message of a BudgetExhaustedError anywhere in `error` (groups, causes)."""
    seen: set[int] = set()
    stack: list[BaseException] = [error]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, BudgetExhaustedError):
            return str(current)
        if isinstance(current, BaseExceptionGroup):
            stack.extend(current.exceptions)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                stack.append(linked)
    return None


def should_retry(status: int, headers: Any) -> bool:
    """429, or 503 with a Retry-After: the target asks to send the request again later."""
    if status == 429:
        return True
    return status == 503 and headers is not None and headers.get("retry-after") is not None


def retry_after(headers: Any) -> float:
    value = headers.get("retry-after") if headers is not None else None
    if not value:
        return 1.0
    value = str(value).strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return 1.0
    return max(0.0, min(moment.timestamp() - time.time(), MAX_RETRY_AFTER))


def _record(headers: Any, method: str, url: str, status: int, body: bytes | None = None) -> None:
    RECORDER.record(headers.get("enode-version"), method.upper(), urlsplit(url).path, status)
    REQUEST_LOG.add(method, url, dict(headers.items()), body or b"")


class BudgetedSession(requests.Session):
    """The requests session schemathesis sends through (server and live targets)."""

    def __init__(self, budget: Budget, guard: Callable[[str, str], None]) -> None:
        super().__init__()
        self._budget = budget
        self._guard = guard

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        method = str(request.method or "GET")
        url = str(request.url)
        self._guard(method, url)
        for attempt in range(MAX_429_RETRIES + 1):
            self._budget.acquire(url)
            response = super().send(request, **kwargs)
            if not should_retry(response.status_code, response.headers):
                break
            if attempt == MAX_429_RETRIES:
                break
            RECORDER.add_retry(response.status_code)
            time.sleep(retry_after(response.headers))
        body = request.body if isinstance(request.body, bytes) else str(request.body or "").encode()
        _record(request.headers, method, url, response.status_code, body)
        return response


class BudgetedTransport(httpx.BaseTransport):
    """The httpx transport of raw calls and generated clients (server and live targets)."""

    def __init__(
        self, inner: httpx.BaseTransport, budget: Budget, guard: Callable[[str, str], None]
    ) -> None:
        self._inner = inner
        self._budget = budget
        self._guard = guard

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self._guard(request.method, str(request.url))
        for attempt in range(MAX_429_RETRIES + 1):
            self._budget.acquire(str(request.url))
            response = self._inner.handle_request(request)
            if not should_retry(response.status_code, response.headers):
                break
            if attempt == MAX_429_RETRIES:
                break
            RECORDER.add_retry(response.status_code)
            response.read()
            response.close()
            time.sleep(retry_after(response.headers))
        _record(
            request.headers, request.method, str(request.url), response.status_code, request.content
        )
        return response

    def close(self) -> None:
        self._inner.close()


class RecordingASGI:
    """Outermost layer of the in-process mock: keeps to the budget, waits out 429 and 503
    answers with Retry-After and sends the request again (as the network transports do),
    and counts every response it sends."""

    def __init__(self, app: Any, budget: Budget, base_url: str) -> None:
        self.app = app
        self.budget = budget
        self.base_url = base_url  # where curl lines send the request (`enode-mock serve`)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        for attempt in range(MAX_429_RETRIES + 1):
            self.budget.acquire(scope["path"])
            messages = await self._once(scope, body)
            start: dict[str, Any] = messages[0] if messages else {"status": 500, "headers": []}
            status = int(start["status"])
            headers = {
                k.decode("latin-1").lower(): v.decode("latin-1")
                for k, v in start.get("headers", [])
            }
            if attempt == MAX_429_RETRIES or not should_retry(status, headers):
                break
            RECORDER.add_retry(status)
            await anyio.sleep(retry_after(headers))
        for message in messages:
            await send(message)
        request_headers = {
            k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]
        }
        if messages:
            query = scope.get("query_string", b"").decode("latin-1")
            url = f"{self.base_url}{scope['path']}" + (f"?{query}" if query else "")
            _record(request_headers, scope["method"], url, status, body)

    async def _once(self, scope: dict[str, Any], body: bytes) -> list[dict[str, Any]]:
        """The app's answer to one sending of the request, as ASGI messages."""
        sent = False
        messages: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def capture(message: dict[str, Any]) -> None:
            messages.append(message)

        await self.app(scope, receive, capture)
        return messages


class SyncASGITransport(httpx.BaseTransport):
    """A synchronous httpx transport into an ASGI app (runs it on a portal's event loop)."""

    def __init__(self, app: Any) -> None:
        self._inner = httpx.ASGITransport(app=app)
        self._stack = contextlib.ExitStack()
        self._portal = self._stack.enter_context(anyio.from_thread.start_blocking_portal())

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        content = request.read()

        async def run() -> tuple[int, list[tuple[bytes, bytes]], bytes]:
            forwarded = httpx.Request(
                request.method, request.url, headers=request.headers, content=content
            )
            response = await self._inner.handle_async_request(forwarded)
            body = b"".join([chunk async for chunk in response.aiter_raw()])
            return response.status_code, response.headers.raw, body

        status, headers, body = self._portal.call(run)
        return httpx.Response(status, headers=headers, content=body, request=request)

    def close(self) -> None:
        """Shared by every client of the run: closing a client leaves it open."""

    def shutdown(self) -> None:
        self._stack.close()
