"""Faults of the action lifecycle that keep every answer schema-valid (caught by EN2xx)."""

from __future__ import annotations

import re

from .wire import BEHAVIOUR_ONLY, Call, Exchange, Fault

__all__ = ["FAULTS"]

_ACTION = re.compile(r"^/(batteries|chargers|hvacs|vehicles)/actions/([^/]+)(/cancel)?$")
_ACTION_READ = re.compile(r"^/(batteries|chargers|hvacs)/actions/([^/]+)$")
_ASSET_READ = re.compile(r"^/(batteries|chargers|hvacs|inverters|meters)/([^/]+)$")


async def _cancelled_action_confirms(exchange: Exchange, call: Call) -> Exchange:
    """A cancelled action later reads as CONFIRMED (CANCELLED is terminal)."""
    exchange = await call(exchange)
    match = _ACTION.match(exchange.path)
    if match is None or exchange.status != 200:
        return exchange
    action_id, cancel = match.group(2), match.group(3)
    if cancel and exchange.method == "POST":
        call.memory("cancelled")[action_id] = True
    elif exchange.method == "GET" and action_id in call.memory("cancelled"):
        body = exchange.json()
        if isinstance(body, dict) and body.get("state") == "CANCELLED":
            body["state"] = "CONFIRMED"
            body["failureReason"] = None
            exchange.set_json(body)
    return exchange


async def _superseded_action_pending(exchange: Exchange, call: Call) -> Exchange:
    """An action cancelled by a newer one (CONFLICT) still reads PENDING."""
    exchange = await call(exchange)
    if exchange.method == "GET" and exchange.status == 200 and _ACTION_READ.match(exchange.path):
        body = exchange.json()
        reason = (body or {}).get("failureReason") or {}
        if body.get("state") == "CANCELLED" and reason.get("type") == "CONFLICT":
            body.update(state="PENDING", failureReason=None, completedAt=None)
            exchange.set_json(body)
    return exchange


async def _cancel_not_applied(exchange: Exchange, call: Call) -> Exchange:
    """Cancelling a PENDING action answers it CANCELLED, but nothing is cancelled."""
    match = _ACTION.match(exchange.path)
    if exchange.method != "POST" or match is None or not match.group(3):
        return await call(exchange)
    read = Exchange("GET", exchange.path.removesuffix("/cancel"), b"", exchange.headers, b"")
    current = await call(read)
    body = current.json()
    if current.status != 200 or not isinstance(body, dict) or body.get("state") != "PENDING":
        return await call(exchange)
    body.update(
        state="CANCELLED",
        completedAt=body.get("updatedAt"),
        failureReason={"type": "REQUESTED_CANCELLATION", "detail": "Cancelled by request."},
    )
    current.set_json(body)
    return current


async def _confirmed_effect_missing(exchange: Exchange, call: Call) -> Exchange:
    """An asset reads as it did the first time after a reset: no action ever changes it."""
    exchange = await call(exchange)
    if exchange.method == "GET" and exchange.status == 200 and _ASSET_READ.match(exchange.path):
        first = call.memory("assets").setdefault(exchange.path, exchange.response_body)
        exchange.response_body = first
    return exchange


FAULTS = (
    Fault(
        "cancelled-action-confirms",
        "an action read after its cancellation is CONFIRMED (CANCELLED is terminal)",
        _cancelled_action_confirms,
        ("EN201", "action_state_machine", "was CANCELLED and now reads CONFIRMED"),
        (*BEHAVIOUR_ONLY, "-k", "test_action_lifecycle"),
    ),
    Fault(
        "superseded-action-pending",
        "an action cancelled by a newer one (CONFLICT) still reads PENDING",
        _superseded_action_pending,
        ("EN204", "action_superseded", "it reads PENDING"),
        (*BEHAVIOUR_ONLY, "-k", "test_action_lifecycle"),
    ),
    Fault(
        "cancel-not-applied",
        "cancelling a PENDING action answers CANCELLED but cancels nothing",
        _cancel_not_applied,
        ("EN205", "action_cancel_visible", "reads PENDING"),
        (*BEHAVIOUR_ONLY, "-k", "test_action_lifecycle"),
    ),
    Fault(
        "confirmed-effect-missing",
        "assets read as they did first after a reset: confirmed actions change nothing",
        _confirmed_effect_missing,
        ("EN207", "action_effect", "is CONFIRMED, but"),
        (*BEHAVIOUR_ONLY, "-k", "test_action_lifecycle"),
    ),
)
