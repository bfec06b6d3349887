"""The fields the existing families gained against Enode's 2024-10-01 document (issue 12):
served with state by the mock, in each version's shape."""

from __future__ import annotations

from typing import Any

import httpx
from mockhelpers import VERSIONS, problem, v


def _charger(seed: dict[str, Any], serial: str) -> dict[str, Any]:
    for record in seed["chargers"]:
        if record["information"]["serialNumber"] == serial:
            found: dict[str, Any] = record
            return found
    raise KeyError(serial)


async def _get(client: httpx.AsyncClient, path: str, version: str) -> dict[str, Any]:
    response = await client.get(path, headers=v(version))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_charger_information_and_location_in_every_version(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    record = _charger(seed, "SN-ALICE-WALLCONNECTOR")
    for version in VERSIONS:
        charger = await _get(client, f"/chargers/{record['id']}", version)
        assert charger["vendor"] == "TESLA"
        assert charger["information"] == {
            "brand": "Tesla",
            "model": "Wall Connector Gen 3",
            "year": 2022,
            "serialNumber": "SN-ALICE-WALLCONNECTOR",
        }
        assert "pluggedInVehicleId" in charger["chargeState"]
        if version == "2024-10-01":
            assert charger["location"] == {
                "id": record["location"]["id"],
                "lastUpdated": record["location"]["lastUpdated"],
            }
        else:
            located = charger.get("locationId", charger.get("chargingLocationId"))
            assert located == record["location"]["id"] and "location" not in charger


async def test_plugged_in_vehicle_follows_plug_in_and_out(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    charger = _charger(seed, "SN-ALICE-ZAPTECGO")  # unplugged in the seed
    path = f"/chargers/{charger['id']}"
    assert (await _get(client, path, "2024-10-01"))["chargeState"]["pluggedInVehicleId"] is None
    vehicle = "bf077f15-a7aa-4bc4-b917-8f1c89676198"
    plugged = await client.post(
        f"/_mock/chargers/{charger['id']}/plug", json={"pluggedIn": True, "vehicleId": vehicle}
    )
    assert plugged.status_code == 200, plugged.text
    for version in VERSIONS:
        state = (await _get(client, path, version))["chargeState"]
        assert state["pluggedInVehicleId"] == vehicle and state["isPluggedIn"] is True
    await client.post(f"/_mock/chargers/{charger['id']}/plug", json={"pluggedIn": False})
    state = (await _get(client, path, "2024-10-01"))["chargeState"]
    assert state["pluggedInVehicleId"] is None and state["powerDeliveryState"] == "UNPLUGGED"
    bad = await client.post(
        f"/_mock/chargers/{charger['id']}/plug", json={"pluggedIn": False, "discharging": True}
    )
    problem(bad, 400)
    problem(
        await client.post(
            f"/_mock/chargers/{charger['id']}/plug", json={"pluggedIn": True, "vehicleId": 7}
        ),
        400,
    )


async def test_a_discharging_vehicle_can_be_made_to_charge(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    seeded = _charger(seed, "SN-BOB-QUASAR")
    assert seeded["chargeState"]["powerDeliveryState"] == "PLUGGED_IN:DISCHARGING"
    charger = _charger(seed, "SN-ALICE-WALLCONNECTOR")
    path = f"/chargers/{charger['id']}"
    await client.post(
        f"/_mock/chargers/{charger['id']}/plug", json={"pluggedIn": True, "discharging": True}
    )
    for version in VERSIONS:
        state = (await _get(client, path, version))["chargeState"]
        assert state["powerDeliveryState"] == "PLUGGED_IN:DISCHARGING"
        assert state["isCharging"] is False and state["isPluggedIn"] is True
    stop = (await client.post(f"{path}/charging", json={"action": "STOP"})).json()
    ended = (await client.post(f"/_mock/actions/{stop['id']}/advance")).json()
    assert ended["failureReason"]["type"] == "UNNECESSARY"  # not charging while discharging
    start = (await client.post(f"{path}/charging", json={"action": "START"})).json()
    assert (await client.post(f"/_mock/actions/{start['id']}/advance")).json()[
        "state"
    ] == "CONFIRMED"
    state = (await _get(client, path, "2024-10-01"))["chargeState"]
    assert state["powerDeliveryState"] == "PLUGGED_IN:CHARGING" and state["isCharging"] is True


async def test_user_list_entries_carry_created_at_and_the_granted_scopes(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    alice = seed["users"][0]["id"]
    granted = sorted(
        {
            scope
            for kind in ("batteries", "chargers", "hvacs", "inverters", "meters", "vehicles")
            for record in seed[kind]
            if record["userId"] == alice
            for scope in record.get("scopes", [])
        }
    )
    listed = await _get(client, "/users?pageSize=100", "2024-10-01")
    entry = next(u for u in listed["data"] if u["id"] == alice)
    assert entry == {"id": alice, "createdAt": seed["users"][0]["createdAt"], "scopes": granted}
    assert "createdAt" not in await _get(client, f"/users/{alice}", "2024-10-01")
    # a user created through the link flow is stamped with the mock's clock
    linked = await client.post(
        "/users/newcomer/link",
        json={
            "vendorType": "charger",
            "language": "en-US",
            "scopes": ["charger:read:data"],
            "redirectUri": "https://example.com/done",
        },
    )
    assert linked.status_code == 200, linked.text
    listed = await _get(client, "/users?pageSize=100", "2024-10-01")
    newcomer = next(u for u in listed["data"] if u["id"] == "newcomer")
    assert newcomer["scopes"] == [] and newcomer["createdAt"].startswith("20")


def _battery(seed: dict[str, Any], vendor_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(
        b for b in seed["batteries"] if b["information"]["id"] == vendor_id
    )
    return found


async def test_battery_unknown_mode_idle_capability_and_hem_system_per_version(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    unknown = _battery(seed, "VND-CAROL-SMA")
    assert unknown["config"]["operationMode"] == "UNKNOWN"
    for version in VERSIONS:
        battery = await _get(client, f"/batteries/{unknown['id']}", version)
        newest = version == "2024-10-01"
        assert battery["config"]["operationMode"] == ("UNKNOWN" if newest else None)
        assert ("idle" in battery["capabilities"]) == newest
        assert ("hemSystemId" in battery) == newest
    # IDLE needs capabilities.idle: this battery lacks it, another has it
    path = f"/batteries/{unknown['id']}/operation-mode"
    body = problem(await client.post(path, json={"operationMode": "IDLE"}), 400)
    assert "capabilities.idle" in body["detail"]
    problem(await client.post(path, json={"operationMode": "UNKNOWN"}), 400)  # report-only
    capable = _battery(seed, "VND-ALICE-POWERWALL")
    assert capable["capabilities"]["idle"]["isCapable"] is True
    action = (
        await client.post(
            f"/batteries/{capable['id']}/operation-mode", json={"operationMode": "IDLE"}
        )
    ).json()
    assert (await client.post(f"/_mock/actions/{action['id']}/advance")).json()[
        "state"
    ] == "CONFIRMED"
    battery = await _get(client, f"/batteries/{capable['id']}", "2024-10-01")
    assert battery["config"]["operationMode"] == "IDLE"
    assert battery["chargeState"]["status"] == "IDLE"


async def test_hem_system_ids_and_meter_scopes(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    meter = seed["meters"][0]
    inverter = seed["inverters"][0]
    hem = "0b7c5f3e-6a0e-4d1b-9f43-2f1c8f0a9d11"
    patched = await client.patch(f"/_mock/assets/meters/{meter['id']}", json={"hemSystemId": hem})
    assert patched.status_code == 200, patched.text
    for version in VERSIONS:
        got = await _get(client, f"/meters/{meter['id']}", version)
        assert got["scopes"] == ["meter:read:data", "meter:read:location"]
        assert got.get("hemSystemId", "absent") == (hem if version == "2024-10-01" else "absent")
        got = await _get(client, f"/inverters/{inverter['id']}", version)
        assert got.get("hemSystemId", "absent") == (None if version == "2024-10-01" else "absent")


async def test_hvac_action_target_carries_only_the_setpoints_of_its_mode(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    hvac = next(h for h in seed["hvacs"] if h["information"]["id"] == "HV-ALICE-ALTHERMA")
    assert hvac["vendor"] == "DAIKIN"
    path = f"/hvacs/{hvac['id']}/permanent-hold"
    cool = hvac["capabilities"]["coolSetpointRange"]["min"] + 1
    created = await client.post(path, json={"mode": "COOL", "coolSetpoint": cool})
    assert created.status_code == 200, created.text
    action = created.json()
    assert "targetState" not in action
    assert action["target"] == {"mode": "COOL", "holdType": "PERMANENT", "coolSetpoint": cool}
    for version in VERSIONS:
        got = await _get(client, f"/hvacs/actions/{action['id']}", version)
        assert got["target"] == action["target"]
    await client.post(f"/_mock/actions/{action['id']}/advance")
    state = (await _get(client, f"/hvacs/{hvac['id']}", "2024-10-01"))["thermostatState"]
    assert (state["mode"], state["coolSetpoint"], state["heatSetpoint"]) == ("COOL", cool, None)
    follow = (await client.post(f"/hvacs/{hvac['id']}/follow-schedule")).json()
    assert follow["target"] == {"holdType": "SCHEDULED"}


async def test_account_level_interventions_and_the_link_action(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    account = next(i for i in seed["interventions"] if i["vendor"] is None)
    for version in VERSIONS:
        listed = await client.get("/interventions", headers=v(version))
        assert listed.status_code == 200, listed.text
        got = next(i for i in listed.json() if i["id"] == account["id"])
        assert (got["vendor"], got["vendorType"], got["brand"]) == (None, None, None)
        assert got["resolution"]["action"] == "Link"
        assert all("action" in i["resolution"] for i in listed.json())
    batteries = (await client.get("/interventions?vendorType=battery")).json()
    assert account["id"] not in {i["id"] for i in batteries}
    problem(await client.get("/interventions?language=xx-XX"), 400)


async def test_temperature_schedules_control_an_hvac_unit(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    seeded = next(s for s in seed["schedules"] if s["targetType"] == "hvac")
    bob = seeded["userId"]
    for version in VERSIONS:
        got = await _get(client, f"/schedules/{seeded['id']}", version)
        assert got["defaultTargetState"] == seeded["defaultTargetState"]
        assert "defaultShouldCharge" not in got and "locationId" not in got
    hvac = next(
        h for h in seed["hvacs"] if h["userId"] == bob and h["information"]["id"] == "HV-BOB-ECOBEE"
    )
    body = {
        "targetId": hvac["id"],
        "targetType": "hvac",
        "defaultTargetState": {"holdType": "SCHEDULED"},
        "rules": [
            {
                "weekdays": [5, 6],
                "targetState": {"mode": "HEAT", "heatSetpoint": 20, "holdType": "PERMANENT"},
            }
        ],
    }
    created = await client.post(f"/users/{bob}/schedules", json=body)
    assert created.status_code == 200, created.text
    schedule = created.json()
    assert schedule["isEnabled"] is True and schedule["targetType"] == "hvac"
    listed = (await client.get(f"/users/{bob}/schedules")).json()["data"]
    assert schedule["id"] in {s["id"] for s in listed}
    # enabled, it controls the unit: manual holds are refused until it is disabled
    hold = f"/hvacs/{hvac['id']}/permanent-hold"
    problem(await client.post(hold, json={"mode": "HEAT", "heatSetpoint": 19}), 422)
    updated = await client.put(f"/schedules/{schedule['id']}", json={"isEnabled": False})
    assert updated.status_code == 200 and updated.json()["isEnabled"] is False
    assert (await client.post(hold, json={"mode": "HEAT", "heatSetpoint": 19})).status_code == 200
    # a schedule keeps its kind; the target must be an HVAC unit of the user
    put = f"/schedules/{schedule['id']}"
    problem(await client.put(put, json={"defaultShouldCharge": True}), 400)
    problem(await client.put(put, json={"rules": [{"shouldCharge": True}]}), 400)
    alice_hvac = next(h for h in seed["hvacs"] if h["userId"] != bob)
    problem(
        await client.post(f"/users/{bob}/schedules", json={**body, "targetId": alice_hvac["id"]}),
        400,
    )
    charge = next(s for s in seed["schedules"] if s["targetType"] == "charger")
    problem(
        await client.put(
            f"/schedules/{charge['id']}", json={"defaultTargetState": {"holdType": "SCHEDULED"}}
        ),
        400,
    )
    assert (await client.delete(put)).status_code == 204


async def test_charging_statistics_by_location_and_utc_offset(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    alice = seed["users"][0]["id"]
    home = next(loc for loc in seed["locations"] if loc["userId"] == alice)
    other = next(loc for loc in seed["locations"] if loc["userId"] != alice)
    path = f"/users/{alice}/statistics/charging"
    base = {"startDate": "2024-11-01T00:00:00Z", "endDate": "2024-11-04T00:00:00Z"}
    params = {**base, "type": "charger"}
    everywhere = (await client.get(path, params=params)).json()
    at_home = (await client.get(path, params={**params, "locationId": home["id"]})).json()
    assert [e["date"] for e in at_home] == [e["date"] for e in everywhere]
    assert at_home != everywhere  # a different selection of charging
    elsewhere = (await client.get(path, params={**params, "locationId": other["id"]})).json()
    assert all(e["kwhSum"] == 0 and e["estimatedSavings"] is None for e in elsewhere)
    shifted = (await client.get(path, params={**params, "utcOffset": "-8"})).json()
    assert shifted[0]["date"] == "2024-10-31T08:00:00.000Z"  # local midnight at UTC-8
    assert all(e["date"].endswith("T08:00:00.000Z") for e in shifted)
    hourly = {**params, "resolution": "HOUR", "utcOffset": "5.5"}
    assert (await client.get(path, params=hourly)).json()[0]["date"] == "2024-11-01T00:00:00.000Z"
    problem(await client.get(path, params={**params, "utcOffset": "east"}), 400)
    for entry in everywhere:
        non_smart = entry["nonSmartPrice"]
        if entry["kwhSum"] == 0:
            assert non_smart == {"min": None, "max": None, "mean": None}
        else:
            assert non_smart["mean"] >= entry["price"]["mean"]
