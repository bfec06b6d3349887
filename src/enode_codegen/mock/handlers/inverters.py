"""Solar inverter statistics: vendor statistics and (2024-10-01) monthly/daily statistics.

`GET /inverters/{id}/statistics` answers 200 for a period that has ended and 202 (same
shape, the data up to now) for a period that has not: the current day or month.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ..clock import format_timestamp, parse_timestamp
from ..problems import ProblemError
from ..schemas import Issue
from .common import Ctx, Handler, Reply
from .series import buckets, solar_kwh

__all__ = ["HANDLERS"]

MAX_RANGE = timedelta(days=31)


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


def inverter_statistics(ctx: Ctx) -> Reply:
    inverter = ctx.asset("inverter", "inverterId")
    query = ctx.query
    year, month, day = int(query["year"]), int(query["month"]), query.get("day")
    if not 1 <= year <= 9998:  # no production outside the calendar: empty, final or not
        final = year < 1
        return Reply(200 if final else 202, {"production": {"unit": "kWh", "data": []}})
    try:
        start = datetime(year, month, int(day) if day is not None else 1, tzinfo=UTC)
    except ValueError:
        raise _invalid_period("day", f"{year:04d}-{month:02d} has no day {day}") from None
    if day is not None:
        end, resolution = start + timedelta(days=1), "HOUR"
    else:
        end = (
            start.replace(year=year + 1, month=1) if month == 12 else start.replace(month=month + 1)
        )
        resolution = "DAY"
    now = ctx.env.clock.now()
    final = end <= now
    data = [
        {
            "date": format_timestamp(bucket_start),
            "value": solar_kwh(
                inverter.id,
                bucket_start,
                (min(bucket_end, now) - bucket_start).total_seconds() / 3600
                if not final
                else (bucket_end - bucket_start).total_seconds() / 3600,
            ),
        }
        for bucket_start, bucket_end in buckets(start, end, resolution)
        if bucket_start < now
    ]
    return Reply(200 if final else 202, {"production": {"unit": "kWh", "data": data}})


HANDLERS: dict[str, Handler] = {
    "getInverterVendorStatistics": vendor_statistics,
    "getInverterStatistics": inverter_statistics,
}
