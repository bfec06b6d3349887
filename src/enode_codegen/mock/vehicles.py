"""Vehicles over mock time: charging raises the battery level, smart charging plans.

`advance(state, now)` runs before every request (from `ActionEngine.tick`): a charging
vehicle's `batteryLevel` rises by `chargeRate` (kW) over the time passed, relative to its
`batteryCapacity`, until it reaches its `chargeLimit` (100 when the vendor reports none);
there it stops (`PLUGGED_IN:COMPLETE`, `isFullyCharged`) and an active smart override ends.

Smart charging (`evaluate`): with the policy enabled and a deadline, a vehicle that is
plugged in at one of its user's locations gets a plan: the start time within the next
deadline (in the location's time zone) at which charging from the current level to the
limit costs least, priced per quarter hour from the location's tariff where one applies
and at `FLAT_PRICE` elsewhere. Below `minimumChargeLimit` it charges at once. While a plan
runs, smart charging keeps the vehicle stopped until `startAt` and starts it then; manual
charging commands answer 422 (`State.is_controlled`) and a smart override forces charging.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .clock import format_timestamp
from .state import Asset, State, changed_paths

__all__ = [
    "CURRENCY",
    "FLAT_PRICE",
    "advance",
    "apply_action",
    "charge_limit",
    "charge_rate",
    "end_plan",
    "evaluate",
    "expand_intervals",
    "location_of",
    "price_at",
    "start_charging",
    "status",
    "stop_charging",
    "zone",
]

VOLTAGE = 230.0
PHASES = 3
FLAT_PRICE = 0.25  # per kWh, where no tariff applies
CURRENCY = "EUR"
SLOT = 900.0  # plans are priced and may start on quarter hours


def zone(name: Any) -> ZoneInfo:
    try:
        return ZoneInfo(str(name or "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def charge_rate(max_current: Any) -> float:
    """kW drawn at `max_current` amperes on three phases (11 kW at 16 A)."""
    amps = float(max_current) if isinstance(max_current, int | float) and max_current > 0 else 16.0
    return round(amps * VOLTAGE * PHASES / 1000.0, 2)


def charge_limit(record: dict[str, Any]) -> float:
    limit = record["chargeState"].get("chargeLimit")
    return float(limit) if isinstance(limit, int | float) else 100.0


def _rate(record: dict[str, Any]) -> float:
    return charge_rate(record["chargeState"].get("maxCurrent"))


def _set_remaining(charge: dict[str, Any], limit: float) -> None:
    rate, capacity, level = (
        charge.get("chargeRate"),
        charge.get("batteryCapacity"),
        charge.get("batteryLevel"),
    )
    if charge.get("isCharging") and rate and capacity and level is not None:
        charge["chargeTimeRemaining"] = max(
            0, round((limit - float(level)) / 100.0 * float(capacity) / float(rate) * 60)
        )
    else:
        charge["chargeTimeRemaining"] = None


def start_charging(state: State, vehicle: Asset, when: float) -> None:
    charge = vehicle.record["chargeState"]
    charge.update(
        isCharging=True,
        isFullyCharged=False,
        powerDeliveryState="PLUGGED_IN:CHARGING",
        chargeRate=_rate(vehicle.record),
        lastUpdated=format_timestamp(when),
    )
    _set_remaining(charge, charge_limit(vehicle.record))
    state.charging_since[vehicle.id] = (when, float(charge.get("batteryLevel") or 0.0))


def stop_charging(state: State, vehicle: Asset, when: float, complete: bool = False) -> None:
    charge = vehicle.record["chargeState"]
    plugged = charge.get("isPluggedIn")
    charge.update(
        isCharging=False,
        chargeRate=None,
        chargeTimeRemaining=None,
        isFullyCharged=bool(complete),
        powerDeliveryState=(
            "PLUGGED_IN:COMPLETE" if complete else "PLUGGED_IN:STOPPED" if plugged else "UNPLUGGED"
        ),
        lastUpdated=format_timestamp(when),
    )
    state.charging_since.pop(vehicle.id, None)
    _end_override(state, vehicle.id, when)


def _smart(state: State, vehicle_id: str) -> dict[str, Any]:
    return state.vehicle_smart.setdefault(
        vehicle_id,
        {"state": "DISABLED", "changedAt": None, "override": None, "overrides": []},
    )


def _end_override(state: State, vehicle_id: str, when: float) -> None:
    smart = state.vehicle_smart.get(vehicle_id)
    if smart and smart["override"] is not None:
        smart["override"]["endedAt"] = format_timestamp(when)
        smart["override"] = None


def _progress(state: State, vehicle: Asset, now: float) -> bool:
    """Charge from the recorded start to `now`; True if the record changed."""
    since = state.charging_since.get(vehicle.id)
    charge = vehicle.record["chargeState"]
    if not charge.get("isCharging"):
        return False
    if since is None:  # charging in the seed: from the first time the mock looks
        state.charging_since[vehicle.id] = (now, float(charge.get("batteryLevel") or 0.0))
        return False
    started, level_then = since
    rate, capacity = charge.get("chargeRate"), charge.get("batteryCapacity")
    if not rate or not capacity or now <= started:
        return False
    limit = charge_limit(vehicle.record)
    per_second = float(rate) / float(capacity) * 100.0 / 3600.0  # percent per second
    level = level_then + per_second * (now - started)
    old_level = charge.get("batteryLevel")
    if level >= limit:
        full_at = started + (limit - level_then) / per_second if per_second else now
        _set_level(vehicle.record, limit)
        stop_charging(state, vehicle, max(started, full_at), complete=True)
        return True
    _set_level(vehicle.record, round(level, 1))
    if charge.get("batteryLevel") == old_level:
        return False
    charge["lastUpdated"] = format_timestamp(now)
    _set_remaining(charge, limit)
    return True


def _set_level(record: dict[str, Any], level: float) -> None:
    charge = record["chargeState"]
    old, old_range = charge.get("batteryLevel"), charge.get("range")
    if isinstance(old, int | float) and old > 0 and isinstance(old_range, int | float):
        charge["range"] = round(old_range * level / old, 1)
    charge["batteryLevel"] = level


def apply_action(state: State, vehicle: Asset, action: Any, when: float) -> None:
    """What a CONFIRMED vehicle action does (charge delivered so far is kept)."""
    _progress(state, vehicle, when)
    charge = vehicle.record["chargeState"]
    if "kind" in action.fields:
        if action.fields["kind"] == "START":
            start_charging(state, vehicle, when)
        else:
            stop_charging(state, vehicle, when)
        return
    charge["maxCurrent"] = action.fields["targetState"]["maxCurrent"]
    if charge.get("isCharging"):
        start_charging(state, vehicle, when)  # continue at the new rate
    charge["lastUpdated"] = format_timestamp(when)


# --- tariffs and plans -------------------------------------------------------------------


def expand_intervals(tariff_id: str, intervals: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A location tariff request's intervals, one entry per weekday (the GET shape)."""
    entries = []
    for interval in intervals:
        for weekday in sorted(set(interval.get("weekdays", range(7)))):
            entries.append(
                {
                    "weekday": weekday,
                    "fromHourMinute": interval["from"],
                    "toHourMinute": interval["to"],
                    "tariffId": tariff_id,
                    "tariffName": interval["name"],
                }
            )
    return sorted(entries, key=lambda e: (e["weekday"], e["fromHourMinute"]))


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _price_at(state: State, location: dict[str, Any] | None, t: float) -> float:
    if location is None:
        return FLAT_PRICE
    entries = state.location_tariffs.get(str(location["id"]))
    if not entries:
        return FLAT_PRICE
    local = datetime.fromtimestamp(t, UTC).astimezone(zone(location.get("timezoneName")))
    minute = local.hour * 60 + local.minute
    for entry in entries:
        if entry["weekday"] != local.weekday():
            continue
        if _minutes(entry["fromHourMinute"]) <= minute < _minutes(entry["toHourMinute"]):
            for rate in state.tariffs.get(entry["tariffId"], []):
                if rate["name"] == entry["tariffName"]:
                    return float(Decimal(rate["cost"]))
    return FLAT_PRICE


