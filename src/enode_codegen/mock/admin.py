"""The admin API under `/_mock/` (no token needed): reset, inspect and steer the mock.

See mock/README.md for the table. Every route answers JSON (errors as problem+json);
asset routes answer the asset's canonical record (the newest version's shape).
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .actions import ActionResolved
from .clock import format_timestamp
from .effects import set_plugged, set_reachable
from .problems import ProblemError, json_response, problem_response
from .request_validation import parse_json_body
from .schemas import Issue
from .state import ASSET_KINDS, KIND_BY_PLURAL, Asset

if TYPE_CHECKING:
    from .instance import MockInstance

__all__ = ["admin_routes"]

Endpoint = Callable[[Request], Awaitable[Response]]


def _kind(name: str) -> str:
    if name in ASSET_KINDS:
        return name
    if name in KIND_BY_PLURAL:
        return KIND_BY_PLURAL[name]
    raise ProblemError(
        404, f"Unknown asset type {name!r}; use one of {', '.join(ASSET_KINDS.values())}."
    )


async def _json(request: Request, required: bool = True) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        if required:
            raise ProblemError(400, "A JSON object body is required.")
        return {}
    body = parse_json_body(raw)
    if not isinstance(body, dict):
        raise ProblemError(400, "The body must be a JSON object.")
    return body


def _flag(body: dict[str, Any], name: str) -> bool:
    value = body.get(name)
    if not isinstance(value, bool):
        message = f"must be true or false, got {value!r}"
        raise ProblemError(400, f"body.{name}: {message}", issues=[Issue(message, ("body", name))])
    return value


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge patch."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def admin_routes(mock: MockInstance) -> list[Route]:
    """The admin routes, relative to their mount point `/_mock`."""
    state = mock.env.state
    engine = mock.env.engine
    clock = mock.env.clock

    def endpoint(fn: Callable[[Request], Awaitable[Response]]) -> Endpoint:
        async def run(request: Request) -> Response:
            try:
                return await fn(request)
            except ProblemError as error:
                return problem_response(error)

        return run

    def asset_of(request: Request, kind: str | None = None) -> Asset:
        kind = kind or _kind(request.path_params["type"])
        asset_id = request.path_params["id"]
        asset = state.asset(kind, asset_id)
        if asset is None:
            raise ProblemError(404, f"No {kind} with ID {asset_id!r}.")
        return asset

    async def reset(request: Request) -> Response:
        with state.lock:
            state.reset()
            clock.reset()
            mock.webhooks.reset()
        return Response(status_code=204)

    async def snapshot(request: Request) -> Response:
        with state.lock:
            engine.tick()
            return json_response(200, state.snapshot())

    async def violations(request: Request) -> Response:
        if request.method == "DELETE":
            mock.responder.violations.clear()
            return Response(status_code=204)
        return json_response(200, [v.as_dict() for v in mock.responder.violations])

    async def advance_clock(request: Request) -> Response:
        body = await _json(request)
        seconds = body.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise ProblemError(400, "body.seconds: must be a number >= 0")
        with state.lock:
            clock.advance(float(seconds))
            engine.tick()
        mock.webhooks.wake()  # retries and heartbeats may be due
        return json_response(200, {"now": format_timestamp(clock.time())})

    async def health(request: Request) -> Response:
        body = await _json(request)
        with state.lock:
            state.healthy = _flag(body, "ready")
            state.touch()
        return Response(status_code=204)

    async def reachable(request: Request) -> Response:
        body = await _json(request)
        with state.lock:
            engine.tick()
            asset = asset_of(request)
            set_reachable(asset, _flag(body, "isReachable"), clock.time())
            state.changed(asset)
            state.touch()
            return json_response(200, asset.record)

    async def schedule_control(request: Request) -> Response:
        body = await _json(request)
        kind = "charger" if "type" not in request.path_params else None
        with state.lock:
            asset = asset_of(request, kind)
            if asset.kind not in ("charger", "hvac"):
                raise ProblemError(400, "Only chargers and HVAC units can be schedule-controlled.")
            asset.controlled = _flag(body, "controlled")
            state.touch()
            return json_response(200, {**asset.record, "_mock": {"controlled": asset.controlled}})

    async def plug(request: Request) -> Response:
        body = await _json(request)
        with state.lock:
            engine.tick()
            asset = asset_of(request, "charger")
            plugged = _flag(body, "pluggedIn")
            vehicle_id = body.get("vehicleId")
            if vehicle_id is not None and not (isinstance(vehicle_id, str) and vehicle_id):
                raise ProblemError(400, "body.vehicleId: must be a non-empty string or null")
            discharging = _flag(body, "discharging") if "discharging" in body else False
            if not plugged and (vehicle_id is not None or discharging):
                raise ProblemError(400, "body: vehicleId and discharging need pluggedIn: true")
            set_plugged(asset, plugged, clock.time(), vehicle_id, discharging)
            state.changed(asset)
            state.touch()
            return json_response(200, asset.record)

    async def patch_asset(request: Request) -> Response:
        body = await _json(request)
        with state.lock:
            engine.tick()
            asset = asset_of(request)
            merged = merge_patch(asset.record, body)
            merged["id"], merged["userId"] = asset.id, asset.user_id
            problems = mock.canonical_issues(asset.kind, merged)
            if problems:
                raise ProblemError.invalid(problems, title="The patched asset is not valid")
            asset.record = merged
            state.changed(asset)
            state.touch()
            return json_response(200, asset.record)

    async def advance_action(request: Request) -> Response:
        body = await _json(request, required=False)
        outcome = body.get("state")
        if outcome not in (None, "CONFIRMED", "FAILED", "CANCELLED"):
            raise ProblemError(400, "body.state: must be CONFIRMED, FAILED or CANCELLED")
        with state.lock:
            engine.tick()
            action = state.actions.get(request.path_params["id"])
            if action is None:
                raise ProblemError(404, f"No action with ID {request.path_params['id']!r}.")
            try:
                engine.advance(action, None if outcome == "CONFIRMED" else outcome)
            except ActionResolved:
                return json_response(409, action.record())
            return json_response(200, action.record())

    async def advance_all(request: Request) -> Response:
        with state.lock:
            engine.tick()
            pending = [state.actions[i] for i in list(state.pending.values())]
            for action in pending:
                engine.advance(action)
            return json_response(200, {"advanced": [a.record() for a in pending]})

    async def openapi(request: Request) -> Response:
        version = request.path_params["version"]
        spec = mock.index.versions.get(version)
        if spec is None:
            raise ProblemError(404, f"Unknown version {version!r}.")
        return json_response(200, spec.document)

    async def vendor_status(request: Request) -> Response:
        body = await _json(request)
        allowed = ("READY", "ELEVATED_ERROR_RATE", "OUTAGE")
        changes: dict[str, Any] = {k: body[k] for k in ("status", "linkingStatus") if k in body}
        for key, value in changes.items():
            if value not in allowed:
                raise ProblemError(400, f"body.{key}: must be one of {', '.join(allowed)}")
        if not changes:
            raise ProblemError(400, "Send `status` and/or `linkingStatus`.")
        with state.lock:
            vendor = state.vendors.get(request.path_params["vendor"])
            if vendor is None:
                raise ProblemError(404, f"No seeded vendor {request.path_params['vendor']!r}.")
            vendor.update(changes)
            state.touch()
            return json_response(200, vendor)

    async def link_asset(request: Request) -> Response:
        body = await _json(request)
        kind = _kind(request.path_params["type"])
        with state.lock:
            engine.tick()
            user_id = body.get("userId")
            if user_id not in state.users:
                raise ProblemError(400, f"body.userId: no user {user_id!r}")
            if not isinstance(body.get("id"), str) or state.find_asset(body["id"]) is not None:
                raise ProblemError(400, "body.id: must be the ID of no existing asset")
            problems = mock.canonical_issues(kind, body)
            if problems:
                raise ProblemError.invalid(problems, title="The linked asset is not valid")
            state.add_asset(Asset(kind, body, state.next_seq()))
            state.record_link(user_id, str(body.get("vendor", "")).upper(), kind)
            state.touch()
            return json_response(201, body)

    async def invalidate_credentials(request: Request) -> Response:
        user_id, vendor = request.path_params["userId"], request.path_params["vendor"]
        with state.lock:
            user = state.users.get(user_id)
            if user is None:
                raise ProblemError(404, f"No user with ID {user_id!r}.")
            linked = [v for v in user.linked_vendors if v.get("vendor") == vendor]
            if not linked:
                raise ProblemError(404, f"User {user_id!r} has not linked vendor {vendor!r}.")
            for entry in linked:
                entry["isValid"] = False
            state.raise_event("user:credentials:invalidated", user_id, vendor=vendor)
            state.touch()
            return json_response(200, user.record())

    async def deliveries(request: Request) -> Response:
        webhook_id = request.query_params.get("webhookId")
        return json_response(200, mock.webhooks.deliveries(webhook_id))

    async def delivery(request: Request) -> Response:
        found = mock.webhooks.delivery(request.path_params["id"])
        if found is None:
            raise ProblemError(404, f"No delivery with ID {request.path_params['id']!r}.")
        return json_response(200, found)

    async def queues(request: Request) -> Response:
        return json_response(200, mock.webhooks.queues())

    async def flush(request: Request) -> Response:
        body = await _json(request, required=False)
        timeout = body.get("timeout", 10)
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout < 0:
            raise ProblemError(400, "body.timeout: must be a number of seconds >= 0")
        idle = await anyio.to_thread.run_sync(mock.webhooks.wait_idle, float(timeout))
        if not idle:
            raise ProblemError(
                503, f"Webhook deliveries were still due or in flight after {timeout:g} s."
            )
        return json_response(200, mock.webhooks.queues())

    routes: list[tuple[str, Callable[[Request], Awaitable[Response]], list[str]]] = [
        ("/reset", reset, ["POST"]),
        ("/state", snapshot, ["GET"]),
        ("/violations", violations, ["GET", "DELETE"]),
        ("/clock/advance", advance_clock, ["POST"]),
        ("/health", health, ["POST"]),
        ("/assets/{type}/{id}", patch_asset, ["PATCH"]),
        ("/assets/{type}/{id}/reachable", reachable, ["POST"]),
        ("/assets/{type}/{id}/schedule-control", schedule_control, ["POST"]),
        ("/chargers/{id}/plug", plug, ["POST"]),
        ("/chargers/{id}/schedule-control", schedule_control, ["POST"]),
        ("/actions/advance", advance_all, ["POST"]),
        ("/actions/{id}/advance", advance_action, ["POST"]),
        ("/openapi/{version}.json", openapi, ["GET"]),
        ("/vendors/{vendor}/status", vendor_status, ["POST"]),
        ("/assets/{type}", link_asset, ["POST"]),
        ("/users/{userId}/vendors/{vendor}/invalidate", invalidate_credentials, ["POST"]),
        ("/webhooks/deliveries", deliveries, ["GET"]),
        ("/webhooks/deliveries/{id}", delivery, ["GET"]),
        ("/webhooks/queues", queues, ["GET"]),
        ("/webhooks/flush", flush, ["POST"]),
    ]
    # named after their functions: the console (console.py) calls them by name
    return [
        Route(path, endpoint(fn), methods=methods, name=fn.__name__) for path, fn, methods in routes
    ]
