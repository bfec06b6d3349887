"""The user's webhook receiver (`--webhook-receiver URL --webhook-secret S`): named checks
EN601-EN608 (codes.py), one test per check and selected version.

The deliveries are what Enode would send for the version: batches of the events its
published spec declares (the keys of its `webhooks`), payloads drawn by hypothesis from
each event's schema (schemathesis's positive generation, `_st.webhook_event_strategies`),
seeded from `--seed` and the test, signed through `enode_codegen.runtime._webhooks`. Then
what an attacker or a broken network sends: wrong and missing signatures, tampered bodies,
replays, malformed bodies. Without `--webhook-receiver` every test here skips.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from hypothesis import strategies as st

from enode_codegen.runtime._webhooks import (
    DELIVERY_HEADER,
    MAX_EVENTS_PER_DELIVERY,
    SIGNATURE_HEADER,
    signed_delivery,
)

from . import _st
from .options import Options, current
from .receiver_checks import RECEIVER_TIMEOUT, Delivery, ReceiverChecks
from .seeded import run_seeded
from .spec import webhook_events

T = TypeVar("T")

VERSIONS = current().versions
PER_EVENT = current().profile.sampling_examples  # deliveries per event of the version
BATCHES = current().profile.behaviour_examples  # drawn batches per other check
# an event name no version declares: Enode adds events without a new version
UNKNOWN_EVENT = "user:contract-suite-unknown:updated"
# the key of a wrong signature; never the webhook's secret
OTHER_SECRET = "contract-suite-not-the-webhook-secret"

Batch = list[dict[str, Any]]


def _check_receiver(options: Options) -> str:
    if options.webhook_receiver is None:
        pytest.skip(
            "no --webhook-receiver URL: the receiver checks (EN601-EN608) test YOUR webhook "
            "receiver, e.g. --webhook-receiver http://127.0.0.1:8000/hook (secret from "
            "--webhook-secret or ENODE_WEBHOOK_SECRET)"
        )
    return options.webhook_receiver


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=RECEIVER_TIMEOUT, follow_redirects=False) as client:
        yield client


def _probe(check: str, version: str, options: Options, http: httpx.Client) -> ReceiverChecks:
    url = _check_receiver(options)
    if not webhook_events(version):
        pytest.skip(f"the published spec of {version} declares no webhooks")
    return ReceiverChecks(
        check=check,
        version=version,
        url=url,
        client=http,
        extra_headers=options.webhook_headers,
        bodies_dir=Path(options.summary_path).parent / "webhook-bodies",
    )


def drawn(label: str, count: int, build: Callable[[st.DataObject], T]) -> list[T]:
    """`count` values drawn by hypothesis (the first is its simplest), seeded from --seed
    and `label`: the same seed draws the same deliveries. Drawing happens before anything
    is sent, so a failing receiver never makes hypothesis replay a request."""
    values: list[T] = []

    def example(data: st.DataObject) -> None:
        values.append(build(data))

    run_seeded(label, count, example)
    return values[:count]


def _event(data: st.DataObject, version: str, name: str) -> dict[str, Any]:
    """One `name` event drawn from its schema, written in `version` as Enode would."""
    value = data.draw(_st.webhook_event_strategies(version)[name], label=name)
    return {**value, "version": version}


def _delivery_id(data: st.DataObject) -> str:
    return str(data.draw(st.uuids(), label="delivery id"))


def _batch(data: st.DataObject, version: str) -> Batch:
    """1-10 events of the version, mixed."""
    names = data.draw(
        st.lists(st.sampled_from(list(webhook_events(version))), min_size=1, max_size=10),
        label="events",
    )
    return [_event(data, version, name) for name in names]


def _signed(
    label: str, events: Batch | bytes, secret: str, delivery_id: str, **headers: str
) -> Delivery:
    body, signed = signed_delivery(events, secret, delivery_id=delivery_id)
    return Delivery(label, body, {**signed, **headers})


def _names(events: Batch) -> str:
    """`3 events (user:vehicle:updated, system:heartbeat)`: what a delivery held."""
    kinds = sorted({str(event.get("event")) for event in events})
    shown = ", ".join(kinds[:3]) + (f" and {len(kinds) - 3} more kinds" if len(kinds) > 3 else "")
    return f"{len(events)} event{'s' * (len(events) != 1)} ({shown})"


def _secret(options: Options) -> str:
    assert options.webhook_secret is not None  # options.py requires it with the receiver
    return options.webhook_secret


# --- valid deliveries: 2xx --------------------------------------------------------------

ACCEPTED = f"2xx within {RECEIVER_TIMEOUT:g} s"
REFUSED = "4xx (401, 403 or 400)"
NOT_5XX = "not 5xx (400 for a body it cannot read)"


@pytest.mark.parametrize("version", VERSIONS)
def test_receiver_accepts_event(version: str, options: Options, http: httpx.Client) -> None:
    """EN601: every event the version declares, in correctly signed deliveries of 1-3
    events of that kind, answers 2xx within 5 s."""
    probe = _probe("receiver_accepts_event", version, options, http)
    for name in webhook_events(version):

        def build(data: st.DataObject, name: str = name) -> tuple[str, Batch]:
            count = data.draw(st.integers(1, 3), label="events")
            return _delivery_id(data), [_event(data, version, name) for _ in range(count)]

        for delivery_id, events in drawn(f"event {version} {name}", PER_EVENT, build):
            delivery = _signed(_names(events), events, _secret(options), delivery_id)
            answer = probe.post(delivery)
            probe.expect(delivery, answer, answer.ok, ACCEPTED)
    probe.finish()


@pytest.mark.parametrize("version", VERSIONS)
def test_receiver_accepts_batch(version: str, options: Options, http: httpx.Client) -> None:
    """EN602: batches as Enode sends them: events mixed, a full batch of 100 (every event
    of the version in turn), an event the version does not declare, and a body serialised
    with other whitespace (signed as sent)."""
    probe = _probe("receiver_accepts_batch", version, options, http)
    secret = _secret(options)
    names = list(webhook_events(version))

    def mixed(data: st.DataObject) -> tuple[str, Batch]:
        return _delivery_id(data), _batch(data, version)

    deliveries = [
        _signed(f"mixed batch of {_names(events)}", events, secret, delivery_id)
        for delivery_id, events in drawn(f"mixed {version}", BATCHES, mixed)
    ]

    def full(data: st.DataObject) -> tuple[str, Batch]:
        events = [
            _event(data, version, names[i % len(names)]) for i in range(MAX_EVENTS_PER_DELIVERY)
        ]
        return _delivery_id(data), events

    [(full_id, full_events)] = drawn(f"full {version}", 1, full)
    deliveries.append(_signed(f"full batch of {_names(full_events)}", full_events, secret, full_id))

    def unknown(data: st.DataObject) -> tuple[str, Batch]:
        events = _batch(data, version)
        stranger = {**events[0], "event": UNKNOWN_EVENT}
        return _delivery_id(data), [*events, stranger]

    [(unknown_id, unknown_events)] = drawn(f"unknown {version}", 1, unknown)
    deliveries.append(
        _signed(
            f"batch of {_names(unknown_events)}: {UNKNOWN_EVENT} is not an event of {version}",
            unknown_events,
            secret,
            unknown_id,
        )
    )

    [(spaced_id, spaced_events)] = drawn(f"spaced {version}", 1, mixed)
    spaced = json.dumps(spaced_events, indent=2).encode("utf-8")
    deliveries.append(
        _signed(f"{_names(spaced_events)} serialised with indentation", spaced, secret, spaced_id)
    )
    for delivery in deliveries:
        answer = probe.post(delivery)
        probe.expect(delivery, answer, answer.ok, ACCEPTED)
    probe.finish()


# --- bad signatures: 4xx ----------------------------------------------------------------


def _valid(version: str, label: str) -> list[tuple[str, Batch]]:
    def build(data: st.DataObject) -> tuple[str, Batch]:
        return _delivery_id(data), _batch(data, version)

    return drawn(f"{label} {version}", BATCHES, build)


@pytest.mark.parametrize("version", VERSIONS)
def test_receiver_rejects_wrong_signature(
    version: str, options: Options, http: httpx.Client
) -> None:
    """EN603: a signature made with another secret, and one of the right form with a wrong
    digest, are refused with 4xx."""
    probe = _probe("receiver_rejects_wrong_signature", version, options, http)
    for delivery_id, events in _valid(version, "wrong signature"):
        other = OTHER_SECRET if options.webhook_secret != OTHER_SECRET else OTHER_SECRET + "!"
        deliveries = [
            _signed(f"{_names(events)} signed with another secret", events, other, delivery_id),
            _signed(
                f"{_names(events)} with a zero digest",
                events,
                _secret(options),
                delivery_id,
                **{SIGNATURE_HEADER: "sha1=" + "0" * 40},
            ),
        ]
        for delivery in deliveries:
            answer = probe.post(delivery)
            probe.expect(delivery, answer, answer.refused, REFUSED)
    probe.finish()


@pytest.mark.parametrize("version", VERSIONS)
def test_receiver_rejects_missing_signature(
    version: str, options: Options, http: httpx.Client
) -> None:
    """EN604: a delivery without X-Enode-Signature, or with an empty one, is refused with
    4xx."""
    probe = _probe("receiver_rejects_missing_signature", version, options, http)
    for delivery_id, events in _valid(version, "missing signature"):
        signed = _signed(_names(events), events, _secret(options), delivery_id)
        without = {k: v for k, v in signed.headers.items() if k != SIGNATURE_HEADER}
        deliveries = [
            Delivery(f"{signed.label} without {SIGNATURE_HEADER}", signed.body, without),
            Delivery(
                f"{signed.label} with an empty {SIGNATURE_HEADER}",
                signed.body,
                {**without, SIGNATURE_HEADER: ""},
            ),
        ]
        for delivery in deliveries:
            answer = probe.post(delivery)
            probe.expect(delivery, answer, answer.refused, REFUSED)
    probe.finish()


def _tampered(events: Batch) -> Batch:
    """The batch with its first event's `createdAt` moved (still a valid event)."""
    first = dict(events[0])
    first["createdAt"] = "2001-02-03T04:05:06.789Z"
    if events[0].get("createdAt") == first["createdAt"]:
        first["createdAt"] = "2002-03-04T05:06:07.890Z"
    return [first, *events[1:]]


