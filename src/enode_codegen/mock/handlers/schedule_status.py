"""`GET /schedules/{scheduleId}/status`: how a schedule is doing, computed now.

`shouldCharge` is the first rule in force at the moment (rules are read in UTC: the
seed's locations have no time zone; `hourMinute` may span midnight, `weekdays` count
from 0 = Monday), else `defaultShouldCharge`. Charging is expected when the target is
plugged in, not fully charged and the schedule says to charge. The state is, in order:
`INACTIVE:DISABLED` (schedule off), `INACTIVE:INCAPABLE` (target unknown to the mock,
unreachable or unable to start/stop charging), `INACTIVE:AWAY` (the schedule has a
location and the target is not there), `INACTIVE:OVERRIDDEN` (an active smart override),
`PENDING` (a charging action is pending), `ALIGNED` or `MISALIGNED`. Upcoming
transitions are the next changes of `shouldCharge` within a week (minute resolution).

A temperature schedule (target an HVAC unit) answers the `TEMPERATURE` status of Enode's
2024-10-01 document: `expected` is the `targetState` of the first rule in force, else
`defaultTargetState`; `current` is the unit's thermostat state written as such a target
(`null` when its mode or a setpoint the mode uses is unknown). The state is
`INACTIVE:DISABLED`, `INACTIVE:INCAPABLE` (unknown or unreachable unit, or one that cannot
take the expected kind of hold), `PENDING` (an HVAC action is pending), `ALIGNED` or
`MISALIGNED`; at most 2 upcoming transitions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from ..clock import format_timestamp, parse_timestamp
from .common import Ctx, Handler, Reply, not_found

__all__ = ["HANDLERS", "should_charge"]

_HORIZON = timedelta(days=7)
_MAX_TRANSITIONS = 10


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def _rule_applies(rule: dict[str, Any], moment: datetime) -> bool:
    start, end = rule.get("fromTimestamp"), rule.get("toTimestamp")
    if start and moment < parse_timestamp(start):
        return False
    if end and moment >= parse_timestamp(end):
        return False
    hour_minute = rule.get("hourMinute")
    weekdays = rule.get("weekdays")
    if hour_minute:
        now = moment.hour * 60 + moment.minute
        begin, finish = _minutes(hour_minute["from"]), _minutes(hour_minute["to"])
        if begin < finish:
            inside, day = begin <= now < finish, moment.weekday()
        elif now >= begin:  # spans midnight: the evening part belongs to today
            inside, day = True, moment.weekday()
        else:  # the morning part belongs to the day the interval started
            inside, day = now < finish, (moment.weekday() - 1) % 7
        if not inside:
            return False
    else:
        day = moment.weekday()
    return not weekdays or day in weekdays


def should_charge(schedule: dict[str, Any], moment: datetime) -> bool:
    for rule in schedule.get("rules") or []:
        if _rule_applies(rule, moment):
            return bool(rule["shouldCharge"])
    return bool(schedule.get("defaultShouldCharge"))


def target_state(schedule: dict[str, Any], moment: datetime) -> Any:
    """What a temperature schedule asks for at `moment`."""
    for rule in schedule.get("rules") or []:
        if _rule_applies(rule, moment):
            return rule["targetState"]
    return schedule.get("defaultTargetState")


def _transitions(
    schedule: dict[str, Any],
    start: datetime,
    value_at: Callable[[dict[str, Any], datetime], Any] = should_charge,
    key: str = "shouldCharge",
    limit: int = _MAX_TRANSITIONS,
) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    moment = start.replace(second=0, microsecond=0)
    current = value_at(schedule, moment)
    end = moment + _HORIZON
    while moment < end and len(found) < limit:
        moment += timedelta(minutes=1)
        value = value_at(schedule, moment)
        if value != current:
            found.append({"at": format_timestamp(moment), key: value})
            current = value
    return found


_SETPOINTS = {"AUTO": ("coolSetpoint", "heatSetpoint"), "COOL": ("coolSetpoint",)}
_SETPOINTS |= {"HEAT": ("heatSetpoint",), "OFF": ()}


def _held(thermostat: dict[str, Any]) -> dict[str, Any] | None:
    """An HVAC unit's thermostat state written as an action target, or None if unknown."""
    if thermostat.get("holdType") == "SCHEDULED":
        return {"holdType": "SCHEDULED"}
    mode = thermostat.get("mode")
    if thermostat.get("holdType") != "PERMANENT" or mode not in _SETPOINTS:
        return None
    if any(thermostat.get(name) is None for name in _SETPOINTS[mode]):
        return None
    return {
        **{name: thermostat[name] for name in _SETPOINTS[mode]},
        "mode": mode,
        "holdType": "PERMANENT",
    }


