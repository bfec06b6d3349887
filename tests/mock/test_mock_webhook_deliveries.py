"""Webhook deliveries: real HTTP POSTs to a local receiver, signed, batched, retried on the
mock clock's ladder, in order per webhook, filtered by subscription and shaped per version.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from mockhelpers import NEWEST, VERSIONS, fetch_token, v
from starlette.applications import Starlette

from enode_codegen.contract_tests.receiver import Received, WebhookReceiver
from enode_codegen.mock.app import MockApp
from enode_codegen.mock.webhook_attempts import ATTEMPTS, LADDER
from enode_codegen.runtime._webhooks import verify_signature

SECRET = "deliveries-secret-0123456789abcdef"
ALICE = "50350389-"  # prefix of the seed's Alice


def events_of(received: list[Received], secret: str = SECRET) -> list[dict[str, Any]]:
    """Every event received, after checking each delivery's signature and headers."""
    out: list[dict[str, Any]] = []
    for request in received:
        verify_signature(request.body, request.headers.get("x-enode-signature"), secret)
        assert request.headers["x-enode-delivery"]
        assert request.headers["content-type"] == "application/json"
        batch = json.loads(request.body)
        assert isinstance(batch, list) and 1 <= len(batch) <= 100
        out.extend(batch)
    return out


async def create_hook(client: httpx.AsyncClient, url: str, **extra: Any) -> dict[str, Any]:
    headers = v(extra.pop("version")) if "version" in extra else {}
    body = {"url": url, "secret": SECRET, **extra}
    response = await client.post("/webhooks", json=body, headers=headers)
    assert response.status_code == 200, response.text
    hook: dict[str, Any] = response.json()
    return hook


