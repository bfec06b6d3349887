"""Webhook deliveries through the generated clients: spec -> generated/ -> import -> unwrap.

For every Enode-Version, every event its spec's top-level `webhooks` declares is typed, and
payloads that schemathesis generates from the event's schema round-trip through
`construct_delivery` and `unwrap` (sync and async clients, and the package's `webhooks`
module). Signatures are checked on the bytes as received: a changed byte, a re-serialised
body, a wrong or missing secret or signature all raise `WebhookVerificationError`, whose
text never holds the secret. Unknown events parse into `UnknownWebhookEvent`; bodies that
are not arrays of events raise `WebhookPayloadError`. A third-party spec (inline event
schemas, another discriminator, no webhooks tag) gets the same surface.
"""

from __future__ import annotations

import copy
import importlib
import json
import subprocess
import sys
import textwrap
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schema_instances import instance

from enode_codegen.generator.cli import main
from enode_codegen.generator.paths import spec_file
from enode_codegen.generator.validate import validate_spec

VERSIONS = ["2023-04-01", "2023-08-01", "2024-01-01", "2024-10-01"]
SECRET = "whsec-test-0123456789abcdef"
ROOT = Path(__file__).resolve().parent.parent


@cache
def document(version: str) -> dict[str, Any]:
    return validate_spec(spec_file(version)).document


@cache
def hooks(version: str) -> ModuleType:
    return importlib.import_module(f"enode_{version.replace('-', '_')}.webhooks")


@cache
def package(version: str) -> ModuleType:
    return importlib.import_module(f"enode_{version.replace('-', '_')}")


@cache
def event_bodies(version: str) -> Any:
    """schemathesis over the version's webhooks: each webhook's request body (an array of
    its event) as the body of a POST operation, so its data generation applies."""
    raw = copy.deepcopy(document(version))
    webhooks = raw.pop("webhooks")
    raw["paths"] = {}
    for name, item in webhooks.items():
        operation = copy.deepcopy(item["post"])
        operation["parameters"] = []
        raw["paths"][f"/webhooks/{name}"] = {"post": operation}
    return schemathesis.openapi.from_dict(raw)


def events_of(version: str) -> list[str]:
    return sorted(document(version).get("webhooks") or {})


CASES = [(version, event) for version in VERSIONS for event in events_of(version)]


@pytest.mark.parametrize("version", VERSIONS)
def test_every_declared_event_is_typed(version: str) -> None:
    """The package types exactly the events the version's spec declares, each with the model
    of its schema."""
    module = hooks(version)
    declared = document(version)["webhooks"]
    assert sorted(module.EVENT_TYPES) == sorted(declared)
    for name, model in module.EVENT_TYPES.items():
        items = declared[name]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert items["items"]["$ref"] == f"#/components/schemas/{model.__name__}"


@pytest.mark.parametrize(("version", "event"), CASES, ids=[f"{v}-{e}" for v, e in CASES])
def test_generated_events_round_trip(version: str, event: str) -> None:
    """Any payload the spec allows for the event, signed as Enode signs it, unwraps into the
    event's model, in order, and unwraps the same after constructing it again from the models."""
    module = hooks(version)
    model = module.EVENT_TYPES[event]
    strategy = event_bodies(version)[f"/webhooks/{event}"]["POST"].as_strategy()

    @settings(
        max_examples=2,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
    )
    @given(case=strategy)
    def round_trip(case: Any) -> None:
        payload = case.body
        body, headers = module.construct_delivery(payload, secret=SECRET)
        assert body == json.dumps(payload, separators=(",", ":")).encode()
        parsed = module.unwrap(body, headers, secret=SECRET)
        assert [type(e) for e in parsed] == [model] * len(payload)
        assert [e.event for e in parsed] == [event] * len(payload)
        again, again_headers = module.construct_delivery(parsed, secret=SECRET)
        assert module.unwrap(again, again_headers, secret=SECRET) == parsed

    round_trip()


V = "2024-10-01"  # the version of the tests below; the round trip above covers all of them


def enode_event(name: str) -> dict[str, Any]:
    """A full, schema-valid payload of the event `name` in version V."""
    doc = document(V)
    model = hooks(V).EVENT_TYPES[name]
    value: dict[str, Any] = instance(doc["components"]["schemas"][model.__name__], doc)
    return value


