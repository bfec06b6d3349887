"""An app whose lifespan ended and started again still delivers webhooks: schemathesis ends
an ASGI app's lifespan after every test and starts it with the next one's first request,
so the contract suite's in-process mock lives through many lifespans."""

from __future__ import annotations

import json

from starlette.testclient import TestClient

from enode_codegen.contract_tests.receiver import WebhookReceiver
from enode_codegen.mock.app import create_app
from enode_codegen.mock.config import MockConfig

SECRET = "lifespan-secret-0123456789abcdef"


def _deliver_one_action(client: TestClient, url: str) -> list[str]:
    token = client.post(
        "/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=("mock-client", "mock-secret"),
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    hook = client.post(
        "/webhooks",
        json={"url": url, "secret": SECRET, "events": ["user:vendor-action:updated"]},
        headers=headers,
    ).json()
    battery = client.get("/batteries", headers=headers).json()["data"][0]["id"]
    answer = client.post(
        f"/batteries/{battery}/operation-mode",
        json={"operationMode": "IMPORT_FOCUS"},
        headers=headers,
    )
    assert answer.status_code == 200, answer.text
    assert client.post("/_mock/webhooks/flush", json={"timeout": 20}).status_code == 200
    client.delete(f"/webhooks/{hook['id']}", headers=headers)
    return [answer.json()["id"]]


def test_deliveries_resume_after_the_lifespan_restarts() -> None:
    app = create_app(MockConfig(action_delay=3))
    with WebhookReceiver() as receiver:
        for round_ in range(3):
            receiver.requests.clear()
            with TestClient(app) as client:  # a lifespan: startup ... shutdown
                client.post("/_mock/reset", json={})
                [action] = _deliver_one_action(client, receiver.url)
            events = [e for r in receiver.requests for e in json.loads(r.body)]
            assert [e["vendorAction"]["id"] for e in events] == [action], f"round {round_}"
