"""Locations (list, per user, create, get, update, delete) and tariffs (a tariff's rates, a
location's tariff schedule). Deleting a location clears the location ID of every asset
and schedule that was at it (State.remove_location)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .. import vehicles
from ..clock import format_timestamp
from ..problems import ProblemError
from .common import Ctx, Handler, Reply, invalid_body, not_found

__all__ = ["HANDLERS"]


@dataclass(frozen=True)
class _Row:
    seq: int
    record: dict[str, Any]


def _rows(ctx: Ctx, user_id: str | None) -> list[_Row]:
    state = ctx.state
    return sorted(
        (
            _Row(state.location_seq[key], record)
            for key, record in state.locations.items()
            if user_id is None or record.get("userId") == user_id
        ),
        key=lambda row: row.seq,
    )


def _location(ctx: Ctx) -> dict[str, Any]:
    location_id = str(ctx.path["locationId"])
    record = ctx.state.locations.get(location_id)
    if record is None:
        raise not_found("location", location_id)
    return record


def _check_zone(body: dict[str, Any]) -> None:
    name = body.get("timezoneName")
    if name is None:
        return
    try:
        ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        raise invalid_body(
            "timezoneName", f"{str(name)[:40]!r} is not an IANA time zone (e.g. Europe/Oslo)"
        ) from None


def list_locations(ctx: Ctx) -> Reply:
    user_id = ctx.path_user().id if "userId" in ctx.path else None
    return ctx.page(_rows(ctx, user_id), lambda row: row.record)


def create_location(ctx: Ctx) -> Reply:
    user = ctx.path_user()
    body: dict[str, Any] = ctx.body
    _check_zone(body)
    state = ctx.state
    record = {
        "id": state.new_id(),
        "userId": user.id,
        "name": body["name"],
        "latitude": body["latitude"],
        "longitude": body["longitude"],
        "timezoneName": body.get("timezoneName", "UTC"),
        "createdAt": format_timestamp(ctx.now()),
    }
    state.locations[record["id"]] = record
    state.location_seq[record["id"]] = state.next_seq()
    state.touch()
    return Reply(200, record)


def get_location(ctx: Ctx) -> Reply:
    return Reply(200, _location(ctx))


def update_location(ctx: Ctx) -> Reply:
    record = _location(ctx)
    body: dict[str, Any] = ctx.body or {}
    _check_zone(body)
    for key in ("name", "latitude", "longitude", "timezoneName"):
        if key in body:
            record[key] = body[key]
    ctx.state.touch()
    return Reply(200, record)


def delete_location(ctx: Ctx) -> Reply:
    record = _location(ctx)
    removed = ctx.state.remove_location(str(record["id"]))
    ctx.state.touch()
    return Reply(200, removed)


def get_location_tariff(ctx: Ctx) -> Reply:
    record = _location(ctx)
    return Reply(200, ctx.state.location_tariffs.get(str(record["id"]), []))


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def set_location_tariff(ctx: Ctx) -> Reply:
    record = _location(ctx)
    body: dict[str, Any] = ctx.body
    tariff_id = str(body["tariffId"])
    rates = ctx.state.tariffs.get(tariff_id)
    if rates is None:
        raise ProblemError(
            404, f"No tariff with ID {tariff_id!r} was found; PUT /tariffs/{tariff_id} first."
        )
    names = {rate["name"] for rate in rates}
    for index, interval in enumerate(body["tariffIntervals"]):
        if interval["name"] not in names:
            raise invalid_body(
                f"tariffIntervals[{index}].name",
                f"{interval['name'][:40]!r} is not a rate of tariff {tariff_id!r} "
                f"({', '.join(sorted(names))})",
            )
        if _minutes(interval["to"]) <= _minutes(interval["from"]):
            raise invalid_body(f"tariffIntervals[{index}].to", "must be later than `from`")
    entries = vehicles.expand_intervals(tariff_id, body["tariffIntervals"])
    for first, second in itertools.pairwise(entries):
        if first["weekday"] == second["weekday"] and _minutes(second["fromHourMinute"]) < _minutes(
            first["toHourMinute"]
        ):
            raise invalid_body(
                "tariffIntervals",
                f"intervals overlap on weekday {first['weekday']}: "
                f"{first['fromHourMinute']}-{first['toHourMinute']} and "
                f"{second['fromHourMinute']}-{second['toHourMinute']}",
            )
    ctx.state.location_tariffs[str(record["id"])] = entries
    ctx.state.touch()
    return Reply(204)


def get_tariff(ctx: Ctx) -> Reply:
    tariff_id = str(ctx.path["tariffId"])
    rates = ctx.state.tariffs.get(tariff_id)
    if rates is None:
        raise not_found("tariff", tariff_id)
    return Reply(200, rates)


def set_tariff(ctx: Ctx) -> Reply:
    tariff_id = str(ctx.path["tariffId"])
    ctx.state.tariffs[tariff_id] = [{"name": r["name"], "cost": r["cost"]} for r in ctx.body]
    ctx.state.touch()
    return Reply(204)


HANDLERS: dict[str, Handler] = {
    "listLocations": list_locations,
    "listUserLocations": list_locations,
    "createLocation": create_location,
    "getLocation": get_location,
    "updateLocation": update_location,
    "deleteLocation": delete_location,
    "getLocationTariff": get_location_tariff,
    "setLocationTariff": set_location_tariff,
    "getTariff": get_tariff,
    "setTariff": set_tariff,
}
