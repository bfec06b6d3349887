"""A fake Enode behind httpx.MockTransport, and clients of both flavours.

Most runtime tests take `make_client` and run twice, once with the sync `Client` and
once with the `AsyncClient`; `resolve()` awaits a result only when it is awaitable.
"""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fakeapi import AsyncClient, Client

BASE_URL = "https://api.test"
TOKEN_URL = "https://oauth.test/oauth2/token"
CLIENT_ID = "client-id-123"
CLIENT_SECRET = "very-secret-client-secret"
ENV_VARS = (
    "ENODE_CLIENT_ID",
    "ENODE_CLIENT_SECRET",
    "ENODE_ENVIRONMENT",
    "ENODE_BASE_URL",
    "ENODE_TOKEN_URL",
)

Responder = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def problem(status: int, title: str = "Problem", detail: str = "It went wrong") -> httpx.Response:
    return httpx.Response(
        status,
        json={
            "type": f"https://developers.enode.com/problems/{status}",
            "title": title,
            "detail": detail,
        },
        headers={"Content-Type": "application/problem+json"},
    )


class FakeEnode:
    """The token endpoint plus whatever API routes a test declares; records every request."""

    def __init__(self) -> None:
        self.api_requests: list[httpx.Request] = []
        self.token_requests: list[httpx.Request] = []
        self.slept: list[float] = []
        self.expires_in = 3600.0
        self.token_delay = 0.0
        self.token_response: httpx.Response | None = None
        self._routes: dict[tuple[str, str], list[Responder]] = {}

    def on(self, method: str, path: str, *responders: Responder) -> None:
        """Answer `method path` with `responders` in order; the last one repeats."""
        self._routes[(method, path)] = list(responders)

    def sync_handler(self, request: httpx.Request) -> httpx.Response:
        if self._is_token(request) and self.token_delay:
            time.sleep(self.token_delay)
        return self._answer(request)

    async def async_handler(self, request: httpx.Request) -> httpx.Response:
        if self._is_token(request) and self.token_delay:
            await asyncio.sleep(self.token_delay)
        return self._answer(request)

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)

    async def async_sleep(self, seconds: float) -> None:
        self.slept.append(seconds)

    def _is_token(self, request: httpx.Request) -> bool:
        return str(request.url) == TOKEN_URL

    def _answer(self, request: httpx.Request) -> httpx.Response:
        if self._is_token(request):
            self.token_requests.append(request)
            if self.token_response is not None:
                return _fresh(self.token_response)
            body = {
                "access_token": f"token-{len(self.token_requests)}",
                "expires_in": self.expires_in,
                "scope": "all",
                "token_type": "bearer",
            }
            return httpx.Response(200, json=body)
        self.api_requests.append(request)
        queue = self._routes.get((request.method, request.url.path))
        if not queue:
            return problem(404, "Not Found", f"no route {request.method} {request.url.path}")
        responder = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(responder, Exception):
            raise responder
        if isinstance(responder, httpx.Response):
            return _fresh(responder)
        return responder(request)


def _fresh(response: httpx.Response) -> httpx.Response:
    return httpx.Response(response.status_code, headers=response.headers, content=response.content)


async def resolve(value: Any) -> Any:
    """`await value` for the async client, `value` itself for the sync one."""
    return await value if inspect.isawaitable(value) else value


async def collect(page: Any) -> list[Any]:
    """Every item of a page and the pages after it, by `for` or `async for`."""
    if hasattr(page, "__aiter__"):
        return [item async for item in page]
    return list(page)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake() -> FakeEnode:
    return FakeEnode()


@pytest.fixture(params=["sync", "async"])
def flavour(request: pytest.FixtureRequest) -> str:
    return str(request.param)


MakeClient = Callable[..., Client | AsyncClient]


@pytest.fixture
def make_client(flavour: str, fake: FakeEnode) -> Iterator[MakeClient]:
    """Build a `Client` or `AsyncClient` (by `flavour`) talking to `fake`."""

    def make(**options: Any) -> Client | AsyncClient:
        if "access_token" not in options:
            options.setdefault("client_id", CLIENT_ID)
            options.setdefault("client_secret", CLIENT_SECRET)
            options.setdefault("token_url", TOKEN_URL)
        options.setdefault("base_url", BASE_URL)
        if flavour == "sync":
            return Client(
                transport=httpx.MockTransport(fake.sync_handler), sleep=fake.sleep, **options
            )
        return AsyncClient(
            transport=httpx.MockTransport(fake.async_handler), sleep=fake.async_sleep, **options
        )

    yield make