@pytest.fixture(scope="module")
def delivery() -> tuple[list[dict[str, Any]], bytes, dict[str, str]]:
    events = [enode_event("user:vendor-action:updated"), enode_event("system:heartbeat")]
    body, headers = hooks(V).construct_delivery(events, secret=SECRET, delivery_id="d-1")
    return events, body, headers


def clients() -> list[Any]:
    pkg = package(V)
    return [
        pkg.Client(access_token="t", environment="sandbox"),
        pkg.AsyncClient(access_token="t", environment="sandbox"),
    ]


def test_sync_and_async_clients_unwrap_like_the_module(
    delivery: tuple[list[dict[str, Any]], bytes, dict[str, str]],
) -> None:
    events, body, headers = delivery
    assert headers["X-Enode-Delivery"] == "d-1"
    expected = hooks(V).unwrap(body, headers, secret=SECRET)
    assert [type(e).__name__ for e in expected] == ["VendorActionUpdatedEvent", "HeartbeatEvent"]
    assert expected[1].pending_events == events[1]["pendingEvents"]
    assert package(V).webhooks is hooks(V)  # `import enode_...` reaches the module too
    lowercase = {k.lower(): v for k, v in headers.items()}  # as ASGI servers hand them over
    for client in clients():
        assert client.webhooks.unwrap(body, lowercase, secret=SECRET) == expected
        assert client.webhooks.verify_signature(body, lowercase, secret=SECRET) is None
        assert hasattr(client.webhooks, "create_webhook")  # the API's webhook operations stay


@pytest.mark.parametrize("position", [0, 1, "middle", -2, -1])
def test_a_changed_byte_fails_verification(
    delivery: tuple[list[dict[str, Any]], bytes, dict[str, str]], position: int | str
) -> None:
    _events, body, headers = delivery
    index = len(body) // 2 if position == "middle" else int(position)
    tampered = bytearray(body)
    tampered[index] ^= 0x01
    for unwrap in (hooks(V).unwrap, *(c.webhooks.unwrap for c in clients())):
        with pytest.raises(package(V).WebhookVerificationError, match="does not match"):
            unwrap(bytes(tampered), headers, secret=SECRET)


@pytest.mark.parametrize("options", [{}, {"indent": 2}, {"sort_keys": True}])
def test_a_reserialised_body_fails_verification(
    delivery: tuple[list[dict[str, Any]], bytes, dict[str, str]], options: dict[str, Any]
) -> None:
    """What a framework's JSON parsing hands over is not what was signed."""
    _events, body, headers = delivery
    again = json.dumps(json.loads(body), **options).encode()
    assert again != body
    with pytest.raises(package(V).WebhookVerificationError):
        hooks(V).unwrap(again, headers, secret=SECRET)


