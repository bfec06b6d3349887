"""HEM systems (2024-10-01 only): the seeded systems, energy today, and statistics."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from mockhelpers import problem, v

ALICE_HEM = "c6a1f0d2-3b7e-4c59-8a14-2f6d9e0b7a31"  # with a battery, Europe/Oslo
BOB_HEM = "0d3e5b8c-91a4-4f27-b6c2-7e84a1d95f60"  # without a battery
BOB = "91ce5c7a-f93f-5592-8869-f391a1f44d21"


async def test_lists_and_get(client: httpx.AsyncClient, seed: dict[str, Any]) -> None:
    listed = (await client.get("/hem-systems")).json()["data"]
    assert [h["id"] for h in listed] == [h["id"] for h in seed["hemSystems"]]
    mine = (await client.get(f"/users/{BOB}/hem-systems")).json()["data"]
    assert [h["id"] for h in mine] == [BOB_HEM, "a4f9e2c7-6b1d-4d85-8e3a-0c7b5f9d2a16"]
    alice = (await client.get(f"/hem-systems/{ALICE_HEM}")).json()
    today = alice["status"]["energy"]["today"]
    # frozen at 2024-11-21 12:00 UTC = 13:00 in Oslo: 52 quarter hours so far
    assert today["lastUpdated"] == "2024-11-21T12:00:00.000Z" == alice["status"]["lastSeen"]
    assert today["generation"] > 0 and today["unit"] == "kWh"
    balance = today["generation"] + today["import"] + today["discharge"]
    spent = today["consumption"] + today["export"] + today["charge"]
    assert balance == pytest.approx(spent, abs=0.01)
    bob = (await client.get(f"/hem-systems/{BOB_HEM}")).json()["status"]["energy"]["today"]
    assert bob["charge"] is None and bob["discharge"] is None
    problem(await client.get("/hem-systems/4eaeb363-296d-4ccc-a973-7805e6f400bd"), 404)
    problem(await client.get("/users/nobody/hem-systems"), 404)


@pytest.mark.parametrize("version", ["2023-04-01", "2023-08-01", "2024-01-01"])
async def test_only_in_2024_10_01(client: httpx.AsyncClient, version: str) -> None:
    detail = problem(await client.get("/hem-systems", headers=v(version)), 404)["detail"]
    assert "2024-10-01" in detail


async def test_day_statistics(client: httpx.AsyncClient) -> None:
    answer = await client.get(
        f"/hem-systems/{ALICE_HEM}/statistics", params={"interval": "2024-11-20"}
    )
    assert answer.status_code == 200, answer.text
    series = answer.json()["timeseries"]
    generation = series["generation"]
    assert generation["unit"] == "kW" and generation["sampling"]["resolution"] == "PT15M"
    assert generation["timezone"] == "Europe/Oslo" and len(generation["data"]) == 96
    assert generation["data"][0]["t"] == "2024-11-20T00:00:00+01:00"
    assert generation["data"][0]["v"] == 0.0  # no sun at midnight
    assert max(p["v"] for p in generation["data"]) > 0
    levels = [p["v"] for p in series["batteryLevel"]["data"]]
    assert levels[0] <= 100 and all(5 <= level <= 100 for level in levels)
    again = await client.get(
        f"/hem-systems/{ALICE_HEM}/statistics", params={"interval": "2024-11-20"}
    )
    assert again.json() == answer.json()
    bob = (
        await client.get(f"/hem-systems/{BOB_HEM}/statistics", params={"interval": "2024-11-20"})
    ).json()
    assert bob["timeseries"]["charge"]["isAvailable"] is False
    assert bob["timeseries"]["batteryLevel"]["isAvailable"] is False
    # today: only the buckets that have ended (frozen at 13:00 local)
    today = (
        await client.get(f"/hem-systems/{ALICE_HEM}/statistics", params={"interval": "2024-11-21"})
    ).json()
    assert len(today["timeseries"]["generation"]["data"]) == 52


async def test_month_statistics(client: httpx.AsyncClient) -> None:
    month = (
        await client.get(f"/hem-systems/{ALICE_HEM}/statistics", params={"interval": "2024-10"})
    ).json()
    consumption = month["timeseries"]["consumption"]
    assert consumption["unit"] == "kWh" and consumption["sampling"]["resolution"] == "P1D"
    assert (
        len(consumption["data"]) == 31
        and consumption["data"][0]["t"] == "2024-10-01T00:00:00+02:00"
    )
    assert month["timeseries"]["batteryLevel"]["isAvailable"] is False
    day = (
        await client.get(f"/hem-systems/{ALICE_HEM}/statistics", params={"interval": "2024-10-05"})
    ).json()
    quarter_kw = [p["v"] for p in day["timeseries"]["consumption"]["data"]]
    assert consumption["data"][4]["v"] == pytest.approx(sum(quarter_kw) / 4, abs=0.01)
    current = (
        await client.get(f"/hem-systems/{ALICE_HEM}/statistics", params={"interval": "2024-11"})
    ).json()
    assert len(current["timeseries"]["generation"]["data"]) == 21  # up to today


async def test_intervals_without_statistics(client: httpx.AsyncClient) -> None:
    path = f"/hem-systems/{BOB_HEM}/statistics"  # installed 2024-04-15
    before = problem(await client.get(path, params={"interval": "2024-03"}), 422)
    assert before["type"].endswith("/hem-system-statistics-not-available")
    problem(await client.get(path, params={"interval": "2024-11-22"}), 422)  # tomorrow
    assert (await client.get(path, params={"interval": "2024-04"})).status_code == 200
    problem(await client.get(path, params={"interval": "2024-02-30"}), 400)
    problem(await client.get(path, params={"interval": "20241120"}), 400)


async def test_deauthorized_user_loses_its_hem_systems(client: httpx.AsyncClient) -> None:
    assert (await client.delete(f"/users/{BOB}/authorization")).status_code == 204
    problem(await client.get(f"/hem-systems/{BOB_HEM}"), 404)
    assert (await client.get(f"/users/{BOB}/hem-systems")).json()["data"] == []