def _cost(
    state: State, location: dict[str, Any] | None, start: float, seconds: float, kw: float
) -> float:
    total, t, end = 0.0, start, start + seconds
    while t < end:
        boundary = min(end, (math.floor(t / SLOT) + 1) * SLOT)
        total += kw * (boundary - t) / 3600.0 * _price_at(state, location, t)
        t = boundary
    return total


def _deadline(deadline: str, location: dict[str, Any] | None, now: float) -> float:
    """The next time of day `deadline` (HH:MM, 24:00 = midnight) after `now`, local time."""
    tz = zone(location.get("timezoneName") if location else None)
    local = datetime.fromtimestamp(now, UTC).astimezone(tz)
    minutes = _minutes(deadline)
    day = local.replace(hour=0, minute=0, second=0, microsecond=0)
    candidate = day + timedelta(minutes=minutes)
    if candidate.timestamp() <= now:
        candidate = day + timedelta(days=1, minutes=minutes)
    return candidate.replace(tzinfo=None).replace(tzinfo=tz).timestamp()


def _make_plan(
    state: State, vehicle: Asset, location: dict[str, Any] | None, now: float
) -> dict[str, Any]:
    record = vehicle.record
    charge, policy = record["chargeState"], record["smartChargingPolicy"]
    limit = charge_limit(record)
    level = float(charge["batteryLevel"])
    kw = _rate(record)
    seconds = max(0.0, (limit - level) / 100.0 * float(charge["batteryCapacity"]) / kw * 3600.0)
    deadline = _deadline(str(policy["deadline"]), location, now)
    start = now
    best = _cost(state, location, now, seconds, kw)
    non_smart = best
    if level >= float(policy.get("minimumChargeLimit") or 0):
        t = (math.floor(now / SLOT) + 1) * SLOT
        while t + seconds <= deadline:
            cost = _cost(state, location, t, seconds, kw)
            if cost < best - 1e-9:
                best, start = cost, t
            t += SLOT
    return {
        "id": state.new_id(),
        "vehicleId": vehicle.id,
        "userId": vehicle.user_id,
        "locationId": location["id"] if location else None,
        "vendor": record["vendor"],
        "currency": CURRENCY,
        "nonSmartCost": round(non_smart, 2),
        "smartCost": round(best, 2),
        "stopAt": format_timestamp(now),
        "startAt": format_timestamp(start),
        "estimatedFinishAt": format_timestamp(start + seconds),
        "stopConfirmedAt": None,
        "startConfirmedAt": None,
        "endedAt": None,
        "finalState": None,
        "failureCondition": None,
        "_startAt": start,
    }


