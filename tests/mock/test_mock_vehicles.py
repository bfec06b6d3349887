"""Vehicles in the mock: charging actions that move the charge state over mock time, the
one-pending-action rule, smart charging plans priced from tariffs, and smart overrides."""

from __future__ import annotations

from typing import Any

import httpx
from mockhelpers import fetch_token, problem, v

ALICE_CAR = "c3a8f5e1-2b7d-5e4a-9f60-1d2e3f4a5b6c"  # Tesla at Alice's Home (with a tariff)
BOB_CAR = "bdcee4e0-4cd0-5b88-a0f1-224941f371b2"  # VW under Bob's enabled schedule
CAROL_CAR = "6f1e2d3c-4b5a-5968-8776-a5b4c3d2e1f0"  # Nissan, unplugged, no location
ALICE_HOME = "87076ba3-e36e-514c-bab7-a7a29f3a57bb"


async def tick(client: httpx.AsyncClient, seconds: float) -> None:
    """Move the mock clock (and take a fresh token: tokens live an hour of mock time)."""
    moved = await client.post("/_mock/clock/advance", json={"seconds": seconds})
    assert moved.status_code in (200, 204), moved.text
    client.headers["Authorization"] = f"Bearer {await fetch_token(client)}"


async def vehicle(client: httpx.AsyncClient, vehicle_id: str) -> dict[str, Any]:
    response = await client.get(f"/vehicles/{vehicle_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def confirm(client: httpx.AsyncClient, action_id: str) -> dict[str, Any]:
    response = await client.post(f"/_mock/actions/{action_id}/advance")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_three_vehicles_of_different_vendors_one_at_a_location_with_a_tariff(
    client: httpx.AsyncClient,
) -> None:
    listed = (await client.get("/vehicles")).json()
    vendors = {item["vendor"] for item in listed["data"]}
    assert len(listed["data"]) >= 3 and len(vendors) >= 3
    at_home = await vehicle(client, ALICE_CAR)
    assert at_home["location"]["id"] == ALICE_HOME
    tariff = (await client.get(f"/locations/{ALICE_HOME}/tariff")).json()
    assert tariff and {entry["tariffId"] for entry in tariff} == {"alice-home-tou"}


async def test_start_charging_raises_the_battery_level_until_the_charge_limit(
    client: httpx.AsyncClient,
) -> None:
    before = await vehicle(client, ALICE_CAR)
    assert before["chargeState"]["batteryLevel"] == 42
    created = await client.post(f"/vehicles/{ALICE_CAR}/charging", json={"action": "START"})
    assert created.status_code == 200, created.text
    action = created.json()
    assert action["state"] == "PENDING" and action["kind"] == "START"
    assert action["targetType"] == "vehicle"
    assert (await confirm(client, action["id"]))["state"] == "CONFIRMED"
    charging = (await vehicle(client, ALICE_CAR))["chargeState"]
    assert charging["isCharging"] is True
    assert charging["powerDeliveryState"] == "PLUGGED_IN:CHARGING"
    assert charging["chargeRate"] == 11.04  # 16 A on three phases
    assert charging["chargeTimeRemaining"] > 0

    await tick(client, 3600)  # one hour at 11.04 kW into 75 kWh: +14.7 points
    hour = (await vehicle(client, ALICE_CAR))["chargeState"]
    assert 56.5 <= hour["batteryLevel"] <= 56.9, hour
    assert hour["range"] > before["chargeState"]["range"]

    await tick(client, 6 * 3600)  # long past the 80 % limit
    full = (await vehicle(client, ALICE_CAR))["chargeState"]
    assert full["batteryLevel"] == 80
    assert full["isCharging"] is False and full["isFullyCharged"] is True
    assert full["powerDeliveryState"] == "PLUGGED_IN:COMPLETE"
    assert full["chargeRate"] is None


async def test_stop_charging_keeps_the_charge_delivered(client: httpx.AsyncClient) -> None:
    start = (await client.post(f"/vehicles/{ALICE_CAR}/charging", json={"action": "START"})).json()
    await confirm(client, start["id"])
    await tick(client, 1800)
    stop = (await client.post(f"/vehicles/{ALICE_CAR}/charging", json={"action": "STOP"})).json()
    await tick(client, 30)
    await confirm(client, stop["id"])
    stopped = (await vehicle(client, ALICE_CAR))["chargeState"]
    assert stopped["isCharging"] is False
    assert stopped["powerDeliveryState"] == "PLUGGED_IN:STOPPED"
    level = stopped["batteryLevel"]
    assert 49 < level < 50
    await tick(client, 3600)
    assert (await vehicle(client, ALICE_CAR))["chargeState"]["batteryLevel"] == level


async def test_one_pending_action_per_vehicle_cancel_and_409(client: httpx.AsyncClient) -> None:
    first = (await client.post(f"/vehicles/{ALICE_CAR}/charging", json={"action": "START"})).json()
    again = (await client.post(f"/vehicles/{ALICE_CAR}/charging", json={"action": "START"})).json()
    assert again["id"] == first["id"], "the same pending command is answered again"
    other = (await client.post(f"/vehicles/{ALICE_CAR}/charging", json={"action": "STOP"})).json()
    assert other["id"] != first["id"]
    replaced = (await client.get(f"/vehicles/actions/{first['id']}")).json()
    assert replaced["state"] == "CANCELLED" and replaced["failureReason"]["type"] == "CONFLICT"

    cancelled = await client.post(f"/vehicles/actions/{other['id']}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "CANCELLED"
    twice = await client.post(f"/vehicles/actions/{other['id']}/cancel")
    assert twice.status_code == 409 and twice.json()["id"] == other["id"]
    problem(await client.get("/vehicles/actions/6b1c9b9e-3c1e-4c55-9a43-3f1f2b7a0d11"), 404)


async def test_max_current_action_and_capability(client: httpx.AsyncClient) -> None:
    created = await client.post(f"/vehicles/{ALICE_CAR}/max-current", json={"maxCurrent": 10})
    assert created.status_code == 200, created.text
    action = created.json()
    assert action["targetState"] == {"maxCurrent": 10}
    await confirm(client, action["id"])
    assert (await vehicle(client, ALICE_CAR))["chargeState"]["maxCurrent"] == 10
    incapable = await client.post(f"/vehicles/{CAROL_CAR}/max-current", json={"maxCurrent": 10})
    assert "setMaxCurrent" in problem(incapable, 400)["detail"]


async def test_start_without_a_cable_fails_its_precondition(client: httpx.AsyncClient) -> None:
    action = (await client.post(f"/vehicles/{CAROL_CAR}/charging", json={"action": "START"})).json()
    done = await confirm(client, action["id"])
    assert done["state"] == "CANCELLED"
    assert done["failureReason"]["type"] == "FAILED_PRECONDITION"


async def test_schedule_controlled_vehicle_answers_422(client: httpx.AsyncClient) -> None:
    response = await client.post(f"/vehicles/{BOB_CAR}/charging", json={"action": "START"})
    problem(response, 422)


async def test_each_version_names_the_location_its_own_way(client: httpx.AsyncClient) -> None:
    newest = await vehicle(client, ALICE_CAR)
    assert "locationId" not in newest and newest["location"]["id"] == ALICE_HOME
    for version in ("2023-08-01", "2024-01-01"):
        old = (await client.get(f"/vehicles/{ALICE_CAR}", headers=v(version))).json()
        assert old["locationId"] == ALICE_HOME and "id" not in old["location"]
    oldest = (await client.get(f"/vehicles/{ALICE_CAR}", headers=v("2023-04-01"))).json()
    assert oldest["chargingLocationId"] == ALICE_HOME and "locationId" not in oldest
    mine = (await client.get("/vehicles", headers=v("2023-04-01"))).json()
    assert isinstance(mine, list) and {item["id"] for item in mine} == {ALICE_CAR}
    problem(await client.post(f"/vehicles/{ALICE_CAR}/refresh-hint", headers=v("2023-04-01")), 404)
    assert (await client.post(f"/vehicles/{ALICE_CAR}/refresh-hint")).status_code == 204


async def test_smart_charging_policy_plans_the_cheapest_start_from_the_tariff(
    client: httpx.AsyncClient,
) -> None:
    status = (await client.get(f"/vehicles/{ALICE_CAR}/smart-charging-status")).json()
    assert status["state"] == "DISABLED" and status["plan"] is None
    refused = await client.put(
        f"/vehicles/{ALICE_CAR}/smart-charging-policy", json={"isEnabled": True}
    )
    assert "deadline" in problem(refused, 400)["detail"]
    too_high = await client.put(
        f"/vehicles/{ALICE_CAR}/smart-charging-policy",
        json={"isEnabled": True, "deadline": "07:00", "minimumChargeLimit": 95},
    )
    assert "minimumChargeLimit" in problem(too_high, 400)["detail"]

    # the clock is 13:00 in Oslo; the tariff is OFF-PEAK (0.60) 23:00-07:00, PEAK (2.10)
    # otherwise: charging 42 -> 80 % of 75 kWh at 11.04 kW takes about 2.6 h, so the
    # cheapest start is 23:00 Oslo time (22:00 UTC)
    policy = await client.put(
        f"/vehicles/{ALICE_CAR}/smart-charging-policy",
        json={"isEnabled": True, "deadline": "07:00", "minimumChargeLimit": 20},
    )
    assert policy.status_code == 200, policy.text
    assert policy.json() == {"isEnabled": True, "deadline": "07:00", "minimumChargeLimit": 20}
    status = (await client.get(f"/vehicles/{ALICE_CAR}/smart-charging-status")).json()
    assert status["state"] == "PLAN:EXECUTING:STOPPED"
    assert status["consideration"] == {
        "isPluggedIn": True,
        "isCharging": False,
        "atChargingLocation": True,
        "hasTimeEstimate": True,
    }
    plan = status["plan"]
    assert plan["startAt"] == "2024-11-21T22:00:00.000Z", plan
    assert plan["locationId"] == ALICE_HOME
    energy = (80 - 42) / 100 * 75
    assert abs(plan["smartCost"] - energy * 0.60) < 0.01
    assert abs(plan["nonSmartCost"] - energy * 2.10) < 0.01
    latest = (await client.get(f"/vehicles/{ALICE_CAR}/smart-charging-plans/latest")).json()
    assert latest == plan
    by_id = await client.get(f"/vehicles/{ALICE_CAR}/smart-charging-plans/{plan['id']}")
    assert by_id.json() == plan
    problem(await client.post(f"/vehicles/{ALICE_CAR}/charging", json={"action": "START"}), 422)

    await tick(client, 10 * 3600 + 60)  # 22:01 UTC: the plan has started charging
    status = (await client.get(f"/vehicles/{ALICE_CAR}/smart-charging-status")).json()
    assert status["state"] == "PLAN:EXECUTING:STARTED"
    assert status["plan"]["startConfirmedAt"] == "2024-11-21T22:00:00.000Z"
    assert (await vehicle(client, ALICE_CAR))["chargeState"]["isCharging"] is True
    await tick(client, 4 * 3600)
    done = (await client.get(f"/vehicles/{ALICE_CAR}/smart-charging-status")).json()
    assert done["state"] == "FULLY_CHARGED"
    assert (await vehicle(client, ALICE_CAR))["chargeState"]["batteryLevel"] == 80
    ended = (await client.get(f"/vehicles/{ALICE_CAR}/smart-charging-plans/{plan['id']}")).json()
    assert ended["finalState"] == "PLAN:ENDED:FINISHED" and ended["endedAt"] is not None


async def test_without_a_tariff_the_plan_uses_the_flat_price(client: httpx.AsyncClient) -> None:
    deleted = await client.put(
        f"/locations/{ALICE_HOME}/tariff",
        json={"tariffId": "alice-home-tou", "tariffIntervals": []},
    )
    assert deleted.status_code == 204, deleted.text
    await client.put(
        f"/vehicles/{ALICE_CAR}/smart-charging-policy",
        json={"isEnabled": True, "deadline": "07:00"},
    )
    plan = (await client.get(f"/vehicles/{ALICE_CAR}/smart-charging-status")).json()["plan"]
    assert plan["smartCost"] == plan["nonSmartCost"] == round((80 - 42) / 100 * 75 * 0.25, 2)
    assert plan["startAt"] == "2024-11-21T12:00:00.000Z", "no cheaper time: start at once"


async def test_smart_override_charges_now_and_ends(client: httpx.AsyncClient) -> None:
    await client.put(
        f"/vehicles/{ALICE_CAR}/smart-charging-policy",
        json={"isEnabled": True, "deadline": "07:00"},
    )
    problem(await client.delete(f"/vehicles/{ALICE_CAR}/smart-override"), 404)
    created = await client.post(f"/vehicles/{ALICE_CAR}/smart-override")
    assert created.status_code == 200, created.text
    override = created.json()
    assert override["endedAt"] is None and override["targetType"] == "vehicle"
    assert override["vendorActionId"] is not None
    car = await vehicle(client, ALICE_CAR)
    # the endpoints answer with the vehicle's user and vendor, as Enode's document says;
    # the status shows the override alone
    assert (override.pop("userId"), override.pop("vendor")) == (car["userId"], car["vendor"])
    status = (await client.get(f"/vehicles/{ALICE_CAR}/smart-charging-status")).json()
    assert status["state"] == "PLAN:EXECUTING:OVERRIDDEN"
    assert status["smartOverride"] == override
    start = (await client.get(f"/vehicles/actions/{override['vendorActionId']}")).json()
    assert start["kind"] == "START"
    await confirm(client, start["id"])
    assert (await vehicle(client, ALICE_CAR))["chargeState"]["isCharging"] is True

    ended = await client.delete(f"/vehicles/{ALICE_CAR}/smart-override")
    assert ended.status_code == 200 and ended.json()["endedAt"] is not None
    assert ended.json()["userId"] == car["userId"] and ended.json()["vendor"] == car["vendor"]
    status = (await client.get(f"/vehicles/{ALICE_CAR}/smart-charging-status")).json()
    assert status["smartOverride"] is None
    assert status["state"] == "PLAN:EXECUTING:STOPPED", "smart charging took control back"
    assert (await vehicle(client, ALICE_CAR))["chargeState"]["isCharging"] is False
