"""Integrations and vendor health, from the seed's vendor catalogue (`vendors`).

Each seeded vendor names the asset types it provides, the scopes it can grant and the
health of its integration (`status`) and of linking new accounts (`linkingStatus`);
`POST /_mock/vendors/{vendor}/status` changes the last two.
"""

from __future__ import annotations

from typing import Any

from ..problems import ProblemError
from ..schemas import Issue
from .common import Ctx, Handler, Reply

__all__ = ["ASSET_TYPES", "HANDLERS"]

ASSET_TYPES = ("vehicle", "charger", "hvac", "inverter", "battery", "meter")


def _requested_types(ctx: Ctx) -> list[str]:
    raw = ctx.query.get("assetTypes")
    if raw is None:
        return list(ASSET_TYPES)
    types = [part.strip() for part in str(raw).split(",") if part.strip()]
    unknown = [part for part in types if part not in ASSET_TYPES]
    if unknown or not types:
        message = (
            f"unknown asset type {unknown[0][:40]!r}" if unknown else "names no asset type"
        ) + f"; use a comma-separated list of {', '.join(ASSET_TYPES)}"
        raise ProblemError(
            400, f"query.assetTypes: {message}", issues=[Issue(message, ("query", "assetTypes"))]
        )
    return types


def list_integrations(ctx: Ctx) -> Reply:
    wanted = _requested_types(ctx)
    found: list[dict[str, Any]] = []
    for vendor in sorted(ctx.state.vendors.values(), key=lambda v: str(v["vendor"])):
        types = [t for t in vendor["assetTypes"] if t in wanted]
        if not types:
            continue
        found.append(
            {
                "vendor": vendor["vendor"],
                "displayName": vendor["displayName"],
                "assetTypes": types,
                "scopes": [s for s in vendor["scopes"] if s.split(":", 1)[0] in types],
                "status": vendor["status"],
                "portalName": vendor["portalName"],
                "linkingStatus": vendor["linkingStatus"],
            }
        )
    return Reply(200, found)


def _health(asset_type: str) -> Handler:
    def handler(ctx: Ctx) -> Reply:
        vendors = sorted(ctx.state.vendors.values(), key=lambda v: str(v["vendor"]))
        return Reply(
            200,
            [
                {
                    "vendor": vendor["vendor"],
                    "displayName": vendor["displayName"],
                    "status": vendor["status"],
                    "portalName": vendor["portalName"],
                    "linkingStatus": vendor["linkingStatus"],
                }
                for vendor in vendors
                if asset_type in vendor["assetTypes"]
            ],
        )

    return handler


HANDLERS: dict[str, Handler] = {
    "listIntegrations": list_integrations,
    "getHealthChargerVendors": _health("charger"),
    "getHealthVehicleVendors": _health("vehicle"),
    "getHealthBatteryVendors": _health("battery"),
    "getHealthInverterVendors": _health("inverter"),
    "getHealthHvacVendors": _health("hvac"),
    "getHealthMeterVendors": _health("meter"),
}