def _active_plan(state: State, vehicle_id: str) -> dict[str, Any] | None:
    for plan in state.smart_plans.values():
        if plan["vehicleId"] == vehicle_id and plan["endedAt"] is None:
            return plan
    return None


def end_plan(state: State, vehicle_id: str, final: str, now: float) -> None:
    plan = _active_plan(state, vehicle_id)
    if plan is not None:
        plan.update(endedAt=format_timestamp(now), finalState=final)
        _set_state(state, vehicle_id, final, now)


def _set_state(state: State, vehicle_id: str, name: str, now: float) -> None:
    smart = _smart(state, vehicle_id)
    if smart["state"] != name or smart["changedAt"] is None:
        smart["state"] = name
        smart["changedAt"] = now


def _at_location(state: State, vehicle: Asset) -> dict[str, Any] | None:
    location_id = (vehicle.record.get("location") or {}).get("id")
    location = state.locations.get(str(location_id)) if location_id else None
    return location if location is not None and location.get("userId") == vehicle.user_id else None


def _consideration(state: State, vehicle: Asset) -> dict[str, bool]:
    charge = vehicle.record["chargeState"]
    return {
        "isPluggedIn": bool(charge.get("isPluggedIn")),
        "isCharging": bool(charge.get("isCharging")),
        "atChargingLocation": _at_location(state, vehicle) is not None,
        "hasTimeEstimate": bool(charge.get("batteryCapacity"))
        and charge.get("batteryLevel") is not None,
    }


