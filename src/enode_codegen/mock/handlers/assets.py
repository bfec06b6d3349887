"""Reading assets of every kind: list, per-user list, get and refresh hint.

The same five operations exist for batteries, chargers, HVACs, inverters and meters; what
a version returns (a page `{data, pagination}` or, in 2023-04-01, a plain array of the
context user's IDs) follows from the operation's spec (`Operation.paginated`,
`Operation.returns_id_list`).
"""

from __future__ import annotations

from .common import Ctx, Handler, Reply

__all__ = ["ASSET_PARAMS", "HANDLERS"]

ASSET_PARAMS = {
    "battery": "batteryId",
    "charger": "chargerId",
    "hvac": "hvacId",
    "inverter": "inverterId",
    "meter": "meterId",
    "vehicle": "vehicleId",
}
_NAMES = {  # kind -> (singular, plural) as they appear in operationIds
    "battery": ("Battery", "Batteries"),
    "charger": ("Charger", "Chargers"),
    "hvac": ("Hvac", "Hvacs"),
    "inverter": ("Inverter", "Inverters"),
    "meter": ("Meter", "Meters"),
    "vehicle": ("Vehicle", "Vehicles"),
}


def _list(kind: str) -> Handler:
    def list_assets(ctx: Ctx) -> Reply:
        state = ctx.state
        if ctx.op.returns_id_list:
            return Reply(200, [a.id for a in state.user_assets(kind, ctx.context_user_id())])
        if "userId" in ctx.path:
            items = state.user_assets(kind, ctx.path_user().id)
        elif ctx.op.paginated:
            items = list(state.assets[kind].values())
        else:
            return Reply(200, [a.record for a in state.user_assets(kind, ctx.context_user_id())])
        return ctx.page(items, lambda asset: asset.record)

    return list_assets


def _get(kind: str) -> Handler:
    def get_asset(ctx: Ctx) -> Reply:
        return Reply(200, ctx.asset(kind, ASSET_PARAMS[kind]).record)

    return get_asset


def _refresh(kind: str) -> Handler:
    def refresh_asset(ctx: Ctx) -> Reply:
        ctx.asset(kind, ASSET_PARAMS[kind])
        return Reply(204)

    return refresh_asset


HANDLERS: dict[str, Handler] = {}
for _kind, (_one, _many) in _NAMES.items():
    HANDLERS[f"list{_many}"] = _list(_kind)
    HANDLERS[f"listUser{_many}"] = _list(_kind)
    HANDLERS[f"get{_one}"] = _get(_kind)
    HANDLERS[f"refresh{_one}Data"] = _refresh(_kind)