def test_wrong_or_missing_secrets_and_signatures_never_echo_the_secret(
    delivery: tuple[list[dict[str, Any]], bytes, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _events, body, headers = delivery
    error = package(V).WebhookVerificationError
    assert issubclass(error, package(V).EnodeError)
    monkeypatch.delenv("ENODE_WEBHOOK_SECRET", raising=False)
    wrong = "whsec-wrong-fedcba9876543210"
    unsigned = {k: v for k, v in headers.items() if k != "X-Enode-Signature"}
    attempts = [
        (headers, wrong, "does not match"),
        (unsigned, SECRET, "no X-Enode-Signature"),
        ({**headers, "X-Enode-Signature": "md5=abc"}, SECRET, "sha1="),
        (headers, None, "ENODE_WEBHOOK_SECRET"),
    ]
    for given_headers, secret, reason in attempts:
        with pytest.raises(error, match=reason) as caught:
            hooks(V).unwrap(body, given_headers, secret=secret)
        text = str(caught.value) + repr(caught.value)
        assert SECRET not in text and wrong not in text
        assert headers["X-Enode-Signature"] not in text


def test_the_secret_comes_from_the_environment(
    delivery: tuple[list[dict[str, Any]], bytes, dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _events, body, headers = delivery
    monkeypatch.setenv("ENODE_WEBHOOK_SECRET", SECRET)
    assert len(hooks(V).unwrap(body, headers)) == 2
    for client in clients():
        assert len(client.webhooks.unwrap(body, headers)) == 2
    assert hooks(V).construct_delivery([enode_event("system:heartbeat")])[1][
        "X-Enode-Signature"
    ] == package(V)._runtime.sign(
        json.dumps([enode_event("system:heartbeat")], separators=(",", ":")).encode(), SECRET
    )
    monkeypatch.setenv("ENODE_WEBHOOK_SECRET", "another-secret")
    with pytest.raises(package(V).WebhookVerificationError):
        hooks(V).unwrap(body, headers)


def test_unknown_events_keep_every_field() -> None:
    """An event newer than the client (or one Enode deprecated, like charge-action) is an
    UnknownWebhookEvent, not an error; the known events beside it are still typed."""
    future = {
        "createdAt": "2030-01-02T03:04:05Z",
        "version": "2030-01-01",
        "event": "user:toaster:updated",
        "user": {"id": "u-1"},
        "toaster": {"id": "t-1", "slots": 4},
        "updatedFields": ["toaster.slots"],
    }
    odd = {"event": "user:charge-action:updated", "createdAt": "soon", "action": {"id": 1}}
    events = [future, enode_event("user:vehicle:updated"), odd]
    body, headers = hooks(V).construct_delivery(events, secret=SECRET)
    unknown, known, deprecated = hooks(V).unwrap(body, headers, secret=SECRET)
    assert isinstance(deprecated, hooks(V).UnknownWebhookEvent)
    assert (deprecated.created_at, deprecated.version) == ("soon", None)  # kept as sent
    assert isinstance(unknown, hooks(V).UnknownWebhookEvent)
    assert type(known).__name__ == "VehicleUpdatedEvent"
    assert (unknown.event, unknown.version, unknown.created_at.year) == (
        "user:toaster:updated",
        "2030-01-01",
        2030,
    )
    assert unknown.model_extra == {
        "user": {"id": "u-1"},
        "toaster": {"id": "t-1", "slots": 4},
        "updatedFields": ["toaster.slots"],
    }
    assert json.loads(hooks(V).construct_delivery([unknown], secret=SECRET)[0]) == [future]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "not JSON"),
        (b"[{]", "not JSON: .* line 1 column 3"),
        (b"\xff\xfe", "not JSON"),
        (b'{"event": "system:heartbeat"}', "a JSON object, not an array"),
        (b'"events"', "a JSON string, not an array"),
        (b"[1, 2]", r"\[0\]: not an event"),
        (b'[{"createdAt": "2024-01-01T00:00:00Z"}]', r"\[0\]: not an event"),
    ],
)
def test_bodies_that_are_not_events_are_a_payload_error(body: bytes, reason: str) -> None:
    module = hooks(V)
    headers = {"X-Enode-Signature": package(V)._runtime.sign(body, SECRET)}
    with pytest.raises(module.WebhookPayloadError, match=reason) as caught:
        module.unwrap(body, headers, secret=SECRET)
    assert isinstance(caught.value, package(V).EnodeError)
    assert "soon" not in str(caught.value)  # input values are not repeated
    with pytest.raises(module.WebhookVerificationError):  # the signature is checked first
        module.unwrap(body, {"X-Enode-Signature": "sha1=00"}, secret=SECRET)


def test_an_event_that_drifted_is_returned_and_strict_raises(
    caplog: pytest.LogCaptureFixture,
) -> None:
    module = hooks(V)
    body = b'[{"event": "system:heartbeat", "version": "2024-10-01", "createdAt": "soon"}]'
    headers = {"X-Enode-Signature": package(V)._runtime.sign(body, SECRET)}

    [event] = module.unwrap(body, headers, secret=SECRET)

    assert type(event).__name__ == "HeartbeatEvent"
    assert event.created_at == "soon"  # kept as received
    assert [(d.path, d.expected) for d in package(V).drift(event)] == [
        ("$[0].createdAt", "date-time"),
        ("$[0].pendingEvents", "integer"),
    ]
    assert "webhook system:heartbeat at $[*].createdAt: expected date-time" in caplog.text
    assert "soon" not in caplog.text  # values are never logged
    strict = r"\[0\] system:heartbeat: createdAt: .*; \[0\] system:heartbeat: pendingEvents"
    with pytest.raises(module.WebhookPayloadError, match=strict) as caught:
        module.unwrap(body, headers, secret=SECRET, strict=True)
    assert "soon" not in str(caught.value)


def test_verify_signature_takes_headers_or_the_signature(
    delivery: tuple[list[dict[str, Any]], bytes, dict[str, str]],
) -> None:
    _events, body, headers = delivery
    module = hooks(V)
    module.verify_signature(body, headers, secret=SECRET)
    module.verify_signature(body, headers["X-Enode-Signature"], secret=SECRET)
    module.verify_signature(body.decode(), headers, secret=SECRET)
    with pytest.raises(module.WebhookVerificationError):
        module.verify_signature(body + b" ", headers, secret=SECRET)
    with pytest.raises(module.WebhookVerificationError):
        module.verify_signature(body, None, secret=SECRET)


THIRD_PARTY = """
openapi: 3.1.0
info: {title: Shop, version: '1.0'}
paths:
  /orders:
    get:
      operationId: listOrders
      tags: [Orders]
      responses:
        '200':
          description: Orders.
          content:
            application/json:
              schema: {type: array, items: {$ref: '#/components/schemas/Order'}}
webhooks:
  order.created:
    post:
      requestBody:
        content:
          application/json:
            schema:
              type: object
              required: [type, order]
              properties:
                type: {type: string, const: order.created}
                order: {$ref: '#/components/schemas/Order'}
      responses: {'200': {description: OK}}
  order.cancelled:
    post:
      requestBody:
        content:
          application/json:
            schema: {type: array, items: {$ref: '#/components/schemas/OrderCancelled'}}
      responses: {'200': {description: OK}}
components:
  schemas:
    Order:
      type: object
      required: [id]
      properties: {id: {type: integer}}
    OrderCancelled:
      type: object
      required: [type, orderId]
      properties:
        type: {type: string, enum: [order.cancelled]}
        orderId: {type: integer}
    ShopEvent:
      oneOf:
        - $ref: '#/components/schemas/OrderCancelled'
      discriminator: {propertyName: type}
"""

THIRD_PARTY_USE = """
from shop_client import Client, AsyncClient, webhooks
body, headers = webhooks.construct_delivery(
    [{"type": "order.created", "order": {"id": 1}}, {"type": "order.cancelled", "orderId": 1},
     {"type": "order.shipped", "orderId": 1}], secret="s")
for client in (Client(access_token="t", base_url="https://shop.test"),
               AsyncClient(access_token="t", base_url="https://shop.test")):
    created, cancelled, shipped = client.webhooks.unwrap(body, headers, secret="s")
    print(type(created).__name__, created.order.id, type(cancelled).__name__,
          type(shipped).__name__, shipped.event, shipped.model_extra)
client = Client(access_token="t", base_url="https://x")
print(sorted(webhooks.EVENT_TYPES), hasattr(client, "orders"))
"""


def test_any_openapi_document_with_webhooks_gets_the_same_surface(tmp_path: Path) -> None:
    """Inline event schemas are named, another discriminator works, the `webhooks` resource
    appears without a webhooks tag, and the package passes `mypy --strict`."""
    (tmp_path / "shop.yaml").write_text(THIRD_PARTY)
    out = tmp_path / "out"
    args = ["generate", str(tmp_path / "shop.yaml"), "--no-enode-rules"]
    assert main([*args, "--package", "shop_client", "--output", str(out)]) == 0
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(THIRD_PARTY_USE)],
        cwd=out / "shop-client",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    expected = "OrderCreatedEvent 1 OrderCancelled UnknownWebhookEvent order.shipped {'orderId': 1}"
    assert lines == [expected, expected, "['order.cancelled', 'order.created'] True"]
    mypy = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "shop_client"],
        cwd=out / "shop-client",
        capture_output=True,
        text=True,
        check=False,
    )
    assert mypy.returncode == 0, mypy.stdout


def test_the_readme_examples_are_python(tmp_path: Path) -> None:
    """Each package README's webhook section holds a framework-neutral and a FastAPI example
    that compile, and says to read the raw body."""
    readme = (ROOT / "generated" / f"enode-client-{V}" / "README.md").read_text()
    section = readme.split("## Webhooks")[1].split("\n## ")[0]
    blocks = [b.split("```")[0] for b in section.split("```python\n")[1:]]
    assert len(blocks) >= 3
    for block in blocks:
        compile(block, "README.md", "exec")
    assert "await request.body()" in section
    assert "def handle_delivery(raw_body: bytes" in section
