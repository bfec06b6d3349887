"""Every asset type's list and get, per version, with the shapes that differ."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from mockhelpers import VERSIONS, problem, v

KINDS = {  # kind -> (path, seed key)
    "battery": ("batteries", "batteries"),
    "charger": ("chargers", "chargers"),
    "hvac": ("hvacs", "hvacs"),
    "inverter": ("inverters", "inverters"),
    "meter": ("meters", "meters"),
}
ID_LISTS_2023_04 = {"charger", "hvac", "inverter"}


def location_key(version: str, kind: str) -> str:
    """The name of the location field an asset has in `version`."""
    if kind == "meter" or version == "2024-10-01":
        return "location"
    if version == "2023-04-01":
        return "locationId" if kind == "battery" else "chargingLocationId"
    return "locationId"


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("kind", KINDS)
async def test_list_shape(
    client: httpx.AsyncClient, seed: dict[str, Any], version: str, kind: str
) -> None:
    path, key = KINDS[kind]
    response = await client.get(f"/{path}", headers=v(version))
    assert response.status_code == 200, response.text
    body = response.json()
    if version == "2023-04-01" and kind in ID_LISTS_2023_04:
        alice = seed["users"][0]["id"]  # the default context user: the first seed user
        assert body == [a["id"] for a in seed[key] if a["userId"] == alice]
        return
    assert set(body) == {"data", "pagination"}
    # the seed holds more than one default page (50) of every kind: the first page, then
    # the rest behind its `after` cursor
    expected = [a["id"] for a in seed[key]]
    assert len(expected) > 50
    assert [item["id"] for item in body["data"]] == expected[:50]
    assert body["pagination"]["before"] is None and body["pagination"]["after"]
    rest = await client.get(
        f"/{path}", params={"after": body["pagination"]["after"]}, headers=v(version)
    )
    assert [item["id"] for item in rest.json()["data"]] == expected[50:]
    assert rest.json()["pagination"]["after"] is None


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("kind", KINDS)
async def test_get_every_asset(
    client: httpx.AsyncClient, seed: dict[str, Any], version: str, kind: str
) -> None:
    path, key = KINDS[kind]
    for record in seed[key]:
        response = await client.get(f"/{path}/{record['id']}", headers=v(version))
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["id"] == record["id"] and body["userId"] == record["userId"]
        field = location_key(version, kind)
        location_fields = {"location", "locationId", "chargingLocationId"} & set(body)
        assert location_fields == {field}
        if field == "location":
            assert body["location"] == record["location"]
        else:
            assert body[field] == record["location"]["id"]


async def test_version_specific_fields(client: httpx.AsyncClient, seed: dict[str, Any]) -> None:
    inverter = seed["inverters"][0]
    for version in VERSIONS:
        body = (await client.get(f"/inverters/{inverter['id']}", headers=v(version))).json()
        assert ("sn" in body["information"]) == (version == "2024-10-01")


async def test_values_older_versions_cannot_name_become_null(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    idle = next(b for b in seed["batteries"] if b["config"]["operationMode"] == "IDLE")
    unknown = next(h for h in seed["hvacs"] if h["thermostatState"]["mode"] == "UNKNOWN")
    for version in VERSIONS:
        battery = (await client.get(f"/batteries/{idle['id']}", headers=v(version))).json()
        hvac = (await client.get(f"/hvacs/{unknown['id']}", headers=v(version))).json()
        if version == "2024-10-01":
            assert battery["config"]["operationMode"] == "IDLE"
            assert hvac["thermostatState"]["mode"] == "UNKNOWN"
            assert "mode" not in hvac  # the deprecated top-level copy is gone (S1)
        else:
            assert battery["config"]["operationMode"] is None
            assert hvac["thermostatState"]["mode"] is None
            assert hvac["mode"] is None


@pytest.mark.parametrize("version", VERSIONS[1:])
@pytest.mark.parametrize("kind", KINDS)
async def test_user_lists_only_show_that_users_assets(
    client: httpx.AsyncClient, seed: dict[str, Any], version: str, kind: str
) -> None:
    path, key = KINDS[kind]
    for user in seed["users"]:
        response = await client.get(
            f"/users/{user['id']}/{path}", params={"pageSize": 500}, headers=v(version)
        )
        assert response.status_code == 200, response.text
        ids = [item["id"] for item in response.json()["data"]]
        assert ids == [a["id"] for a in seed[key] if a["userId"] == user["id"]]
    problem(await client.get(f"/users/no-such-user/{path}", headers=v(version)), 404)


async def test_2023_04_user_lists_for_batteries_and_meters(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    bob = seed["users"][1]["id"]
    for path in ("batteries", "meters"):
        body = (await client.get(f"/users/{bob}/{path}", headers=v("2023-04-01"))).json()
        assert {item["userId"] for item in body["data"]} == {bob}


async def test_2023_04_id_lists_follow_the_user_header(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    carol = seed["users"][2]["id"]
    headers = {**v("2023-04-01"), "Enode-User-Id": carol}
    ids = (await client.get("/chargers", headers=headers)).json()
    assert ids == [c["id"] for c in seed["chargers"] if c["userId"] == carol]
    me = (await client.get("/me", headers=headers)).json()
    assert me["id"] == carol


async def test_2023_04_field_parameter_is_accepted(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    charger = seed["chargers"][0]["id"]
    response = await client.get(
        f"/chargers/{charger}?field=chargeState&field=information", headers=v("2023-04-01")
    )
    assert response.status_code == 200


@pytest.mark.parametrize("kind", KINDS)
async def test_unknown_asset_is_404_and_refresh_hints(
    client: httpx.AsyncClient, seed: dict[str, Any], kind: str
) -> None:
    path, key = KINDS[kind]
    missing = "00000000-0000-4000-8000-000000000000"
    problem(await client.get(f"/{path}/{missing}"), 404)
    problem(await client.post(f"/{path}/{missing}/refresh-hint"), 404)
    response = await client.post(f"/{path}/{seed[key][0]['id']}/refresh-hint")
    assert response.status_code == 204
    assert response.content == b""


async def test_interventions(client: httpx.AsyncClient, seed: dict[str, Any]) -> None:
    everything = (await client.get("/interventions")).json()
    assert [i["id"] for i in everything] == [i["id"] for i in seed["interventions"]]
    batteries = (await client.get("/interventions?vendorType=battery")).json()
    assert batteries and all(i["vendorType"] == "battery" for i in batteries)
    enphase = (await client.get("/interventions?vendor=ENPHASE&language=nb-NO")).json()
    assert enphase and all(i["vendor"] == "ENPHASE" for i in enphase)
    # the vendor filter takes the vendor enum (Enode's 2024-10-01 document), as spelled
    problem(await client.get("/interventions?vendor=enphase"), 400)
    one = await client.get(f"/interventions/{enphase[0]['id']}?vendor=ENPHASE&vendorType=battery")
    assert one.status_code == 200 and one.json()["id"] == enphase[0]["id"]
    first = seed["interventions"][0]
    assert (await client.get(f"/interventions/{first['id']}")).json()["id"] == first["id"]
    problem(await client.get("/interventions/00000000-0000-4000-8000-000000000000"), 404)
    problem(await client.get("/interventions?vendorType=toaster"), 400)
