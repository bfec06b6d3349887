"""The console at `/_mock/console`: watch and steer a running mock in the browser.

One server-rendered page (templates/console.html). Its live part (`GET
/_mock/console/live`, an HTML fragment) is fetched twice a second by a few lines of
JavaScript; without JavaScript the page's "Refresh" link does the same. Every control
is a form POSTing to `/_mock/console/do` with the console's CSRF token; the form is
turned into a call of the admin route that already does it (admin.py), so the console
adds no way of changing the state of its own. GET never changes the state.

The access guard (`AccessGuard`) sits in front of every `/_mock` path: requests from
loopback addresses pass; any other client needs the admin token (`--admin-token`), sent
as `Authorization: Bearer <token>`, `X-Mock-Admin-Token`, or once as `?token=` (which
sets a cookie for the browser). Without a configured token, non-loopback clients get 403.
"""

from __future__ import annotations

import ipaddress
import json
import secrets
from collections import deque
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from ..runtime._webhooks import SIGNATURE_HEADER, signed_delivery
from . import vehicles
from .clock import format_timestamp
from .link_ui import form_fields, templates
from .problems import ProblemError, problem_response

if TYPE_CHECKING:
    from .instance import MockInstance

__all__ = ["AccessGuard", "console_routes"]

Endpoint = Callable[[Request], Awaitable[Response]]
HISTORY = 240  # samples kept per vehicle for the battery chart
COOKIE = "enode_mock_admin"


class AccessGuard:
    """ASGI middleware: `/_mock` only from loopback, or with the admin token."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token

    @staticmethod
    def _loopback(scope: Scope) -> bool:
        client = scope.get("client")
        if not client:
            return True  # in-process (httpx.ASGITransport without a client address)
        try:
            return ipaddress.ip_address(client[0]).is_loopback
        except ValueError:
            return client[0] in ("localhost", "testclient")

    def _presented(self, request: Request) -> str | None:
        auth = request.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:].strip()
        return (
            request.headers.get("x-mock-admin-token")
            or request.query_params.get("token")
            or request.cookies.get(COOKIE)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not str(scope.get("path", "")).startswith("/_mock"):
            await self.app(scope, receive, send)
            return
        if self._loopback(scope):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        presented = self._presented(request)
        if (
            self.token is None
            or presented is None
            or not secrets.compare_digest(presented, self.token)
        ):
            detail = (
                "The mock's /_mock routes (admin API, console, Link UI) answer only "
                "loopback clients"
                + (
                    "; send the admin token (Authorization: Bearer, or ?token=)."
                    if self.token
                    else "; start it with --admin-token to allow other clients."
                )
            )
            await problem_response(ProblemError(403, detail))(scope, receive, send)
            return
        if request.query_params.get("token") and COOKIE not in request.cookies:

            async def send_with_cookie(message: dict[str, Any]) -> None:
                if message["type"] == "http.response.start":
                    cookie: SimpleCookie = SimpleCookie()
                    cookie[COOKIE] = presented
                    cookie[COOKIE]["httponly"] = True
                    cookie[COOKIE]["samesite"] = "Strict"
                    cookie[COOKIE]["path"] = "/_mock"
                    header = cookie.output(header="").strip().encode("latin-1")
                    message = {**message, "headers": [*message["headers"], (b"set-cookie", header)]}
                await send(message)

            await self.app(scope, receive, send_with_cookie)  # type: ignore[arg-type]
            return
        await self.app(scope, receive, send)


async def _call(endpoint: Endpoint, path: str, params: dict[str, str], body: Any) -> Response:
    """Run an admin endpoint in-process with a JSON body (the console's forms)."""
    raw = b"" if body is None else json.dumps(body).encode()

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": raw, "more_body": False}

    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "path_params": params,
        "headers": [(b"content-type", b"application/json")],
        "query_string": b"",
    }
    return await endpoint(Request(scope, receive))


