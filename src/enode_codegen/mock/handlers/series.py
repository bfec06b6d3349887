"""Deterministic synthetic time series: the same query always gives the same numbers."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from ..problems import ProblemError
from ..schemas import Issue

__all__ = ["MAX_BUCKETS", "buckets", "noise", "solar_kwh"]

MAX_BUCKETS = 1000
_FIXED = {
    "QUARTER_HOUR": timedelta(minutes=15),
    "HALF_HOUR": timedelta(minutes=30),
    "HOUR": timedelta(hours=1),
    "DAY": timedelta(days=1),
    "WEEK": timedelta(days=7),
}
_EPOCH = datetime(1970, 1, 5, tzinfo=UTC)  # a Monday, so weeks start on Mondays


def noise(*parts: object) -> float:
    """A stable pseudo-random number in [0, 1) for `parts`."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0**64


def _floor(moment: datetime, resolution: str) -> datetime:
    if resolution == "YEAR":
        return moment.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    if resolution == "MONTH":
        return moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    step = _FIXED[resolution]
    return _EPOCH + ((moment - _EPOCH) // step) * step


def _next(moment: datetime, resolution: str) -> datetime:
    if resolution == "YEAR":
        return moment.replace(year=moment.year + 1)
    if resolution == "MONTH":
        if moment.month == 12:
            return moment.replace(year=moment.year + 1, month=1)
        return moment.replace(month=moment.month + 1)
    return moment + _FIXED[resolution]


def buckets(start: datetime, end: datetime, resolution: str) -> Iterator[tuple[datetime, datetime]]:
    """(bucket start, bucket end) covering [start, end); 400 for too many or a reversed range."""
    if start > end:
        message = "must not be later than endDate"
        raise ProblemError(
            400, f"query.startDate: {message}", issues=[Issue(message, ("query", "startDate"))]
        )
    current = _floor(start, resolution)
    out: list[tuple[datetime, datetime]] = []
    while True:
        try:
            following = _next(current, resolution)
        except (ValueError, OverflowError):
            break
        out.append((current, following))
        if len(out) > MAX_BUCKETS:
            message = (
                f"the range holds more than {MAX_BUCKETS} {resolution} buckets; "
                "narrow it or choose a coarser resolution"
            )
            raise ProblemError(
                400,
                f"query.resolution: {message}",
                issues=[Issue(message, ("query", "resolution"))],
            )
        if following >= end:
            break
        current = following
    yield from out


def solar_kwh(source: str, start: datetime, hours: float, peak_kw: float = 6.0) -> float:
    """Energy an inverter of `peak_kw` produces from `start` over `hours` (a daylight curve)."""
    total = 0.0
    steps = max(1, math.ceil(hours))
    for step in range(steps):
        moment = start + timedelta(hours=step)
        hour = moment.hour + 0.5
        sun = max(0.0, math.sin(math.pi * (hour - 6.0) / 12.0))
        season = 0.55 + 0.45 * math.cos(2 * math.pi * (moment.timetuple().tm_yday - 172) / 365.0)
        clouds = 0.45 + 0.55 * noise(source, moment.date().isoformat())
        total += peak_kw * sun * season * clouds * min(1.0, hours - step)
    return round(total, 3)
