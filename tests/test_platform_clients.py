"""The generated 2024-10-01 client against the in-process mock, for the platform families:
webhooks (create, test against a local receiver, delete), integrations and vendor health,
HEM systems and their statistics. spec -> generated/ -> import -> call."""

from __future__ import annotations

import hashlib
import hmac
import importlib
from typing import Any

import httpx
import pytest

from enode_codegen.contract_tests.receiver import WebhookReceiver
from enode_codegen.mock.app import create_app
from enode_codegen.mock.config import MockConfig

enode = importlib.import_module("enode_2024_10_01")


@pytest.fixture
async def client() -> Any:
    app = create_app(MockConfig())
    async with enode.AsyncClient(
        client_id="mock-client",
        client_secret="mock-secret",
        base_url="http://mock",
        token_url="http://mock/oauth2/token",
        transport=httpx.ASGITransport(app=app),
        strict=True,
    ) as opened:
        yield opened
    assert app.state.mock.violations == []


async def test_webhook_create_test_delete(client: Any) -> None:
    secret = "client-test-secret-0123456789"
    with WebhookReceiver() as receiver:
        hook = await client.webhooks.create_webhook(url=receiver.url, secret=secret)
        assert isinstance(hook, enode.models.Webhook) and hook.is_active
        result = await client.webhooks.test_webhook(hook.id)
        assert result.status == enode.models.WebhookTestStatus.SUCCESS
        assert result.response is not None and result.response.code == 200
        [delivery] = receiver.requests
        expected = hmac.new(secret.encode(), delivery.body, hashlib.sha1).hexdigest()
        assert delivery.headers["x-enode-signature"] == f"sha1={expected}"
        assert (await client.webhooks.get_webhook(hook.id)).last_success is not None
        await client.webhooks.delete_webhook(hook.id)
        with pytest.raises(enode.NotFoundError):
            await client.webhooks.get_webhook(hook.id)


async def test_integrations_health_and_hem_systems(client: Any) -> None:
    integrations = await client.integrations.list_integrations(asset_types="vehicle")
    assert integrations and all(i.asset_types == ["vehicle"] for i in integrations)
    health = await client.health.get_health_charger_vendors()
    assert {h.vendor for h in health} >= {"TESLA", "ZAPTEC"}
    page = await client.hem_systems.list_hem_systems()
    hem = page.data[0]
    stats = await client.hem_systems.get_hem_system_statistics(hem.id, interval="2024-11-01")
    generation = stats.timeseries.generation
    assert isinstance(generation, enode.models.HemSystemTimeseriesAvailable)
    assert generation.unit == enode.models.HemSystemTimeseriesUnit.K_W
