"""Webhooks management: per-client CRUD, URL rules, and the signed test delivery."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
from typing import Any

import httpx
import pytest
from mockhelpers import VERSIONS, problem, v

from enode_codegen.contract_tests.receiver import WebhookReceiver
from enode_codegen.mock.app import MockApp

SECRET = "a-long-random-secret-0123456789abcdef"
SEEDED = "3f8f7c2e-5a7b-4d21-9c55-0b1e6a4b2d10"  # the seed's webhook of mock-client


async def _create(client: httpx.AsyncClient, url: str, **extra: Any) -> dict[str, Any]:
    response = await client.post("/webhooks", json={"url": url, "secret": SECRET, **extra})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("version", VERSIONS)
async def test_crud_in_every_version(client: httpx.AsyncClient, version: str) -> None:
    headers = v(version)
    created = await client.post(
        "/webhooks",
        headers=headers,
        json={
            "url": "https://example.com/hooks",
            "secret": SECRET,
            "authentication": {"headerName": "x-api-key", "headerValue": "k3y"},
        },
    )
    hook = created.json()
    assert created.status_code == 200
    assert hook["url"] == "https://example.com/hooks" and hook["events"] == ["*"]
    # never delivered to: `lastSuccess` is the creation time, as Enode answers it
    assert hook["isActive"] is True and hook["lastSuccess"] == hook["createdAt"]
    assert hook["authentication"] == {"headerName": "x-api-key"}
    assert "secret" not in hook and "k3y" not in json.dumps(hook)
    listed = (await client.get("/webhooks", headers=headers)).json()
    assert [item["id"] for item in listed["data"]] == [SEEDED, hook["id"]]
    updated = await client.patch(
        f"/webhooks/{hook['id']}",
        headers=headers,
        json={"events": ["user:charger:updated"], "authentication": None},
    )
    assert updated.status_code == 200
    assert updated.json()["events"] == ["user:charger:updated"]
    assert updated.json()["authentication"] is None
    read = (await client.get(f"/webhooks/{hook['id']}", headers=headers)).json()
    assert read == updated.json()
    assert (await client.delete(f"/webhooks/{hook['id']}", headers=headers)).status_code == 204
    problem(await client.get(f"/webhooks/{hook['id']}", headers=headers), 404)
    problem(await client.delete(f"/webhooks/{hook['id']}", headers=headers), 404)


async def test_url_rules(client: httpx.AsyncClient) -> None:
    detail = problem(
        await client.post("/webhooks", json={"url": "http://example.com/x", "secret": SECRET}), 400
    )["detail"]
    assert "body.url" in detail and "HTTPS" in detail
    await _create(client, "http://127.0.0.1:9/local")  # loopback over http is allowed
    await _create(client, "https://example.com/one")
    detail = problem(
        await client.post("/webhooks", json={"url": "https://example.com/one", "secret": SECRET}),
        400,
    )["detail"]
    assert "already exists" in detail
    problem(await client.post("/webhooks", json={"url": "https://example.com/x"}), 400)


async def test_webhooks_belong_to_their_client(make_app: Any) -> None:
    from mockhelpers import fetch_token

    app = make_app(clients={"mock-client": "mock-secret", "other": "other-secret"})
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as mine,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as other,
    ):
        mine.headers["Authorization"] = f"Bearer {await fetch_token(mine)}"
        token = await other.post(
            "/oauth2/token",
            auth=("other", "other-secret"),
            data={"grant_type": "client_credentials"},
        )
        other.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        hook = await _create(mine, "https://example.com/mine")
        listed = (await mine.get("/webhooks")).json()["data"]
        assert [item["id"] for item in listed] == [SEEDED, hook["id"]]
        assert (await other.get("/webhooks")).json()["data"] == []
        problem(await other.get(f"/webhooks/{hook['id']}"), 404)
        problem(await other.post(f"/webhooks/{hook['id']}/test"), 404)
        # the same URL is free for another client
        await _create(other, "https://example.com/mine")


async def test_test_delivery_is_signed_and_reported(
    client: httpx.AsyncClient, mock: MockApp
) -> None:
    with WebhookReceiver(status=200, reply=b"thanks") as receiver:
        hook = await _create(
            client,
            receiver.url,
            apiVersion="2024-01-01",
            authentication={"headerName": "x-api-key", "headerValue": "k3y"},
        )
        answer = await client.post(f"/webhooks/{hook['id']}/test")
        assert answer.status_code == 200, answer.text
        result = answer.json()
        assert result["status"] == "SUCCESS" and result["response"]["code"] == 200
        assert result["response"]["body"] == "thanks"
        assert any(h.lower().startswith("content-type:") for h in result["response"]["headers"])
        [received] = receiver.requests
        expected = hmac.new(SECRET.encode(), received.body, hashlib.sha1).hexdigest()
        assert received.headers["x-enode-signature"] == f"sha1={expected}"
        assert received.headers["x-api-key"] == "k3y"
        assert received.headers["x-enode-delivery"]
        [event] = json.loads(received.body)
        assert event["event"] == "enode:webhook:test" and event["version"] == "2024-01-01"
        read = (await client.get(f"/webhooks/{hook['id']}")).json()
        assert read["lastSuccess"] == event["createdAt"]

        receiver.status = 500
        mock.env.state.webhooks[hook["id"]].is_active = False  # as after failed deliveries
        mock.env.state.touch()
        failed = (await client.post(f"/webhooks/{hook['id']}/test")).json()
        assert failed["status"] == "FAILURE" and failed["response"]["code"] == 500
        assert "500" in failed["description"]
        assert (await client.get(f"/webhooks/{hook['id']}")).json()["isActive"] is False
        receiver.status = 204
        assert (await client.post(f"/webhooks/{hook['id']}/test")).json()["status"] == "SUCCESS"
        assert (await client.get(f"/webhooks/{hook['id']}")).json()["isActive"] is True


async def test_unreachable_receiver_is_a_failure_without_response(
    client: httpx.AsyncClient,
) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    hook = await _create(client, f"http://127.0.0.1:{port}/gone")
    result = (await client.post(f"/webhooks/{hook['id']}/test")).json()
    assert result["status"] == "FAILURE" and result["response"] is None
    assert "failed" in result["description"]
