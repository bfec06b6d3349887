"""Pagination: opaque cursors, pageSize, every item exactly once in both directions."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from mockhelpers import VERSIONS, problem, v


async def walk(client: httpx.AsyncClient, path: str, version: str, size: int) -> list[str]:
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"pageSize": size}
        if cursor:
            params["after"] = cursor
        body = (await client.get(path, params=params, headers=v(version))).json()
        assert len(body["data"]) <= size
        if pages == 0:
            assert body["pagination"]["before"] is None
        else:
            assert body["pagination"]["before"] is not None
        seen += [item["id"] for item in body["data"]]
        pages += 1
        cursor = body["pagination"]["after"]
        if cursor is None:
            return seen
        assert pages < 500


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("size", [1, 2, 3, 50])
async def test_walk_forward_then_back(
    client: httpx.AsyncClient, seed: dict[str, Any], version: str, size: int
) -> None:
    expected = [b["id"] for b in seed["batteries"]]
    assert await walk(client, "/batteries", version, size) == expected

    # from the last page, walk back with `before`
    body = (await client.get("/batteries", params={"pageSize": size}, headers=v(version))).json()
    while body["pagination"]["after"]:
        body = (
            await client.get(
                "/batteries",
                params={"pageSize": size, "after": body["pagination"]["after"]},
                headers=v(version),
            )
        ).json()
    backwards = [item["id"] for item in body["data"]]
    while body["pagination"]["before"]:
        body = (
            await client.get(
                "/batteries",
                params={"pageSize": size, "before": body["pagination"]["before"]},
                headers=v(version),
            )
        ).json()
        backwards = [item["id"] for item in body["data"]] + backwards
    assert backwards == expected


async def test_other_paginated_lists(client: httpx.AsyncClient, seed: dict[str, Any]) -> None:
    assert await walk(client, "/users", "2024-10-01", 1) == [u["id"] for u in seed["users"]]
    assert await walk(client, "/meters", "2023-04-01", 2) == [m["id"] for m in seed["meters"]]
    for kind in ("chargers", "hvacs", "inverters"):
        assert await walk(client, f"/{kind}", "2023-08-01", 2) == [a["id"] for a in seed[kind]]
    carol = seed["users"][2]["id"]
    expected = [s["id"] for s in seed["schedules"] if s["userId"] == carol]
    assert await walk(client, f"/users/{carol}/schedules", "2024-10-01", 1) == expected


async def test_cursor_rules(client: httpx.AsyncClient) -> None:
    first = (await client.get("/batteries?pageSize=2")).json()
    after = first["pagination"]["after"]
    assert after and after.isascii()
    body = problem(await client.get("/batteries", params={"after": after, "before": after}), 400)
    assert "after" in body["detail"] and "before" in body["detail"]
    problem(await client.get("/batteries", params={"after": "bm90LWEtY3Vyc29y"}), 400)
    problem(await client.get("/batteries", params={"before": "%%%"}), 400)
    problem(await client.get("/batteries", params={"pageSize": "-1"}), 400)


async def test_cursors_survive_deletes(client: httpx.AsyncClient, seed: dict[str, Any]) -> None:
    first = (await client.get("/users?pageSize=2")).json()
    assert [u["id"] for u in first["data"]] == [u["id"] for u in seed["users"][:2]]
    # delete the last user of the first page: the next page still starts after it
    assert (await client.delete(f"/users/{seed['users'][1]['id']}")).status_code == 204
    second = (
        await client.get("/users", params={"pageSize": 2, "after": first["pagination"]["after"]})
    ).json()
    assert [u["id"] for u in second["data"]] == [u["id"] for u in seed["users"][2:4]]
