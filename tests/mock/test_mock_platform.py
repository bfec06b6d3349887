"""The rest of the platform: moving chargers/HVACs between locations, schedule status,
charging sessions, disconnecting a vendor's asset type, deauthorizing a user, relinking."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from mockhelpers import problem, v

ALICE, BOB, CAROL = (
    "50350389-4d14-540d-b3f6-8f0ebfaea0cf",
    "91ce5c7a-f93f-5592-8869-f391a1f44d21",
    "07debaa1-1a1f-5cf3-a60e-76c8def287a0",
)
BOB_HOME, BOB_CABIN = "60d06c6e-6820-529f-8b6f-4c50d9ea6e8a", "fdb8b839-21a1-5065-be13-7b809726dd92"
ALICE_HOME = "87076ba3-e36e-514c-bab7-a7a29f3a57bb"


def _of(seed: dict[str, Any], plural: str, user: str, **match: Any) -> dict[str, Any]:
    for record in seed[plural]:
        if record["userId"] == user and all(record.get(k) == val for k, val in match.items()):
            return record
    raise AssertionError(f"no {plural} of {user} with {match}")


@pytest.mark.parametrize(("plural", "param"), [("chargers", "chargerId"), ("hvacs", "hvacId")])
async def test_move_an_asset_between_locations(
    client: httpx.AsyncClient, seed: dict[str, Any], plural: str, param: str
) -> None:
    asset = next(r for r in seed[plural] if r["userId"] == BOB and r["location"]["id"] == BOB_HOME)
    path = f"/{plural}/{asset['id']}"
    moved = await client.put(path, json={"locationId": BOB_CABIN})
    assert moved.status_code == 200, moved.text
    location = moved.json()["location"]
    assert location["id"] == BOB_CABIN
    # neither reports coordinates: a charger's 2024-10-01 location is {id, lastUpdated},
    # an HVAC unit's {id} (Enode's published 2024-10-01 document)
    assert "latitude" not in location and "longitude" not in location
    assert (await client.get(path, headers=v("2023-08-01"))).json()["locationId"] == BOB_CABIN
    old = await client.put(path, headers=v("2023-04-01"), json={"chargingLocationId": BOB_HOME})
    assert old.status_code == 200 and old.json()["chargingLocationId"] == BOB_HOME
    detail = problem(await client.put(path, json={"locationId": ALICE_HOME}), 400)["detail"]
    assert "body.locationId" in detail and "not a location of user" in detail
    cleared = (await client.put(path, json={"locationId": None})).json()
    assert cleared["location"]["id"] is None
    problem(await client.put(f"/{plural}/nope", json={"locationId": None}), 404)


async def test_schedule_status(client: httpx.AsyncClient, seed: dict[str, Any]) -> None:
    alice_schedule = _of(seed, "schedules", ALICE)
    status = (await client.get(f"/schedules/{alice_schedule['id']}/status")).json()
    # frozen at Thursday 2024-11-21 12:00 UTC; the rule charges 23:00-06:00 on weekdays
    assert status["state"] == "INACTIVE:DISABLED" and status["scheduleType"] == "CHARGE"
    assert status["isChargingExpectedParts"]["shouldCharge"] is False
    assert [(t["at"], t["shouldCharge"]) for t in status["upcomingTransitions"][:5]] == [
        ("2024-11-21T23:00:00.000Z", True),
        ("2024-11-22T06:00:00.000Z", False),
        ("2024-11-22T23:00:00.000Z", True),
        ("2024-11-23T06:00:00.000Z", False),
        ("2024-11-25T23:00:00.000Z", True),
    ]
    carol_schedule = _of(seed, "schedules", CAROL, isEnabled=True)
    carol = (await client.get(f"/schedules/{carol_schedule['id']}/status")).json()
    assert carol["state"] in {"ALIGNED", "MISALIGNED"}
    assert carol["isChargingExpected"] == all(carol["isChargingExpectedParts"].values())
    assert carol["state"] == (
        "ALIGNED" if carol["isCharging"] == carol["isChargingExpected"] else "MISALIGNED"
    )
    # moving the charger away from the schedule's location makes it inactive
    await client.put(f"/chargers/{carol_schedule['targetId']}", json={"locationId": None})
    away = (await client.get(f"/schedules/{carol_schedule['id']}/status")).json()
    assert away["state"] == "INACTIVE:AWAY"
    for version in ("2023-04-01", "2023-08-01"):
        answer = await client.get(f"/schedules/{carol_schedule['id']}/status", headers=v(version))
        assert answer.status_code == 200
    problem(await client.get("/schedules/4eaeb363-296d-4ccc-a973-7805e6f400bd/status"), 404)


async def test_charging_sessions(client: httpx.AsyncClient, seed: dict[str, Any]) -> None:
    params = {"startDate": "2024-10-01T00:00:00Z", "endDate": "2024-11-01T00:00:00Z"}
    path = f"/users/{ALICE}/statistics/charging/sessions"
    sessions = (await client.get(path, params={**params, "type": "charger"})).json()
    chargers = {r["id"] for r in seed["chargers"] if r["userId"] == ALICE}
    assert sessions and {s["id"] for s in sessions} <= chargers
    assert all("2024-10-01" <= s["from"] < s["to"] <= "2024-11-01" for s in sessions)
    assert sessions == sorted(sessions, key=lambda s: (s["from"], s["id"]))
    assert (await client.get(path, params={**params, "type": "charger"})).json() == sessions
    one = sorted(chargers)[0]
    only = (await client.get(path, params={**params, "type": "charger", "id": one})).json()
    assert only == [s for s in sessions if s["id"] == one]
    elsewhere = {**params, "type": "charger", "locationId": BOB_HOME}
    assert (await client.get(path, params=elsewhere)).json() == []
    assert (await client.get(path, params={**params, "type": "hvac"})).json() != sessions
    old = await client.get(
        "/statistics/charging/sessions",
        headers=v("2023-04-01"),
        params={**params, "type": "charger"},
    )
    assert old.json() == sessions  # Alice is the 2023-04-01 context user
    problem(
        await client.get(
            "/users/nobody/statistics/charging/sessions", params={**params, "type": "charger"}
        ),
        404,
    )
    reversed_range = {
        "startDate": params["endDate"],
        "endDate": params["startDate"],
        "type": "charger",
    }
    problem(await client.get(path, params=reversed_range), 400)


async def test_disconnect_one_asset_type_of_a_vendor(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    tesla_charger = _of(seed, "chargers", ALICE, vendor="TESLA")
    tesla_battery = _of(seed, "batteries", ALICE, vendor="TESLA")
    gone = await client.delete(f"/users/{ALICE}/vendors/TESLA/charger")
    assert gone.status_code == 204
    problem(await client.get(f"/chargers/{tesla_charger['id']}"), 404)
    assert (await client.get(f"/batteries/{tesla_battery['id']}")).status_code == 200
    linked = (await client.get(f"/users/{ALICE}")).json()["linkedVendors"]
    assert {"vendor": "TESLA", "vendorType": "battery", "isValid": True} in linked
    assert not [e for e in linked if e["vendor"] == "TESLA" and e["vendorType"] == "charger"]
    problem(await client.delete(f"/users/{ALICE}/vendors/TESLA/charger"), 404)
    problem(
        await client.delete(f"/users/{ALICE}/vendors/TESLA/charger", headers=v("2023-04-01")), 404
    )


async def test_deauthorize_a_user(client: httpx.AsyncClient, seed: dict[str, Any]) -> None:
    assert (await client.delete(f"/users/{BOB}/authorization")).status_code == 204
    assert (await client.get(f"/users/{BOB}")).json() == {"id": BOB, "linkedVendors": []}
    for plural in ("batteries", "chargers", "hvacs", "inverters", "meters"):
        listed = (await client.get(f"/users/{BOB}/{plural}")).json()["data"]
        assert listed == [], plural
    problem(await client.delete("/users/nobody/authorization"), 404)


async def test_relink_an_asset(client: httpx.AsyncClient, seed: dict[str, Any]) -> None:
    body = {"language": "en-US", "redirectUri": "https://example.com/back"}
    broken = _of(seed, "chargers", BOB, vendor="WALLBOX")  # Bob's WALLBOX charger link is invalid
    answer = await client.post(f"/assets/{broken['id']}/relink", json=body)
    assert answer.status_code == 200, answer.text
    token = answer.json()["linkToken"]
    session = (await client.get(f"/_mock/link/{token}")).json()
    assert session["assetId"] == broken["id"] and session["userId"] == BOB
    fine = _of(seed, "chargers", ALICE, vendor="TESLA")
    detail = problem(await client.post(f"/assets/{fine['id']}/relink", json=body), 400)["detail"]
    assert "still valid" in detail
    problem(await client.post("/assets/nope/relink", json=body), 404)
    detail = problem(
        await client.post(f"/assets/{broken['id']}/relink", headers=v("2023-08-01"), json=body), 404
    )["detail"]
    assert "2024-01-01" in detail
