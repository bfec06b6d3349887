"""The target's own webhook deliveries (named checks EN701-EN704, codes.py), per version.

A webhook is created through the API (`createWebhook`, in the version under test) pointing
at a receiver on this machine (`receiver.py`); then an action is created and resolved and
a test delivery is asked for. Every delivery that arrives must be signed with the
webhook's secret, be a batch of 1-100 events, hold only events the version declares, each
valid against its schema in the spec's `webhooks`, and tell the action's states in order.

Needs a target that can reach 127.0.0.1: the mock (in-process or `--mock-server`). A live
Enode cannot call a receiver on this machine; test your own receiver with
`--webhook-receiver` instead (test_webhook_receiver.py).
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from enode_codegen.runtime._webhooks import (
    DELIVERY_HEADER,
    MAX_EVENTS_PER_DELIVERY,
    SIGNATURE_HEADER,
    WebhookVerificationError,
    verify_signature,
)

from .checks import Sequence, skip_unless_writes
from .options import Options, current
from .receiver import Received, WebhookReceiver
from .scenarios import action_families, candidate_bodies
from .spec import document, operations, webhook_events
from .targets import Target

VERSIONS = current().versions
SECRET = "contract-suite-delivery-secret-0f3c9a7e"
ACTION_EVENT = "user:vendor-action:updated"
TEST_EVENT = "enode:webhook:test"
# a live target's deliveries take their time; the mock's admin API says when it is done
LIVE_WAIT = 30.0


@pytest.fixture(scope="module")
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as listening:
        yield listening


def _validators(version: str) -> dict[str, jsonschema.protocols.Validator]:
    components = document(version).get("components") or {}
    validators = {}
    for name, schema in webhook_events(version).items():
        # the event schema is the root; its local `$ref`s resolve into the document's
        # components, carried beside it (an unknown keyword to JSON Schema)
        root = {**schema, "components": components}
        cls = jsonschema.validators.validator_for(root, default=jsonschema.Draft202012Validator)
        validators[name] = cls(root, format_checker=cls.FORMAT_CHECKER)
    return validators


def _wait_for(target: Target, receiver: WebhookReceiver, count: int) -> list[Received]:
    if target.admin is not None:
        target.admin.flush_webhooks()
        return list(receiver.requests)
    deadline = time.monotonic() + LIVE_WAIT
    while len(receiver.requests) < count and time.monotonic() < deadline:
        time.sleep(0.5)
    return list(receiver.requests)


def _check_delivery(
    seq: Sequence, request: Received, version: str, validators: dict[str, Any], seen: set[str]
) -> list[dict[str, Any]]:
    """EN701-EN703 on one delivery; its events."""
    delivery = request.headers.get(DELIVERY_HEADER.lower(), "")
    seq.expect(
        "delivery_signed",
        bool(delivery) and delivery not in seen,
        f"delivery {delivery!r}: {DELIVERY_HEADER} is "
        + ("missing" if not delivery else "the ID of an earlier delivery"),
    )
    seen.add(delivery)
    try:
        verify_signature(request.body, request.headers.get(SIGNATURE_HEADER.lower()), SECRET)
        signed = ""
    except WebhookVerificationError as error:
        signed = str(error)
    seq.expect("delivery_signed", not signed, f"delivery {delivery}: {signed}")
    content_type = request.headers.get("content-type", "")
    try:
        batch = json.loads(request.body)
    except ValueError as error:
        seq.fail("delivery_batch", f"delivery {delivery}: the body is not JSON ({error})")
    seq.expect(
        "delivery_batch",
        content_type.split(";")[0].strip() == "application/json"
        and isinstance(batch, list)
        and 1 <= len(batch) <= MAX_EVENTS_PER_DELIVERY
        and all(isinstance(event, dict) for event in batch),
        f"delivery {delivery}: Content-Type {content_type!r}, body "
        f"{type(batch).__name__} of {len(batch) if isinstance(batch, list) else '-'} "
        "item(s)",
    )
    assert isinstance(batch, list)
    for event in batch:
        name = event.get("event")
        validator = validators.get(str(name))
        seq.expect(
            "delivery_event_schema",
            validator is not None,
            f"delivery {delivery}: event {name!r} is not among the {len(validators)} events "
            f"{version} declares",
        )
        assert validator is not None
        errors = sorted(validator.iter_errors(event), key=lambda e: list(e.absolute_path))
        where = "/".join(str(p) for p in errors[0].absolute_path) if errors else ""
        seq.expect(
            "delivery_event_schema",
            not errors and event.get("version") == version,
            f"delivery {delivery}: {name} "
            + (
                f"at /{where}: {errors[0].message[:300]}"
                if errors
                else f"is written in version {event.get('version')!r}, not {version}"
            ),
        )
    return batch


@pytest.mark.parametrize("version", VERSIONS)
def test_deliveries_are_signed_valid_and_ordered(
    version: str,
    target: Target,
    known_ids: dict[str, Any],
    options: Options,
    receiver: WebhookReceiver,
) -> None:
    """A webhook on a receiver here; an action created and resolved; a test delivery:
    EN701-EN704 on everything that arrives."""
    skip_unless_writes(options, "delivery_signed")
    if options.live:
        pytest.skip(
            "a live target cannot deliver to a receiver on this machine; test your own "
            "receiver with --webhook-receiver URL"
        )
    events = webhook_events(version)
    ops = operations(version)
    if not events or "createWebhook" not in ops:
        pytest.skip(f"{version} declares no webhooks")
    family = next(
        (f for f in action_families(version) if known_ids[version].get(f.asset_param)), None
    )
    if family is None:
        pytest.skip("no asset to create an action on")
    target.reset()
    receiver.requests.clear()
    seq = Sequence(target, version)
    created = seq.send(
        "createWebhook",
        body={"url": receiver.url, "secret": SECRET, "events": [ACTION_EVENT]},
    )
    assert created.status == 200, f"createWebhook answered {created.status}"
    hook = str(created.body["id"])
    try:
        action_id = _resolved_action(seq, family, known_ids[version], target)
        final = seq.send(family.get, path_parameters={"actionId": action_id}).body
        tested = seq.send("testWebhook", path_parameters={"webhookId": hook})
        assert tested.status == 200, f"testWebhook answered {tested.status}"
        received = _wait_for(target, receiver, 3)
    finally:
        seq.send("deleteWebhook", path_parameters={"webhookId": hook})

    validators = _validators(version)
    seen: set[str] = set()
    delivered = [
        event
        for request in received
        for event in _check_delivery(seq, request, version, validators, seen)
    ]
    states = [
        e["vendorAction"].get("state")
        for e in delivered
        if e.get("event") == ACTION_EVENT and (e.get("vendorAction") or {}).get("id") == action_id
    ]
    seq.expect(
        "delivery_follows_state",
        bool(states) and states[0] == "PENDING" and states[-1] == final.get("state"),
        f"action {action_id} ({family.create}, now {final.get('state')}): its "
        f"{ACTION_EVENT} events told {states or 'nothing'} (of {len(received)} "
        f"deliveries: {[e.get('event') for e in delivered][:12]})",
    )
    order = {"PENDING": 0}
    seq.expect(
        "delivery_follows_state",
        all(order.get(a, 1) <= order.get(b, 1) for a, b in itertools.pairwise(states)),
        f"action {action_id}: its states arrived out of order: {states}",
    )
    seq.expect(
        "delivery_follows_state",
        sum(e.get("event") == TEST_EVENT for e in delivered) == 1,
        f"testWebhook answered 200, but {sum(e.get('event') == TEST_EVENT for e in delivered)} "
        f"{TEST_EVENT} event(s) arrived",
    )
    other = sorted({str(e.get("event")) for e in delivered} - {ACTION_EVENT, TEST_EVENT})
    seq.expect(
        "delivery_event_schema",
        not other,
        f"the webhook subscribes to {ACTION_EVENT} only, but {other} arrived",
    )


def _resolved_action(
    seq: Sequence, family: Any, known: dict[str, list[str]], target: Target
) -> str:
    """Create an action on the first asset that takes one; let it resolve; its ID."""
    for body in candidate_bodies(seq.version, family.create):
        for asset in known[family.asset_param][:5]:
            reply = seq.send(family.create, path_parameters={family.asset_param: asset}, body=body)
            if reply.status == 200 and isinstance(reply.body, dict):
                target.let_actions_resolve()
                return str(reply.body["id"])
    pytest.skip(f"no {family.asset_param} took a {family.create} action")
