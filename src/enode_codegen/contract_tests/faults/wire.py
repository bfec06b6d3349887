"""The wire a fault works on: one request and the mock's answer as bytes (`Exchange`), the
way back to the mock (`Call`, which also holds what a stateful fault remembers until the
mock is reset), and the ASGI middleware that buffers each exchange for the fault."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

__all__ = [
    "BEHAVIOUR_ONLY",
    "DELETE",
    "Call",
    "Exchange",
    "Fault",
    "FaultMiddleware",
    "is_page",
    "query_of",
]

Scope = dict[str, Any]
Message = dict[str, Any]
App = Callable[
    [Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]
]

# a body rewrite returning this deletes the key
DELETE = object()

# the proof runs of faults that keep every answer schema-valid (caught by the named checks)
# collect only test_behaviour_*.py (schemathesis's per-operation tests take most of a short
# run's start, and cannot see these faults)
BEHAVIOUR_ONLY = (
    "--ignore-glob=*test_operations.py",
    "--ignore-glob=*test_stateful.py",
    "--ignore-glob=*test_clients.py",
)


@dataclass
class Exchange:
    """One request and the mock's answer, as bytes, for a fault to rewrite."""

    method: str
    path: str
    query: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes
    status: int = 0
    response_headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    response_body: bytes = b""

    def header(self, name: str) -> str | None:
        key = name.lower().encode()
        for k, v in self.headers:
            if k.lower() == key:
                return v.decode("latin-1")
        return None

    @property
    def content_type(self) -> str:
        for k, v in self.response_headers:
            if k.lower() == b"content-type":
                return v.decode("latin-1")
        return ""

    def set_content_type(self, value: str) -> None:
        self.response_headers = [
            (k, v) for k, v in self.response_headers if k.lower() != b"content-type"
        ]
        self.response_headers.append((b"content-type", value.encode()))

    def json(self) -> Any:
        if "json" not in self.content_type or not self.response_body:
            return None
        try:
            return json.loads(self.response_body)
        except ValueError:
            return None

    def set_json(self, value: Any) -> None:
        self.response_body = json.dumps(value).encode()


class Call:
    """Sends an exchange (or a new one) to the mock; `memory(name)` is the fault's own
    state, kept per middleware and forgotten when the mock is reset."""

    def __init__(
        self, send: Callable[[Exchange], Awaitable[Exchange]], memory: dict[str, dict[str, Any]]
    ) -> None:
        self._send = send
        self._memory = memory

    def __call__(self, exchange: Exchange) -> Awaitable[Exchange]:
        return self._send(exchange)

    def memory(self, name: str) -> dict[str, Any]:
        return self._memory.setdefault(name, {})


@dataclass(frozen=True)
class Fault:
    name: str
    description: str
    # rewrites one exchange; `call` sends a (modified) request to the mock again and keeps
    # what a stateful fault remembers
    apply: Callable[[Exchange, Call], Awaitable[Exchange]]
    # what a failing run's output must all mention (check title, detail), for the proof
    caught_by: tuple[str, ...]
    # extra arguments of its proof run (tests/test_contract_faults.py)
    run_args: tuple[str, ...] = ()


def query_of(exchange: Exchange) -> dict[str, str]:
    return dict(parse_qsl(exchange.query.decode("latin-1")))


def is_page(exchange: Exchange) -> bool:
    body = exchange.json()
    return (
        exchange.method == "GET"
        and exchange.status == 200
        and isinstance(body, dict)
        and isinstance(body.get("pagination"), dict)
    )


class FaultMiddleware:
    """Buffers each API exchange with the mock and lets the fault rewrite it."""

    def __init__(self, app: App, fault: Fault) -> None:
        self.app = app
        self.fault = fault
        # what the fault remembers; forgotten when the mock is reset (POST /_mock/reset)
        self.memory: dict[str, dict[str, Any]] = {}

    async def _call(self, exchange: Exchange, scope: Scope) -> Exchange:
        sent = False

        async def receive() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": exchange.body, "more_body": False}

        answer = Exchange(
            exchange.method, exchange.path, exchange.query, exchange.headers, exchange.body
        )
        chunks: list[bytes] = []

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer.status = int(message["status"])
                answer.response_headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        inner_scope = dict(scope)  # path and raw_path stay as sent (faults never move them)
        inner_scope.update(
            method=exchange.method,
            query_string=exchange.query,
            headers=exchange.headers,
        )
        if exchange.path != scope["path"]:
            inner_scope.update(path=exchange.path, raw_path=exchange.path.encode())
        await self.app(inner_scope, receive, send)
        answer.response_body = b"".join(chunks)
        return answer

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/_mock/reset":
            self.memory.clear()
        if scope["type"] != "http" or scope["path"].startswith(("/_mock", "/oauth2")):
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        exchange = Exchange(
            scope["method"],
            scope["path"],
            scope.get("query_string", b""),
            list(scope["headers"]),
            body,
        )
        answer = await self.fault.apply(
            exchange, Call(lambda ex: self._call(ex, scope), self.memory)
        )
        headers = [(k, v) for k, v in answer.response_headers if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(answer.response_body)).encode()))
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": answer.response_body, "more_body": False})
