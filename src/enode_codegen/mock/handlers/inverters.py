"""Solar inverter statistics: vendor statistics and (2024-10-01) monthly/daily statistics.

`GET /inverters/{id}/statistics` answers 200 for a period that has ended and 202 (the data
up to now, null after it, and `retryAfter`) for a period that has not: the current day or
month, in the inverter's local time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..clock import format_timestamp, parse_timestamp
from ..problems import ProblemError
from ..schemas import Issue
from .common import Ctx, Handler, Reply
from .series import buckets, solar_kwh

__all__ = ["HANDLERS"]

MAX_RANGE = timedelta(days=31)
RETRY_AFTER = timedelta(minutes=15)  # how soon a not-final period is worth asking again


def vendor_statistics(ctx: Ctx) -> Reply:
    inverter = ctx.asset("inverter", "inverterId")
    query = ctx.query
    start = parse_timestamp(query["startDate"])
    end = parse_timestamp(query["endDate"]) if "endDate" in query else ctx.env.clock.now()
    if end - start > MAX_RANGE:
        message = "only 1 month (31 days) of data can be queried at a time"
        raise ProblemError(
            400, f"query.endDate: {message}", issues=[Issue(message, ("query", "endDate"))]
        )
    resolution = str(query["resolution"])
    data = [
        {
            "date": format_timestamp(bucket_start),
            "value": solar_kwh(
                inverter.id, bucket_start, (bucket_end - bucket_start).total_seconds() / 3600
            ),
        }
        for bucket_start, bucket_end in buckets(start, end, resolution)
    ]
    return Reply(200, {"production": {"unit": "kWh", "data": data}})


def _invalid_period(field: str, message: str) -> ProblemError:
    return ProblemError(400, f"query.{field}: {message}", issues=[Issue(message, ("query", field))])


def _zone(name: object) -> tuple[str, tzinfo]:
    """The inverter's IANA time zone (UTC when it has none or an unknown one)."""
    if isinstance(name, str) and name:
        try:
            return name, ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return "UTC", UTC


def inverter_statistics(ctx: Ctx) -> Reply:
    """A month (DAY buckets) or a day (QUARTER_HOUR buckets) in the inverter's local time;
    buckets that have not started yet are null, and the answer is 202 with `retryAfter`
    until the period has ended."""
    inverter = ctx.asset("inverter", "inverterId")
    query = ctx.query
    year, month, day = int(query["year"]), int(query["month"]), query.get("day")
    zone_name, zone = _zone(inverter.record.get("timezone"))
    try:
        start = datetime(year, month, int(day) if day is not None else 1, tzinfo=zone)
    except ValueError:
        raise _invalid_period("day", f"{year:04d}-{month:02d} has no day {day}") from None
    if day is not None:
        end, step, resolution = start + timedelta(days=1), timedelta(minutes=15), "QUARTER_HOUR"
    else:
        end = (
            start.replace(year=year + 1, month=1) if month == 12 else start.replace(month=month + 1)
        )
        step, resolution = timedelta(days=1), "DAY"
    now = ctx.env.clock.now()
    data: list[dict[str, Any]] = []
    bucket = start
    while bucket < end:  # wall-clock steps: a local day is one bucket even across DST
        following = min(bucket + step, end)
        value = None
        if bucket < now:
            hours = (min(following, now) - bucket).total_seconds() / 3600
            value = solar_kwh(inverter.id, bucket, hours)  # the sun follows local time
        data.append({"date": bucket.isoformat(timespec="seconds"), "value": value})
        bucket = following
    body: dict[str, Any] = {
        "timezone": zone_name,
        "resolutions": {resolution: {"unit": "kWh", "data": data}},
    }
    if end <= now:
        return Reply(200, body)
    body["retryAfter"] = format_timestamp(min(now + RETRY_AFTER, end))
    return Reply(202, body)


HANDLERS: dict[str, Handler] = {
    "getInverterVendorStatistics": vendor_statistics,
    "getInverterStatistics": inverter_statistics,
}
