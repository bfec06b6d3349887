"""The admin API: reset, state, clock, asset changes, violations."""

from __future__ import annotations

from typing import Any

import httpx
from mockhelpers import problem


async def test_reset_restores_the_seed(client: httpx.AsyncClient, seed: dict[str, Any]) -> None:
    before = (await client.get("/_mock/state")).json()
    battery = seed["batteries"][0]["id"]
    action = (
        await client.post(f"/batteries/{battery}/operation-mode", json={"operationMode": "IDLE"})
    ).json()
    await client.post(f"/_mock/actions/{action['id']}/advance")
    await client.delete(f"/users/{seed['users'][1]['id']}")
    await client.post(
        f"/_mock/assets/chargers/{seed['chargers'][0]['id']}/reachable", json={"isReachable": False}
    )
    await client.post("/_mock/clock/advance", json={"seconds": 60})
    await client.post("/_mock/health", json={"ready": False})
    created = await client.post(
        f"/users/{seed['users'][0]['id']}/schedules",
        json={"defaultShouldCharge": True, "rules": [], "targetId": "car"},
    )
    assert created.status_code == 200
    changed = (await client.get("/_mock/state")).json()
    assert changed != before

    assert (await client.post("/_mock/reset")).status_code == 204
    after = (await client.get("/_mock/state")).json()
    before.pop("revision")
    after.pop("revision")
    assert after == before
    assert (await client.get(f"/batteries/{battery}")).json()["config"][
        "operationMode"
    ] == "SELF_RELIANCE"
    problem(await client.get(f"/batteries/actions/{action['id']}"), 404)
    assert (await client.get("/health/ready")).status_code == 204
    # IDs are deterministic: the first ID after a reset is the first ID after the start
    again = await client.post(
        f"/users/{seed['users'][0]['id']}/schedules",
        json={"defaultShouldCharge": True, "rules": [], "targetId": "car"},
    )
    assert again.json()["id"] == action["id"]


async def test_state_lists_everything(raw: httpx.AsyncClient, seed: dict[str, Any]) -> None:
    state = (await raw.get("/_mock/state")).json()
    for key in (
        "batteries",
        "chargers",
        "hvacs",
        "inverters",
        "meters",
        "schedules",
        "interventions",
        "locations",
    ):
        assert [x["id"] for x in state[key]] == [x["id"] for x in seed[key]]
    assert [a["id"] for a in state["actions"]] == [a["id"] for a in seed["actions"]]


async def test_patch_asset(client: httpx.AsyncClient, seed: dict[str, Any]) -> None:
    meter = seed["meters"][0]["id"]
    response = await client.patch(
        f"/_mock/assets/meters/{meter}", json={"energyState": {"power": -4.2}}
    )
    assert response.status_code == 200
    assert response.json()["energyState"] == {
        "power": -4.2,
        "lastUpdated": seed["meters"][0]["energyState"]["lastUpdated"],
    }
    assert (await client.get(f"/meters/{meter}")).json()["energyState"]["power"] == -4.2
    # the patched record must stay valid for the newest version
    problem(await client.patch(f"/_mock/assets/meters/{meter}", json={"vendor": "ACME"}), 400)
    problem(await client.patch(f"/_mock/assets/meter/{meter}", json={"isReachable": None}), 400)
    assert (await client.get(f"/meters/{meter}")).json()["vendor"] == seed["meters"][0]["vendor"]


async def test_singular_and_plural_types(raw: httpx.AsyncClient, seed: dict[str, Any]) -> None:
    inverter = seed["inverters"][0]["id"]
    for kind in ("inverter", "inverters"):
        response = await raw.post(
            f"/_mock/assets/{kind}/{inverter}/reachable", json={"isReachable": False}
        )
        assert response.status_code == 200
    problem(
        await raw.post(
            f"/_mock/assets/inverters/{inverter}/schedule-control", json={"controlled": True}
        ),
        400,
    )


async def test_violations_endpoint(raw: httpx.AsyncClient) -> None:
    assert (await raw.get("/_mock/violations")).json() == []
    assert (await raw.delete("/_mock/violations")).status_code == 204


async def test_clock(raw: httpx.AsyncClient) -> None:
    response = await raw.post("/_mock/clock/advance", json={"seconds": 90})
    assert response.json() == {"now": "2024-11-21T12:01:30.000Z"}
