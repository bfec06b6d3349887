"""The webhook events of each Enode-Version: the OpenAPI 3.1 `webhooks` entries, their event
schemas and the union of a delivery agree with each other, with the subscription enum and
with the version's asset and action shapes; older versions lack the newer events."""

from __future__ import annotations

import copy
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from openapi_schema_validator import OAS31Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from enode_codegen.generator.diff import diff_documents, packaged_report
from enode_codegen.generator.errors import SpecError
from enode_codegen.generator.paths import spec_file
from enode_codegen.generator.publish import render_text
from enode_codegen.generator.validate import validate_spec

VERSIONS = ["2023-04-01", "2023-08-01", "2024-01-01", "2024-10-01"]
# Subscribable, but no source documents a payload: no `webhooks` entry (webhook-events.yaml).
DEPRECATED_EVENTS = {"user:charge-action:updated"}
# Sent to every webhook, not subscribed to (not in the WebhookEvent enum).
ALWAYS_SENT = {"system:heartbeat"}
ONLY_2024_10_01 = {
    "user:hem-system:discovered",
    "user:hem-system:updated",
    "user:hem-system:deleted",
    "user:inverter:statistics-updated",
}
ASSETS = {  # payload key -> (list path of its GET, schema name)
    "vehicle": ("/vehicles/{vehicleId}", "Vehicle"),
    "charger": ("/chargers/{chargerId}", "Charger"),
    "hvac": ("/hvacs/{hvacId}", "Hvac"),
    "inverter": ("/inverters/{inverterId}", "Inverter"),
    "battery": ("/batteries/{batteryId}", "Battery"),
    "meter": ("/meters/{meterId}", "Meter"),
    "hemSystem": ("/hem-systems/{hemSystemId}", "HemSystem"),
}
_URI = "urn:test:webhooks"


@cache
def doc(version: str) -> dict[str, Any]:
    return validate_spec(spec_file(version)).document


def schemas(version: str) -> dict[str, Any]:
    result: dict[str, Any] = doc(version)["components"]["schemas"]
    return result


def ref_name(node: dict[str, Any]) -> str:
    ref = node["$ref"]
    assert ref.startswith("#/components/schemas/"), ref
    return str(ref.rsplit("/", 1)[1])


def event_schema_name(version: str, event: str) -> str:
    body = doc(version)["webhooks"][event]["post"]["requestBody"]
    return ref_name(body["content"]["application/json"]["schema"]["items"])


@cache
def validator(version: str, name: str) -> Any:
    registry: Registry[Any] = Registry().with_resource(
        _URI, Resource.from_contents(doc(version), default_specification=DRAFT202012)
    )
    return OAS31Validator(
        {"$ref": f"{_URI}#/components/schemas/{name}"},
        registry=registry,
        format_checker=OAS31Validator.FORMAT_CHECKER,
    )


def errors(version: str, name: str, value: Any) -> list[str]:
    return [e.message for e in validator(version, name).iter_errors(value)]


@pytest.mark.parametrize("version", VERSIONS)
def test_webhooks_union_and_subscription_enum_name_the_same_events(version: str) -> None:
    hooks = set(doc(version)["webhooks"])
    payload = schemas(version)["WebhookEventPayload"]
    mapping = payload["discriminator"]["mapping"]
    assert payload["discriminator"]["propertyName"] == "event"
    assert set(mapping) == hooks
    assert {ref_name(member) for member in payload["oneOf"]} == {
        value.rsplit("/", 1)[1] for value in mapping.values()
    }
    subscribable = set(schemas(version)["WebhookEvent"]["enum"]) - {"*"}
    assert hooks == (subscribable - DEPRECATED_EVENTS) | ALWAYS_SENT
    for event in hooks:
        assert mapping[event] == f"#/components/schemas/{event_schema_name(version, event)}"
    delivery = schemas(version)["WebhookDelivery"]
    assert (delivery["type"], delivery["minItems"], delivery["maxItems"]) == ("array", 1, 100)
    assert ref_name(delivery["items"]) == "WebhookEventPayload"


def test_older_versions_lack_the_events_2024_10_01_added() -> None:
    events = {version: set(doc(version)["webhooks"]) for version in VERSIONS}
    assert events["2024-10-01"] - events["2024-01-01"] == ONLY_2024_10_01
    assert events["2023-04-01"] == events["2023-08-01"] == events["2024-01-01"]
    assert len(events["2024-10-01"]) == 28
    for version in VERSIONS[:-1]:
        names = set(schemas(version))
        assert not {"HemSystemUpdatedEvent", "InverterStatisticsUpdatedEvent"} & names
        assert not ONLY_2024_10_01 & set(schemas(version)["WebhookEvent"]["enum"])