def _temperature_status(ctx: Ctx, record: dict[str, Any]) -> Reply:
    now = ctx.env.clock.now()
    hvac = ctx.state.assets.get("hvac", {}).get(str(record.get("targetId")))
    thermostat = (hvac.record.get("thermostatState") or {}) if hvac else {}
    expected = target_state(record, now)
    current = _held(thermostat)
    capability = (
        "setFollowSchedule" if expected.get("holdType") == "SCHEDULED" else "setPermanentHold"
    )
    capable = hvac is not None and bool(
        ((hvac.record.get("capabilities") or {}).get(capability) or {}).get("isCapable")
    )
    if not record.get("isEnabled"):
        state = "INACTIVE:DISABLED"
    elif hvac is None or not capable or hvac.record.get("isReachable") is False:
        state = "INACTIVE:INCAPABLE"
    elif f"hvac:{hvac.id}" in ctx.state.pending:
        state = "PENDING"
    else:
        state = "ALIGNED" if current == expected else "MISALIGNED"
    changed_at = thermostat.get("lastUpdated") or format_timestamp(now)
    return Reply(
        200,
        {
            "scheduleId": record["id"],
            "scheduleType": "TEMPERATURE",
            "changedAt": changed_at,
            "state": state,
            "current": current,
            "expected": expected,
            "upcomingTransitions": _transitions(record, now, target_state, "target", 2),
        },
    )


def schedule_status(ctx: Ctx) -> Reply:
    schedule_id = str(ctx.path["scheduleId"])
    schedule = ctx.state.schedules.get(schedule_id)
    if schedule is None:
        raise not_found("schedule", schedule_id)
    record = schedule.record
    if record.get("targetType") == "hvac":
        return _temperature_status(ctx, record)
    now = ctx.env.clock.now()
    target_kind = str(record.get("targetType"))
    target = ctx.state.assets.get(target_kind, {}).get(str(record.get("targetId")))
    charge = (target.record.get("chargeState") or {}) if target else {}
    plugged = bool(charge.get("isPluggedIn"))
    charging = bool(charge.get("isCharging"))
    needs_charge = not charge.get("isFullyCharged") and charge.get("powerDeliveryState") not in (
        "PLUGGED_IN:COMPLETE",
    )
    wanted = should_charge(record, now)
    expected = plugged and needs_charge and wanted
    capabilities = (target.record.get("capabilities") or {}) if target else {}
    capable = target is not None and all(
        (capabilities.get(name) or {}).get("isCapable", False)
        for name in ("startCharging", "stopCharging")
    )
    location = (target.record.get("location") or {}) if target else {}
    override = next(
        (
            o
            for o in ctx.state.smart_overrides
            if o.get("targetId") == record.get("targetId") and o.get("endedAt") is None
        ),
        None,
    )
    if not record.get("isEnabled"):
        state = "INACTIVE:DISABLED"
    elif not capable or not target or target.record.get("isReachable") is False:
        state = "INACTIVE:INCAPABLE"
    elif record.get("locationId") and location.get("id") != record["locationId"]:
        state = "INACTIVE:AWAY"
    elif override is not None:
        state = "INACTIVE:OVERRIDDEN"
    elif f"{target_kind}:{target.id}" in ctx.state.pending:
        state = "PENDING"
    else:
        state = "ALIGNED" if charging == expected else "MISALIGNED"
    changed = [str(charge["lastUpdated"])] if charge.get("lastUpdated") else []
    changed_at = max(changed) if changed else format_timestamp(now)
    return Reply(
        200,
        {
            "scheduleId": record["id"],
            "scheduleType": "CHARGE",
            "changedAt": changed_at,
            "state": state,
            "isCharging": charging,
            "isChargingExpected": expected,
            "isChargingExpectedParts": {
                "needsCharge": needs_charge,
                "isPluggedIn": plugged,
                "shouldCharge": wanted,
            },
            "upcomingTransitions": _transitions(record, now),
            "smartOverride": None
            if override is None
            else {
                **{k: override[k] for k in ("createdAt", "endedAt", "targetId") if k in override},
                "targetType": target_kind,
                "vendorActionId": override.get("vendorActionId"),
            },
        },
    )


HANDLERS: dict[str, Handler] = {"getScheduleStatus": schedule_status}