SMART_STATUS_UPDATED = "user:vehicle:smart-charging-status-updated"


def evaluate(state: State, vehicle: Asset, now: float) -> bool:
    """Bring the vehicle's smart charging up to date; True if anything changed. A changed
    status (its `updatedAt` aside) raises `user:vehicle:smart-charging-status-updated`."""
    before = state.reported_smart.get(vehicle.id)
    if before is None:  # first evaluation since the seed: the status as it was
        before = status(state, vehicle, now)
        before.pop("updatedAt")
    changed = _evaluate(state, vehicle, now)
    current = status(state, vehicle, now)
    current.pop("updatedAt")
    state.reported_smart[vehicle.id] = current
    if before != current:
        state.raise_event(
            SMART_STATUS_UPDATED,
            vehicle.user_id,
            "smartChargingStatus",
            {**current, "updatedAt": format_timestamp(now)},
            updatedFields=changed_paths(before, current),
        )
    return changed


def _evaluate(state: State, vehicle: Asset, now: float) -> bool:
    before = (_smart(state, vehicle.id)["state"], vehicle.record["chargeState"].get("isCharging"))
    plans_before = len(state.smart_plans)
    record = vehicle.record
    policy, charge = record["smartChargingPolicy"], record["chargeState"]
    smart = _smart(state, vehicle.id)
    plan = _active_plan(state, vehicle.id)
    limit = charge_limit(record)
    level = charge.get("batteryLevel")
    full = isinstance(level, int | float) and level >= limit
    if not policy.get("isEnabled"):
        end_plan(state, vehicle.id, "PLAN:ENDED:DISABLED", now)
        _set_state(state, vehicle.id, "DISABLED", now)
    elif plan is not None and not charge.get("isPluggedIn"):
        end_plan(state, vehicle.id, "PLAN:ENDED:UNPLUGGED", now)
    elif plan is not None and full:
        end_plan(state, vehicle.id, "PLAN:ENDED:FINISHED", now)
    elif plan is not None:
        _run_plan(state, vehicle, plan, now)
    elif full:
        _set_state(state, vehicle.id, "FULLY_CHARGED", now)
    elif _can_plan(state, vehicle):
        plan = _make_plan(state, vehicle, _at_location(state, vehicle), now)
        state.smart_plans[plan["id"]] = plan
        smart["latest"] = plan["id"]
        _run_plan(state, vehicle, plan, now)
    else:
        _set_state(state, vehicle.id, "CONSIDERING", now)
    after = (smart["state"], charge.get("isCharging"))
    return after != before or len(state.smart_plans) != plans_before


def _can_plan(state: State, vehicle: Asset) -> bool:
    seen = _consideration(state, vehicle)
    deadline = vehicle.record["smartChargingPolicy"].get("deadline")
    return bool(
        deadline and seen["isPluggedIn"] and seen["atChargingLocation"] and seen["hasTimeEstimate"]
    )


