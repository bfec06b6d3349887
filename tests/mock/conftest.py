"""Fixtures of the mock's tests: an in-process app per test, a client, a token, the seed.

Every test ends by asserting the app recorded no strict-mode violation (a response its own
spec forbids) and no unhandled error.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from mockhelpers import FROZEN, fetch_token
from starlette.applications import Starlette

from enode_codegen.mock.app import MockApp, create_app
from enode_codegen.mock.clock import Clock
from enode_codegen.mock.config import DEFAULT_SEED, MockConfig


@pytest.fixture(scope="session")
def seed() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Path(DEFAULT_SEED).read_text(encoding="utf-8"))
    return data


@pytest.fixture
def make_app() -> Iterator[Callable[..., Starlette]]:
    """Build apps (tests/mock settings: manual actions, strict, frozen clock)."""
    built: list[Starlette] = []

    def make(**overrides: Any) -> Starlette:
        options: dict[str, Any] = {"action_delay": None, "strict": True, "clock": Clock(FROZEN)}
        options.update(overrides)
        app = create_app(MockConfig(**options))
        built.append(app)
        return app

    yield make
    for app in built:
        mock: MockApp = app.state.mock
        mock.close()  # the webhook workers
        assert [v.as_dict() for v in mock.violations] == [], "the mock answered outside its spec"


@pytest.fixture
def app(make_app: Callable[..., Starlette]) -> Starlette:
    return make_app()


@pytest.fixture
def mock(app: Starlette) -> MockApp:
    state: MockApp = app.state.mock
    return state


@pytest.fixture
async def raw(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    """A client without credentials."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://mock.test") as client:
        yield client


@pytest.fixture
async def client(raw: httpx.AsyncClient) -> httpx.AsyncClient:
    """A client that sends a valid bearer token (and no Enode-Version: the newest)."""
    raw.headers["Authorization"] = f"Bearer {await fetch_token(raw)}"
    return raw
