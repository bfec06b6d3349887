"""Faults of pagination that keep every page schema-valid (caught by EN1xx)."""

from __future__ import annotations

from urllib.parse import urlencode

from .wire import BEHAVIOUR_ONLY, Call, Exchange, Fault, is_page, query_of

__all__ = ["FAULTS"]


async def _page_size_ignored(exchange: Exchange, call: Call) -> Exchange:
    """A valid `pageSize` is ignored: every page has the default size."""
    query = query_of(exchange)
    size = query.get("pageSize", "")
    if exchange.method == "GET" and size.isdigit() and int(size) >= 1:
        del query["pageSize"]
        exchange.query = urlencode(query).encode()
    return await call(exchange)


async def _cursor_repeats(exchange: Exchange, call: Call) -> Exchange:
    """The `after` cursor of a page reached with `after` is that same cursor again."""
    exchange = await call(exchange)
    sent = query_of(exchange).get("after")
    if sent and is_page(exchange):
        body = exchange.json()
        if body["pagination"]["after"] is not None:
            body["pagination"]["after"] = sent
            exchange.set_json(body)
    return exchange


async def _malformed_second_page(exchange: Exchange, call: Call) -> Exchange:
    """Pages reached with `after` lose their items' required `id` (the first page is fine)."""
    exchange = await call(exchange)
    if query_of(exchange).get("after") and is_page(exchange):
        body = exchange.json()
        for item in body["data"]:
            if isinstance(item, dict):
                item.pop("id", None)
        exchange.set_json(body)
    return exchange


FAULTS = (
    Fault(
        "page-size-ignored",
        "a valid `pageSize` is ignored: every page has the default 50 items",
        _page_size_ignored,
        ("EN101", "pagination_page_size", "pageSize=1"),
        (*BEHAVIOUR_ONLY, "-k", "test_pagination"),
    ),
    Fault(
        "cursor-repeats",
        "the `after` cursor of a page reached with `after` is that cursor again",
        _cursor_repeats,
        ("EN102", "pagination_cursor_advances", "was already issued"),
        (*BEHAVIOUR_ONLY, "-k", "test_pagination"),
    ),
    Fault(
        "malformed-second-page",
        "pages after the first lose their items' required `id`",
        _malformed_second_page,
        ("EN107", "pagination_page_shape", '"id" is a required property'),
        (*BEHAVIOUR_ONLY, "-k", "test_pagination"),
    ),
)
