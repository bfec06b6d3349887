"""Integrations and vendor health per asset type, from the seed's vendor catalogue."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from mockhelpers import VERSIONS, problem, v

HEALTH = {
    "chargers": "charger",
    "vehicles": "vehicle",
    "batteries": "battery",
    "inverters": "inverter",
    "hvacs": "hvac",
    "meters": "meter",
}


@pytest.mark.parametrize("version", VERSIONS)
async def test_integrations_list_the_seeded_vendors(
    client: httpx.AsyncClient, seed: dict[str, Any], version: str
) -> None:
    answer = await client.get("/integrations", headers=v(version))
    assert answer.status_code == 200
    listed = {item["vendor"]: item for item in answer.json()}
    assert set(listed) == {vendor["vendor"] for vendor in seed["vendors"]}
    tesla = listed["TESLA"]
    assert "vehicle" in tesla["assetTypes"] and "vehicle:control:charging" in tesla["scopes"]
    # every vendor a seed user linked is an integration providing that asset type
    for user in seed["users"]:
        for linked in user["linkedVendors"]:
            assert linked["vendorType"] in listed[linked["vendor"]]["assetTypes"]


async def test_integrations_filtered_by_asset_type(client: httpx.AsyncClient) -> None:
    hvac_only = (await client.get("/integrations", params={"assetTypes": "hvac"})).json()
    assert hvac_only and all(item["assetTypes"] == ["hvac"] for item in hvac_only)
    assert all(scope.startswith("hvac:") for item in hvac_only for scope in item["scopes"])
    both = (await client.get("/integrations", params={"assetTypes": "hvac,vehicle"})).json()
    assert {item["vendor"] for item in hvac_only} < {item["vendor"] for item in both}
    detail = problem(await client.get("/integrations", params={"assetTypes": "car"}), 400)
    assert "query.assetTypes" in detail["detail"] and "'car'" in detail["detail"]


@pytest.mark.parametrize(("path", "asset_type"), HEALTH.items())
async def test_health_per_asset_type(
    client: httpx.AsyncClient, seed: dict[str, Any], path: str, asset_type: str
) -> None:
    answer = await client.get(f"/health/{path}")
    assert answer.status_code == 200
    expected = sorted(
        vendor["vendor"] for vendor in seed["vendors"] if asset_type in vendor["assetTypes"]
    )
    assert [item["vendor"] for item in answer.json()] == expected


async def test_vendor_status_is_state(client: httpx.AsyncClient) -> None:
    def status_of(items: list[dict[str, Any]], vendor: str) -> tuple[str, str]:
        [item] = [i for i in items if i["vendor"] == vendor]
        return item["status"], item["linkingStatus"]

    assert status_of((await client.get("/health/inverters")).json(), "HUAWEI") == (
        "ELEVATED_ERROR_RATE",
        "READY",
    )
    changed = await client.post("/_mock/vendors/ZAPTEC/status", json={"status": "OUTAGE"})
    assert changed.status_code == 200
    assert status_of((await client.get("/health/chargers")).json(), "ZAPTEC") == (
        "OUTAGE",
        "READY",
    )
    assert status_of((await client.get("/integrations")).json(), "ZAPTEC")[0] == "OUTAGE"
    problem(await client.post("/_mock/vendors/ZAPTEC/status", json={"status": "BAD"}), 400)
    problem(await client.post("/_mock/vendors/NOPE/status", json={"status": "READY"}), 404)


@pytest.mark.parametrize("path", ["/integrations", *(f"/health/{kind}" for kind in HEALTH)])
async def test_vendor_reads_answer_with_and_without_a_token(
    client: httpx.AsyncClient, path: str
) -> None:
    # Enode's published document asks for a token here; the one behind Enode's own SDK
    # (which sends none) does not: both answer the same
    with_token = await client.get(path)
    tokenless = client.build_request("GET", path)
    del tokenless.headers["Authorization"]
    without = await client.send(tokenless)
    assert with_token.status_code == without.status_code == 200
    assert without.json() == with_token.json() != []


async def test_a_token_sent_to_a_vendor_read_must_be_valid(raw: httpx.AsyncClient) -> None:
    bad = {"Authorization": "Bearer not-a-token"}
    problem(await raw.get("/health/chargers", headers=bad), 401)
    problem(await raw.get("/integrations", headers=bad), 401)


async def test_other_reads_still_need_a_token(raw: httpx.AsyncClient) -> None:
    problem(await raw.get("/vehicles"), 401)
