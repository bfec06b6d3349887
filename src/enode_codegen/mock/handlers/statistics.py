"""Charging statistics: a deterministic synthetic time series per user, type and ID."""

from __future__ import annotations

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
    source = f"{user_id}|{query['type']}|{query.get('id', '')}"
    entries: list[dict[str, Any]] = []
    for bucket_start, bucket_end in buckets(start, end, resolution):
        hours = (bucket_end - bucket_start).total_seconds() / 3600.0
        key = bucket_start.isoformat()
        share = 0.4 * noise(source, key, "share")
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
                },
                "costSum": round(kwh * price, 4),
                "estimatedSavings": round(kwh * (non_smart - price), 4) if smart else None,
            }
        )
    return Reply(200, entries)


HANDLERS: dict[str, Handler] = {"getChargingStatistics": charging_statistics}