async def flush(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.post("/_mock/webhooks/flush", json={"timeout": 20})
    assert response.status_code == 200, response.text
    queues: list[dict[str, Any]] = response.json()
    return queues


async def advance(client: httpx.AsyncClient, seconds: float) -> None:
    """Move the mock clock (and take a new token: the old one may have expired)."""
    response = await client.post("/_mock/clock/advance", json={"seconds": seconds})
    assert response.status_code == 200, response.text
    client.headers["Authorization"] = f"Bearer {await fetch_token(client)}"


async def alice_battery(client: httpx.AsyncClient) -> dict[str, Any]:
    batteries = (await client.get("/batteries", params={"pageSize": 100})).json()["data"]
    found: dict[str, Any] = next(
        b
        for b in batteries
        if b["userId"].startswith(ALICE) and b["isReachable"] and b["capabilities"]["importFocus"]
    )
    return found


async def set_mode(client: httpx.AsyncClient, battery_id: str, mode: str) -> dict[str, Any]:
    response = await client.post(
        f"/batteries/{battery_id}/operation-mode", json={"operationMode": mode}
    )
    assert response.status_code == 200, response.text
    action: dict[str, Any] = response.json()
    return action


async def test_battery_action_delivers_pending_then_confirmed(
    client: httpx.AsyncClient,
) -> None:
    with WebhookReceiver() as receiver:
        hook = await create_hook(
            client, receiver.url, events=["user:vendor-action:updated", "user:battery:updated"]
        )
        battery = await alice_battery(client)
        action = await set_mode(client, battery["id"], "IMPORT_FOCUS")
        await flush(client)
        advanced = await client.post(f"/_mock/actions/{action['id']}/advance")
        assert advanced.status_code == 200
        await flush(client)
        events = events_of(receiver.requests)
        actions = [e for e in events if e["event"] == "user:vendor-action:updated"]
        assert [e["vendorAction"]["state"] for e in actions] == ["PENDING", "CONFIRMED"]
        assert actions[0]["vendorAction"] == action  # exactly as the API answered it
        read = (await client.get(f"/batteries/actions/{action['id']}")).json()
        assert actions[1]["vendorAction"] == read
        assert {"completedAt", "state"} <= set(actions[1]["updatedFields"])  # frozen clock
        for event in actions:
            assert event["version"] == NEWEST and event["user"] == {"id": battery["userId"]}
        [update] = [e for e in events if e["event"] == "user:battery:updated"]
        assert update["battery"] == (await client.get(f"/batteries/{battery['id']}")).json()
        assert "config.operationMode" in update["updatedFields"]
        # the mock's own record of it
        listed = await client.get("/_mock/webhooks/deliveries", params={"webhookId": hook["id"]})
        records = listed.json()
        assert [r["state"] for r in records] == ["DELIVERED"] * len(receiver.requests)
        assert all(r["attempts"][0]["responseCode"] == 200 for r in records)
        one = (await client.get(f"/_mock/webhooks/deliveries/{records[0]['id']}")).json()
        assert json.loads(one["body"]) == json.loads(receiver.requests[0].body)
        assert receiver.requests[0].headers["x-enode-delivery"] == records[0]["id"]


@pytest.mark.parametrize("version", VERSIONS)
async def test_payloads_follow_the_webhooks_version(
    client: httpx.AsyncClient, version: str
) -> None:
    with WebhookReceiver() as receiver:
        await create_hook(client, receiver.url, version=version)  # created under `version`
        battery = await alice_battery(client)
        action = await set_mode(client, battery["id"], "IMPORT_FOCUS")
        await client.post(f"/_mock/actions/{action['id']}/advance")
        await flush(client)
        events = events_of(receiver.requests)
        assert {e["version"] for e in events} == {version}
        [update] = [e for e in events if e["event"] == "user:battery:updated"]
        read = await client.get(f"/batteries/{battery['id']}", headers=v(version))
        assert update["battery"] == read.json()  # projected as this version's GET answers
        confirmed = [e for e in events if e["event"] == "user:vendor-action:updated"][-1]
        read = await client.get(f"/batteries/actions/{action['id']}", headers=v(version))
        assert confirmed["vendorAction"] == read.json()


async def test_api_version_wins_over_the_creating_version(client: httpx.AsyncClient) -> None:
    with WebhookReceiver() as receiver:
        await create_hook(client, receiver.url, version=NEWEST, apiVersion="2023-08-01")
        battery = await alice_battery(client)
        await set_mode(client, battery["id"], "IMPORT_FOCUS")
        await flush(client)
        assert {e["version"] for e in events_of(receiver.requests)} == {"2023-08-01"}


async def test_subscription_filter_and_authentication_header(client: httpx.AsyncClient) -> None:
    with WebhookReceiver() as everything, WebhookReceiver() as updates_only:
        await create_hook(client, everything.url)
        await create_hook(
            client,
            updates_only.url,
            events=["user:battery:updated"],
            authentication={"headerName": "x-api-key", "headerValue": "k3y"},
        )
        battery = await alice_battery(client)
        action = await set_mode(client, battery["id"], "IMPORT_FOCUS")
        await client.post(f"/_mock/actions/{action['id']}/advance")
        await flush(client)
        assert {e["event"] for e in events_of(everything.requests)} == {
            "user:vendor-action:updated",
            "user:battery:updated",
        }
        assert [e["event"] for e in events_of(updates_only.requests)] == ["user:battery:updated"]
        assert all(r.headers["x-api-key"] == "k3y" for r in updates_only.requests)
        assert all("x-api-key" not in r.headers for r in everything.requests)


async def test_batches_hold_at_most_100_events_in_order(client: httpx.AsyncClient) -> None:
    with WebhookReceiver() as receiver:
        receiver.status = 503  # hold everything back while 250 events queue up
        hook = await create_hook(client, receiver.url, events=["user:vendor-action:updated"])
        battery = await alice_battery(client)
        ids = []
        for i in range(125):  # each creation cancels the previous action: 250 events
            mode = "IMPORT_FOCUS" if i % 2 else "SELF_RELIANCE"
            ids.append((await set_mode(client, battery["id"], mode))["id"])
        await flush(client)
        receiver.status = 200
        await advance(client, LADDER[0])
        await flush(client)
        first, *delivered = receiver.requests
        assert delivered[0].body == first.body  # the failed delivery, retried first
        sizes = [len(json.loads(r.body)) for r in delivered]
        # the first batch is whatever was queued when it formed; the backlog goes in full 100s
        assert len(sizes) >= 3 and sizes[1:-1] == [100] * (len(sizes) - 2), sizes
        assert 1 <= sizes[0] <= 100 and 1 <= sizes[-1] <= 100, sizes
        events = events_of(delivered)
        states = [(e["vendorAction"]["id"], e["vendorAction"]["state"]) for e in events]
        expected = [(ids[0], "PENDING")]
        for previous, current in itertools.pairwise(ids):
            expected += [(previous, "CANCELLED"), (current, "PENDING")]
        assert states == expected
        queue = next(q for q in (await flush(client)) if q["webhookId"] == hook["id"])
        assert queue["queued"] == 0 and queue["inFlight"] is None


async def test_receiver_down_three_times_gets_everything_in_order(
    client: httpx.AsyncClient,
) -> None:
    with WebhookReceiver() as receiver:
        receiver.status = 500
        await create_hook(client, receiver.url, events=["user:vendor-action:updated"])
        battery = await alice_battery(client)
        created = [await set_mode(client, battery["id"], "IMPORT_FOCUS")]
        await flush(client)  # attempt 1 failed
        for step in LADDER[:2]:
            created.append(await set_mode(client, battery["id"], "SELF_RELIANCE"))
            await advance(client, step)
            await flush(client)  # attempts 2 and 3 failed
        assert len(receiver.requests) == 3
        assert len({r.headers["x-enode-delivery"] for r in receiver.requests}) == 1
        assert len({r.body for r in receiver.requests}) == 1  # the same delivery, retried
        receiver.status = 200
        await advance(client, LADDER[2])
        await flush(client)
        events = events_of(receiver.requests[3:])
        seen = [(e["vendorAction"]["id"], e["vendorAction"]["state"]) for e in events]
        assert seen == [
            (created[0]["id"], "PENDING"),
            (created[0]["id"], "CANCELLED"),
            (created[1]["id"], "PENDING"),
            (created[1]["id"], "CANCELLED"),
            (created[2]["id"], "PENDING"),
        ]


async def test_ladder_ends_inactive_and_an_update_delivers_the_backlog(
    client: httpx.AsyncClient,
) -> None:
    with WebhookReceiver(status=500) as receiver:
        hook = await create_hook(client, receiver.url, events=["user:vendor-action:updated"])
        battery = await alice_battery(client)
        first = await set_mode(client, battery["id"], "IMPORT_FOCUS")
        await flush(client)
        for step in LADDER:
            assert (await client.get(f"/webhooks/{hook['id']}")).json()["isActive"] is True
            await advance(client, step)
            await flush(client)
        assert len(receiver.requests) == ATTEMPTS == 16
        assert (await client.get(f"/webhooks/{hook['id']}")).json()["isActive"] is False
        [record] = (
            await client.get("/_mock/webhooks/deliveries", params={"webhookId": hook["id"]})
        ).json()
        assert record["state"] == "FAILED" and len(record["attempts"]) == 16
        # inactive: nothing is sent, but nothing is lost
        second = await set_mode(client, battery["id"], "SELF_RELIANCE")
        await advance(client, 3600)
        await flush(client)
        assert len(receiver.requests) == 16
        receiver.status = 200
        updated = await client.patch(f"/webhooks/{hook['id']}", json={"events": ["*"]})
        assert updated.json()["isActive"] is True
        await flush(client)
        events = events_of(receiver.requests[16:])
        assert [(e["vendorAction"]["id"], e["vendorAction"]["state"]) for e in events] == [
            (first["id"], "PENDING"),
            (first["id"], "CANCELLED"),
            (second["id"], "PENDING"),
        ]


async def test_whole_ladder_runs_with_one_clock_jump(client: httpx.AsyncClient) -> None:
    with WebhookReceiver(status=500) as receiver:
        hook = await create_hook(client, receiver.url)
        battery = await alice_battery(client)
        await set_mode(client, battery["id"], "IMPORT_FOCUS")
        await flush(client)
        await advance(client, 27 * 3600)
        await flush(client)
        assert len(receiver.requests) == 16
        assert (await client.get(f"/webhooks/{hook['id']}")).json()["isActive"] is False
        # a successful test delivery activates it again, and the queue goes out
        receiver.status = 200
        result = (await client.post(f"/webhooks/{hook['id']}/test")).json()
        assert result["status"] == "SUCCESS"
        await flush(client)
        names = [e["event"] for e in events_of(receiver.requests[16:])]
        assert names == ["enode:webhook:test", "user:vendor-action:updated"]


async def test_link_unlink_and_credentials_events(
    client: httpx.AsyncClient, mock: MockApp, seed: dict[str, Any]
) -> None:
    with WebhookReceiver() as receiver:
        await create_hook(client, receiver.url)
        alice = seed["users"][0]["id"]
        battery = dict(next(b for b in seed["batteries"] if b["userId"] == alice))
        battery["id"] = "0c1e7f0a-93a4-4d52-8b7e-5f3c2b1a0d99"
        linked = await client.post("/_mock/assets/batteries", json=battery)
        assert linked.status_code == 201, linked.text
        invalid = await client.post(f"/_mock/users/{alice}/vendors/TESLA/invalidate")
        assert invalid.status_code == 200, invalid.text
        deleted = await client.delete(f"/users/{alice}/vendors/TESLA/battery")
        assert deleted.status_code == 204, deleted.text
        await flush(client)
        events = events_of(receiver.requests)
        names = [e["event"] for e in events]
        assert names[0] == "user:battery:discovered"
        assert events[0]["battery"]["id"] == battery["id"]
        assert names[1] == "user:credentials:invalidated" and events[1]["vendor"] == "TESLA"
        assert set(names[2:]) == {"user:battery:deleted"}
        assert battery["id"] in {e["battery"]["id"] for e in events[2:]}


async def test_heartbeats_on_the_mock_clock(make_app: Callable[..., Starlette]) -> None:
    app = make_app(webhook_heartbeat=300)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://mock"
    ) as client:
        client.headers["Authorization"] = f"Bearer {await fetch_token(client)}"
        with WebhookReceiver() as receiver:
            await create_hook(client, receiver.url, events=["user:battery:updated"])
            await advance(client, 301)
            await flush(client)
            await advance(client, 301)
            await flush(client)
            events = events_of(receiver.requests)
            assert [e["event"] for e in events] == ["system:heartbeat"] * 2
            assert events[0]["pendingEvents"] == 0 and "user" not in events[0]


