"""HEM systems (2024-10-01): the seeded systems, their energy today and their statistics.

Energy flows are synthetic and deterministic per system and moment: solar generation
follows a daylight curve (series.solar_kwh, the system's `peakKw`), household consumption
a noisy base load; with a battery (seed `mock.battery`), surplus solar charges it (10 kWh,
from 40 % at local midnight) and a deficit discharges it; the rest is exported or imported.
`status.energy.today` sums today's flows up to the mock's clock. Statistics of a day are
15-minute buckets of average power (kW) plus the battery level (%); of a month, daily
energy (kWh). An interval before the installation date or after today is a 422; an
impossible date is a 400; a system without a battery reports its battery series as not
available.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from ..clock import format_timestamp
from ..problems import ProblemError
from ..schemas import Issue
from ..state import HemSystem
from .common import Ctx, Handler, Reply, not_found
from .series import noise, solar_kwh

__all__ = ["HANDLERS"]

_CAPACITY_KWH = 10.0
_STEP = timedelta(minutes=15)
_FLOWS = ("generation", "consumption", "import", "export", "charge", "discharge")
_BATTERY_FLOWS = ("charge", "discharge")


def _zone(hem: HemSystem) -> ZoneInfo:
    return ZoneInfo(str(hem.record["information"].get("timezone") or "UTC"))


def _day_flows(hem: HemSystem, day: date, until: datetime | None = None) -> list[dict[str, Any]]:
    """The 15-minute buckets of one local day (up to `until`): kWh per flow and the SoC."""
    zone = _zone(hem)
    moment = datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), zone).astimezone(UTC)
    soc = 0.4 * _CAPACITY_KWH
    buckets: list[dict[str, Any]] = []
    while moment < end and (until is None or moment + _STEP <= until):
        hours = _STEP.total_seconds() / 3600.0
        generation = solar_kwh(hem.id, moment, hours, hem.peak_kw)
        load = 0.3 + 0.9 * noise(hem.id, moment.isoformat(), "load")
        evening = 1.6 if 17 <= moment.astimezone(zone).hour < 22 else 1.0
        consumption = round(load * evening * hours, 4)
        net = generation - consumption
        charge = discharge = 0.0
        if hem.has_battery:
            if net > 0:
                charge = min(net * 0.7, _CAPACITY_KWH - soc)
            else:
                discharge = min(-net * 0.8, soc - 0.05 * _CAPACITY_KWH)
                discharge = max(0.0, discharge)
            soc += charge - discharge
        buckets.append(
            {
                "start": moment,
                "generation": round(generation, 4),
                "consumption": consumption,
                "charge": round(charge, 4),
                "discharge": round(discharge, 4),
                "export": round(max(0.0, net - charge), 4),
                "import": round(max(0.0, -net - discharge), 4),
                "soc": round(100.0 * soc / _CAPACITY_KWH, 1),
            }
        )
        moment += _STEP
    return buckets


def _record(ctx: Ctx, hem: HemSystem) -> dict[str, Any]:
    now = ctx.env.clock.now()
    today = now.astimezone(_zone(hem)).date()
    buckets = _day_flows(hem, today, until=now)
    last = buckets[-1]["start"] + _STEP if buckets else None
    totals: dict[str, Any] = {
        flow: None
        if flow in _BATTERY_FLOWS and not hem.has_battery
        else round(sum(b[flow] for b in buckets), 3)
        for flow in _FLOWS
    }
    totals.update(unit="kWh", lastUpdated=format_timestamp(last) if last else None)
    return {
        **hem.record,
        "status": {
            "lastSeen": format_timestamp(last) if last else None,
            "energy": {"today": totals},
        },
    }


def forget_user_hem_systems(ctx: Ctx, user_id: str) -> None:
    """Delete the user's HEM systems (they come from the vendors), each with its
    `user:hem-system:deleted` webhook event (the system as it was, status included)."""
    for hem in [h for h in ctx.state.hem_systems.values() if h.user_id == user_id]:
        ctx.state.raise_event("user:hem-system:deleted", user_id, "hemSystem", _record(ctx, hem))
        del ctx.state.hem_systems[hem.id]


def _hem(ctx: Ctx) -> HemSystem:
    hem_id = str(ctx.path["hemSystemId"])
    hem = ctx.state.hem_systems.get(hem_id)
    if hem is None:
        raise not_found("HEM system", hem_id)
    return hem


def list_hem_systems(ctx: Ctx) -> Reply:
    return ctx.page(ctx.state.hem_systems.values(), lambda hem: _record(ctx, hem))


def list_user_hem_systems(ctx: Ctx) -> Reply:
    user = ctx.path_user()
    mine = [hem for hem in ctx.state.hem_systems.values() if hem.user_id == user.id]
    return ctx.page(mine, lambda hem: _record(ctx, hem))


def get_hem_system(ctx: Ctx) -> Reply:
    return Reply(200, _record(ctx, _hem(ctx)))


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat(timespec="seconds")


def _series(zone: ZoneInfo, unit: str, unit_type: str, resolution: str, data: list[Any]) -> Any:
    return {
        "isAvailable": True,
        "unit": unit,
        "unitType": unit_type,
        "sampling": {"mode": "bucketed", "resolution": resolution},
        "timezone": zone.key,
        "data": data,
    }


def _parse_interval(text: str) -> tuple[date, date, bool]:
    """(first day, last day, is a single day) of `YYYY-MM-DD` or `YYYY-MM`; 400 if impossible."""
    parts = [int(p) for p in text.split("-")]
    try:
        if len(parts) == 3:
            day = date(parts[0], parts[1], parts[2])
            return day, day, True
        first = date(parts[0], parts[1], 1)
    except ValueError as error:
        message = f"{text!r} is not a date: {error}"
        raise ProblemError(
            400, f"query.interval: {message}", issues=[Issue(message, ("query", "interval"))]
        ) from None
    following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, following - timedelta(days=1), False


def hem_statistics(ctx: Ctx) -> Reply:
    hem = _hem(ctx)
    zone = _zone(hem)
    first, last, single_day = _parse_interval(str(ctx.query["interval"]))
    now = ctx.env.clock.now()
    today = now.astimezone(zone).date()
    installed = datetime.fromisoformat(
        str(hem.record["information"]["installationDate"]).replace("Z", "+00:00")
    )
    if last < installed.astimezone(zone).date() or first > today:
        raise ProblemError(
            422,
            f"HEM system statistics are not available for {ctx.query['interval']}: "
            f"the system was installed on {installed.date().isoformat()} and today is "
            f"{today.isoformat()}.",
            title="HEM System Statistics Not Available",
            slug="hem-system-statistics-not-available",
        )
    no_battery = {"isAvailable": False, "reason": "The system has no battery."}
    series: dict[str, Any] = {}
    if single_day:
        buckets = _day_flows(hem, first, until=now)
        hours = _STEP.total_seconds() / 3600.0
        for flow in _FLOWS:
            if flow in _BATTERY_FLOWS and not hem.has_battery:
                series[flow] = no_battery
                continue
            points = [
                {"t": _local(b["start"], zone), "v": round(b[flow] / hours, 3)} for b in buckets
            ]
            series[flow] = _series(zone, "kW", "Power", "PT15M", points)
        series["batteryLevel"] = (
            _series(
                zone,
                "%",
                "SoC",
                "PT15M",
                [{"t": _local(b["start"], zone), "v": b["soc"]} for b in buckets],
            )
            if hem.has_battery
            else no_battery
        )
    else:
        days: list[tuple[datetime, dict[str, float]]] = []
        day = first
        while day <= min(last, today):
            buckets = _day_flows(hem, day, until=now)
            start = datetime(day.year, day.month, day.day, tzinfo=zone)
            days.append((start, {f: round(sum(b[f] for b in buckets), 3) for f in _FLOWS}))
            day += timedelta(days=1)
        for flow in _FLOWS:
            if flow in _BATTERY_FLOWS and not hem.has_battery:
                series[flow] = no_battery
                continue
            points = [{"t": start.isoformat(timespec="seconds"), "v": v[flow]} for start, v in days]
            series[flow] = _series(zone, "kWh", "Energy", "P1D", points)
        series["batteryLevel"] = {
            "isAvailable": False,
            "reason": "The battery level is only reported for a single day.",
        }
    return Reply(200, {"timeseries": series})


HANDLERS: dict[str, Handler] = {
    "listHemSystems": list_hem_systems,
    "listUserHemSystems": list_user_hem_systems,
    "getHemSystem": get_hem_system,
    "getHemSystemStatistics": hem_statistics,
}
