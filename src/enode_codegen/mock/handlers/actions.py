"""Shared by the control areas: get and cancel an action, capability and control checks."""

from __future__ import annotations

from ..actions import ActionResolved
from ..problems import ProblemError
from ..schemas import Issue
from ..state import Action, Asset
from .common import Ctx, Handler, Reply, not_found

__all__ = ["cancel_action", "get_action", "require_capability", "require_manual_control"]

_NAMES = {"battery": "Battery", "charger": "Charger", "hvac": "HVAC unit"}


def _find(ctx: Ctx, family: str) -> Action:
    action_id = str(ctx.path["actionId"])
    action = ctx.state.actions.get(action_id)
    if action is None or action.family != family:
        raise not_found("action", action_id)
    return action


def get_action(family: str) -> Handler:
    def get(ctx: Ctx) -> Reply:
        return Reply(200, _find(ctx, family).record())

    return get


def cancel_action(family: str) -> Handler:
    def cancel(ctx: Ctx) -> Reply:
        action = _find(ctx, family)
        try:
            ctx.engine.cancel(action)
        except ActionResolved:
            return Reply(409, action.record())
        return Reply(200, action.record())

    return cancel


def require_capability(asset: Asset, capability: str, what: str) -> None:
    """400 unless `capabilities.<capability>.isCapable` is true."""
    entry = asset.record.get("capabilities", {}).get(capability) or {}
    if not entry.get("isCapable"):
        name = _NAMES.get(asset.kind, asset.kind)
        message = (
            f"{name} {asset.id} does not support {what} "
            f"(capabilities.{capability}.isCapable is false)"
        )
        raise ProblemError(
            400,
            message,
            title="Capability not supported",
            issues=[Issue(message, ("path",))],
        )


def require_manual_control(ctx: Ctx, asset: Asset) -> None:
    """422 while the asset is controlled by a schedule or smart charging."""
    if ctx.state.is_controlled(asset):
        name = _NAMES.get(asset.kind, asset.kind)
        raise ProblemError(
            422,
            f"{name} {asset.id} is controlled by a schedule or smart charging and cannot accept "
            "manual commands. Disable the schedule or create a smart override first.",
        )
