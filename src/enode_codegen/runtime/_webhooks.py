"""Enode's webhook signature scheme, written once: the client's `unwrap`, the mock's
deliveries and the contract suite's receiver checks all sign and verify through here.

A delivery is a POST whose body is a JSON array of events, with the headers
`X-Enode-Signature: sha1=<lowercase hex HMAC-SHA1 of the raw body, keyed with the
webhook's secret>` and `X-Enode-Delivery: <unique ID of the delivery>`. The signature
covers the bytes as sent: a body that was parsed and serialised again does not verify.

Imports only the standard library and the runtime's exception tree (itself standard library
only), so the mock and the contract suite use it without pydantic or httpx models. Parsing a
verified delivery into typed events is the pydantic side, `_webhook_events.py`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import uuid
from collections.abc import Mapping
from typing import Any

from ._errors import WebhookVerificationError

__all__ = [
    "DELIVERY_HEADER",
    "MAX_EVENTS_PER_DELIVERY",
    "SECRET_ENV",
    "SIGNATURE_HEADER",
    "WebhookVerificationError",
    "header",
    "resolve_secret",
    "sign",
    "signed_delivery",
    "verify_signature",
]

SIGNATURE_HEADER = "X-Enode-Signature"
DELIVERY_HEADER = "X-Enode-Delivery"
SECRET_ENV = "ENODE_WEBHOOK_SECRET"
MAX_EVENTS_PER_DELIVERY = 100
_PREFIX = "sha1="


def sign(body: bytes, secret: str) -> str:
    """The `X-Enode-Signature` value for `body` (exactly the bytes sent)."""
    return _PREFIX + hmac.new(secret.encode("utf-8"), body, hashlib.sha1).hexdigest()


def resolve_secret(secret: str | None) -> str:
    """`secret`, else the ENODE_WEBHOOK_SECRET environment variable."""
    value = secret if secret is not None else os.environ.get(SECRET_ENV)
    if not value:
        raise WebhookVerificationError(
            f"no webhook secret: pass secret=... or set the {SECRET_ENV} environment variable"
        )
    return value


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header's value, whatever the case of its name (`Mapping`s from any framework)."""
    direct = headers.get(name)
    if direct is not None:
        return direct
    lowered = name.lower()
    for key, value in headers.items():
        if key.lower() == lowered:
            return value
    return None


def verify_signature(body: bytes | str, signature: str | None, secret: str | None = None) -> None:
    """Raise WebhookVerificationError unless `signature` (the X-Enode-Signature value) is the
    HMAC-SHA1 of `body` keyed with `secret` (default: ENODE_WEBHOOK_SECRET). Constant time."""
    key = resolve_secret(secret)
    if signature is None or not signature.strip():
        raise WebhookVerificationError(f"the delivery has no {SIGNATURE_HEADER} header")
    value = signature.strip()
    if not value.lower().startswith(_PREFIX):
        raise WebhookVerificationError(
            f"{SIGNATURE_HEADER} is not of the form 'sha1=<hex digest>' (Enode's scheme)"
        )
    raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    expected = sign(raw, key)
    if not hmac.compare_digest(expected.encode("ascii"), value.lower().encode("ascii", "replace")):
        raise WebhookVerificationError(
            f"{SIGNATURE_HEADER} does not match the body: wrong secret, or the body was "
            "changed (verify the raw bytes as received, before any JSON parsing)"
        )


def signed_delivery(
    events: list[dict[str, Any]] | bytes,
    secret: str,
    *,
    delivery_id: str | None = None,
) -> tuple[bytes, dict[str, str]]:
    """The body and headers Enode would send for `events` (a list, or a body already
    serialised): for tests of a receiver, and for the mock's deliveries."""
    if isinstance(events, bytes):
        body = events
    else:
        if len(events) > MAX_EVENTS_PER_DELIVERY:
            raise ValueError(
                f"{len(events)} events: a delivery holds at most {MAX_EVENTS_PER_DELIVERY}"
            )
        body = json.dumps(events, separators=(",", ":")).encode("utf-8")
    headers = {
        "Content-Type": "application/json",
        DELIVERY_HEADER: delivery_id or str(uuid.uuid4()),
        SIGNATURE_HEADER: sign(body, secret),
    }
    return body, headers
