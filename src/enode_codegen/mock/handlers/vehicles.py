"""Vehicles: charging and max current actions, smart charging policy, status, plans and
smart override. Listing, reading and the refresh hint are the shared asset handlers
(assets.py); charging over time and the smart charging logic live in ../vehicles.py."""

from __future__ import annotations

from typing import Any

from .. import vehicles
from ..problems import ProblemError
from ..state import Asset
from .actions import cancel_action, get_action, require_capability, require_manual_control
from .chargers import requested_max_current
from .common import Ctx, Handler, Reply, invalid_body, not_found

__all__ = ["HANDLERS"]


def _vehicle(ctx: Ctx) -> Asset:
    return ctx.asset("vehicle", "vehicleId")


def control_charging(ctx: Ctx) -> Reply:
    vehicle = _vehicle(ctx)
    kind = ctx.body["action"]
    require_capability(
        vehicle,
        "startCharging" if kind == "START" else "stopCharging",
        f"the {kind} charging command",
    )
    require_manual_control(ctx, vehicle)
    pending = ctx.state.pending.get(f"vehicle:{vehicle.id}")
    if pending is not None:
        action = ctx.state.actions[pending]
        if action.fields.get("kind") == kind:
            return Reply(200, action.record())  # the same command pending: answered again
    # a command the vehicle already obeys is accepted and resolves CANCELLED/UNNECESSARY
    action = ctx.engine.create(vehicle, "vehicleCharging", {"targetType": "vehicle", "kind": kind})
    return Reply(200, action.record())


def set_max_current(ctx: Ctx) -> Reply:
    vehicle = _vehicle(ctx)
    require_capability(vehicle, "setMaxCurrent", "setting the max current")
    amps = requested_max_current(ctx)
    action = ctx.engine.create(
        vehicle, "vehicleMaxCurrent", {"targetType": "vehicle", "targetState": {"maxCurrent": amps}}
    )
    return Reply(200, action.record())


def get_policy(ctx: Ctx) -> Reply:
    return Reply(200, _vehicle(ctx).record["smartChargingPolicy"])


def update_policy(ctx: Ctx) -> Reply:
    vehicle = _vehicle(ctx)
    body: dict[str, Any] = ctx.body or {}
    current = vehicle.record["smartChargingPolicy"]
    policy = {**current, **body}
    if policy["isEnabled"]:
        require_capability(vehicle, "smartCharging", "smart charging")
        if policy.get("deadline") is None:
            raise invalid_body("deadline", "a deadline is required to enable smart charging")
    limit = vehicles.charge_limit(vehicle.record)
    if float(policy["minimumChargeLimit"]) > limit:
        raise invalid_body(
            "minimumChargeLimit",
            f"{policy['minimumChargeLimit']!r} is above the vehicle's charge limit ({limit:g}%)",
        )
    now = ctx.now()
    if current.get("deadline") != policy.get("deadline"):
        vehicles.end_plan(ctx.state, vehicle.id, "PLAN:ENDED:DEADLINE_CHANGED", now)
    vehicle.record["smartChargingPolicy"] = policy
    vehicles.evaluate(ctx.state, vehicle, now)
    ctx.state.changed(vehicle)
    ctx.state.touch()
    return Reply(200, policy)


def get_status(ctx: Ctx) -> Reply:
    vehicle = _vehicle(ctx)
    return Reply(200, vehicles.status(ctx.state, vehicle, ctx.now()))


def get_plan(ctx: Ctx) -> Reply:
    vehicle = _vehicle(ctx)
    plan_id = str(ctx.path["smartChargingPlanId"])
    if plan_id == "latest":
        plan = vehicles.latest_plan(ctx.state, vehicle.id)
    else:
        plan = ctx.state.smart_plans.get(plan_id.lower())
        if plan is not None and plan["vehicleId"] != vehicle.id:
            plan = None
    if plan is None:
        raise not_found("smart charging plan", plan_id)
    return Reply(200, vehicles.public_plan(plan))


def create_override(ctx: Ctx) -> Reply:
    vehicle = _vehicle(ctx)
    active = vehicles.active_override(ctx.state, vehicle.id)
    if active is not None:
        return _override_reply(vehicle, active)
    require_capability(vehicle, "startCharging", "a smart override (it starts charging)")
    action_id = None
    if not vehicle.record["chargeState"].get("isCharging"):
        action = ctx.engine.create(
            vehicle, "vehicleCharging", {"targetType": "vehicle", "kind": "START"}
        )
        action_id = action.id
    now = ctx.now()
    override = vehicles.create_override(ctx.state, vehicle, now, action_id)
    vehicles.evaluate(ctx.state, vehicle, now)
    ctx.state.changed(vehicle)
    ctx.state.touch()
    return _override_reply(vehicle, override)


def end_override(ctx: Ctx) -> Reply:
    vehicle = _vehicle(ctx)
    now = ctx.now()
    ended = vehicles.end_override(ctx.state, vehicle.id, now)
    if ended is None:
        raise ProblemError(404, f"Vehicle {vehicle.id} has no active smart override.")
    vehicles.evaluate(ctx.state, vehicle, now)
    ctx.state.changed(vehicle)
    ctx.state.touch()
    return _override_reply(vehicle, ended)


def _override_reply(vehicle: Asset, override: dict[str, Any]) -> Reply:
    """An override as its two endpoints answer it: with the vehicle's user and vendor (the
    smart charging status shows the override alone)."""
    return Reply(200, {**override, "userId": vehicle.user_id, "vendor": vehicle.record["vendor"]})


HANDLERS: dict[str, Handler] = {
    "controlVehicleCharging": control_charging,
    "setVehicleMaxCurrent": set_max_current,
    "getVehicleAction": get_action("vehicle"),
    "cancelVehicleAction": cancel_action("vehicle"),
    "getVehicleSmartChargingPolicy": get_policy,
    "updateVehicleSmartChargingPolicy": update_policy,
    "getVehicleSmartChargingStatus": get_status,
    "getVehicleSmartChargingPlan": get_plan,
    "createVehicleSmartOverride": create_override,
    "endVehicleSmartOverride": end_override,
}
