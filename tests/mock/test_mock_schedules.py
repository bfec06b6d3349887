"""Schedules: CRUD per version, validation, and schedule control of chargers."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from mockhelpers import VERSIONS, problem, v

RULES = [
    {
        "hourMinute": {"from": "22:00", "to": "06:00"},
        "weekdays": [0, 1, 2, 3, 4],
        "shouldCharge": True,
    }
]


def collection(version: str, user: str) -> str:
    return "/schedules" if version == "2023-04-01" else f"/users/{user}/schedules"


@pytest.mark.parametrize("version", VERSIONS)
async def test_crud(client: httpx.AsyncClient, seed: dict[str, Any], version: str) -> None:
    alice = seed["users"][0]["id"]
    charger = next(c for c in seed["chargers"] if c["userId"] == alice)
    location = next(loc for loc in seed["locations"] if loc["userId"] == alice)
    headers = v(version)
    location_key = "chargingLocationId" if version == "2023-04-01" else "locationId"
    created = await client.post(
        collection(version, alice),
        json={
            "isEnabled": False,
            "defaultShouldCharge": True,
            "rules": RULES,
            "targetId": charger["id"],
            location_key: location["id"],
        },
        headers=headers,
    )
    assert created.status_code == 200, created.text
    schedule = created.json()
    assert schedule["targetId"] == charger["id"] and schedule["targetType"] == "charger"
    assert schedule[location_key] == location["id"]
    assert schedule["rules"] == RULES and schedule["isEnabled"] is False

    fetched = (await client.get(f"/schedules/{schedule['id']}", headers=headers)).json()
    assert fetched == schedule
    listed = (await client.get(collection(version, alice), headers=headers)).json()
    items = listed if version == "2023-04-01" else listed["data"]
    assert schedule["id"] in [s["id"] for s in items]
    assert {s["id"] for s in items} <= {s["id"] for s in seed["schedules"]} | {schedule["id"]}

    updated = await client.put(
        f"/schedules/{schedule['id']}", json={"defaultShouldCharge": False}, headers=headers
    )
    assert updated.status_code == 200
    assert updated.json()["defaultShouldCharge"] is False
    assert updated.json()["rules"] == RULES

    assert (await client.delete(f"/schedules/{schedule['id']}", headers=headers)).status_code == 204
    problem(await client.get(f"/schedules/{schedule['id']}", headers=headers), 404)
    problem(await client.delete(f"/schedules/{schedule['id']}", headers=headers), 404)


async def test_validation(client: httpx.AsyncClient, seed: dict[str, Any]) -> None:
    alice, bob = seed["users"][0]["id"], seed["users"][1]["id"]
    bobs_charger = next(c for c in seed["chargers"] if c["userId"] == bob)
    path = f"/users/{alice}/schedules"
    body = problem(await client.post(path, json={"defaultShouldCharge": True, "rules": []}), 400)
    assert "targetId" in body["detail"]
    body = problem(
        await client.post(
            path,
            json={
                "defaultShouldCharge": True,
                "rules": [],
                "targetId": bobs_charger["id"],
                "targetType": "charger",
            },
        ),
        400,
    )
    assert "not a charger of user" in body["detail"]
    body = problem(
        await client.post(
            path,
            json={
                "defaultShouldCharge": True,
                "rules": [{"hourMinute": {"from": "25:00", "to": "06:00"}, "shouldCharge": True}],
                "targetId": "car",
            },
        ),
        400,
    )
    assert "hourMinute" in body["detail"] or "from" in body["detail"]
    problem(await client.post(path, json={"rules": [], "targetId": "car"}), 400)
    problem(
        await client.post(
            "/users/nobody/schedules",
            json={"defaultShouldCharge": True, "rules": [], "targetId": "car"},
        ),
        404,
    )
    reversed_rule = [
        {
            "fromTimestamp": "2024-12-02T00:00:00Z",
            "toTimestamp": "2024-12-01T00:00:00Z",
            "shouldCharge": True,
        }
    ]
    body = problem(
        await client.post(
            path, json={"defaultShouldCharge": True, "rules": reversed_rule, "targetId": "car"}
        ),
        400,
    )
    assert "toTimestamp" in body["detail"]
    # a vehicle target (not modelled by the mock) is accepted
    ok = await client.post(
        path,
        json={"defaultShouldCharge": True, "rules": [], "targetId": "car", "targetType": "vehicle"},
    )
    assert ok.status_code == 200 and ok.json()["targetType"] == "vehicle"


async def test_enabled_schedule_controls_its_charger(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    alice = seed["users"][0]["id"]
    charger = next(
        c for c in seed["chargers"] if c["userId"] == alice and c["chargeState"]["isPluggedIn"]
    )
    existing = next(s for s in seed["schedules"] if s["targetId"] == charger["id"])
    assert existing["isEnabled"] is False
    assert (
        await client.post(f"/chargers/{charger['id']}/max-current", json={"maxCurrent": 10})
    ).status_code == 200
    await client.put(f"/schedules/{existing['id']}", json={"isEnabled": True})
    problem(
        await client.post(f"/chargers/{charger['id']}/max-current", json={"maxCurrent": 10}), 422
    )
    await client.delete(f"/schedules/{existing['id']}")
    assert (
        await client.post(f"/chargers/{charger['id']}/max-current", json={"maxCurrent": 11})
    ).status_code == 200


async def test_temperature_schedule_status(client: httpx.AsyncClient, seed: dict[str, Any]) -> None:
    schedule = next(s for s in seed["schedules"] if s["targetType"] == "hvac")
    hvac = next(h for h in seed["hvacs"] if h["id"] == schedule["targetId"])
    url = f"/schedules/{schedule['id']}/status"
    targets = [schedule["defaultTargetState"], *(r["targetState"] for r in schedule["rules"])]
    for version in VERSIONS:
        status = (await client.get(url, headers=v(version))).json()
        assert status["scheduleType"] == "TEMPERATURE" and "isCharging" not in status
        assert status["scheduleId"] == schedule["id"]
        assert status["state"] == "INACTIVE:DISABLED"
        assert status["expected"] in targets
    enabled = await client.put(f"/schedules/{schedule['id']}", json={"isEnabled": True})
    assert enabled.status_code == 200, enabled.text
    status = (await client.get(url)).json()
    # the unit's mode is UNKNOWN: what it holds cannot be told, so it is not aligned
    assert hvac["thermostatState"]["mode"] == "UNKNOWN"
    assert status["current"] is None and status["state"] == "MISALIGNED"
    transitions = status["upcomingTransitions"]
    assert 1 <= len(transitions) <= 2
    assert all(
        t["target"] in targets and t["target"] != status["expected"] for t in transitions[:1]
    )