def _run_plan(state: State, vehicle: Asset, plan: dict[str, Any], now: float) -> None:
    smart = _smart(state, vehicle.id)
    charge = vehicle.record["chargeState"]
    if smart["override"] is not None:
        _set_state(state, vehicle.id, "PLAN:EXECUTING:OVERRIDDEN", now)
        return
    start = float(plan["_startAt"])
    if now < start:
        if charge.get("isCharging"):
            stop_charging(state, vehicle, now)
        if plan["stopConfirmedAt"] is None:
            plan["stopConfirmedAt"] = format_timestamp(now)
        _set_state(state, vehicle.id, "PLAN:EXECUTING:STOPPED", now)
        return
    if not charge.get("isCharging"):
        start_charging(state, vehicle, start)
    if plan["startConfirmedAt"] is None:
        plan["startConfirmedAt"] = format_timestamp(start)
    if plan["stopConfirmedAt"] is None:
        plan["stopConfirmedAt"] = plan["stopAt"]
    _set_state(state, vehicle.id, "PLAN:EXECUTING:STARTED", now)


def advance(state: State, now: float) -> None:
    """Charge every charging vehicle up to `now` and run smart charging; touch on change."""
    vehicles = state.assets.get("vehicle", {})
    changed = False
    for vehicle in vehicles.values():
        was = changed
        changed = False
        if (
            vehicle.record["smartChargingPolicy"].get("isEnabled")
            or vehicle.id in state.vehicle_smart
        ):
            plan = _active_plan(state, vehicle.id)
            if plan is not None and not vehicle.record["chargeState"].get("isCharging"):
                # a plan's start falls between requests: start charging at startAt
                start = float(plan["_startAt"])
                if start <= now and vehicle.record["chargeState"].get("isPluggedIn"):
                    changed |= evaluate(state, vehicle, start)
        changed |= _progress(state, vehicle, now)
        if (
            vehicle.record["smartChargingPolicy"].get("isEnabled")
            or vehicle.id in state.vehicle_smart
        ):
            changed |= evaluate(state, vehicle, now)
        if changed:
            state.changed(vehicle)  # its :updated webhook event
        changed |= was
    if changed:
        state.touch()


def status(state: State, vehicle: Asset, now: float) -> dict[str, Any]:
    """The smart charging status record of a vehicle at `now`."""
    smart = _smart(state, vehicle.id)
    enabled = bool(vehicle.record["smartChargingPolicy"].get("isEnabled"))
    plan = _active_plan(state, vehicle.id)
    if plan is None and smart["state"].startswith("PLAN:ENDED") and smart.get("latest"):
        plan = state.smart_plans.get(smart["latest"])
    changed = smart["changedAt"]
    return {
        "updatedAt": format_timestamp(now),
        "vehicleId": vehicle.id,
        "userId": vehicle.user_id,
        "vendor": vehicle.record["vendor"],
        "state": smart["state"],
        "stateChangedAt": format_timestamp(changed if changed is not None else now),
        "consideration": _consideration(state, vehicle) if enabled else None,
        "plan": public_plan(plan) if plan is not None else None,
        "smartOverride": dict(smart["override"]) if smart["override"] else None,
    }


def public_plan(plan: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in plan.items() if not k.startswith("_")}


def latest_plan(state: State, vehicle_id: str) -> dict[str, Any] | None:
    smart = state.vehicle_smart.get(vehicle_id) or {}
    latest = smart.get("latest")
    return state.smart_plans.get(latest) if latest else None


def create_override(
    state: State, vehicle: Asset, now: float, action_id: str | None
) -> dict[str, Any]:
    smart = _smart(state, vehicle.id)
    override = {
        "createdAt": format_timestamp(now),
        "endedAt": None,
        "targetType": "vehicle",
        "targetId": vehicle.id,
        "vendorActionId": action_id,
    }
    smart["override"] = override
    smart["overrides"].append(override)
    return override


def active_override(state: State, vehicle_id: str) -> dict[str, Any] | None:
    smart = state.vehicle_smart.get(vehicle_id)
    return smart["override"] if smart else None


def end_override(state: State, vehicle_id: str, now: float) -> dict[str, Any] | None:
    override = active_override(state, vehicle_id)
    if override is not None:
        _end_override(state, vehicle_id, now)
    return override


# for the console's charts (console.py): what a kWh costs at a location, and where a
# vehicle is plugged in
price_at = _price_at
location_of = _at_location
