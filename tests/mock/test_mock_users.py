"""Users: /me (2023-04-01), user management, vendors."""

from __future__ import annotations

from typing import Any

import httpx
from mockhelpers import problem, v


async def test_me_is_the_first_seed_user(client: httpx.AsyncClient, seed: dict[str, Any]) -> None:
    alice = seed["users"][0]
    me = (await client.get("/me", headers=v("2023-04-01"))).json()
    assert me["id"] == alice["id"]
    vendors = [entry["vendor"] for entry in me["linkedVendors"]]
    assert sorted(vendors) == sorted({e["vendor"] for e in alice["linkedVendors"]})
    assert all(set(entry) == {"vendor", "isValid"} for entry in me["linkedVendors"])


async def test_me_for_a_configured_user(make_app: Any, seed: dict[str, Any]) -> None:
    from mockhelpers import fetch_token

    bob = seed["users"][1]["id"]
    app = make_app(current_user=bob)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        client.headers["Authorization"] = f"Bearer {await fetch_token(client)}"
        assert (await client.get("/me", headers=v("2023-04-01"))).json()["id"] == bob
        unknown = await client.get("/me", headers={**v("2023-04-01"), "Enode-User-Id": "stranger"})
        assert unknown.json() == {"id": "stranger", "linkedVendors": []}


async def test_users(client: httpx.AsyncClient, seed: dict[str, Any]) -> None:
    listed = (await client.get("/users?pageSize=500", headers=v("2023-08-01"))).json()
    assert [u["id"] for u in listed["data"]] == [u["id"] for u in seed["users"]]
    assert all(set(u) == {"id", "createdAt", "scopes"} for u in listed["data"])
    assert [u["createdAt"] for u in listed["data"]] == [u["createdAt"] for u in seed["users"]]
    bob = seed["users"][1]
    user = (await client.get(f"/users/{bob['id']}")).json()
    assert user == {"id": bob["id"], "linkedVendors": bob["linkedVendors"]}
    problem(await client.get("/users/nobody"), 404)
    problem(await client.delete("/users/nobody"), 404)


async def test_disconnect_vendor_removes_its_assets(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    alice = seed["users"][0]["id"]
    before = (await client.get(f"/users/{alice}/batteries")).json()["data"]
    assert {b["vendor"] for b in before} == {"TESLA", "ENPHASE"}
    assert (await client.delete(f"/users/{alice}/vendors/ENPHASE")).status_code == 204
    after = (await client.get(f"/users/{alice}/batteries")).json()["data"]
    assert {b["vendor"] for b in after} == {"TESLA"}
    assert all(
        i["vendor"] != "ENPHASE"
        for i in (await client.get(f"/users/{alice}/inverters")).json()["data"]
    )
    user = (await client.get(f"/users/{alice}")).json()
    assert "ENPHASE" not in {e["vendor"] for e in user["linkedVendors"]}
    problem(await client.delete(f"/users/{alice}/vendors/ENPHASE"), 404)
    problem(await client.delete(f"/users/{alice}/vendors/NOKIA"), 400)


async def test_disconnect_my_vendor(client: httpx.AsyncClient) -> None:
    headers = v("2023-04-01")
    assert (await client.delete("/me/vendors/TESLA", headers=headers)).status_code == 204
    me = (await client.get("/me", headers=headers)).json()
    assert "TESLA" not in [e["vendor"] for e in me["linkedVendors"]]
    problem(await client.delete("/me/vendors/TESLA", headers=headers), 404)


async def test_delete_user(client: httpx.AsyncClient, seed: dict[str, Any]) -> None:
    carol = seed["users"][2]["id"]
    assert (await client.delete(f"/users/{carol}")).status_code == 204
    problem(await client.get(f"/users/{carol}"), 404)
    problem(await client.get(f"/users/{carol}/chargers"), 404)
    remaining = (await client.get("/chargers")).json()["data"]
    assert carol not in {c["userId"] for c in remaining}
    schedules = [s for s in seed["schedules"] if s["userId"] == carol]
    problem(await client.get(f"/schedules/{schedules[0]['id']}"), 404)
