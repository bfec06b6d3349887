"""Webhooks end to end, as a team would wire them: `enode-mock serve` as a real process, a
webhook created with the generated 2024-10-01 client pointing at a local HTTP receiver, a
battery operation-mode action, and the deliveries verified and parsed by the same client's
`webhooks.unwrap` into typed events: the action's PENDING, then its CONFIRMED.

The retry ladder, ordering after outages and per-version payloads are covered against the
in-process mock in tests/mock/test_mock_webhook_deliveries.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from mockserve import mock_served

from enode_codegen.contract_tests.receiver import WebhookReceiver

enode = pytest.importorskip("enode_2024_10_01")
models = pytest.importorskip("enode_2024_10_01.models")

SECRET = "end-to-end-secret-0123456789abcdef"
CLIENT = ("mock-client", "mock-secret")
ALICE = "50350389-4d14-540d-b3f6-8f0ebfaea0cf"  # the seed's user with batteries


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("mock") / "mock.log"
    # action delay 0: a PENDING action resolves on the next request, as a real one would a
    # few seconds later
    with mock_served(log, "--action-delay", "0") as base:
        yield base


def test_battery_action_arrives_pending_then_confirmed_through_unwrap(server: str) -> None:
    with (
        WebhookReceiver() as receiver,
        enode.Client(
            client_id=CLIENT[0],
            client_secret=CLIENT[1],
            base_url=server,
            token_url=f"{server}/oauth2/token",
        ) as client,
    ):
        hook = client.webhooks.create_webhook(
            url=receiver.url,
            secret=SECRET,
            events=[models.WebhookEvent("user:vendor-action:updated")],
        )
        battery = next(
            b
            for b in client.batteries.list_user_batteries(ALICE).data
            if b.is_reachable and b.capabilities.import_focus.is_capable
        )
        mode = "EXPORT_FOCUS" if battery.config.operation_mode == "IMPORT_FOCUS" else "IMPORT_FOCUS"
        action = client.batteries.set_battery_operation_mode(
            battery.id, operation_mode=models.BatteryOperationMode(mode)
        )
        assert action.state == "PENDING"
        done = client.batteries.wait_for_action(action, timeout=30, poll_interval=0.2)
        assert done.state == "CONFIRMED"

        # every queued delivery sent (the mock's admin API), then read what arrived
        flushed = httpx.post(f"{server}/_mock/webhooks/flush", json={"timeout": 20}, timeout=30)
        assert flushed.status_code == 200, flushed.text

        events = []
        for request in receiver.requests:
            assert request.headers["x-enode-delivery"]
            events += client.webhooks.unwrap(request.body, request.headers, secret=SECRET)
        mine = [
            e
            for e in events
            if isinstance(e, models.VendorActionUpdatedEvent)
            and str(e.vendor_action.id) == str(action.id)
        ]
        assert [e.vendor_action.state for e in mine] == ["PENDING", "CONFIRMED"], events
        assert all(isinstance(e.vendor_action, models.BatteryAction) for e in mine)
        assert mine[-1].vendor_action.target_state.operation_mode == mode
        assert mine[-1].vendor_action.completed_at is not None
        assert all(e.user.id == ALICE and e.version == "2024-10-01" for e in mine)

        # a delivery whose body was changed on the way is refused, with the typed error
        tampered = receiver.requests[0].body.replace(b"PENDING", b"FAILED_")
        with pytest.raises(enode.WebhookVerificationError):
            client.webhooks.unwrap(tampered, receiver.requests[0].headers, secret=SECRET)
        client.webhooks.delete_webhook(hook.id)


def test_test_delivery_reports_the_receivers_answer(server: str) -> None:
    """`POST /webhooks/{id}/test` sends `enode:webhook:test` and answers what the receiver
    said; a failing receiver is reported as FAILURE with its status code."""
    with (
        WebhookReceiver() as receiver,
        enode.Client(
            client_id=CLIENT[0],
            client_secret=CLIENT[1],
            base_url=server,
            token_url=f"{server}/oauth2/token",
        ) as client,
    ):
        hook = client.webhooks.create_webhook(url=receiver.url, secret=SECRET)
        result = client.webhooks.test_webhook(hook.id)
        assert result.status == "SUCCESS", result
        [event] = client.webhooks.unwrap(
            receiver.requests[-1].body, receiver.requests[-1].headers, secret=SECRET
        )
        assert isinstance(event, models.WebhookTestEvent)
        receiver.status = 503
        failed = client.webhooks.test_webhook(hook.id)
        assert failed.status == "FAILURE" and failed.response is not None
        assert failed.response.code == 503
        client.webhooks.delete_webhook(hook.id)
