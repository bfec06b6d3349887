"""Helpers shared by the mock's tests (imported as `mockhelpers`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

VERSIONS = ("2023-04-01", "2023-08-01", "2024-01-01", "2024-10-01")
NEWEST = VERSIONS[-1]
FROZEN = datetime(2024, 11, 21, 12, 0, 0, tzinfo=UTC)


async def fetch_token(client: httpx.AsyncClient) -> str:
    response = await client.post(
        "/oauth2/token",
        auth=("mock-client", "mock-secret"),
        data={"grant_type": "client_credentials"},
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """Assert `response` is a problem document with `status` and a useful detail."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    body: dict[str, Any] = response.json()
    for key in ("type", "title", "detail"):
        assert isinstance(body[key], str) and body[key], body
    return body


def v(version: str) -> dict[str, str]:
    return {"Enode-Version": version}
