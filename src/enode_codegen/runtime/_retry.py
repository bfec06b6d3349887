"""When a failed request is sent again, and how long to wait first.

The rule:

- At most `max_retries` retries (default 2) after the first attempt.
- Always retried, because the request provably did not reach the API or the API
  refused it without acting on it: connection failures (`httpx.ConnectError`:
  refused, DNS), connect and pool timeouts, and the statuses 429 and 503.
- Retried only when the request is idempotent (GET, PUT, DELETE, ... but not an
  action-creating POST): read/write timeouts, dropped connections and other
  transport errors, and the statuses 502 and 504. The API may have acted on the
  request, so sending an action twice could run it twice.
- Never retried: every other status, 500 included.
- The wait is exponential backoff with full jitter: a uniform random delay in
  [0, min(8 s, 0.5 s * 2**(retry-1))). A `Retry-After` header (seconds or HTTP date)
  replaces it, capped at 60 s.
- A 401 is not a retry: the token is refreshed once and the request sent once more.
"""

from __future__ import annotations

import random as _random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from ._errors import APIConnectionError, APITimeoutError
from ._flow import Flow, send, sleep
from ._log import logger

__all__ = ["Backoff", "is_retryable", "retry_after", "send_with_retries"]

ALWAYS_RETRIED_STATUSES = frozenset({429, 503})
IDEMPOTENT_RETRIED_STATUSES = frozenset({502, 504})
NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
MAYBE_SENT_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)


@dataclass(frozen=True)
class Backoff:
    """How long to wait before a retry; `random` is injectable for tests."""

    base: float = 0.5
    cap: float = 8.0
    max_retry_after: float = 60.0
    random: Callable[[], float] = _random.random

    def delay(self, retry: int, response: httpx.Response | None = None) -> float:
        """The wait before retry number `retry` (1-based)."""
        if response is not None:
            told = retry_after(response)
            if told is not None:
                return min(told, self.max_retry_after)
        return self.random() * min(self.cap, self.base * 2.0 ** (retry - 1))


def retry_after(response: httpx.Response) -> float | None:
    """The `Retry-After` header in seconds from now (>= 0), or None if absent or unreadable."""
    value = response.headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def is_retryable(outcome: httpx.Response | httpx.RequestError, *, idempotent: bool) -> bool:
    """Whether the rule above allows sending the request again after `outcome`."""
    if isinstance(outcome, NOT_SENT_ERRORS):
        return True
    if isinstance(outcome, MAYBE_SENT_ERRORS):
        return idempotent
    if isinstance(outcome, httpx.RequestError):
        return False
    if outcome.status_code in ALWAYS_RETRIED_STATUSES:
        return True
    return idempotent and outcome.status_code in IDEMPOTENT_RETRIED_STATUSES


def send_with_retries(
    request: httpx.Request, *, idempotent: bool, max_retries: int, backoff: Backoff
) -> Flow[httpx.Response]:
    """Send `request`, retrying by the rule above; return the last response (any status).

    Raises APITimeoutError / APIConnectionError when the last attempt got no response.
    """
    attempt = 0
    while True:
        attempt += 1
        started = time.perf_counter()
        outcome = yield from send(request)
        _log_attempt(request, outcome, attempt, (time.perf_counter() - started) * 1000)
        if attempt > max_retries or not is_retryable(outcome, idempotent=idempotent):
            break
        wait = backoff.delay(attempt, outcome if isinstance(outcome, httpx.Response) else None)
        logger.info(
            "retrying %s %s in %.2f s (retry %d of %d)",
            request.method,
            request.url.path,
            wait,
            attempt,
            max_retries,
        )
        yield from sleep(wait)
    if isinstance(outcome, httpx.TimeoutException):
        raise APITimeoutError(
            f"{request.method} {request.url} timed out", request=request
        ) from outcome
    if isinstance(outcome, httpx.RequestError):
        message = f"{request.method} {request.url} failed: {type(outcome).__name__}: {outcome}"
        raise APIConnectionError(message, request=request) from outcome
    return outcome


def _log_attempt(
    request: httpx.Request,
    outcome: httpx.Response | httpx.RequestError,
    attempt: int,
    duration_ms: float,
) -> None:
    status: int | str = (
        outcome.status_code if isinstance(outcome, httpx.Response) else type(outcome).__name__
    )
    logger.debug(
        "%s %s -> %s in %.1f ms (attempt %d)",
        request.method,
        request.url.path,
        status,
        duration_ms,
        attempt,
        extra={
            "http_method": request.method,
            "http_path": request.url.path,
            "http_status": status,
            "duration_ms": duration_ms,
            "attempt": attempt,
        },
    )
