"""The app factory: `create_app(MockConfig(...)) -> Starlette`.

Requests flow: `Enode-Version` header -> that version's router (404 / 405) -> bearer
token (operations with `security`) -> body size (413) -> parameters (400) -> body
(415 / 400) -> the handler registered under the operationId (under the state lock, after
resolving due actions) -> projection and strict validation of the reply.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.types import Receive, Scope, Send

from .actions import ActionEngine, progression_for
from .admin import admin_routes
from .auth import TokenStore, token_endpoint
from .config import MockConfig
from .console import AccessGuard, console_routes
from .handlers import CLOCK_DEPENDENT, HANDLERS, Ctx, Env
from .handlers.common import USER_HEADER
from .link_ui import link_routes
from .problems import ProblemError, problem_response
from .request_validation import validate_body, validate_params
from .responses import Responder, ResponseCache, Violation
from .schemas import Issue
from .specs import RouteMiss, SpecIndex, load_index
from .state import State, load_seed
from .webhook_delivery import WebhookDispatcher
from .webhook_events import EventRenderer, InvalidEvent

__all__ = ["MockApp", "create_app"]

log = logging.getLogger("mock")

_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
_CANONICAL_SCHEMAS = {
    "battery": "Battery",
    "charger": "Charger",
    "hvac": "Hvac",
    "inverter": "Inverter",
    "meter": "Meter",
    "vehicle": "Vehicle",
}


class _TooLarge(Exception):
    pass


class MockApp:
    """One mock instance: specs, state, tokens, and the request pipeline."""

    def __init__(self, config: MockConfig) -> None:
        self.config = config
        self.index: SpecIndex = load_index(
            config.spec_dir.resolve(), config.versions, accelerate=config.accelerate
        )
        missing = {
            op.operation_id
            for spec in self.index.versions.values()
            for op in spec.operations.values()
            if op.operation_id not in HANDLERS
        }
        if missing:
            raise ValueError(f"no mock handler for operations: {', '.join(sorted(missing))}")
        state = State(load_seed(config.seed_path))
        engine = ActionEngine(state, config.clock, progression_for(config.action_delay))
        self.responder = Responder(self.index, strict=config.strict)
        self.webhooks = WebhookDispatcher(
            state,
            config.clock,
            EventRenderer(self.index),
            config,
            self.index.newest,
            on_invalid=self._invalid_event,
        )
        self.env = Env(config, state, engine, config.clock, self.webhooks)
        self.tokens = TokenStore(config.clients, config.token_ttl, config.clock)
        self._cache = ResponseCache()
        self.newest = self.index.newest
        self._supported = ", ".join(self.index.supported)

    @property
    def violations(self) -> list[Violation]:
        return self.responder.violations

    def _invalid_event(self, invalid: InvalidEvent) -> None:
        """A webhook event its version's schema refuses: a violation like a response's."""
        self.responder.record_violation(
            invalid.version, f"webhook {invalid.name}", 0, invalid.problems, invalid.event
        )

    def close(self) -> None:
        """Stop the webhook workers (the app's lifespan does it under a server)."""
        self.webhooks.close()

    def canonical_issues(self, kind: str, record: dict[str, Any]) -> list[Issue]:
        """Problems of a canonical asset record against the newest version's schema."""
        spec = self.index.versions[self.newest]
        validator = spec.store.compile(spec.schema_pointer(_CANONICAL_SCHEMAS[kind]))
        return [] if validator.is_valid(record) else validator.issues(record, ("body",))

    # --- the request pipeline ---------------------------------------------------------

    async def _body(self, request: Request) -> bytes:
        limit = self.config.max_body_bytes
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            raise _TooLarge
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _TooLarge
            chunks.append(chunk)
        return b"".join(chunks)

    def _miss(self, version: str, method: str, path: str, miss: RouteMiss) -> ProblemError:
        if miss.allowed:
            allowed = ", ".join(miss.allowed)
            return ProblemError(
                405,
                f"{method} is not allowed on {path} in Enode-Version {version}; "
                f"allowed: {allowed}.",
                headers={"Allow": allowed},
            )
        elsewhere = []
        for other, spec in self.index.versions.items():
            if other == version:
                continue
            try:
                spec.router.match(method, path)
            except RouteMiss:
                continue
            elsewhere.append(other)
        hint = f" It exists in Enode-Version {', '.join(elsewhere)}." if elsewhere else ""
        return ProblemError(404, f"No operation {method} {path} in Enode-Version {version}.{hint}")

    async def api(self, request: Request) -> Response:
        headers = request.headers
        version = headers.get("enode-version")
        if version is None:
            version = self.newest
        spec = self.index.versions.get(version)
        if spec is None:
            return problem_response(
                ProblemError(
                    400,
                    f"Enode-Version {version[:40]!r} is not supported; "
                    f"use one of {self._supported} (default: {self.newest}).",
                    title="Unsupported Enode-Version",
                    issues=[Issue("unsupported version", ("header", "Enode-Version"))],
                )
            )
        method = request.method
        raw_path = request.scope.get("raw_path")
        path = raw_path.decode("latin-1").split("?", 1)[0] if raw_path else request.url.path
        try:
            op, path_params = spec.router.match(method, path)
        except RouteMiss as miss:
            return problem_response(self._miss(version, method, path, miss))
        try:
            client_id = None
            authorization = headers.get("authorization")
            if op.requires_auth or (op.optional_auth and authorization):
                client_id = self.tokens.check(authorization)
            if op.body is not None:
                raw = await self._body(request)
            else:
                length = headers.get("content-length")
                if (
                    length is not None
                    and length.isdigit()
                    and int(length) > self.config.max_body_bytes
                ):
                    raise _TooLarge
                raw = b""
            validated = validate_params(op, path_params, request.query_params, headers)
            validated.body = validate_body(op, headers.get("content-type"), raw)
            ctx = Ctx(op, validated, self.env, headers.get(USER_HEADER), request, client_id)
            handler = HANDLERS[op.operation_id]
            state = self.env.state
            key = None
            if method == "GET" and op.operation_id not in CLOCK_DEPENDENT:
                key = (
                    version,
                    op.operation_id,
                    path,
                    request.url.query,
                    ctx.user_header,
                    client_id,  # webhooks are per client
                )
            with state.lock:
                self.env.engine.tick()
                cached = self._cache.get(state.revision, key) if key else None
                if cached is not None:
                    return cached
                reply = handler(ctx)
                if reply.deferred is None:
                    response = self.responder.render(
                        op, reply.status, reply.body, reply.headers or None
                    )
                    if key is not None and not reply.headers:
                        self._cache.put(state.revision, key, response)
                    return response  # (servers drop the body of a HEAD response themselves)
            reply = await anyio.to_thread.run_sync(reply.deferred)  # without the lock
            return self.responder.render(op, reply.status, reply.body, reply.headers or None)
        except ProblemError as error:
            return self.responder.problem(op, error)
        except _TooLarge:
            limit = self.config.max_body_bytes
            return self.responder.problem(
                op, ProblemError(413, f"The request body exceeds the limit of {limit} bytes.")
            )
        except Exception:
            log.exception("unhandled error in %s %s (%s)", version, op.operation_id, path)
            self.responder.violations.append(
                Violation(version, op.operation_id, 500, ("unhandled exception",), "")
            )
            return problem_response(
                ProblemError(500, f"The mock failed while handling {op.operation_id}; see its log.")
            )

    async def token(self, request: Request) -> Response:
        return await token_endpoint(request, self.tokens, self.config.max_body_bytes)

    def build(self) -> Starlette:
        async def http_error(request: Request, exc: Exception) -> Response:
            status = exc.status_code if isinstance(exc, HTTPException) else 500
            headers = dict(exc.headers or {}) if isinstance(exc, HTTPException) else {}
            detail = (
                f"{request.method} is not allowed on {request.url.path}."
                if status == 405
                else f"No route {request.method} {request.url.path}."
            )
            return problem_response(ProblemError(status, detail, headers=headers))

        async def api(scope: Scope, receive: Receive, send: Send) -> None:
            # every path that is not the token endpoint or an admin route (Starlette's
            # path patterns do not match every possible path, e.g. one with a newline)
            if scope["type"] != "http":
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1000})
                return
            response = await self.api(Request(scope, receive))
            await response(scope, receive, send)

        admin = admin_routes(self)
        endpoints = {route.name: route.endpoint for route in admin}
        mock_routes = [*admin, *link_routes(self), *console_routes(self, endpoints)]
        routes = [
            Route("/oauth2/token", self.token, methods=_METHODS),
            Mount("/_mock", routes=mock_routes),
        ]

        @contextlib.asynccontextmanager
        async def lifespan(app: Starlette) -> AsyncIterator[None]:
            self.webhooks.start()  # again after an earlier lifespan's end stopped them
            try:
                yield
            finally:
                await anyio.to_thread.run_sync(self.close)

        app = Starlette(
            routes=routes,
            exception_handlers={HTTPException: http_error},
            lifespan=lifespan,
            middleware=[Middleware(AccessGuard, token=self.config.admin_token)],
        )
        app.router.default = api
        app.state.mock = self
        return app


def create_app(config: MockConfig | None = None) -> Starlette:
    """A Starlette app serving every version under `config.spec_dir` from `config.seed_path`."""
    return MockApp(config or MockConfig()).build()
