"""Sending webhook events: one signed POST to a webhook's URL and what came back.

Enode POSTs a JSON array of events with `X-Enode-Signature: sha1=<lowercase hex
HMAC-SHA1 of the raw body, keyed with the webhook's secret>` and `X-Enode-Delivery: <unique
ID of this delivery>` (docs/enode-surface-facts.md section 8.1), plus the webhook's own
authentication header when one is configured. Today only the test endpoint sends (one
`enode:webhook:test` event); event delivery builds on `deliver`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import httpx

from ..runtime._webhooks import sign

__all__ = ["MAX_RESPONSE_BODY", "DeliveryOutcome", "deliver", "sign", "webhook_test_event"]

MAX_RESPONSE_BODY = 4096  # characters of the receiver's answer kept in the outcome


def webhook_test_event(created_at: str, version: str) -> dict[str, Any]:
    return {"createdAt": created_at, "version": version, "event": "enode:webhook:test"}


@dataclass(frozen=True)
class DeliveryOutcome:
    """What a delivery attempt gave: `response` is None when no answer came."""

    success: bool
    description: str
    response: dict[str, Any] | None

    def result(self) -> dict[str, Any]:
        """The body of `POST /webhooks/{webhookId}/test`."""
        return {
            "status": "SUCCESS" if self.success else "FAILURE",
            "description": self.description,
            "response": self.response,
        }


def deliver(
    url: str,
    secret: str,
    events: list[dict[str, Any]],
    *,
    delivery_id: str,
    extra_headers: dict[str, str] | None = None,
    timeout: float = 5.0,
) -> DeliveryOutcome:
    """POST `events` (a JSON array) to `url`, signed with `secret`; never raises."""
    body = json.dumps(events, separators=(",", ":")).encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "enode-mock",
        "X-Enode-Delivery": delivery_id,
        "X-Enode-Signature": sign(body, secret),
        **(extra_headers or {}),
    }
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
            answer = client.post(url, content=body, headers=headers)
    except httpx.TimeoutException:
        return DeliveryOutcome(False, f"The receiver did not answer within {timeout:g} s.", None)
    except (httpx.HTTPError, ValueError, OSError) as error:
        reason = str(error) or type(error).__name__
        return DeliveryOutcome(False, f"The request to the webhook URL failed: {reason}.", None)
    response = {
        "code": answer.status_code,
        "body": answer.text[:MAX_RESPONSE_BODY],
        "headers": [f"{name}: {value}" for name, value in answer.headers.items()],
    }
    if answer.is_success:
        return DeliveryOutcome(True, f"The receiver answered {answer.status_code}.", response)
    return DeliveryOutcome(
        False, f"The receiver answered {answer.status_code}, not a 2xx status.", response
    )