@pytest.mark.parametrize("version", VERSIONS)
def test_receiver_rejects_tampered_body(version: str, options: Options, http: httpx.Client) -> None:
    """EN605: the body changed after signing, with the original signature: a field
    edited, and the same JSON re-serialised (a receiver that verifies its own
    re-serialisation instead of the raw bytes accepts it)."""
    probe = _probe("receiver_rejects_tampered_body", version, options, http)
    for delivery_id, events in _valid(version, "tampered"):
        signed = _signed(_names(events), events, _secret(options), delivery_id)
        edited = json.dumps(_tampered(events), separators=(",", ":")).encode("utf-8")
        spaced = json.dumps(events, indent=1).encode("utf-8")
        deliveries = [
            Delivery(f"{signed.label}, createdAt edited after signing", edited, signed.headers),
            Delivery(f"{signed.label}, re-serialised after signing", spaced, signed.headers),
        ]
        for delivery in deliveries:
            answer = probe.post(delivery)
            probe.expect(delivery, answer, answer.refused, REFUSED)
    probe.finish()


# --- replays and bodies it cannot read: never 5xx ----------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_receiver_replay(version: str, options: Options, http: httpx.Client) -> None:
    """EN606: a valid delivery sent again with the same X-Enode-Delivery ID (and bytes)
    is not a 5xx; 2xx is right (already handled: dedupe on the ID)."""
    probe = _probe("receiver_replay", version, options, http)
    for delivery_id, events in _valid(version, "replay"):
        first = _signed(_names(events), events, _secret(options), delivery_id)
        before = probe.post(first)
        again = Delivery(
            f"{first.label} sent again with {DELIVERY_HEADER} {delivery_id} (first answer "
            f"{before})",
            first.body,
            first.headers,
        )
        answer = probe.post(again)
        probe.expect(again, answer, answer.no_server_error, "not 5xx (2xx: already handled)")
    probe.finish()


