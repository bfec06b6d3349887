"""HVAC units: permanent hold, follow schedule, and their actions."""

from __future__ import annotations

from typing import Any

from .actions import cancel_action, get_action, require_capability, require_manual_control
from .common import Ctx, Handler, Reply, invalid_body

__all__ = ["HANDLERS"]


def _check_range(value: Any, bounds: Any, field: str) -> None:
    if value is None or not isinstance(bounds, dict):
        return
    low, high = bounds.get("min"), bounds.get("max")
    if (low is not None and value < low) or (high is not None and value > high):
        raise invalid_body(field, f"{value} is outside this unit's range [{low}, {high}]")


def permanent_hold(ctx: Ctx) -> Reply:
    hvac = ctx.asset("hvac", "hvacId")
    require_capability(hvac, "setPermanentHold", "permanent holds")
    require_manual_control(ctx, hvac)
    body = ctx.body
    mode = body["mode"]
    capabilities = hvac.record["capabilities"]
    modes = capabilities.get("capableModes")
    if isinstance(modes, list) and mode not in modes:
        raise invalid_body("mode", f"{mode!r} is not one of this unit's capableModes {modes}")
    heat = body.get("heatSetpoint") if mode in ("HEAT", "AUTO") else None
    cool = body.get("coolSetpoint") if mode in ("COOL", "AUTO") else None
    _check_range(heat, capabilities.get("heatSetpointRange"), "heatSetpoint")
    _check_range(cool, capabilities.get("coolSetpointRange"), "coolSetpoint")
    if mode == "AUTO" and heat is not None and cool is not None:
        difference = capabilities.get("setpointDifferenceRange")
        _check_range(cool - heat, difference, "coolSetpoint")
    # the action's target carries only the setpoints its mode uses
    target: dict[str, Any] = {"mode": mode, "holdType": "PERMANENT"}
    if heat is not None:
        target["heatSetpoint"] = heat
    if cool is not None:
        target["coolSetpoint"] = cool
    action = ctx.engine.create(hvac, "permanentHold", {"targetType": "hvac", "target": target})
    return Reply(200, action.record())


def follow_schedule(ctx: Ctx) -> Reply:
    hvac = ctx.asset("hvac", "hvacId")
    require_capability(hvac, "setFollowSchedule", "following its schedule")
    require_manual_control(ctx, hvac)
    action = ctx.engine.create(
        hvac, "followSchedule", {"targetType": "hvac", "target": {"holdType": "SCHEDULED"}}
    )
    return Reply(200, action.record())


HANDLERS: dict[str, Handler] = {
    "setHvacPermanentHold": permanent_hold,
    "setHvacFollowSchedule": follow_schedule,
    "getHvacAction": get_action("hvac"),
    "cancelHvacAction": cancel_action("hvac"),
}
