"""Concurrent requests never lose an update: at most one PENDING action per target."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx


async def test_fifty_concurrent_actions_on_one_battery(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    battery = seed["batteries"][0]["id"]
    modes = ["IMPORT_FOCUS", "EXPORT_FOCUS", "TIME_OF_USE", "SELF_RELIANCE", "IDLE"]
    responses = await asyncio.gather(
        *(
            client.post(
                f"/batteries/{battery}/operation-mode", json={"operationMode": modes[i % 5]}
            )
            for i in range(50)
        )
    )
    assert all(r.status_code == 200 for r in responses)
    ids = [r.json()["id"] for r in responses]
    assert len(set(ids)) == 50
    states = await asyncio.gather(*(client.get(f"/batteries/actions/{i}") for i in ids))
    actions = [s.json() for s in states]
    pending = [a for a in actions if a["state"] == "PENDING"]
    cancelled = [a for a in actions if a["state"] == "CANCELLED"]
    assert len(pending) == 1
    assert len(cancelled) == 49
    assert all(a["failureReason"]["type"] == "CONFLICT" for a in cancelled)


async def test_concurrent_actions_on_many_targets(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    chargers = [c for c in seed["chargers"] if c["isReachable"]][:2]
    requests = []
    for charger in chargers:
        for amps in range(6, 26):
            requests.append(
                client.post(f"/chargers/{charger['id']}/max-current", json={"maxCurrent": amps})
            )
    responses = await asyncio.gather(*requests)
    ok = [r.json() for r in responses if r.status_code == 200]
    snapshot = (await client.get("/_mock/state")).json()
    for charger in chargers:
        mine = [
            a
            for a in snapshot["actions"]
            if a["targetId"] == charger["id"] and a["id"] in {x["id"] for x in ok}
        ]
        assert sum(a["state"] == "PENDING" for a in mine) <= 1


async def test_concurrent_reads_and_writes(client: httpx.AsyncClient, seed: dict[str, Any]) -> None:
    battery = seed["batteries"][1]["id"]

    async def write(i: int) -> httpx.Response:
        return await client.post(
            f"/batteries/{battery}/operation-mode", json={"operationMode": "SELF_RELIANCE"}
        )

    async def read(i: int) -> httpx.Response:
        return await client.get("/batteries?pageSize=2")

    results = await asyncio.gather(*(write(i) if i % 2 else read(i) for i in range(60)))
    assert all(r.status_code == 200 for r in results)
