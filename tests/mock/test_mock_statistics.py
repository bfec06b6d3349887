"""Statistics: deterministic synthetic time series, valid for the schema."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from mockhelpers import problem, v


@pytest.mark.parametrize("resolution", ["QUARTER_HOUR", "HOUR", "DAY", "WEEK", "MONTH", "YEAR"])
async def test_charging_statistics(
    client: httpx.AsyncClient, seed: dict[str, Any], resolution: str
) -> None:
    user = seed["users"][0]["id"]
    params = {
        "type": "charger",
        "startDate": "2024-01-01T00:00:00Z",
        "endDate": "2024-01-02T00:00:00Z"
        if resolution in ("QUARTER_HOUR", "HOUR")
        else "2024-06-30T00:00:00Z",
        "resolution": resolution,
    }
    first = await client.get(f"/users/{user}/statistics/charging", params=params)
    assert first.status_code == 200, first.text
    again = await client.get(f"/users/{user}/statistics/charging", params=params)
    assert first.json() == again.json()
    entries = first.json()
    assert entries and entries[0]["date"].startswith(params["startDate"][:4])
    expected = {"QUARTER_HOUR": 96, "HOUR": 24, "MONTH": 6, "YEAR": 1}
    if resolution in expected:
        assert len(entries) == expected[resolution]
    for entry in entries:
        assert entry["kw"]["min"] <= entry["kw"]["mean"] <= entry["kw"]["max"]


async def test_charging_statistics_2023_04_and_errors(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    response = await client.get(
        "/statistics/charging",
        params={"type": "hvac", "startDate": "2024-03-01T00:00:00Z"},
        headers=v("2023-04-01"),
    )
    assert response.status_code == 200 and len(response.json()) == 266  # to the frozen now, by day
    user = seed["users"][0]["id"]
    body = problem(
        await client.get(
            f"/users/{user}/statistics/charging",
            params={
                "type": "charger",
                "startDate": "2020-01-01T00:00:00Z",
                "resolution": "QUARTER_HOUR",
            },
        ),
        400,
    )
    assert "resolution" in body["detail"]
    body = problem(
        await client.get(
            f"/users/{user}/statistics/charging",
            params={
                "type": "charger",
                "startDate": "2024-02-01T00:00:00Z",
                "endDate": "2024-01-01T00:00:00Z",
            },
        ),
        400,
    )
    assert "startDate" in body["detail"]
    problem(
        await client.get(
            "/users/nobody/statistics/charging",
            params={"type": "charger", "startDate": "2024-01-01T00:00:00Z"},
        ),
        404,
    )


async def test_inverter_vendor_statistics(client: httpx.AsyncClient, seed: dict[str, Any]) -> None:
    inverter = seed["inverters"][0]["id"]
    params = {
        "resolution": "HOUR",
        "startDate": "2024-06-21T00:00:00Z",
        "endDate": "2024-06-22T00:00:00Z",
    }
    # the vendor statistics exist before 2024-10-01 only (Enode's statistics guide)
    old = v("2024-01-01")
    url = f"/inverters/{inverter}/vendor-statistics"
    problem(await client.get(url, params=params), 404)
    body = (await client.get(url, params=params, headers=old)).json()
    production = body["production"]
    assert production["unit"] == "kWh" and len(production["data"]) == 24
    values = [p["value"] for p in production["data"]]
    assert values[0] == 0 and max(values) > 0  # night and day
    params["endDate"] = "2024-09-01T00:00:00Z"
    problem(await client.get(url, params=params, headers=old), 400)


async def test_inverter_statistics_final_and_not(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    record = seed["inverters"][0]
    assert record["timezone"] == "Europe/Oslo"
    inverter = record["id"]
    path = f"/inverters/{inverter}/statistics"
    past = await client.get(path, params={"year": 2024, "month": 10})
    assert past.status_code == 200 and "retryAfter" not in past.json()
    body = past.json()
    assert body["timezone"] == "Europe/Oslo" and list(body["resolutions"]) == ["DAY"]
    days = body["resolutions"]["DAY"]["data"]
    assert len(days) == 31 and days[0]["date"] == "2024-10-01T00:00:00+02:00"
    assert days[-1]["date"] == "2024-10-31T00:00:00+01:00"  # summer time ended on the 27th
    assert all(isinstance(d["value"], float) and d["value"] >= 0 for d in days)
    today = await client.get(path, params={"year": 2024, "month": 11, "day": 21})
    assert today.status_code == 202  # the frozen clock is 2024-11-21T12:00Z: not final yet
    quarters = today.json()["resolutions"]["QUARTER_HOUR"]["data"]
    assert len(quarters) == 96 and quarters[0]["date"] == "2024-11-21T00:00:00+01:00"
    known = [q for q in quarters if q["value"] is not None]
    assert len(known) == 13 * 4  # local 00:00 to 13:00 (12:00Z) have started
    assert today.json()["retryAfter"] == "2024-11-21T12:15:00.000Z"
    month = await client.get(path, params={"year": 2024, "month": 11})
    assert month.status_code == 202
    future = await client.get(path, params={"year": 2025, "month": 1})
    assert future.status_code == 202
    assert all(d["value"] is None for d in future.json()["resolutions"]["DAY"]["data"])
    body = problem(await client.get(path, params={"year": 2024, "month": 2, "day": 30}), 400)
    assert "day" in body["detail"]
    problem(await client.get(path, params={"year": 2024, "month": 13}), 400)
    problem(await client.get(path, params={"year": 1968, "month": 1}), 400)
    problem(await client.get(path, params={"year": 3000, "month": 1, "day": 31}), 400)
    problem(await client.get(path, params={"month": 1}), 400)
    problem(
        await client.get(
            f"/inverters/{seed['batteries'][0]['id']}/statistics", params={"year": 2024, "month": 1}
        ),
        404,
    )