class _SlowHandler(BaseHTTPRequestHandler):
    delay = 2.0

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        time.sleep(self.delay)
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def slow_receiver() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/slow"
    server.shutdown()
    server.server_close()


async def test_a_slow_receiver_does_not_hold_up_requests(
    client: httpx.AsyncClient, slow_receiver: str
) -> None:
    hook = await create_hook(client, slow_receiver)
    battery = await alice_battery(client)
    await set_mode(client, battery["id"], "IMPORT_FOCUS")  # a delivery is now in flight

    async def timed_get() -> float:
        started = time.perf_counter()
        response = await client.get(f"/batteries/{battery['id']}")
        assert response.status_code == 200
        return time.perf_counter() - started

    await asyncio.sleep(0.2)
    assert max([await timed_get() for _ in range(5)]) < 0.5
    # the test delivery waits for the receiver without holding the state lock
    test = asyncio.ensure_future(client.post(f"/webhooks/{hook['id']}/test"))
    await asyncio.sleep(0.2)
    assert await timed_get() < 0.5
    assert not test.done()
    assert (await test).json()["status"] == "SUCCESS"


# --- every event the mock emits, in every version, against the version's schemas -------------

EMITTED = {
    "user:vendor-action:updated",
    "user:vehicle:smart-charging-status-updated",
    "user:hem-system:deleted",
    "user:credentials:invalidated",
    "system:heartbeat",
    "enode:webhook:test",
} | {
    f"user:{kind}:{what}"
    for kind in ("battery", "charger", "hvac", "inverter", "meter", "vehicle")
    for what in ("discovered", "updated", "deleted")
}


