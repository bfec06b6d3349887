"""OAuth client credentials and bearer tokens."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from mockhelpers import fetch_token, problem
from starlette.applications import Starlette


async def test_token_endpoint_answers_a_bearer_token(raw: httpx.AsyncClient) -> None:
    response = await raw.post(
        "/oauth2/token",
        auth=("mock-client", "mock-secret"),
        data={"grant_type": "client_credentials"},
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "expires_in", "scope", "token_type"}
    assert body["expires_in"] == 3599
    assert body["scope"] == ""
    assert body["token_type"] == "bearer"
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "auth",
    [("mock-client", "wrong"), ("nobody", "mock-secret"), None],
    ids=["secret", "id", "none"],
)
async def test_wrong_credentials_are_invalid_client(
    raw: httpx.AsyncClient, auth: tuple[str, str] | None
) -> None:
    data = {"grant_type": "client_credentials"}
    if auth is None:
        response = await raw.post("/oauth2/token", data=data)
    else:
        response = await raw.post("/oauth2/token", auth=auth, data=data)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert response.headers["www-authenticate"].startswith("Basic")


async def test_token_endpoint_rejects_bad_grants(raw: httpx.AsyncClient) -> None:
    creds = ("mock-client", "mock-secret")
    response = await raw.post("/oauth2/token", auth=creds, data={"grant_type": "password"})
    assert (response.status_code, response.json()["error"]) == (400, "unsupported_grant_type")
    response = await raw.post("/oauth2/token", auth=creds, data={})
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")
    response = await raw.post(
        "/oauth2/token", auth=creds, json={"grant_type": "client_credentials"}
    )
    assert (response.status_code, response.json()["error"]) == (400, "invalid_request")
    response = await raw.get("/oauth2/token")
    assert response.status_code == 405


async def test_form_credentials_are_accepted(raw: httpx.AsyncClient) -> None:
    response = await raw.post(
        "/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "mock-client",
            "client_secret": "mock-secret",
        },
    )
    assert response.status_code == 200


async def test_api_needs_a_token(raw: httpx.AsyncClient) -> None:
    body = problem(await raw.get("/batteries"), 401)
    assert "Bearer" in body["detail"]
    problem(await raw.get("/batteries", headers={"Authorization": "Bearer bogus"}), 401)
    problem(await raw.get("/batteries", headers={"Authorization": "Basic abc"}), 401)
    problem(await raw.get("/batteries", headers={"Authorization": "Bearer "}), 401)
    response = await raw.get("/batteries")
    assert response.headers["www-authenticate"].startswith("Bearer")


async def test_tokens_expire(raw: httpx.AsyncClient) -> None:
    token = await fetch_token(raw)
    headers = {"Authorization": f"Bearer {token}"}
    assert (await raw.get("/batteries", headers=headers)).status_code == 200
    await raw.post("/_mock/clock/advance", json={"seconds": 3598})
    assert (await raw.get("/batteries", headers=headers)).status_code == 200
    await raw.post("/_mock/clock/advance", json={"seconds": 2})
    body = problem(await raw.get("/batteries", headers=headers), 401)
    assert "expired" in body["detail"]
    fresh = await fetch_token(raw)
    assert (
        await raw.get("/batteries", headers={"Authorization": f"Bearer {fresh}"})
    ).status_code == 200


async def test_health_needs_no_token(raw: httpx.AsyncClient) -> None:
    response = await raw.get("/health/ready")
    assert response.status_code == 204
    assert response.content == b""
    assert (await raw.post("/_mock/health", json={"ready": False})).status_code == 204
    problem(await raw.get("/health/ready"), 503)
    await raw.post("/_mock/health", json={"ready": True})
    assert (await raw.get("/health/ready")).status_code == 204


async def test_configured_clients_and_ttl(make_app: Callable[..., Starlette]) -> None:
    app = make_app(clients={"ci": "s3cret"}, token_ttl=60)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mock.test") as client:
        denied = await client.post(
            "/oauth2/token",
            auth=("mock-client", "mock-secret"),
            data={"grant_type": "client_credentials"},
        )
        assert denied.status_code == 401
        response = await client.post(
            "/oauth2/token", auth=("ci", "s3cret"), data={"grant_type": "client_credentials"}
        )
        assert response.json()["expires_in"] == 60
        headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
        await client.post("/_mock/clock/advance", json={"seconds": 61})
        problem(await client.get("/batteries", headers=headers), 401)
