"""OAuth2 client credentials: one token request, cached, shared, refreshed once on 401."""

from __future__ import annotations

import asyncio
import base64
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs

import httpx
import pytest
from conftest import CLIENT_ID, CLIENT_SECRET, TOKEN_URL, FakeEnode, MakeClient, problem, resolve
from fakeapi import AsyncClient, Battery, Client

from enode_codegen.runtime import AuthenticationError, Backoff, ResponseValidationError
from enode_codegen.runtime._auth import ClientCredentials, TokenProvider
from enode_codegen.runtime._flow import Send, Sleep
from enode_codegen.runtime._secret import Secret

BATTERY = {"id": "b1", "chargeState": "IDLE"}


async def test_many_calls_use_one_token(fake: FakeEnode, make_client: MakeClient) -> None:
    fake.on("GET", "/batteries/b1", httpx.Response(200, json=BATTERY))
    client = make_client()
    for _ in range(5):
        assert await resolve(client.batteries.get_battery("b1")) == Battery.model_validate(BATTERY)

    assert len(fake.token_requests) == 1
    token_request = fake.token_requests[0]
    assert token_request.method == "POST"
    assert str(token_request.url) == TOKEN_URL
    expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    assert token_request.headers["Authorization"] == f"Basic {expected}"
    assert parse_qs(token_request.content.decode()) == {"grant_type": ["client_credentials"]}
    assert [r.headers["Authorization"] for r in fake.api_requests] == ["Bearer token-1"] * 5


async def test_expired_token_is_fetched_again(fake: FakeEnode, make_client: MakeClient) -> None:
    fake.expires_in = 0
    fake.on("GET", "/batteries/b1", httpx.Response(200, json=BATTERY))
    client = make_client()
    for _ in range(3):
        await resolve(client.batteries.get_battery("b1"))

    assert len(fake.token_requests) == 3
    assert fake.api_requests[-1].headers["Authorization"] == "Bearer token-3"


def test_token_is_replaced_a_minute_before_it_expires() -> None:
    now = [1000.0]
    tokens = TokenProvider(
        ClientCredentials(CLIENT_ID, Secret(CLIENT_SECRET), TOKEN_URL),
        clock=lambda: now[0],
    )
    flow = tokens.fetch(timeout=httpx.Timeout(5), max_retries=0, backoff=Backoff())
    command = next(flow)
    assert isinstance(command, Send)
    body = {"access_token": "abc", "expires_in": 3600, "token_type": "bearer", "scope": ""}
    with pytest.raises(StopIteration) as done:
        flow.send(httpx.Response(200, json=body, request=command.request))
    assert done.value.value == "abc"

    now[0] = 1000.0 + 3539
    assert tokens.current() == "abc"
    assert tokens.current(rejected="abc") is None  # a token the API refused is never reused
    now[0] = 1000.0 + 3540
    assert tokens.current() is None


def test_twenty_threads_cause_one_token_request(fake: FakeEnode) -> None:
    fake.token_delay = 0.05
    fake.on("GET", "/batteries/b1", httpx.Response(200, json=BATTERY))
    client = Client(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        base_url="https://api.test",
        token_url=TOKEN_URL,
        transport=httpx.MockTransport(fake.sync_handler),
    )
    start = threading.Barrier(20)

    def call(_: int) -> Battery:
        start.wait()
        return client.batteries.get_battery("b1")

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(call, range(20)))

    assert len(results) == 20
    assert len(fake.token_requests) == 1
    assert len(fake.api_requests) == 20


async def test_twenty_tasks_cause_one_token_request(fake: FakeEnode) -> None:
    fake.token_delay = 0.05
    fake.on("GET", "/batteries/b1", httpx.Response(200, json=BATTERY))
    client = AsyncClient(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        base_url="https://api.test",
        token_url=TOKEN_URL,
        transport=httpx.MockTransport(fake.async_handler),
    )
    results = await asyncio.gather(*(client.batteries.get_battery("b1") for _ in range(20)))

    assert len(results) == 20
    assert len(fake.token_requests) == 1
    assert len(fake.api_requests) == 20


async def test_401_refreshes_the_token_once_and_retries(
    fake: FakeEnode, make_client: MakeClient
) -> None:
    fake.on("GET", "/batteries/b1", problem(401), httpx.Response(200, json=BATTERY))
    client = make_client()

    battery = await resolve(client.batteries.get_battery("b1"))

    assert battery.id == "b1"
    assert len(fake.token_requests) == 2
    assert [r.headers["Authorization"] for r in fake.api_requests] == [
        "Bearer token-1",
        "Bearer token-2",
    ]


async def test_second_401_raises_authentication_error(
    fake: FakeEnode, make_client: MakeClient
) -> None:
    fake.on("GET", "/batteries/b1", problem(401, "Unauthorized", "bad token"))
    client = make_client()

    with pytest.raises(AuthenticationError) as caught:
        await resolve(client.batteries.get_battery("b1"))

    assert caught.value.status_code == 401
    assert len(fake.token_requests) == 2
    assert len(fake.api_requests) == 2


async def test_given_access_token_is_sent_and_never_refreshed(
    fake: FakeEnode, make_client: MakeClient
) -> None:
    fake.on("GET", "/batteries/b1", problem(401))
    client = make_client(access_token="my-own-token")

    with pytest.raises(AuthenticationError):
        await resolve(client.batteries.get_battery("b1"))

    assert fake.token_requests == []
    assert [r.headers["Authorization"] for r in fake.api_requests] == ["Bearer my-own-token"]


async def test_token_endpoint_refusal_raises_authentication_error(
    fake: FakeEnode, make_client: MakeClient
) -> None:
    fake.token_response = httpx.Response(
        401, json={"error": "invalid_client", "error_description": "Client authentication failed"}
    )
    client = make_client()

    with pytest.raises(AuthenticationError) as caught:
        await resolve(client.batteries.get_battery("b1"))

    assert caught.value.title == "invalid_client"
    assert caught.value.detail == "Client authentication failed"
    assert fake.api_requests == []


async def test_unreadable_token_response_does_not_leak_it(
    fake: FakeEnode, make_client: MakeClient
) -> None:
    fake.token_response = httpx.Response(200, json={"access_token": "leaky", "expires_in": "soon"})
    client = make_client()

    with pytest.raises(ResponseValidationError) as caught:
        await resolve(client.batteries.get_battery("b1"))

    assert "leaky" not in str(caught.value)
    assert caught.value.__cause__ is None


async def test_token_request_is_retried_like_any_idempotent_request(
    fake: FakeEnode, make_client: MakeClient
) -> None:
    fake.on("GET", "/batteries/b1", httpx.Response(200, json=BATTERY))
    fake.token_response = problem(503)
    client = make_client(max_retries=1, backoff=Backoff(random=lambda: 1.0))

    with pytest.raises(Exception, match="503"):
        await resolve(client.batteries.get_battery("b1"))

    assert len(fake.token_requests) == 2
    assert fake.slept == [0.5]


def test_token_flow_sleeps_between_attempts_without_io() -> None:
    tokens = TokenProvider(ClientCredentials(CLIENT_ID, Secret(CLIENT_SECRET), TOKEN_URL))
    flow = tokens.fetch(
        timeout=httpx.Timeout(5), max_retries=1, backoff=Backoff(random=lambda: 1.0)
    )
    first = next(flow)
    assert isinstance(first, Send)
    assert flow.send(httpx.ConnectError("refused", request=first.request)) == Sleep(0.5)
    assert isinstance(flow.send(None), Send)
