"""Chargers: start/stop charging, max current, their actions, and external start."""

from __future__ import annotations

from ..clock import format_timestamp
from .actions import cancel_action, get_action, require_capability, require_manual_control
from .common import Ctx, Handler, Reply, invalid_body

__all__ = ["HANDLERS", "MAX_AMPS"]

MAX_AMPS = 1000  # no charger draws more; larger values are client mistakes


def control_charging(ctx: Ctx) -> Reply:
    charger = ctx.asset("charger", "chargerId")
    kind = ctx.body["action"]
    require_capability(
        charger,
        "startCharging" if kind == "START" else "stopCharging",
        f"the {kind} charging command",
    )
    require_manual_control(ctx, charger)
    # a command the charger already obeys is still accepted; it resolves CANCELLED with
    # failureReason UNNECESSARY (effects.PRECONDITIONS)
    action = ctx.engine.create(
        charger,
        "charging",
        {
            "targetType": "charger",
            "kind": kind,
            "entityId": charger.id,
            "entityType": "charger",
            "chargeableId": charger.id,
            "chargeableType": "charger",
        },
    )
    return Reply(200, action.record())


def requested_max_current(ctx: Ctx) -> float:
    """The body's `maxCurrent`, refused with a 400 outside (0, MAX_AMPS] (chargers and
    vehicles alike)."""
    amps: float = ctx.body["maxCurrent"]
    if not 0 < amps <= MAX_AMPS:
        raise invalid_body(
            "maxCurrent",
            f"must be greater than 0 and at most {MAX_AMPS} amperes, got {amps!r:.40}",
        )
    return amps


def set_max_current(ctx: Ctx) -> Reply:
    charger = ctx.asset("charger", "chargerId")
    require_capability(charger, "setMaxCurrent", "setting the max current")
    require_manual_control(ctx, charger)
    amps = requested_max_current(ctx)
    action = ctx.engine.create(
        charger, "maxCurrent", {"targetType": "charger", "targetState": {"maxCurrent": amps}}
    )
    return Reply(200, action.record())


def external_start(ctx: Ctx) -> Reply:
    charger = ctx.asset("charger", "chargerId")
    override = {"createdAt": format_timestamp(ctx.now()), "endedAt": None, "targetId": charger.id}
    ctx.state.smart_overrides.append(override)
    ctx.state.touch()
    return Reply(200, override)


HANDLERS: dict[str, Handler] = {
    "controlChargerCharging": control_charging,
    "setChargerMaxCurrent": set_max_current,
    "getChargerAction": get_action("charger"),
    "cancelChargerAction": cancel_action("charger"),
    "createChargerExternalStart": external_start,
}
