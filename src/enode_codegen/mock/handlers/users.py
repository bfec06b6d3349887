"""Users: `/me` (2023-04-01), user management (2023-08-01+), vendors and the link flow."""

from __future__ import annotations

from ..clock import format_timestamp
from ..effects import failure
from ..link_ui import new_session
from ..problems import ProblemError
from ..state import ASSET_KINDS, User
from .common import Ctx, Handler, Reply
from .hem_systems import forget_user_hem_systems

__all__ = ["HANDLERS"]


def get_me(ctx: Ctx) -> Reply:
    user_id = ctx.context_user_id()
    user = ctx.state.users.get(user_id) or User(user_id, 0)
    # 2023-04-01 lists vendors without their vendorType: one entry per vendor
    vendors: dict[str, bool] = {}
    for linked in user.linked_vendors:
        vendor = str(linked["vendor"])
        vendors[vendor] = vendors.get(vendor, True) and bool(linked.get("isValid"))
    linked_vendors = [{"vendor": vendor, "isValid": valid} for vendor, valid in vendors.items()]
    return Reply(200, {"id": user.id, "linkedVendors": linked_vendors})


def list_users(ctx: Ctx) -> Reply:
    state = ctx.state
    return ctx.page(
        state.users.values(),
        lambda user: {
            "id": user.id,
            "createdAt": user.created_at,
            "scopes": state.user_scopes(user.id),
        },
    )


def get_user(ctx: Ctx) -> Reply:
    return Reply(200, ctx.path_user().record())


def _forget_assets(ctx: Ctx, user_id: str, vendor: str | None) -> None:
    gone = failure("NOT_FOUND", "The target was deleted while the action was PENDING.")
    for kind in ASSET_KINDS:
        for asset in ctx.state.user_assets(kind, user_id):
            if vendor is None or str(asset.record.get("vendor", "")).upper() == vendor:
                ctx.engine.cancel_for_target(kind, asset.id, gone)
                ctx.state.remove_asset(asset)


def delete_user(ctx: Ctx) -> Reply:
    user = ctx.path_user()
    _forget_assets(ctx, user.id, None)
    forget_user_hem_systems(ctx, user.id)
    ctx.state.remove_user(user.id)
    ctx.state.touch()
    return Reply(204)


def _disconnect(ctx: Ctx, user: User, vendor: str) -> Reply:
    linked = [v for v in user.linked_vendors if v.get("vendor") == vendor]
    if not linked:
        raise ProblemError(404, f"User {user.id!r} has not linked vendor {vendor}.")
    user.linked_vendors = [v for v in user.linked_vendors if v.get("vendor") != vendor]
    _forget_assets(ctx, user.id, vendor)
    ctx.state.touch()
    return Reply(204)


def disconnect_my_vendor(ctx: Ctx) -> Reply:
    user = ctx.state.users.get(ctx.context_user_id())
    if user is None:
        raise ProblemError(404, f"User {ctx.context_user_id()!r} has no linked vendors.")
    return _disconnect(ctx, user, str(ctx.path["vendor"]))


def disconnect_user_vendor(ctx: Ctx) -> Reply:
    return _disconnect(ctx, ctx.path_user(), str(ctx.path["vendor"]))


def link_user(ctx: Ctx) -> Reply:
    state = ctx.state
    user_id = str(ctx.path["userId"])
    if user_id not in state.users:
        state.users[user_id] = User(
            user_id, state.next_seq(), created_at=format_timestamp(ctx.now())
        )
    reply = new_session(
        state, user_id, ctx.version, ctx.body or {}, ctx.now(), ctx.base_url
    )  # the Link UI (link_ui.py) serves linkUrl
    return Reply(200, reply)


HANDLERS: dict[str, Handler] = {
    "getMe": get_me,
    "disconnectMyVendor": disconnect_my_vendor,
    "listUsers": list_users,
    "getUser": get_user,
    "deleteUser": delete_user,
    "disconnectUserVendor": disconnect_user_vendor,
    "linkUser": link_user,
}
