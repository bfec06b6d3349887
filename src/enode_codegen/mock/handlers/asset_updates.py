"""`PUT /chargers/{chargerId}` and `PUT /hvacs/{hvacId}`: move an asset to a location.

The body names one of the asset owner's locations (`locationId`; 2023-04-01:
`chargingLocationId`) or `null`. The asset's `location` becomes that location's ID and
coordinates (`lastUpdated` now); `null` clears the ID and keeps the last coordinates.
A location that is unknown or another user's is a 400.
"""

from __future__ import annotations

from ..clock import format_timestamp
from .common import Ctx, Handler, Reply, invalid_body

__all__ = ["HANDLERS"]


def _update(kind: str, param: str) -> Handler:
    def handler(ctx: Ctx) -> Reply:
        asset = ctx.asset(kind, param)
        body = ctx.body or {}
        field = "chargingLocationId" if "chargingLocationId" in body else "locationId"
        if field not in body:
            return Reply(200, asset.record)
        location_id = body[field]
        current = dict(asset.record.get("location") or {})
        now = format_timestamp(ctx.now())
        if location_id is None:
            current.update({"id": None, "lastUpdated": now})
        else:
            location = ctx.state.locations.get(str(location_id))
            if location is None or location.get("userId") != asset.user_id:
                raise invalid_body(
                    field, f"{location_id!r} is not a location of user {asset.user_id!r}"
                )
            current.update({"id": location["id"], "lastUpdated": now})
            if "longitude" in current or "latitude" in current:
                current.update(
                    {"longitude": location.get("longitude"), "latitude": location.get("latitude")}
                )
        asset.record["location"] = current
        ctx.state.changed(asset)
        ctx.state.touch()
        return Reply(200, asset.record)

    return handler


HANDLERS: dict[str, Handler] = {
    "updateCharger": _update("charger", "chargerId"),
    "updateHvac": _update("hvac", "hvacId"),
}
