"""Batteries: set the operation mode, and get/cancel its actions."""

from __future__ import annotations

from .actions import cancel_action, get_action, require_capability
from .common import Ctx, Handler, Reply

__all__ = ["HANDLERS", "MODE_CAPABILITIES"]

# operation mode -> the capability that must be true to request it (IDLE: 2024-10-01's
# `capabilities.idle`, the only version that accepts IDLE)
MODE_CAPABILITIES = {
    "IMPORT_FOCUS": "importFocus",
    "EXPORT_FOCUS": "exportFocus",
    "TIME_OF_USE": "timeOfUse",
    "SELF_RELIANCE": "selfReliance",
    "IDLE": "idle",
}


def set_operation_mode(ctx: Ctx) -> Reply:
    battery = ctx.asset("battery", "batteryId")
    mode = ctx.body["operationMode"]
    capability = MODE_CAPABILITIES.get(mode)
    if capability:
        require_capability(battery, capability, f"operation mode {mode}")
    action = ctx.engine.create(
        battery,
        "operationMode",
        {"targetType": "battery", "targetState": {"operationMode": mode}},
    )
    return Reply(200, action.record())


HANDLERS: dict[str, Handler] = {
    "setBatteryOperationMode": set_operation_mode,
    "getBatteryAction": get_action("battery"),
    "cancelBatteryAction": cancel_action("battery"),
}
