"""Cursor pagination: pages follow `after`, keep `pageSize`, never send both cursors."""

from __future__ import annotations

import httpx
import pytest
from conftest import FakeEnode, MakeClient, collect, resolve

from enode_codegen.runtime import AsyncPage, SyncPage

PAGES = {
    None: (["b1", "b2"], "c1"),
    "c1": (["b3", "b4"], "c2"),
    "c2": (["b5"], None),
}


def serve_pages(request: httpx.Request) -> httpx.Response:
    ids, after = PAGES[request.url.params.get("after")]
    return httpx.Response(
        200,
        json={
            "data": [{"id": i, "chargeState": "IDLE"} for i in ids],
            "pagination": {"after": after, "before": "prev" if ids[0] != "b1" else None},
        },
    )


async def test_iterating_walks_all_three_pages(fake: FakeEnode, make_client: MakeClient) -> None:
    fake.on("GET", "/batteries", serve_pages)
    client = make_client()

    page = await resolve(client.batteries.list_batteries(page_size=2))
    batteries = await collect(page)

    assert isinstance(page, SyncPage | AsyncPage)
    assert [b.id for b in batteries] == ["b1", "b2", "b3", "b4", "b5"]
    queries = [dict(r.url.params) for r in fake.api_requests]
    assert queries == [
        {"pageSize": "2"},
        {"pageSize": "2", "after": "c1"},
        {"pageSize": "2", "after": "c2"},
    ]


async def test_next_page_by_hand(fake: FakeEnode, make_client: MakeClient) -> None:
    fake.on("GET", "/batteries", serve_pages)
    client = make_client()

    first = await resolve(client.batteries.list_batteries())
    assert [b.id for b in first.data] == ["b1", "b2"]
    assert first.pagination.after == "c1"
    assert first.has_next_page()
    second = await resolve(first.next_page())
    third = await resolve(second.next_page())

    assert [b.id for b in third.data] == ["b5"]
    assert not third.has_next_page()
    with pytest.raises(LookupError):
        await resolve(third.next_page())
    assert len(fake.api_requests) == 3


async def test_next_page_after_a_before_cursor_drops_before(
    fake: FakeEnode, make_client: MakeClient
) -> None:
    fake.on(
        "GET",
        "/batteries",
        httpx.Response(
            200,
            json={
                "data": [{"id": "b3", "chargeState": "IDLE"}],
                "pagination": {"after": "c2", "before": "c0"},
            },
        ),
    )
    client = make_client()

    page = await resolve(client.batteries.list_batteries(page_size=1, before="c3"))
    await resolve(page.next_page())

    assert dict(fake.api_requests[0].url.params) == {"pageSize": "1", "before": "c3"}
    assert dict(fake.api_requests[1].url.params) == {"pageSize": "1", "after": "c2"}


async def test_empty_page_ends_iteration_even_with_a_cursor(
    fake: FakeEnode, make_client: MakeClient
) -> None:
    fake.on(
        "GET",
        "/batteries",
        httpx.Response(200, json={"data": [], "pagination": {"after": "c1", "before": None}}),
    )
    client = make_client()

    page = await resolve(client.batteries.list_batteries())

    assert await collect(page) == []
    assert not page.has_next_page()
    assert len(fake.api_requests) == 1


async def test_plain_array_lists_return_lists(fake: FakeEnode, make_client: MakeClient) -> None:
    fake.on("GET", "/battery-ids", httpx.Response(200, json=["b1", "b2"]))
    client = make_client()

    assert await resolve(client.batteries.list_battery_ids()) == ["b1", "b2"]
