"""Charging sessions: deterministic synthetic sessions of the user's assets of one type.

Each asset of the requested `type` (only `id` when given; only assets at `locationId`
when given) has at most one evening session per UTC day from `startDate` to `endDate`
(default now), drawn from a stable hash of the asset and the day, so the same query always
answers the same sessions. Sessions that have not ended by `endDate` are left out.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..clock import format_timestamp, parse_timestamp
from .common import Ctx, Handler, Reply
from .series import buckets, noise

__all__ = ["HANDLERS"]


def _session(asset_id: str, location_id: Any, day_start: Any) -> dict[str, Any] | None:
    key = day_start.date().isoformat()
    if noise(asset_id, key, "charged") < 0.35:
        return None
    start = day_start + timedelta(hours=17, minutes=int(300 * noise(asset_id, key, "start")))
    hours = 1.0 + 4.0 * noise(asset_id, key, "hours")
    end = start + timedelta(minutes=round(hours * 60))
    mean_kw = round(3.0 + 8.0 * noise(asset_id, key, "kw"), 3)
    price = round(0.08 + 0.3 * noise(asset_id, key, "price"), 4)
    spread = round(0.05 * noise(asset_id, key, "spread"), 4)
    kwh = round(mean_kw * hours, 3)
    smart = noise(asset_id, key, "smart") > 0.5
    non_smart = round(price * 1.25, 4) if smart else None
    return {
        "id": asset_id,
        "locationId": location_id,
        "from": format_timestamp(start),
        "to": format_timestamp(end),
        "kw": {"min": 0.0, "max": round(mean_kw * 1.1, 3), "mean": mean_kw},
        "kwhSum": kwh,
        "price": {
            "min": max(0.0, round(price - spread, 4)),
            "max": round(price + spread, 4),
            "mean": price,
        },
        "costSum": round(kwh * price, 4),
        "nonSmartPrice": {
            "min": None if non_smart is None else max(0.0, round(non_smart - spread, 4)),
            "max": None if non_smart is None else round(non_smart + spread, 4),
            "mean": non_smart,
        },
        "estimatedSavings": None if non_smart is None else round(kwh * (non_smart - price), 4),
    }


def charging_sessions(ctx: Ctx) -> Reply:
    user_id = ctx.path_user().id if "userId" in ctx.path else ctx.context_user_id()
    query = ctx.query
    start = parse_timestamp(query["startDate"])
    end = parse_timestamp(query["endDate"]) if "endDate" in query else ctx.env.clock.now()
    days = list(buckets(start, end, "DAY"))  # 400 for a reversed or too long range
    assets = [
        asset
        for asset in ctx.state.assets.get(str(query["type"]), {}).values()
        if asset.user_id == user_id and ("id" not in query or asset.id == str(query["id"]))
    ]
    sessions: list[dict[str, Any]] = []
    for asset in assets:
        location_id = (asset.record.get("location") or {}).get("id")
        if "locationId" in query and location_id != str(query["locationId"]):
            continue
        for day_start, _ in days:
            session = _session(asset.id, location_id, day_start)
            if session is None:
                continue
            if parse_timestamp(session["from"]) < start or parse_timestamp(session["to"]) > end:
                continue
            sessions.append(session)
    sessions.sort(key=lambda s: (s["from"], s["id"]))
    return Reply(200, sessions)


HANDLERS: dict[str, Handler] = {"getChargingSessionsStatistics": charging_sessions}
