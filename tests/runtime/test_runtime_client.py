"""Constructing clients, per-client and per-call options, raw responses, what goes on the wire."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from typing import Any
from uuid import UUID

import httpx
import pytest
from conftest import (
    BASE_URL,
    CLIENT_ID,
    CLIENT_SECRET,
    TOKEN_URL,
    FakeEnode,
    MakeClient,
    problem,
    resolve,
)
from fakeapi import API_VERSION, AsyncClient, BatteriesResource, Battery, Client, OperationMode

from enode_codegen.runtime import (
    AsyncPage,
    ConfigurationError,
    NotFoundError,
    RawResponse,
    SyncAPIClient,
    SyncPage,
)
from enode_codegen.runtime._params import query_string

BATTERY = {"id": "b1", "chargeState": "IDLE"}


# --- construction -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environment", "base_url", "token_url"),
    [
        (
            "production",
            "https://enode-api.production.enode.io",
            "https://oauth.production.enode.io/oauth2/token",
        ),
        (
            "sandbox",
            "https://enode-api.sandbox.enode.io",
            "https://oauth.sandbox.enode.io/oauth2/token",
        ),
    ],
)
def test_environments(environment: str, base_url: str, token_url: str) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        if request.url.path == "/oauth2/token":
            return httpx.Response(200, json={"access_token": "t", "expires_in": 3600})
        return httpx.Response(200, json=BATTERY)

    client = Client(
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        environment=environment,
        transport=httpx.MockTransport(handler),
    )
    client.batteries.get_battery("b1")

    assert client.environment == environment
    assert client.base_url == base_url
    assert seen == [token_url, f"{base_url}/batteries/b1"]


def test_credentials_and_environment_from_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENODE_CLIENT_ID", "env-id")
    monkeypatch.setenv("ENODE_CLIENT_SECRET", "env-secret")
    monkeypatch.setenv("ENODE_ENVIRONMENT", "sandbox")
    fake = FakeEnode()

    client = Client(transport=httpx.MockTransport(fake.sync_handler))

    assert client.base_url == "https://enode-api.sandbox.enode.io"
    assert client._settings.credentials is not None
    assert client._settings.credentials.client_id == "env-id"
    assert client._settings.credentials.client_secret.get_secret_value() == "env-secret"
    assert client._settings.credentials.token_url == "https://oauth.sandbox.enode.io/oauth2/token"


def test_urls_from_variables_and_arguments_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENODE_CLIENT_ID", "env-id")
    monkeypatch.setenv("ENODE_CLIENT_SECRET", "env-secret")
    monkeypatch.setenv("ENODE_BASE_URL", BASE_URL)
    monkeypatch.setenv("ENODE_TOKEN_URL", TOKEN_URL)
    monkeypatch.setenv("ENODE_ENVIRONMENT", "sandbox")
    fake = FakeEnode()
    fake.on("GET", "/batteries/b1", httpx.Response(200, json=BATTERY))

    from_env = Client(transport=httpx.MockTransport(fake.sync_handler))
    from_env.batteries.get_battery("b1")
    explicit = Client(client_id="arg-id", environment="production")

    assert from_env.base_url == BASE_URL  # ENODE_BASE_URL beats ENODE_ENVIRONMENT
    assert str(fake.token_requests[0].url) == TOKEN_URL
    assert explicit.base_url == "https://enode-api.production.enode.io"  # arguments beat variables
    assert explicit._settings.credentials is not None
    assert explicit._settings.credentials.client_id == "arg-id"


@pytest.mark.parametrize(
    ("options", "named", "not_named"),
    [
        ({}, ["client_id", "client_secret", "API URL", "ENODE_CLIENT_ID"], []),
        (
            {"client_id": "x", "environment": "sandbox"},
            ["client_secret", "ENODE_CLIENT_SECRET"],
            ["client_id ("],
        ),
        (
            {"client_id": "x", "client_secret": "y"},
            ["API URL", "ENODE_ENVIRONMENT"],
            ["client_secret ("],
        ),
        (
            {"client_id": "x", "client_secret": "y", "base_url": BASE_URL},
            ["token_url"],
            ["API URL"],
        ),
        ({"access_token": "t"}, ["API URL"], ["client_id", "client_secret"]),
        (
            {"environment": "staging", "access_token": "t"},
            ["'staging'", "'production'", "'sandbox'"],
            [],
        ),
        ({"access_token": "t", "client_id": "x", "environment": "sandbox"}, ["either"], []),
    ],
)
@pytest.mark.parametrize("cls", [Client, AsyncClient])
def test_missing_or_wrong_settings_are_named(
    cls: type[Client | AsyncClient],
    options: dict[str, Any],
    named: list[str],
    not_named: list[str],
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        cls(**options)
    message = str(caught.value)
    for text in named:
        assert text in message
    for text in not_named:
        assert text not in message


def test_a_secret_without_an_id_from_variables_is_still_reported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ENODE_CLIENT_SECRET", "env-secret")
    with pytest.raises(ConfigurationError, match="client_id") as caught:
        Client(environment="sandbox")
    assert "env-secret" not in str(caught.value)


def test_the_runtime_base_class_needs_an_api_version() -> None:
    with pytest.raises(TypeError, match="API_VERSION"):
        SyncAPIClient(access_token="t", environment="sandbox")


def test_http_client_and_transport_are_exclusive() -> None:
    with pytest.raises(ConfigurationError):
        Client(
            access_token="t",
            environment="sandbox",
            http_client=httpx.Client(),
            transport=httpx.MockTransport(FakeEnode().sync_handler),
        )


# --- the wire -----------------------------------------------------------------------------------


async def test_every_api_request_carries_the_version_header(
    fake: FakeEnode, make_client: MakeClient
) -> None:
    fake.on("GET", "/batteries/b1", problem(503), problem(401), httpx.Response(200, json=BATTERY))
    fake.on(
        "GET",
        "/batteries",
        httpx.Response(
            200, json={"data": [BATTERY], "pagination": {"after": None, "before": None}}
        ),
    )
    fake.on("DELETE", "/batteries/b1", httpx.Response(204))
    with pytest.raises(ConfigurationError, match="'1999-01-01'"):  # never silently replaced
        make_client(default_headers={"enode-version": "1999-01-01"})
    client = make_client(default_headers={"enode-version": API_VERSION})

    await resolve(client.batteries.get_battery("b1", options={"extra_headers": {"X-Trace": "1"}}))
    await resolve(client.batteries.list_batteries())
    assert await resolve(client.batteries.delete_battery("b1")) is None

    assert len(fake.api_requests) == 5
    assert all(r.headers.get_list("Enode-Version") == [API_VERSION] for r in fake.api_requests)
    assert fake.api_requests[0].headers["X-Trace"] == "1"


async def test_path_parameters_are_quoted(fake: FakeEnode, make_client: MakeClient) -> None:
    fake.on("GET", "/batteries/a/b c?", httpx.Response(200, json=BATTERY))
    client = make_client()

    await resolve(client.batteries.get_battery("a/b c?"))

    assert fake.api_requests[0].url.raw_path == b"/batteries/a%2Fb%20c%3F"


async def test_empty_path_parameter_is_refused(fake: FakeEnode, make_client: MakeClient) -> None:
    client = make_client()

    with pytest.raises(ValueError, match="batteryId"):
        await resolve(client.batteries.get_battery(""))

    assert fake.api_requests == []


def test_query_values_are_serialised() -> None:
    class Color(Enum):
        RED = "red"

    when = datetime(2024, 10, 1, 12, 30, tzinfo=UTC)
    uid = UUID("6f1c5b9e-2f6a-4d4e-9d3e-0c1a2b3c4d5e")

    assert query_string(
        {
            "color": Color.RED,
            "mode": OperationMode("NEW_MODE"),
            "from": when,
            "id": uid,
            "flag": False,
            "size": 50,
            "skip": None,
            "ids": ["a", None, "b"],
        }
    ) == [
        "color=red",
        "mode=NEW_MODE",
        "from=2024-10-01T12%3A30%3A00%2B00%3A00",  # `+` encoded: read as a space otherwise
        f"id={uid}",
        "flag=false",
        "size=50",
        "ids=a",
        "ids=b",
    ]


async def test_any_and_none_cast_targets(fake: FakeEnode, make_client: MakeClient) -> None:
    fake.on("GET", "/anything", httpx.Response(200, json={"free": ["form"]}))
    client = make_client()

    assert await resolve(client.batteries.get_anything()) == {"free": ["form"]}


# --- options ------------------------------------------------------------------------------------


async def test_with_options_copies_and_shares_the_token(
    fake: FakeEnode, make_client: MakeClient
) -> None:
    fake.on("GET", "/batteries/b1", httpx.Response(200, json=BATTERY))
    client = make_client()

    quick = client.with_options(timeout=1.5, max_retries=0)
    await resolve(quick.batteries.get_battery("b1"))
    await resolve(client.batteries.get_battery("b1"))

    assert type(quick) is type(client)
    assert quick.max_retries == 0 and client.max_retries == 2
    assert quick.timeout == httpx.Timeout(1.5)
    assert client.timeout == httpx.Timeout(30.0, connect=5.0)
    assert [r.extensions["timeout"]["read"] for r in fake.api_requests] == [1.5, 30.0]
    assert len(fake.token_requests) == 1
    assert quick._http is client._http


async def test_with_options_rebinds_resources_set_in_init(fake: FakeEnode) -> None:
    class InitStyleClient(Client):
        def __init__(self, **options: Any) -> None:
            super().__init__(**options)
            self.batteries_too = BatteriesResource(self)

    fake.on("GET", "/batteries/b1", httpx.Response(200, json=BATTERY))
    client = InitStyleClient(
        access_token="t", base_url=BASE_URL, transport=httpx.MockTransport(fake.sync_handler)
    )

    client.with_options(timeout=2.0).batteries_too.get_battery("b1")

    assert fake.api_requests[0].extensions["timeout"]["read"] == 2.0


async def test_per_call_timeout_and_query(fake: FakeEnode, make_client: MakeClient) -> None:
    fake.on("GET", "/batteries/b1", httpx.Response(200, json=BATTERY))
    client = make_client()

    await resolve(client.batteries.get_battery("b1", timeout=4.0))
    await resolve(
        client.batteries.get_battery(
            "b1", options={"timeout": httpx.Timeout(9.0), "extra_query": {"debug": True}}
        )
    )

    assert fake.api_requests[0].extensions["timeout"]["read"] == 4.0
    assert fake.api_requests[1].extensions["timeout"]["read"] == 9.0
    assert fake.api_requests[1].url.params["debug"] == "true"


# --- raw responses ------------------------------------------------------------------------------


async def test_raw_response_gives_the_http_response(
    fake: FakeEnode, make_client: MakeClient
) -> None:
    fake.on(
        "GET", "/batteries/b1", httpx.Response(200, json=BATTERY, headers={"X-Request-Id": "r1"})
    )
    fake.on(
        "GET",
        "/batteries",
        httpx.Response(
            200, json={"data": [BATTERY], "pagination": {"after": None, "before": None}}
        ),
    )
    fake.on("DELETE", "/batteries/b1", httpx.Response(204))
    client = make_client()

    raw = await resolve(client.with_raw_response.batteries.get_battery("b1"))
    raw_page = await resolve(client.with_raw_response.batteries.list_batteries(page_size=5))
    raw_delete = await resolve(client.with_raw_response.batteries.delete_battery("b1"))

    assert isinstance(raw, RawResponse)
    assert raw.status_code == 200
    assert raw.headers["X-Request-Id"] == "r1"
    assert raw.http_response.json() == BATTERY
    assert raw.parse() == Battery.model_validate(BATTERY)
    assert raw.parse() is raw.parse()
    page = raw_page.parse()
    assert isinstance(page, SyncPage | AsyncPage)
    assert [b.id for b in page.data] == ["b1"]
    assert raw_delete.status_code == 204 and raw_delete.parse() is None
    # the normal surface is unaffected
    assert isinstance(await resolve(client.batteries.get_battery("b1")), Battery)


async def test_raw_response_still_raises_errors(fake: FakeEnode, make_client: MakeClient) -> None:
    fake.on("GET", "/batteries/b1", problem(404))
    client = make_client()

    with pytest.raises(NotFoundError):
        await resolve(client.with_raw_response.batteries.get_battery("b1"))


# --- lifetime -----------------------------------------------------------------------------------


def test_sync_context_manager_closes_only_its_own_http_client() -> None:
    transport = httpx.MockTransport(FakeEnode().sync_handler)
    with Client(access_token="t", environment="sandbox", transport=transport) as owned:
        with owned.with_options(timeout=1):
            pass
        assert not owned._http.is_closed  # closing a copy leaves the shared client open
    mine = httpx.Client(transport=transport)
    with Client(access_token="t", environment="sandbox", http_client=mine):
        pass

    assert owned._http.is_closed
    assert not mine.is_closed


async def test_async_context_manager_closes_only_its_own_http_client() -> None:
    transport = httpx.MockTransport(FakeEnode().async_handler)
    async with AsyncClient(access_token="t", environment="sandbox", transport=transport) as owned:
        pass
    mine = httpx.AsyncClient(transport=transport)
    async with AsyncClient(access_token="t", environment="sandbox", http_client=mine):
        pass

    assert owned._http.is_closed
    assert not mine.is_closed
    await mine.aclose()