@pytest.mark.parametrize("version", VERSIONS)
def test_each_webhook_is_a_signed_post_of_a_batch_of_its_event(version: str) -> None:
    operation_ids = set()
    for event, item in doc(version)["webhooks"].items():
        assert list(item) == ["post"], event
        post = item["post"]
        assert re.fullmatch(r"[a-z][A-Za-z]*Webhook", post["operationId"]), post["operationId"]
        operation_ids.add(post["operationId"])
        headers = {}
        for parameter in post["parameters"]:
            resolved = doc(version)["components"]["parameters"][ref_name_of(parameter)]
            headers[resolved["name"]] = resolved
        assert set(headers) == {"X-Enode-Signature", "X-Enode-Delivery"}
        assert all(h["in"] == "header" and h["required"] for h in headers.values())
        pattern = headers["X-Enode-Signature"]["schema"]["pattern"]
        assert re.fullmatch(pattern, "sha1=" + "0a" * 20)
        assert not re.fullmatch(pattern, "sha256=" + "0a" * 32)
        body = post["requestBody"]["content"]["application/json"]["schema"]
        assert (body["type"], body["minItems"], body["maxItems"]) == ("array", 1, 100)
        assert set(post["responses"]) == {"2XX", "default"}
    assert len(operation_ids) == len(doc(version)["webhooks"])


def ref_name_of(parameter: dict[str, Any]) -> str:
    return str(parameter["$ref"].rsplit("/", 1)[1])


@pytest.mark.parametrize("version", VERSIONS)
def test_event_schemas_carry_the_envelope_and_their_payload(version: str) -> None:
    for event in doc(version)["webhooks"]:
        name = event_schema_name(version, event)
        schema = schemas(version)[name]
        assert name.endswith("Event")
        assert {"createdAt", "version", "event"} <= set(schema["required"])
        assert schema["properties"]["event"]["const"] == event
        assert schema["properties"]["createdAt"]["format"] == "date-time"
        assert ("user" in schema["required"]) == event.startswith("user:")
        with_fields = event.endswith(":updated") or event in {
            "user:vehicle:smart-charging-status-updated",
            "user:schedule:execution-updated",
        }
        assert ("updatedFields" in schema["required"]) == with_fields, event
        if event == "system:heartbeat":
            assert schema["properties"]["pendingEvents"]["minimum"] == 0
        if event == "enode:webhook:test":
            assert set(schema["required"]) == {"createdAt", "version", "event"}


@pytest.mark.parametrize("version", VERSIONS)
def test_asset_events_carry_the_asset_as_its_get_returns_it(version: str) -> None:
    paths = doc(version)["paths"]
    seen = 0
    for event in doc(version)["webhooks"]:
        match = re.fullmatch(r"user:([a-z-]+):(discovered|updated|deleted)", event)
        if not match or match[1] in ("vendor-action", "charge-action"):
            continue
        key = re.sub(r"-(\w)", lambda m: m[1].upper(), match[1])
        path, asset = ASSETS[key]
        schema = schemas(version)[event_schema_name(version, event)]
        assert key in schema["required"]
        assert ref_name(schema["properties"][key]) == asset
        get = paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert ref_name(get) == asset
        seen += 1
    assert seen == (21 if version == "2024-10-01" else 18)


@pytest.mark.parametrize("version", VERSIONS)
def test_vendor_action_is_any_action_the_version_can_get(version: str) -> None:
    paths = doc(version)["paths"]
    gettable = {
        ref_name(item["get"]["responses"]["200"]["content"]["application/json"]["schema"])
        for path, item in paths.items()
        if path.endswith("/actions/{actionId}")
    }
    vendor_action = schemas(version)["VendorActionUpdatedEvent"]["properties"]["vendorAction"]
    assert {ref_name(member) for member in vendor_action["anyOf"]} == gettable


@pytest.mark.parametrize("version", VERSIONS)
def test_every_event_example_validates_alone_and_in_a_delivery(version: str) -> None:
    """Each event schema's example is a valid event of this version, picked out of the
    delivery union by exactly one branch (the oneOf would fail on an ambiguous event)."""
    examples = []
    for event in doc(version)["webhooks"]:
        name = event_schema_name(version, event)
        (example,) = schemas(version)[name]["examples"]
        assert example["event"] == event
        assert example["version"] == "2024-10-01" or example["version"] == version
        assert errors(version, name, example) == []
        examples.append(example)
    assert errors(version, "WebhookDelivery", examples) == []
    assert errors(version, "WebhookDelivery", []) != []
    assert errors(version, "WebhookDelivery", examples * 5) != []  # over 100 events


