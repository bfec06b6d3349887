"""Charging statistics: a deterministic synthetic time series per user, type, ID and location.

`locationId` selects the charging at one of the user's locations (none at any other
location); the deprecated
`utcOffset` moves DAY, WEEK, MONTH and YEAR bucket boundaries to that offset's midnight.
A bucket without consumption has no non-smart price (null).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..clock import format_timestamp, parse_timestamp
from .common import Ctx, Handler, Reply
from .series import buckets, noise

__all__ = ["HANDLERS"]


def charging_statistics(ctx: Ctx) -> Reply:
    user_id = ctx.path_user().id if "userId" in ctx.path else ctx.context_user_id()
    query = ctx.query
    start = parse_timestamp(query["startDate"])
    end = parse_timestamp(query["endDate"]) if "endDate" in query else ctx.env.clock.now()
    resolution = str(query.get("resolution") or "DAY")
    location_id = query.get("locationId")
    elsewhere = False  # a location that is not the user's has seen none of their charging
    if location_id is not None:
        location = ctx.state.locations.get(str(location_id))
        elsewhere = location is None or location.get("userId") != user_id
    source = f"{user_id}|{query['type']}|{query.get('id', '')}"
    if location_id is not None:
        source += f"|{location_id}"
    offset = timedelta(0)
    if "utcOffset" in query and resolution in ("DAY", "WEEK", "MONTH", "YEAR"):
        offset = timedelta(hours=float(str(query["utcOffset"])))
    entries: list[dict[str, Any]] = []
    for local_start, local_end in buckets(start + offset, end + offset, resolution):
        bucket_start, bucket_end = local_start - offset, local_end - offset
        hours = (bucket_end - bucket_start).total_seconds() / 3600.0
        key = bucket_start.isoformat()
        share = 0.0 if elsewhere else 0.4 * noise(source, key, "share")
        mean_kw = round(7.4 * share, 3)
        price = round(0.08 + 0.3 * noise(source, key, "price"), 4)
        spread = round(0.05 * noise(source, key, "spread"), 4)
        smart = noise(source, key, "smart") > 0.5 and mean_kw > 0
        non_smart = round(price * (1.25 if smart else 1.0), 4)
        kwh = round(mean_kw * hours, 3)
        entries.append(
            {
                "date": format_timestamp(bucket_start),
                "kw": {"min": 0.0, "max": 11.0 if mean_kw > 0 else 0.0, "mean": mean_kw},
                "kwhSum": kwh,
                "price": {
                    "min": max(0.0, round(price - spread, 4)),
                    "max": round(price + spread, 4),
                    "mean": price,
                },
                "nonSmartPrice": {
                    "min": max(0.0, round(non_smart - spread, 4)),
                    "max": round(non_smart + spread, 4),
                    "mean": non_smart,
                }
                if kwh > 0
                else {"min": None, "max": None, "mean": None},
                "costSum": round(kwh * price, 4),
                "estimatedSavings": round(kwh * (non_smart - price), 4) if smart else None,
            }
        )
    return Reply(200, entries)


HANDLERS: dict[str, Handler] = {"getChargingStatistics": charging_statistics}
