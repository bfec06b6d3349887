"""One delivery and its attempts: the retry ladder, the POST and the record it leaves.

A delivery (`Delivery`) is one signed batch for one webhook, sent until a 2xx answer or
until `LADDER` is exhausted; each attempt (`Attempt`) keeps its `DeliveryOutcome` (what the
receiver answered, or why none came). `Connections` POSTs over kept-alive `http.client`
connections and never raises. `webhook_delivery.py` decides what goes out and when.
"""

from __future__ import annotations

import http.client
import ssl
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .clock import format_timestamp
from .state import Webhook

__all__ = [
    "ATTEMPTS",
    "LADDER",
    "MAX_RESPONSE_BODY",
    "Attempt",
    "Connections",
    "Delivery",
    "DeliveryOutcome",
    "auth_headers",
    "retry_at",
]

MAX_RESPONSE_BODY = 4096  # characters of the receiver's answer kept in the outcome
# Seconds to wait after each failed attempt: 16 attempts over about 26.6 hours, growing
# intervals (Enode documents 16 attempts over 26 h but not the intervals; our choice).
LADDER: tuple[float, ...] = (
    10,
    30,
    60,
    120,
    300,
    600,
    1200,
    1800,
    3600,
    5400,
    7200,
    10800,
    14400,
    21600,
    28800,
)
ATTEMPTS = len(LADDER) + 1
_OFFSETS = tuple(sum(LADDER[: i + 1]) for i in range(len(LADDER)))


def retry_at(anchor: float, failed: int) -> float:
    """Mock time of the next attempt after `failed` failed attempts of a ladder whose first
    attempt was at `anchor` (1 <= failed < ATTEMPTS)."""
    return anchor + _OFFSETS[failed - 1]


@dataclass(frozen=True)
class DeliveryOutcome:
    """What a delivery attempt gave: `response` is None when no answer came."""

    success: bool
    description: str
    response: dict[str, Any] | None
    duration: float = 0.0  # seconds (wall clock)

    def result(self) -> dict[str, Any]:
        """The body of `POST /webhooks/{webhookId}/test`."""
        return {
            "status": "SUCCESS" if self.success else "FAILURE",
            "description": self.description,
            "response": self.response,
        }


class Connections:
    """One worker's keep-alive HTTP connections, one per scheme, host and port.

    The standard library's http.client spends about a third of httpx's CPU time per
    request (0.15 ms vs 0.49 ms here), and a worker's CPU time is taken from request
    handling while both share the GIL. `timeout` bounds the connect and each read and write,
    as httpx's does.
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._open: dict[tuple[str, str, int], http.client.HTTPConnection] = {}

    def close(self) -> None:
        for connection in self._open.values():
            connection.close()
        self._open.clear()

    def _connect(self, scheme: str, host: str, port: int) -> http.client.HTTPConnection:
        if scheme == "https":
            return http.client.HTTPSConnection(
                host, port, timeout=self.timeout, context=ssl.create_default_context()
            )
        return http.client.HTTPConnection(host, port, timeout=self.timeout)

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> DeliveryOutcome:
        """POST `body` to `url`; never raises."""
        started = time.perf_counter()
        try:
            parts = urlsplit(url)
            host = parts.hostname or ""
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError as error:
            return DeliveryOutcome(False, f"The webhook URL is not valid: {error}.", None)
        if host.lower().rstrip(".").endswith(".invalid") or host.lower() == "invalid":
            return DeliveryOutcome(
                False, f"The host {host!r} cannot exist (the .invalid domain is reserved).", None
            )
        if parts.scheme not in ("http", "https") or not host:
            return DeliveryOutcome(False, f"{url[:80]!r} is not an http(s) URL.", None)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        key = (parts.scheme, host, port)
        for reused in (key in self._open, False):
            connection = self._open.pop(key, None) or self._connect(*key)
            try:
                connection.request("POST", target, body=body, headers=headers)
                answer = connection.getresponse()
                data = answer.read()
            except TimeoutError:
                connection.close()
                return DeliveryOutcome(
                    False,
                    f"The receiver did not answer within {self.timeout:g} s.",
                    None,
                    time.perf_counter() - started,
                )
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                if reused and isinstance(
                    error, http.client.RemoteDisconnected | ConnectionResetError | BrokenPipeError
                ):
                    continue  # the receiver closed the kept-alive connection: a new one
                reason = str(error) or type(error).__name__
                return DeliveryOutcome(
                    False,
                    f"The request to the webhook URL failed: {reason}.",
                    None,
                    time.perf_counter() - started,
                )
            if answer.will_close:
                connection.close()
            else:
                self._open[key] = connection
            break
        elapsed = time.perf_counter() - started
        status = answer.status
        response = {
            "code": status,
            "body": data.decode("utf-8", "replace")[:MAX_RESPONSE_BODY],
            "headers": [f"{name}: {value}" for name, value in answer.getheaders()],
        }
        if 200 <= status < 300:
            return DeliveryOutcome(True, f"The receiver answered {status}.", response, elapsed)
        return DeliveryOutcome(
            False, f"The receiver answered {status}, not a 2xx status.", response, elapsed
        )


def auth_headers(hook: Webhook) -> dict[str, str]:
    return {hook.auth["headerName"]: hook.auth["headerValue"]} if hook.auth else {}


@dataclass
class Attempt:
    at: float  # mock clock
    outcome: DeliveryOutcome

    def as_dict(self) -> dict[str, Any]:
        response = self.outcome.response
        return {
            "at": format_timestamp(self.at),
            "status": "SUCCESS" if self.outcome.success else "FAILURE",
            "description": self.outcome.description,
            "responseCode": None if response is None else response["code"],
            "durationMs": round(self.outcome.duration * 1000, 3),
        }


@dataclass
class Delivery:
    """One batch for one webhook and every attempt to send it."""

    id: str
    webhook_id: str
    version: str
    created_at: float  # mock clock
    events: list[str]  # event names, in order
    body: bytes
    test: bool = False
    attempts: list[Attempt] = field(default_factory=list)
    state: str = "PENDING"  # PENDING (to be (re)tried), DELIVERED, FAILED (ladder exhausted)
    round_start: int = 0  # attempts before the current ladder (reactivation restarts it)
    anchor: float | None = None  # mock time of the current ladder's first attempt

    def as_dict(self, body: bool = False) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "webhookId": self.webhook_id,
            "version": self.version,
            "createdAt": format_timestamp(self.created_at),
            "state": self.state,
            "test": self.test,
            "eventCount": len(self.events),
            "events": list(self.events),
            "attempts": [attempt.as_dict() for attempt in self.attempts],
        }
        if body:
            data["body"] = self.body.decode("utf-8")
        return data
