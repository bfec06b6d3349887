"""Secrets and tokens never show in reprs, exception texts or log records; logs say what ran."""

from __future__ import annotations

import logging
import traceback

import httpx
import pytest
from conftest import CLIENT_SECRET, FakeEnode, MakeClient, problem, resolve

from enode_codegen.runtime import APIConnectionError, AuthenticationError

BATTERY = {"id": "b1", "chargeState": "IDLE"}
SECRETS = (CLIENT_SECRET, "token-1", "token-2", "token-3", "Bearer", "Basic", "my-own-token")


def assert_clean(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked into: {text}"


async def test_client_repr_hides_secret_and_token(fake: FakeEnode, make_client: MakeClient) -> None:
    fake.on("GET", "/batteries/b1", httpx.Response(200, json=BATTERY))
    client = make_client()
    await resolve(client.batteries.get_battery("b1"))  # a token is cached now
    given = make_client(access_token="my-own-token")

    for text in (
        repr(client),
        str(client),
        repr(given),
        repr(client._settings),
        repr(vars(client)),
    ):
        assert_clean(text)
    assert "client-id-123" in repr(client)


async def test_exceptions_hide_secret_and_token(fake: FakeEnode, make_client: MakeClient) -> None:
    fake.on("GET", "/batteries/b1", problem(401, "Unauthorized", "expired"))
    fake.on("GET", "/batteries/b2", httpx.ConnectError("connection refused"))
    client = make_client(max_retries=0)

    for battery_id, error_class in (("b1", AuthenticationError), ("b2", APIConnectionError)):
        with pytest.raises(error_class) as caught:
            await resolve(client.batteries.get_battery(battery_id))
        assert_clean(str(caught.value))
        assert_clean(repr(caught.value))
        assert_clean("".join(traceback.format_exception(caught.value)))


async def test_logs_describe_requests_without_secrets(
    fake: FakeEnode, make_client: MakeClient, caplog: pytest.LogCaptureFixture
) -> None:
    fake.on("GET", "/batteries/b1", problem(503), problem(401), httpx.Response(200, json=BATTERY))
    client = make_client()

    with caplog.at_level(logging.DEBUG, logger="enode"):
        await resolve(client.batteries.get_battery("b1"))

    records = [r for r in caplog.records if r.name == "enode"]
    for record in records:
        assert_clean(record.getMessage())
        assert_clean(repr(record.__dict__))
    messages = [r.getMessage() for r in records]
    assert any(
        m.startswith("GET /batteries/b1 -> 503 in ") and "(attempt 1)" in m for m in messages
    )
    assert any(m.startswith("GET /batteries/b1 -> 200 in ") for m in messages)
    assert any("retrying GET /batteries/b1" in m for m in messages)
    assert any("refreshing the token" in m for m in messages)
    ok = [r for r in records if getattr(r, "http_path", None) == "/batteries/b1"][-1]
    assert ok.http_method == "GET"  # type: ignore[attr-defined]
    assert ok.http_status == 200  # type: ignore[attr-defined]
    assert ok.attempt == 1  # type: ignore[attr-defined]
    assert ok.duration_ms >= 0  # type: ignore[attr-defined]