@pytest.mark.parametrize("version", VERSIONS)
def test_examples_show_the_assets_in_this_versions_shape(version: str) -> None:
    """The examples of older versions are rewritten by the declared changes: no property
    the version's asset does not have (such as 2024-10-01's `location.id`)."""
    for event in doc(version)["webhooks"]:
        name = event_schema_name(version, event)
        (example,) = schemas(version)[name]["examples"]
        for key, (_, asset) in ASSETS.items():
            if key in example:
                declared = set(schemas(version)[asset]["properties"])
                assert set(example[key]) <= declared, (version, name, set(example[key]) - declared)
    vehicle = schemas(version)["VehicleUpdatedEvent"]["examples"][0]["vehicle"]
    location_key = {
        "2023-04-01": "chargingLocationId",
        "2023-08-01": "locationId",
        "2024-01-01": "locationId",
    }.get(version)
    if location_key:
        assert location_key in vehicle and "id" not in vehicle["location"]
    else:
        assert "id" in vehicle["location"] and "locationId" not in vehicle


def test_a_wrong_event_fails_its_schema_and_an_unknown_one_the_union() -> None:
    example = copy.deepcopy(schemas("2024-10-01")["HeartbeatEvent"]["examples"][0])
    assert errors("2024-10-01", "HeartbeatEvent", {**example, "pendingEvents": -1}) != []
    assert errors("2024-10-01", "HeartbeatEvent", {**example, "event": "user:x"}) != []
    unknown = {**example, "event": "user:charge-action:updated"}
    assert errors("2024-10-01", "WebhookEventPayload", unknown) != []


def test_the_migration_report_lists_added_webhook_events_as_additive() -> None:
    report, _ = packaged_report("2024-01-01", "2024-10-01")
    added = {d.subject: d for d in report.differences if d.kind == "webhook-added"}
    assert set(added) == ONLY_2024_10_01
    assert not any(d.breaking for d in added.values())
    assert added["user:inverter:statistics-updated"].change == "2024-10-01: inverter-statistics"
    assert added["user:hem-system:updated"].change == "2024-10-01: hem-systems"
    assert added["user:hem-system:updated"].operations == ("hemSystemUpdatedWebhook",)
    # two changes edit the subscription enum: each value is tied to the one that added it
    enum = {
        d.detail: d.change
        for d in report.differences
        if d.kind == "enum-value-added" and d.subject == "WebhookEvent"
    }
    assert enum["user:hem-system:deleted (request)"] == "2024-10-01: hem-systems"
    assert enum["user:inverter:statistics-updated (response)"] == "2024-10-01: inverter-statistics"
    # an asset change reaches the events that carry the asset
    removed = next(d for d in report.differences if d.subject == "Vehicle.locationId")
    assert {"getVehicle", "vehicleUpdatedWebhook", "vehicleDeletedWebhook"} <= set(
        removed.operations
    )


def test_an_event_a_newer_version_stops_sending_is_breaking() -> None:
    old = doc("2024-10-01")
    new = copy.deepcopy(old)
    del new["webhooks"]["system:heartbeat"]
    report = diff_documents(old, new, old_name="2024-10-01", new_name="2025-01-01")
    (difference,) = report.differences
    assert (difference.kind, difference.subject, difference.breaking) == (
        "webhook-removed",
        "system:heartbeat",
        True,
    )
    assert difference.operations == ("heartbeatWebhook",)


def test_a_payload_field_dropped_from_an_event_is_breaking() -> None:
    old = doc("2024-10-01")
    new = copy.deepcopy(old)
    event = new["components"]["schemas"]["VendorActionUpdatedEvent"]
    event["required"].remove("updatedFields")
    del event["properties"]["updatedFields"]
    report = diff_documents(old, new, old_name="2024-10-01", new_name="2025-01-01")
    (difference,) = report.differences
    assert difference.kind == "response-property-removed" and difference.breaking
    assert difference.subject == "VendorActionUpdatedEvent.updatedFields"
    assert difference.operations == ("vendorActionUpdatedWebhook",)


def test_a_webhook_reusing_an_operation_id_is_reported(tmp_path: Path) -> None:
    document = copy.deepcopy(doc("2024-10-01"))
    document["webhooks"]["system:heartbeat"]["post"]["operationId"] = "getVehicle"
    path = tmp_path / "spec.yaml"
    path.write_text(render_text(document), encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        validate_spec(path)
    (problem,) = caught.value.problems
    assert problem.rule == "operation-id"
    assert problem.pointer == "/webhooks/system:heartbeat/post/operationId"
    assert "getVehicle" in problem.message and "GET /vehicles/{vehicleId}" in problem.message
    assert problem.line is not None


def test_an_event_example_that_breaks_its_schema_is_reported(tmp_path: Path) -> None:
    document = copy.deepcopy(doc("2024-10-01"))
    document["components"]["schemas"]["HeartbeatEvent"]["examples"][0]["pendingEvents"] = -1
    path = tmp_path / "spec.yaml"
    path.write_text(render_text(document), encoding="utf-8")
    with pytest.raises(SpecError) as caught:
        validate_spec(path)
    (problem,) = caught.value.problems
    assert problem.rule == "example"
    assert problem.pointer == "/components/schemas/HeartbeatEvent/examples/0"
    assert "pendingEvents" in problem.message
