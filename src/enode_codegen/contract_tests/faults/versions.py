"""Faults of version shapes: a field or enum value of another Enode-Version (caught by
EN4xx)."""

from __future__ import annotations

import re

from .wire import BEHAVIOUR_ONLY, Call, Exchange, Fault

__all__ = ["FAULTS"]

_ASSET_READ = re.compile(r"^/(batteries|chargers|hvacs|inverters|meters)/([^/]+)$")


async def _other_version_location(exchange: Exchange, call: Call) -> Exchange:
    """Single asset GETs also carry the older versions' `locationId` beside `location`."""
    exchange = await call(exchange)
    if exchange.method == "GET" and exchange.status == 200 and _ASSET_READ.match(exchange.path):
        body = exchange.json()
        if isinstance(body, dict) and isinstance(body.get("location"), dict):
            body["locationId"] = body["location"].get("id")
            exchange.set_json(body)
    return exchange


async def _old_version_enum_remapped(exchange: Exchange, call: Call) -> Exchange:
    """Before 2024-10-01, a battery operation mode the version does not know (IDLE, which
    it must show as null) reads SELF_RELIANCE."""
    exchange = await call(exchange)
    version = exchange.header("enode-version") or ""
    if (
        exchange.status != 200
        or not exchange.path.startswith("/batteries")
        or (version >= "2024-10-01")
    ):
        return exchange
    body = exchange.json()
    items = body.get("data", [body]) if isinstance(body, dict) else []
    changed = False
    for item in items:
        config = item.get("config") if isinstance(item, dict) else None
        if (
            isinstance(config, dict)
            and "operationMode" in config
            and config["operationMode"] is None
        ):
            config["operationMode"] = "SELF_RELIANCE"
            changed = True
    if changed:
        exchange.set_json(body)
    return exchange


FAULTS = (
    Fault(
        "other-version-location",
        "2024-10-01 asset GETs also carry the older `locationId`",
        _other_version_location,
        ("EN401", "version_shape", "than the version documents (['location'])"),
        (*BEHAVIOUR_ONLY, "-k", "test_versions"),
    ),
    Fault(
        "old-version-enum-remapped",
        "before 2024-10-01 an IDLE battery reads SELF_RELIANCE instead of null",
        _old_version_enum_remapped,
        ("EN402", "version_enum", "'SELF_RELIANCE', expected None"),
        ("--versions", "2023-08-01,2024-10-01", *BEHAVIOUR_ONLY, "-k", "test_versions"),
    ),
)
