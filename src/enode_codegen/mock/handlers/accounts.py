"""What a user's vendor accounts go through: disconnecting one asset type of a vendor,
deauthorizing the user, and relinking one asset.

- `DELETE /users/{userId}/vendors/{vendor}/{vendorType}`: the linked vendor entry of that
  type goes, and with it the user's assets of that vendor and type (their pending actions
  end `CANCELLED`/`NOT_FOUND`); 404 when the user has not linked it.
- `DELETE /users/{userId}/authorization`: every linked vendor, asset and HEM system of
  the user goes;
  the user stays (its schedules too) and can link again.
- `POST /assets/{assetId}/relink`: a Link session for the asset's owner, recorded like
  `linkUser`'s (`GET /_mock/link/{token}` shows it, with `assetId`); 400 when the asset's
  vendor credentials are still valid.
"""

from __future__ import annotations

from ..effects import failure
from ..link_ui import new_session
from ..problems import ProblemError
from ..state import Asset
from .common import Ctx, Handler, Reply, not_found
from .hem_systems import forget_user_hem_systems

__all__ = ["HANDLERS"]

_GONE = "The target was deleted while the action was PENDING."


def _forget(ctx: Ctx, assets: list[Asset]) -> None:
    gone = failure("NOT_FOUND", _GONE)
    for asset in assets:
        ctx.engine.cancel_for_target(asset.kind, asset.id, gone)
        ctx.state.remove_asset(asset)


def disconnect_vendor_type(ctx: Ctx) -> Reply:
    user = ctx.path_user()
    vendor, vendor_type = str(ctx.path["vendor"]), str(ctx.path["vendorType"])
    linked = [
        v
        for v in user.linked_vendors
        if v.get("vendor") == vendor and v.get("vendorType") == vendor_type
    ]
    if not linked:
        raise ProblemError(
            404, f"User {user.id!r} has not linked vendor {vendor} for {vendor_type} assets."
        )
    user.linked_vendors = [v for v in user.linked_vendors if v not in linked]
    assets = [
        asset
        for asset in ctx.state.assets.get(vendor_type, {}).values()
        if asset.user_id == user.id and str(asset.record.get("vendor", "")).upper() == vendor
    ]
    _forget(ctx, assets)
    ctx.state.touch()
    return Reply(204)


def deauthorize_user(ctx: Ctx) -> Reply:
    user = ctx.path_user()
    user.linked_vendors = []
    assets = [
        asset
        for assets in ctx.state.assets.values()
        for asset in assets.values()
        if asset.user_id == user.id
    ]
    _forget(ctx, assets)
    forget_user_hem_systems(ctx, user.id)  # HEM systems come from the vendors too
    ctx.state.touch()
    return Reply(204)


def relink_asset(ctx: Ctx) -> Reply:
    asset_id = str(ctx.path["assetId"])
    asset = ctx.state.find_asset(asset_id)
    if asset is None:
        raise not_found("asset", asset_id)
    user = ctx.state.users.get(asset.user_id)
    vendor = str(asset.record.get("vendor", "")).upper()
    entries = [
        v
        for v in (user.linked_vendors if user else [])
        if v.get("vendor") == vendor and v.get("vendorType") == asset.kind
    ]
    if entries and all(v.get("isValid") for v in entries):
        raise ProblemError(
            400,
            f"The {vendor} credentials behind asset {asset_id!r} are still valid; "
            "relinking is for assets whose credentials were invalidated.",
        )
    # the Link UI goes straight to the asset's vendor and type
    request = {**(ctx.body or {}), "vendor": vendor, "vendorType": asset.kind}
    reply = new_session(
        ctx.state, asset.user_id, ctx.version, request, ctx.now(), ctx.base_url, asset.id
    )
    return Reply(200, reply)


HANDLERS: dict[str, Handler] = {
    "disconnectUserVendorType": disconnect_vendor_type,
    "deauthorizeUser": deauthorize_user,
    "relinkAsset": relink_asset,
}
