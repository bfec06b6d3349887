"""Faults where reads disagree: a list and a GET, a user's list and its owner, a delete and
later reads (caught by EN3xx)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

from .wire import BEHAVIOUR_ONLY, Call, Exchange, Fault, is_page, query_of

__all__ = ["FAULTS"]

_ASSET_READ = re.compile(r"^/(batteries|chargers|hvacs|inverters|meters)/([^/]+)$")
_USER_LIST = re.compile(r"^/users/([^/]+)/(batteries|chargers|hvacs|inverters|meters)$")
_USER = re.compile(r"^/users/([^/]+)$")


async def _list_get_disagree(exchange: Exchange, call: Call) -> Exchange:
    """A single asset GET reads `lastSeen` an hour later than its list item."""
    exchange = await call(exchange)
    if exchange.method == "GET" and exchange.status == 200 and _ASSET_READ.match(exchange.path):
        body = exchange.json()
        if isinstance(body, dict) and isinstance(body.get("lastSeen"), str):
            seen = datetime.fromisoformat(body["lastSeen"].replace("Z", "+00:00"))
            later = (seen + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
            body["lastSeen"] = later
            exchange.set_json(body)
    return exchange


async def _user_list_leaks(exchange: Exchange, call: Call) -> Exchange:
    """A user's asset list also holds another user's asset (the first of the full list)."""
    exchange = await call(exchange)
    match = _USER_LIST.match(exchange.path)
    if match is None or not is_page(exchange) or query_of(exchange).get("after"):
        return exchange
    everything = await call(Exchange("GET", f"/{match.group(2)}", b"", exchange.headers, b""))
    others = [
        item
        for item in (everything.json() or {}).get("data", [])
        if item.get("userId") != match.group(1)
    ]
    if others:
        body = exchange.json()
        body["data"].append(others[0])
        exchange.set_json(body)
    return exchange


async def _deleted_assets_readable(exchange: Exchange, call: Call) -> Exchange:
    """A deleted user's assets stay readable by their own GET (remembered before the
    delete)."""
    remembered = call.memory("deleted-assets")
    user = _USER.match(exchange.path)
    if exchange.method == "DELETE" and user is not None:
        for kind in (
            "batteries",
            "chargers",
            "hvacs",
            "inverters",
            "meters",
            "vehicles",
            "locations",
        ):
            listed = await call(
                Exchange("GET", f"/{kind}", b"pageSize=1000", exchange.headers, b"")
            )
            for item in (listed.json() or {}).get("data", []) if listed.status == 200 else []:
                if item.get("userId") == user.group(1):
                    remembered[f"/{kind}/{item['id']}"] = json.dumps(item).encode()
    exchange = await call(exchange)
    if exchange.method == "GET" and exchange.status == 404 and exchange.path in remembered:
        exchange.status = 200
        exchange.response_body = remembered[exchange.path]
        exchange.set_content_type("application/json")
    return exchange


FAULTS = (
    Fault(
        "list-get-disagree",
        "a single asset GET reads `lastSeen` an hour later than the list",
        _list_get_disagree,
        ("EN301", "list_get_agree", "disagree on ['lastSeen']"),
        (*BEHAVIOUR_ONLY, "-k", "test_list_get_agree"),
    ),
    Fault(
        "user-list-leaks",
        "a user's asset list also holds another user's asset",
        _user_list_leaks,
        ("EN302", "user_list_filter", "of other users"),
        (*BEHAVIOUR_ONLY, "-k", "test_user_list_filter"),
    ),
    Fault(
        "deleted-assets-readable",
        "a deleted user's assets stay readable by their own GET",
        _deleted_assets_readable,
        ("EN303", "deleted_is_gone", "after the delete"),
        (*BEHAVIOUR_ONLY, "-k", "test_deleted_is_gone"),
    ),
)