def console_routes(mock: MockInstance, admin: dict[str, Endpoint]) -> list[Route]:
    """The console's routes, relative to `/_mock`; `admin`: the admin endpoints by name."""
    state = mock.env.state
    engine = mock.env.engine
    clock = mock.env.clock
    csrf = secrets.token_urlsafe(24)
    samples: dict[str, deque[tuple[float, float, float]]] = {}

    def sample() -> None:
        """Note each vehicle's battery level and charge rate at the mock's time (the
        chart's data; an observation, not a change of the mock's state)."""
        now = clock.time()
        for vehicle in state.assets["vehicle"].values():
            charge = vehicle.record["chargeState"]
            history = samples.setdefault(vehicle.id, deque(maxlen=HISTORY))
            if history and history[-1][0] == now:
                continue
            history.append(
                (now, float(charge.get("batteryLevel") or 0), float(charge.get("chargeRate") or 0))
            )

    def battery_chart(vehicle_id: str) -> dict[str, Any] | None:
        history = list(samples.get(vehicle_id, ()))
        if len(history) < 2:
            return None
        t0, t1 = history[0][0], history[-1][0]
        span = max(t1 - t0, 1.0)
        top_rate = max(max(rate for _, _, rate in history), 1.0)
        width, height = 360.0, 120.0

        def x(t: float) -> float:
            return round(30 + (t - t0) / span * (width - 40), 1)

        def y(value: float, top: float) -> float:
            return round(10 + (1 - value / top) * (height - 30), 1)

        return {
            "level": " ".join(f"{x(t)},{y(level, 100)}" for t, level, _ in history),
            "rate": " ".join(f"{x(t)},{y(rate, top_rate)}" for t, _, rate in history),
            "top_rate": top_rate,
            "start": _clock_label(t0),
            "end": _clock_label(t1),
            "last_level": history[-1][1],
            "last_rate": history[-1][2],
            "count": len(history),
        }

    def plan_chart(vehicle: Any) -> dict[str, Any] | None:
        plan = vehicles.latest_plan(state, vehicle.id)
        location = vehicles.location_of(state, vehicle)
        if plan is None:
            return None
        start = _seconds(plan["stopAt"])
        finish = _seconds(plan["estimatedFinishAt"])
        begin = _seconds(plan["startAt"])
        t0 = start - start % 3600
        hours = 24
        prices = [vehicles.price_at(state, location, t0 + h * 3600 + 1) for h in range(hours)]
        top = max(max(prices), 0.01)
        width, height = 360.0, 120.0
        bar = (width - 40) / hours
        bars = []
        for h, price in enumerate(prices):
            left, right = t0 + h * 3600, t0 + (h + 1) * 3600
            charging = begin < right and finish > left
            bar_height = (height - 30) * price / top
            bars.append(
                {
                    "x": round(30 + h * bar, 1),
                    "y": round(height - 20 - bar_height, 1),
                    "w": round(bar - 1, 1),
                    "h": round(bar_height, 1),
                    "charging": charging,
                    "label": f"{_clock_label(left)} {price:.2f} {vehicles.CURRENCY}/kWh"
                    + (" (charging)" if charging else ""),
                }
            )
        return {
            "bars": bars,
            "top": top,
            "start": _clock_label(t0),
            "startAt": plan["startAt"],
            "finishAt": plan["estimatedFinishAt"],
            "smartCost": plan["smartCost"],
            "nonSmartCost": plan["nonSmartCost"],
            "currency": plan["currency"],
            "location": (location or {}).get("name"),
        }

    def live_context() -> dict[str, Any]:
        with state.lock:
            engine.tick()
            sample()
            users = []
            for user in state.users.values():
                assets = [
                    asset
                    for kind in state.assets.values()
                    for asset in kind.values()
                    if asset.user_id == user.id
                ]
                if not assets and not user.linked_vendors:
                    continue
                users.append(
                    {
                        "id": user.id,
                        "linked": user.linked_vendors,
                        "count": len(assets),
                        "assets": sorted(assets, key=lambda a: a.seq)[:12],
                    }
                )
            cars = [
                {
                    "asset": vehicle,
                    "battery": battery_chart(vehicle.id),
                    "plan": plan_chart(vehicle),
                }
                for vehicle in state.assets["vehicle"].values()
            ]
            actions = sorted(state.actions.values(), key=lambda a: -a.seq)[:15]
            action_rows = [a.record() for a in actions]
            vendors = list(state.vendors.values())
            hooks = {hook.id: hook for hook in state.webhooks.values()}
            sessions = [
                {"token": token, **{k: v for k, v in s.items() if k != "csrf"}}
                for token, s in list(state.link_sessions.items())[-8:]
            ]
            now = format_timestamp(clock.time())
        deliveries = list(reversed(mock.webhooks.deliveries()))[:12]
        for delivery in deliveries:
            full = mock.webhooks.delivery(delivery["id"]) or {}
            delivery["body"] = full.get("body", "")
            hook = hooks.get(delivery["webhookId"])
            delivery["signature"] = (
                signed_delivery(delivery["body"].encode(), hook.secret)[1][SIGNATURE_HEADER]
                if hook
                else None
            )
        queues = {q["webhookId"]: q for q in mock.webhooks.queues()}
        return {
            "now": now,
            "users": users,
            "cars": cars,
            "actions": action_rows,
            "vendors": vendors,
            "deliveries": deliveries,
            "queues": queues,
            "sessions": sessions,
            "webhooks": list(hooks.values()),
            "csrf": csrf,
        }

    async def page(request: Request) -> Response:
        context = {"scheme": "system", "message": request.query_params.get("message")}
        context.update(live_context())
        return templates.TemplateResponse(request, "console.html", context)

    async def live(request: Request) -> Response:
        return templates.TemplateResponse(request, "console_live.html", live_context())

    # form "op" -> (admin endpoint, path template, path params, JSON body) from the fields
    def plan_call(fields: dict[str, str]) -> tuple[str, str, dict[str, str], Any]:
        op = fields.get("op", "")
        target = fields.get("id", "")
        if op == "advance-clock":
            try:
                seconds = float(fields.get("seconds", ""))
            except ValueError:
                raise ProblemError(400, "seconds: must be a number") from None
            return "advance_clock", "/clock/advance", {}, {"seconds": seconds}
        if op in ("confirm", "fail"):
            body: dict[str, Any] = {"state": "CONFIRMED" if op == "confirm" else "FAILED"}
            return "advance_action", f"/actions/{target}/advance", {"id": target}, body
        if op in ("reachable", "unreachable"):
            kind = fields.get("kind", "")
            params = {"type": kind, "id": target}
            body = {"isReachable": op == "reachable"}
            return "reachable", f"/assets/{kind}/{target}/reachable", params, body
        if op in ("plug", "unplug"):
            plugged = op == "plug"
            body = {
                "chargeState": {
                    "isPluggedIn": plugged,
                    "isCharging": False,
                    "chargeRate": None,
                    "powerDeliveryState": "PLUGGED_IN:STOPPED" if plugged else "UNPLUGGED",
                    "pluggedInChargerId": None,
                }
            }
            params = {"type": "vehicle", "id": target}
            return "patch_asset", f"/assets/vehicle/{target}", params, body
        if op in ("outage", "ready"):
            status = "OUTAGE" if op == "outage" else "READY"
            body = {"status": status, "linkingStatus": status}
            return "vendor_status", f"/vendors/{target}/status", {"vendor": target}, body
        if op == "invalidate":
            vendor = fields.get("vendor", "")
            params = {"userId": target, "vendor": vendor}
            path = f"/users/{target}/vendors/{vendor}/invalidate"
            return "invalidate_credentials", path, params, None
        raise ProblemError(400, f"Unknown console operation {op!r}.")

    async def test_event(webhook_id: str) -> Response:
        """`POST /webhooks/{id}/test` through the API, as the webhook's own client."""
        with state.lock:
            hook = state.webhooks.get(webhook_id)
            if hook is None:
                raise ProblemError(404, f"No webhook with ID {webhook_id!r}.")
            token, _ = mock.tokens.issue(hook.client_id)
        path = f"/webhooks/{webhook_id}/test"
        scope = {
            "type": "http",
            "method": "POST",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "headers": [(b"authorization", f"Bearer {token}".encode())],
            "server": ("console", 80),
            "scheme": "http",
            "root_path": "",
        }

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        return await mock.api(Request(scope, receive))

    async def do(request: Request) -> Response:
        try:
            fields = await form_fields(request)
        except ProblemError as error:
            return problem_response(error)
        if not secrets.compare_digest(fields.get("csrf", ""), csrf):
            return problem_response(ProblemError(403, "The form's CSRF token is missing or wrong."))
        try:
            if fields.get("op") == "test-event":
                response = await test_event(fields.get("id", ""))
            else:
                name, path, params, body = plan_call(fields)
                response = await _call(admin[name], path, params, body)
        except ProblemError as error:
            return problem_response(error)
        message = None
        if response.status_code == 200 and fields.get("op") == "test-event":
            result = json.loads(bytes(response.body))
            message = f"test event: {result.get('status')} {result.get('description', '')}"
        elif response.status_code >= 400:
            detail = json.loads(bytes(response.body)).get("detail", "")
            message = f"{fields.get('op')}: {detail or response.status_code}"
        if request.headers.get("x-console") == "fetch":  # the page's script: no redirect
            return Response(
                message or "ok", status_code=response.status_code, media_type="text/plain"
            )
        target = "/_mock/console" + (f"?{_query(message=message)}" if message else "")
        return RedirectResponse(target, status_code=303)

    return [
        Route("/console", page, methods=["GET"]),
        Route("/console/live", live, methods=["GET"]),
        Route("/console/do", do, methods=["POST"]),
    ]


def _query(**params: str) -> str:
    return urlencode(params)


def _seconds(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def _clock_label(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%H:%M")
