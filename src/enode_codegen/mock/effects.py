"""What happens to an asset: confirming an action, and the admin API's direct changes.

`resolve()` decides how a PENDING action ends when it is advanced: CANCELLED/NOT_FOUND if
the target is gone, FAILED/NO_RESPONSE if it is unreachable, CANCELLED/FAILED_PRECONDITION
if a precondition does not hold (a charger without a vehicle cannot start charging),
CANCELLED/UNNECESSARY if the asset already is as the action asks (START while charging),
otherwise CONFIRMED after applying the action's effect to the asset record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import vehicles
from .clock import format_timestamp
from .state import Action, Asset, State
from .vehicles import charge_rate

__all__ = [
    "EFFECTS",
    "PRECONDITIONS",
    "failure",
    "resolve",
    "set_plugged",
    "set_reachable",
]


def failure(kind: str, detail: str) -> dict[str, str]:
    return {"type": kind, "detail": detail}


def _operation_mode(asset: Asset, action: Action, now: str) -> None:
    mode = action.fields["targetState"]["operationMode"]
    asset.record["config"] = {"operationMode": mode, "lastUpdated": now}
    charge = asset.record["chargeState"]
    if mode == "IDLE":
        charge.update(status="IDLE", chargeRate=0.0, lastUpdated=now)


def _charging(asset: Asset, action: Action, now: str) -> None:
    state = asset.record["chargeState"]
    if action.fields["kind"] == "START":
        state.update(
            isCharging=True,
            powerDeliveryState="PLUGGED_IN:CHARGING",
            chargeRate=charge_rate(state.get("maxCurrent")),
            lastUpdated=now,
        )
    else:
        state.update(
            isCharging=False,
            powerDeliveryState="PLUGGED_IN:STOPPED" if state.get("isPluggedIn") else "UNPLUGGED",
            chargeRate=None,
            lastUpdated=now,
        )


def _max_current(asset: Asset, action: Action, now: str) -> None:
    state = asset.record["chargeState"]
    state["maxCurrent"] = action.fields["targetState"]["maxCurrent"]
    if state.get("isCharging"):
        state["chargeRate"] = charge_rate(state["maxCurrent"])
    state["lastUpdated"] = now


def _sync_hvac(record: dict[str, Any]) -> None:
    """Mirror thermostatState / temperatureState into the deprecated top-level fields."""
    thermostat = record["thermostatState"]
    temperature = record["temperatureState"]
    record.update(
        mode=thermostat["mode"],
        heatSetpoint=thermostat["heatSetpoint"],
        coolSetpoint=thermostat["coolSetpoint"],
        holdType=thermostat["holdType"],
        isActive=temperature["isActive"],
        currentTemperature=temperature["currentTemperature"],
    )


def _permanent_hold(asset: Asset, action: Action, now: str) -> None:
    target = action.fields["target"]
    asset.record["thermostatState"] = {
        "mode": target["mode"],
        "heatSetpoint": target.get("heatSetpoint"),
        "coolSetpoint": target.get("coolSetpoint"),
        "holdType": "PERMANENT",
        "lastUpdated": now,
    }
    asset.record["temperatureState"]["isActive"] = target["mode"] != "OFF"
    asset.record["temperatureState"]["lastUpdated"] = now
    _sync_hvac(asset.record)


def _follow_schedule(asset: Asset, action: Action, now: str) -> None:
    asset.record["thermostatState"].update(holdType="SCHEDULED", lastUpdated=now)
    _sync_hvac(asset.record)


Effect = Callable[[Asset, Action, str], None]
EFFECTS: dict[str, Effect] = {
    "operationMode": _operation_mode,
    "charging": _charging,
    "maxCurrent": _max_current,
    "permanentHold": _permanent_hold,
    "followSchedule": _follow_schedule,
}


def _charging_preconditions(asset: Asset, action: Action) -> tuple[str, str] | None:
    """START needs a plugged-in vehicle; a command the charger already obeys is UNNECESSARY
    (the reference: "not carried out given that the device was already in the desired
    state"), judged when the action resolves, as Enode does, not when it is created."""
    kind = action.fields.get("kind")
    charge_state = asset.record["chargeState"]
    if charge_state.get("isCharging") is (kind == "START"):
        doing = "charging" if kind == "START" else "not charging"
        return "UNNECESSARY", f"The charger was already {doing}; {kind} was not carried out."
    if kind == "START" and not charge_state.get("isPluggedIn"):
        return (
            "FAILED_PRECONDITION",
            "The charger has no vehicle plugged in, so charging could not start.",
        )
    return None


def _vehicle_charging_preconditions(asset: Asset, action: Action) -> tuple[str, str] | None:
    """A vehicle starts only when plugged in and below its charge limit."""
    kind = action.fields.get("kind")
    charge = asset.record["chargeState"]
    if charge.get("isCharging") is (kind == "START"):
        doing = "charging" if kind == "START" else "not charging"
        return "UNNECESSARY", f"The vehicle was already {doing}; {kind} was not carried out."
    if kind == "START" and not charge.get("isPluggedIn"):
        return "FAILED_PRECONDITION", "The vehicle is not plugged in, so charging could not start."
    level = charge.get("batteryLevel")
    if (
        kind == "START"
        and isinstance(level, int | float)
        and level >= vehicles.charge_limit(asset.record)
    ):
        return "UNNECESSARY", "The vehicle is at its charge limit; START was not carried out."
    return None


# effect -> check of the asset at resolution: None, or (failureReason type, detail)
PRECONDITIONS: dict[str, Callable[[Asset, Action], tuple[str, str] | None]] = {
    "charging": _charging_preconditions,
    "vehicleCharging": _vehicle_charging_preconditions,
}

_NAMES = {"battery": "battery", "charger": "charger", "hvac": "HVAC unit", "vehicle": "vehicle"}


def resolve(state: State, action: Action, now: float) -> tuple[str, dict[str, str] | None]:
    """How `action` ends if it is resolved now; applies the effect when it is CONFIRMED."""
    asset = state.asset(action.family, action.target_id)
    name = _NAMES.get(action.family, action.family)
    if asset is None:
        return "CANCELLED", failure(
            "NOT_FOUND", f"The {name} was deleted while the action was PENDING."
        )
    if not asset.record.get("isReachable"):
        return "FAILED", failure(
            "NO_RESPONSE",
            f"The {name} did not respond to commands within the action's timeout window.",
        )
    check = PRECONDITIONS.get(action.effect)
    unmet = check(asset, action) if check else None
    if unmet is not None:
        return "CANCELLED", failure(*unmet)
    stamp = format_timestamp(now)
    if action.family == "vehicle":  # charging over time needs the state (vehicles.py)
        vehicles.apply_action(state, asset, action, now)
    else:
        EFFECTS[action.effect](asset, action, stamp)
    asset.record["lastSeen"] = stamp
    state.changed(asset)
    return "CONFIRMED", None


def set_reachable(asset: Asset, reachable: bool, now: float) -> None:
    asset.record["isReachable"] = reachable
    if reachable:
        asset.record["lastSeen"] = format_timestamp(now)


def set_plugged(
    asset: Asset,
    plugged: bool,
    now: float,
    vehicle_id: str | None = None,
    discharging: bool = False,
) -> None:
    """Plug a vehicle into (or out of) a charger. `vehicle_id` is the vehicle Enode matched
    to the charger (its `pluggedInVehicleId`); `discharging` has the plugged-in vehicle
    feed power back through the charger (`PLUGGED_IN:DISCHARGING`)."""
    state = asset.record["chargeState"]
    stamp = format_timestamp(now)
    if plugged:
        if discharging:
            state.update(
                isPluggedIn=True,
                isCharging=False,
                chargeRate=None,
                powerDeliveryState="PLUGGED_IN:DISCHARGING",
            )
        elif not state.get("isPluggedIn") or state.get("powerDeliveryState") == (
            "PLUGGED_IN:DISCHARGING"
        ):
            state.update(
                isPluggedIn=True,
                isCharging=False,
                chargeRate=None,
                powerDeliveryState="PLUGGED_IN:STOPPED",
            )
        state["pluggedInVehicleId"] = vehicle_id
    else:
        state.update(
            isPluggedIn=False,
            isCharging=False,
            chargeRate=None,
            powerDeliveryState="UNPLUGGED",
            pluggedInVehicleId=None,
        )
    state["lastUpdated"] = stamp