@pytest.mark.parametrize("version", VERSIONS)
def test_receiver_malformed_body(version: str, options: Options, http: httpx.Client) -> None:
    """EN607: correctly signed bodies that are not JSON: truncated, not UTF-8, empty."""
    probe = _probe("receiver_malformed_body", version, options, http)
    secret = _secret(options)
    for delivery_id, events in _valid(version, "malformed"):
        body, _ = signed_delivery(events, secret, delivery_id=delivery_id)
        bodies = [
            ("a truncated JSON body", body[: max(1, len(body) // 2)]),
            ("a body that is not UTF-8", b"\xff\xfe[{\xc3\x28}]"),
            ("an empty body", b""),
        ]
        for number, (label, raw) in enumerate(bodies):
            delivery = _signed(label, raw, secret, f"{delivery_id}-{number}")
            answer = probe.post(delivery)
            probe.expect(delivery, answer, answer.no_server_error, NOT_5XX)
    probe.finish()


@pytest.mark.parametrize("version", VERSIONS)
def test_receiver_non_array_body(version: str, options: Options, http: httpx.Client) -> None:
    """EN608: correctly signed JSON that is not an array of events: one event not in an
    array, null, a string, an array of numbers, an event without `event`."""
    probe = _probe("receiver_non_array_body", version, options, http)
    secret = _secret(options)
    for delivery_id, events in _valid(version, "non-array"):
        nameless = {k: v for k, v in events[0].items() if k != "event"}
        bodies: list[tuple[str, Any]] = [
            (f"one {events[0].get('event')} event, not in an array", events[0]),
            ("null", None),
            ("a JSON string", str(events[0].get("event"))),
            ("an array of numbers", [1, 2, 3]),
            ("an array holding an event without `event`", [nameless]),
        ]
        for number, (label, value) in enumerate(bodies):
            raw = json.dumps(value, separators=(",", ":")).encode("utf-8")
            delivery = _signed(label, raw, secret, f"{delivery_id}-{number}")
            answer = probe.post(delivery)
            probe.expect(delivery, answer, answer.no_server_error, NOT_5XX)
    probe.finish()
