"""Schedules: create, list, get, update and delete, with the checks the schema cannot make.

A charge schedule targets a charger of its user (or a vehicle, which the mock does not
model, so any vehicle ID is accepted); a temperature schedule targets an HVAC unit of its
user. An enabled schedule puts its charger or HVAC unit under schedule control: manual
charging commands, permanent holds and follow-schedule commands then answer 422. A
schedule keeps its kind: an update with the other kind's fields is a 400.
"""

from __future__ import annotations

from typing import Any

from ..clock import parse_timestamp
from ..state import Schedule
from .common import Ctx, Handler, Reply, invalid_body, not_found

__all__ = ["HANDLERS"]

TARGET_TYPES = ("vehicle", "charger")


CHARGE_FIELDS = (
    "defaultShouldCharge",
    "locationId",
    "chargingLocationId",
    "entityId",
    "entityType",
)
TEMPERATURE_FIELDS = ("defaultTargetState",)


def _check_rules(rules: list[dict[str, Any]]) -> None:
    for index, rule in enumerate(rules):
        start, end = rule.get("fromTimestamp"), rule.get("toTimestamp")
        if start and end and parse_timestamp(start) > parse_timestamp(end):
            raise invalid_body(
                f"rules[{index}].toTimestamp", "must not be earlier than fromTimestamp"
            )


def _build_temperature(
    ctx: Ctx, user_id: str, body: dict[str, Any], base: dict[str, Any]
) -> dict[str, Any]:
    """A temperature schedule (targetType hvac): its target must be an HVAC unit of the user."""
    for field in CHARGE_FIELDS:
        if field in body:
            raise invalid_body(field, "a temperature schedule has no charge fields")
    for field in ("targetId", "targetType"):
        if field in body and "targetType" in base and body[field] != base[field]:
            raise invalid_body(field, "a schedule's target cannot change")
    record = dict(base)
    for key in ("isEnabled", "defaultTargetState", "rules", "targetId"):
        if key in body:
            record[key] = body[key]
    record.setdefault("isEnabled", True)
    hvac = ctx.state.asset("hvac", str(record.get("targetId")))
    if hvac is None or hvac.user_id != user_id:
        raise invalid_body(
            "targetId", f"{record.get('targetId')!r} is not an HVAC unit of user {user_id!r}"
        )
    _check_rules(record["rules"])
    for index, rule in enumerate(record["rules"]):
        if "targetState" not in rule:
            raise invalid_body(
                f"rules[{index}].targetState", "a temperature rule needs targetState"
            )
    record.update(targetType="hvac", userId=user_id)
    return record


def _build(ctx: Ctx, user_id: str, body: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    """The canonical schedule record for `body` applied on top of `base`."""
    if body.get("targetType") == "hvac" or base.get("targetType") == "hvac":
        return _build_temperature(ctx, user_id, body, base)
    for field in TEMPERATURE_FIELDS:
        if field in body:
            raise invalid_body(field, "a charge schedule has no temperature fields")
    record = dict(base)
    for key in ("isEnabled", "defaultShouldCharge", "rules"):
        if key in body:
            record[key] = body[key]
    record.setdefault("isEnabled", True)
    target_id = body.get("targetId", body.get("entityId", base.get("targetId")))
    if target_id is None:
        raise invalid_body("targetId", "targetId (or the deprecated entityId) is required")
    target_type = body.get("targetType", body.get("entityType"))
    if target_type is None:
        if "targetId" in body or "entityId" in body or "targetType" not in base:
            charger = ctx.state.asset("charger", str(target_id))
            target_type = "charger" if charger is not None else "vehicle"
        else:
            target_type = base["targetType"]
    if target_type not in TARGET_TYPES:
        raise invalid_body("entityType", f"{target_type!r} is not one of {', '.join(TARGET_TYPES)}")
    if target_type == "charger":
        charger = ctx.state.asset("charger", str(target_id))
        if charger is None or charger.user_id != user_id:
            raise invalid_body("targetId", f"{target_id!r} is not a charger of user {user_id!r}")
    if "locationId" in body or "chargingLocationId" in body:
        location_id = body.get("locationId", body.get("chargingLocationId"))
        location = ctx.state.locations.get(str(location_id)) if location_id is not None else None
        if location_id is not None and (location is None or location.get("userId") != user_id):
            raise invalid_body(
                "locationId", f"{location_id!r} is not a location of user {user_id!r}"
            )
        record["locationId"] = location_id
    record.setdefault("locationId", None)
    _check_rules(record["rules"])
    for index, rule in enumerate(record["rules"]):
        if "shouldCharge" not in rule:
            raise invalid_body(f"rules[{index}].shouldCharge", "a charge rule needs shouldCharge")
    record.update(
        targetId=str(target_id),
        targetType=target_type,
        chargeableId=str(target_id),
        chargeableType=target_type,
        entityId=str(target_id),
        entityType=target_type,
        userId=user_id,
    )
    return record


def list_schedules(ctx: Ctx) -> Reply:
    if ctx.op.paginated:
        user = ctx.path_user()
        items = [s for s in ctx.state.schedules.values() if s.user_id == user.id]
        return ctx.page(items, lambda schedule: schedule.record)
    user_id = ctx.context_user_id()
    return Reply(200, [s.record for s in ctx.state.schedules.values() if s.user_id == user_id])


def create_schedule(ctx: Ctx) -> Reply:
    user_id = ctx.path_user().id if "userId" in ctx.path else ctx.context_user_id()
    record = _build(ctx, user_id, ctx.body, {"id": ctx.state.new_id()})
    schedule = Schedule(record, ctx.state.next_seq())
    ctx.state.schedules[schedule.id] = schedule
    ctx.state.touch()
    return Reply(200, record)


def _schedule(ctx: Ctx) -> Schedule:
    schedule_id = str(ctx.path["scheduleId"])
    schedule = ctx.state.schedules.get(schedule_id)
    if schedule is None:
        raise not_found("schedule", schedule_id)
    return schedule


def get_schedule(ctx: Ctx) -> Reply:
    return Reply(200, _schedule(ctx).record)


def update_schedule(ctx: Ctx) -> Reply:
    schedule = _schedule(ctx)
    schedule.record = _build(ctx, schedule.user_id, ctx.body, schedule.record)
    ctx.state.touch()
    return Reply(200, schedule.record)


def delete_schedule(ctx: Ctx) -> Reply:
    schedule = _schedule(ctx)
    del ctx.state.schedules[schedule.id]
    ctx.state.touch()
    return Reply(204)


HANDLERS: dict[str, Handler] = {
    "listSchedules": list_schedules,
    "createSchedule": create_schedule,
    "getSchedule": get_schedule,
    "updateSchedule": update_schedule,
    "deleteSchedule": delete_schedule,
}