def _validator(document: dict[str, Any], pointer: str) -> Any:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    registry: Registry[Any] = Registry().with_resource(
        "urn:spec", Resource.from_contents(document, default_specification=DRAFT202012)
    )
    return Draft202012Validator(
        {"$ref": f"urn:spec#{pointer}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


async def test_every_emitted_event_fits_its_versions_schema(
    make_app: Callable[..., Starlette], seed: dict[str, Any]
) -> None:
    app = make_app(webhook_heartbeat=60)
    mock: MockApp = app.state.mock
    users = {user["name"]: user["id"] for user in seed["users"][:4]}
    alice, carol = users["Alice"], users["Carol"]

    def first(kind: str, user: str) -> dict[str, Any]:
        found: dict[str, Any] = next(r for r in seed[kind] if r["userId"] == user)
        return found

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://mock"
    ) as client:
        client.headers["Authorization"] = f"Bearer {await fetch_token(client)}"
        receivers = {version: WebhookReceiver() for version in VERSIONS}
        for receiver in receivers.values():
            receiver.__enter__()
        try:
            hooks = {
                version: await create_hook(client, receivers[version].url, version=version)
                for version in VERSIONS
            }
            # actions on four asset types, each created then resolved
            created = [
                await client.post(
                    f"/batteries/{first('batteries', alice)['id']}/operation-mode",
                    json={"operationMode": "IMPORT_FOCUS"},
                ),
                await client.post(
                    f"/chargers/{first('chargers', alice)['id']}/charging",
                    json={"action": "START"},
                ),
                await client.post(f"/hvacs/{first('hvacs', alice)['id']}/follow-schedule"),
                await client.post(
                    f"/vehicles/{first('vehicles', alice)['id']}/charging",
                    json={"action": "START"},
                ),
            ]
            for response in created:
                assert response.status_code == 200, response.text
            assert (await client.post("/_mock/actions/advance")).status_code == 200
            # updates, links and unlinks of every asset type
            for plural in ("batteries", "chargers", "hvacs", "inverters", "meters", "vehicles"):
                asset = first(plural, alice)
                changed = await client.post(
                    f"/_mock/assets/{plural}/{asset['id']}/reachable", json={"isReachable": False}
                )
                assert changed.status_code == 200, changed.text
                linked = await client.post(
                    f"/_mock/assets/{plural}", json={**asset, "id": mock.env.state.new_id()}
                )
                assert linked.status_code == 201, linked.text
            policy = await client.put(
                f"/vehicles/{first('vehicles', alice)['id']}/smart-charging-policy",
                json={"isEnabled": True, "deadline": "07:00", "minimumChargeLimit": 20},
            )
            assert policy.status_code == 200, policy.text
            invalid = await client.post(f"/_mock/users/{alice}/vendors/TESLA/invalidate")
            assert invalid.status_code == 200
            assert (await client.delete(f"/users/{carol}")).status_code == 204
            await advance(client, 61)  # a heartbeat
            for version, hook in hooks.items():
                test = await client.post(f"/webhooks/{hook['id']}/test")
                assert test.json()["status"] == "SUCCESS", (version, test.text)
            await flush(client)
        finally:
            for receiver in receivers.values():
                receiver.__exit__(None, None, None)

    for version, receiver in receivers.items():
        document = mock.index.versions[version].document
        delivery = _validator(document, "/components/schemas/WebhookDelivery")
        seen: set[str] = set()
        for request in receiver.requests:
            body = json.loads(request.body)
            problems = [error.message for error in delivery.iter_errors(body)]
            assert problems == [], (version, problems[:3])
            for event in events_of([request]):
                assert event["version"] == version
                entry = (
                    f"/webhooks/{event['event']}/post/requestBody/content/application~1json/schema"
                )
                errors = [e.message for e in _validator(document, entry).iter_errors([event])]
                assert errors == [], (version, event["event"], errors[:3])
                seen.add(event["event"])
        assert seen == EMITTED & set(document["webhooks"]), (version, EMITTED - seen)


async def test_idle_workers_exit_and_come_back(
    client: httpx.AsyncClient, mock: MockApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    from enode_codegen.mock import webhook_delivery

    monkeypatch.setattr(webhook_delivery, "IDLE_EXIT", 0.1)
    seeded = (await client.get("/webhooks")).json()["data"]
    for hook in seeded:  # the seed's webhook keeps a retry scheduled: one worker would stay
        await client.delete(f"/webhooks/{hook['id']}")
    with WebhookReceiver() as receiver:
        await create_hook(client, receiver.url)
        battery = await alice_battery(client)
        for round_ in range(2):
            await set_mode(client, battery["id"], "IMPORT_FOCUS" if round_ else "SELF_RELIANCE")
            await flush(client)
            deadline = time.monotonic() + 5
            while mock.webhooks._threads and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert mock.webhooks._threads == []  # every worker exited
        names = [e["vendorAction"]["state"] for e in events_of(receiver.requests)]
        assert names == ["PENDING", "CANCELLED", "PENDING"]
