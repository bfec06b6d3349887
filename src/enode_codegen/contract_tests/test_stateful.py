"""Stateful tests: schemathesis's state machine from the spec's links, and explicit
scenarios (list -> get, schedule create/get/update/delete, webhook create/test/delete).
Every request of a scenario is also checked by every schemathesis check
(`_st.call_and_validate`)."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from typing import Any

import pytest

from . import _st
from .catalog import get_json
from .options import Options, current
from .receiver import WebhookReceiver
from .scenarios import list_links
from .spec import operations, query_params
from .targets import Target

VERSIONS = current().versions
TERMINAL = {"CONFIRMED", "FAILED", "CANCELLED"}


@pytest.fixture(autouse=True)
def _fresh(target: Target, known_ids: dict[str, Any]) -> None:
    target.reset()


def _writes(options: Options) -> None:
    if not options.writes_allowed:
        pytest.skip("write flow: the live target is read-only (pass --allow-writes)")


def _json(response: Any) -> Any:
    return response.json() if response.content else None


def _send(version: str, target: Target, operation_id: str, **parts: Any) -> Any:
    case = _st.make_case(_st.load(version), operation_id, **parts)
    return _st.call_and_validate(case, target)


# --- the state machine -----------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_state_machine(version: str, target: Target, options: Options) -> None:
    """schemathesis's stateful phase: chains of calls along the spec's links (list -> get,
    action -> get/cancel, createSchedule -> getSchedule), checked by every check, including
    the stateful ones (use after free, resource availability)."""
    schema = _st.load(version)
    _st.run_state_machine(schema, target, read_only=not options.writes_allowed)


# --- list, then get each listed entity -------------------------------------------------

LINKS = [(v, *link) for v in VERSIONS for link in list_links(v)]


@pytest.mark.parametrize(
    ("version", "list_op", "get_op", "param", "pointer"),
    LINKS,
    ids=[f"{v}-{lst}-{get}" for v, lst, get, _, _ in LINKS],
)
def test_list_then_get(
    version: str,
    list_op: str,
    get_op: str,
    param: str,
    pointer: str,
    target: Target,
    known_ids: dict[str, Any],
) -> None:
    """The first entity of every list is readable by the link's get operation."""
    list_params = operations(version)[list_op].path_params
    candidates: list[dict[str, str]] = [{}]
    if list_params:
        candidates = [
            {name: value} for name in list_params for value in known_ids[version].get(name, [])
        ]
    for path_parameters in candidates:
        listed = _send(version, target, list_op, path_parameters=path_parameters)
        assert listed.status_code == 200, listed.text
        body = _json(listed)
        value: Any = body
        for part in pointer.lstrip("/").split("/"):
            if isinstance(value, list):
                value = value[int(part)] if len(value) > int(part) else None
            elif isinstance(value, dict):
                value = value.get(part)
            if value is None:
                break
        if value is None:
            continue  # an empty list: try the next owner
        got = _send(version, target, get_op, path_parameters={param: value})
        assert got.status_code == 200, got.text
        got_body = _json(got)
        if isinstance(got_body, dict) and "id" in got_body:
            assert got_body["id"] == value
        return
    pytest.skip(f"{list_op} listed nothing for any known owner")


# --- schedules -------------------------------------------------------------------------


def _schedule_target(version: str, target: Target, known: dict[str, list[str]]) -> tuple[str, str]:
    """(userId, chargerId) of a charger of the user the schedule routes address."""
    ops = operations(version)
    context_user = None
    if "getMe" in ops:
        _, me = get_json(target, version, ops["getMe"].path)
        context_user = me["id"]
    for charger_id in known.get("chargerId", []):
        status, charger = get_json(target, version, f"/chargers/{charger_id}")
        if status != 200:
            continue
        if context_user is None or charger["userId"] == context_user:
            return charger["userId"], charger_id
    pytest.skip("no charger of the schedule routes' user")


def _schedule_body(version: str, charger_id: str, enabled: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "isEnabled": enabled,
        "defaultShouldCharge": True,
        "rules": [
            {
                "hourMinute": {"from": "08:00", "to": "09:00"},
                "weekdays": [0, 1, 2, 3, 4],
                "shouldCharge": False,
            }
        ],
        "targetId": charger_id,
        "targetType": "charger",
    }
    return body


@pytest.mark.parametrize("version", VERSIONS)
def test_schedule_crud(
    version: str, target: Target, options: Options, known_ids: dict[str, Any]
) -> None:
    """Create a schedule, read it, update it, read the update, delete it, see 404."""
    _writes(options)
    ops = operations(version)
    user_id, charger_id = _schedule_target(version, target, known_ids[version])
    owner = {"userId": user_id} if "userId" in ops["createSchedule"].path_params else {}

    created = _send(
        version,
        target,
        "createSchedule",
        path_parameters=owner,
        body=_schedule_body(version, charger_id, True),
    )
    assert created.status_code == 200, created.text
    schedule = _json(created)
    schedule_id = schedule["id"]
    assert schedule["targetId"] == charger_id and schedule["isEnabled"] is True

    read = _send(version, target, "getSchedule", path_parameters={"scheduleId": schedule_id})
    assert read.status_code == 200 and _json(read)["id"] == schedule_id

    paged = "pageSize" in query_params(version, "listSchedules")
    listed = _send(
        version,
        target,
        "listSchedules",
        path_parameters=owner,
        query={"pageSize": 1000} if paged else None,
    )
    assert listed.status_code == 200
    listed_body = _json(listed)
    items = listed_body["data"] if isinstance(listed_body, dict) else listed_body
    assert schedule_id in {item["id"] for item in items}, "the new schedule is listed"

    updated = _send(
        version,
        target,
        "updateSchedule",
        path_parameters={"scheduleId": schedule_id},
        body=_schedule_body(version, charger_id, False),
    )
    assert updated.status_code == 200, updated.text
    assert _json(updated)["isEnabled"] is False
    again = _send(version, target, "getSchedule", path_parameters={"scheduleId": schedule_id})
    assert _json(again)["isEnabled"] is False, "the update is visible on read"

    if "deleteSchedule" not in ops:
        return
    deleted = _send(version, target, "deleteSchedule", path_parameters={"scheduleId": schedule_id})
    assert deleted.status_code in (200, 204), deleted.text
    gone = _send(version, target, "getSchedule", path_parameters={"scheduleId": schedule_id})
    assert gone.status_code == 404, f"a deleted schedule answered {gone.status_code}"
    missing = _send(
        version, target, "getSchedule", path_parameters={"scheduleId": str(uuid.uuid4())}
    )
    assert missing.status_code == 404


# --- vehicles: charging, smart override; locations: create/update/delete ---------------


def _vehicle_ids(version: str, target: Target, known: dict[str, list[str]]) -> list[str]:
    ids = list(known.get("vehicleId", []))
    if not ids:
        pytest.skip("the target lists no vehicles")
    return ids


@pytest.mark.parametrize("version", VERSIONS)
def test_vehicle_charging(
    version: str, target: Target, options: Options, known_ids: dict[str, Any]
) -> None:
    """Start charging a plugged-in vehicle, follow the action to its end; on the mock the
    vehicle then charges and its battery level rises over (mock) time."""
    _writes(options)
    for vehicle_id in _vehicle_ids(version, target, known_ids[version]):
        _, vehicle = get_json(target, version, f"/vehicles/{vehicle_id}")
        charge = vehicle["chargeState"]
        if not charge["isPluggedIn"] or charge["isCharging"]:
            continue
        started = _send(
            version,
            target,
            "controlVehicleCharging",
            path_parameters={"vehicleId": vehicle_id},
            body={"action": "START"},
        )
        if started.status_code != 200:
            continue  # controlled by a schedule (422) or not capable (400): the next one
        action = _json(started)
        assert action["kind"] == "START" and action["targetId"] == vehicle_id, action
        target.let_actions_resolve()
        read = _send(
            version, target, "getVehicleAction", path_parameters={"actionId": action["id"]}
        )
        assert read.status_code == 200, read.text
        if target.admin is None:
            return
        assert _json(read)["state"] == "CONFIRMED", _json(read)
        _, charging = get_json(target, version, f"/vehicles/{vehicle_id}")
        assert charging["chargeState"]["isCharging"] is True, charging["chargeState"]
        target.admin.advance_clock(1200)
        _, later = get_json(target, version, f"/vehicles/{vehicle_id}")
        assert later["chargeState"]["batteryLevel"] > charge["batteryLevel"], (
            f"20 minutes of charging left the battery at {later['chargeState']['batteryLevel']}"
        )
        stopped = _send(
            version,
            target,
            "controlVehicleCharging",
            path_parameters={"vehicleId": vehicle_id},
            body={"action": "STOP"},
        )
        assert stopped.status_code == 200, stopped.text
        return
    pytest.skip("no plugged-in vehicle accepted START")


@pytest.mark.parametrize("version", VERSIONS)
def test_vehicle_smart_override(
    version: str, target: Target, options: Options, known_ids: dict[str, Any]
) -> None:
    """Create a smart override (charging now), read it in the smart charging status, end it,
    and get 404 when ending it again."""
    _writes(options)
    for vehicle_id in _vehicle_ids(version, target, known_ids[version]):
        path = {"vehicleId": vehicle_id}
        created = _send(version, target, "createVehicleSmartOverride", path_parameters=path)
        if created.status_code != 200:
            continue
        override = _json(created)
        assert override["targetId"] == vehicle_id and override["endedAt"] is None, override
        status = _send(version, target, "getVehicleSmartChargingStatus", path_parameters=path)
        assert status.status_code == 200, status.text
        assert (_json(status)["smartOverride"] or {}).get("createdAt") == override["createdAt"]
        if override["vendorActionId"] is not None:
            start = _send(
                version,
                target,
                "getVehicleAction",
                path_parameters={"actionId": override["vendorActionId"]},
            )
            assert start.status_code == 200 and _json(start)["kind"] == "START", start.text
        ended = _send(version, target, "endVehicleSmartOverride", path_parameters=path)
        assert ended.status_code == 200, ended.text
        assert _json(ended)["endedAt"] is not None
        again = _send(version, target, "endVehicleSmartOverride", path_parameters=path)
        assert again.status_code == 404, f"ending an ended override answered {again.status_code}"
        return
    pytest.skip("no vehicle accepted a smart override")


@pytest.mark.parametrize("version", VERSIONS)
def test_location_crud(
    version: str, target: Target, options: Options, known_ids: dict[str, Any]
) -> None:
    """Create a location, read it, update it, give it a tariff and read that back, delete it
    (the answer is the deleted location), see 404; on the mock, a vehicle moved to the
    location loses its location ID when the location is deleted."""
    _writes(options)
    if "createLocation" not in operations(version):
        pytest.skip(f"{version} has no location operations")
    users = known_ids[version].get("userId", [])
    if not users:
        pytest.skip("the target lists no users")
    owner = {"userId": users[0]}
    created = _send(
        version,
        target,
        "createLocation",
        path_parameters=owner,
        body={
            "name": "Contract test",
            "latitude": 59.91,
            "longitude": 10.75,
            "timezoneName": "UTC",
        },
    )
    assert created.status_code == 200, created.text
    location = _json(created)
    where = {"locationId": location["id"]}
    assert location["userId"] == users[0] and location["name"] == "Contract test"
    read = _send(version, target, "getLocation", path_parameters=where)
    assert read.status_code == 200 and _json(read) == location, read.text

    updated = _send(
        version, target, "updateLocation", path_parameters=where, body={"name": "Renamed"}
    )
    assert updated.status_code == 200 and _json(updated)["name"] == "Renamed", updated.text
    assert _json(_send(version, target, "getLocation", path_parameters=where))["name"] == "Renamed"
    listed = _send(version, target, "listUserLocations", path_parameters=owner)
    assert location["id"] in {item["id"] for item in _json(listed)["data"]}

    rates = [{"name": "DAY", "cost": "1.5"}, {"name": "NIGHT", "cost": "0.5"}]
    tariff = {"tariffId": "contract-test"}
    assert (
        _send(version, target, "setTariff", path_parameters=tariff, body=rates).status_code == 204
    )
    assert _json(_send(version, target, "getTariff", path_parameters=tariff)) == rates
    intervals = {
        "tariffId": "contract-test",
        "tariffIntervals": [
            {"name": "NIGHT", "from": "00:00", "to": "06:00"},
            {"name": "DAY", "from": "06:00", "to": "24:00"},
        ],
    }
    stored = _send(version, target, "setLocationTariff", path_parameters=where, body=intervals)
    assert stored.status_code == 204, stored.text
    schedule = _json(_send(version, target, "getLocationTariff", path_parameters=where))
    assert len(schedule) == 14 and {e["tariffName"] for e in schedule} == {"DAY", "NIGHT"}

    moved = None
    if target.admin is not None and known_ids[version].get("vehicleId"):
        moved = known_ids[version]["vehicleId"][0]
        patch = {"userId": users[0], "location": {"id": location["id"]}}
        response = target.admin.http.patch(f"/_mock/assets/vehicles/{moved}", json=patch)
        assert response.status_code == 200, response.text

    deleted = _send(version, target, "deleteLocation", path_parameters=where)
    assert deleted.status_code == 200 and _json(deleted)["id"] == location["id"], deleted.text
    gone = _send(version, target, "getLocation", path_parameters=where)
    assert gone.status_code == 404, f"a deleted location answered {gone.status_code}"
    if moved is not None:
        _, vehicle = get_json(target, version, f"/vehicles/{moved}")
        location_id = vehicle.get("location", {}).get("id", vehicle.get("locationId"))
        assert location_id is None, f"the vehicle still names the deleted location: {vehicle}"


# --- webhooks ---------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_webhook_create_test_delete(version: str, target: Target, options: Options) -> None:
    """Create a webhook, read and list it, update it, test it, delete it, see 404. Against
    the mock the webhook points at a receiver on 127.0.0.1: the test delivery must arrive
    signed (`X-Enode-Signature: sha1=<HMAC-SHA1 of the body>`) and its outcome be reported,
    for an accepting and for a failing receiver."""
    _writes(options)
    local = target.admin is not None  # the mock can reach a receiver on this machine
    secret = secrets.token_hex(20)
    with WebhookReceiver() as receiver:
        url = receiver.url if local else f"https://example.com/enode-contract/{uuid.uuid4()}"
        created = _send(
            version, target, "createWebhook", body={"url": url, "secret": secret, "events": ["*"]}
        )
        assert created.status_code == 200, created.text
        hook = _json(created)
        hook_id = {"webhookId": hook["id"]}
        assert hook["url"] == url and hook["isActive"] is True, hook
        assert secret not in created.text, "the secret is never returned"

        read = _send(version, target, "getWebhook", path_parameters=hook_id)
        assert read.status_code == 200 and _json(read) == hook
        listed = _send(version, target, "listWebhooks", query={"pageSize": 100})
        assert hook["id"] in {item["id"] for item in _json(listed)["data"]}

        events = ["user:charger:updated", "enode:webhook:test"]
        updated = _send(
            version, target, "updateWebhook", path_parameters=hook_id, body={"events": events}
        )
        assert updated.status_code == 200 and _json(updated)["events"] == events, updated.text

        tested = _send(version, target, "testWebhook", path_parameters=hook_id)
        assert tested.status_code == 200, tested.text
        result = _json(tested)
        assert result["status"] in {"SUCCESS", "FAILURE"} and result["description"]
        if local:
            assert result["status"] == "SUCCESS", result
            assert result["response"]["code"] == receiver.status
            [delivery] = receiver.requests
            digest = hmac.new(secret.encode(), delivery.body, hashlib.sha1).hexdigest()
            assert delivery.headers["x-enode-signature"] == f"sha1={digest}"
            assert delivery.headers.get("x-enode-delivery")
            [event] = json.loads(delivery.body)
            assert event["event"] == "enode:webhook:test" and event["version"] == version
            after = _json(_send(version, target, "getWebhook", path_parameters=hook_id))
            assert after["lastSuccess"] is not None, "a successful test records lastSuccess"

            receiver.status = 500
            failed = _json(_send(version, target, "testWebhook", path_parameters=hook_id))
            assert failed["status"] == "FAILURE" and failed["response"]["code"] == 500, failed

        deleted = _send(version, target, "deleteWebhook", path_parameters=hook_id)
        assert deleted.status_code == 204, deleted.text
        for operation_id in ("getWebhook", "testWebhook", "deleteWebhook"):
            gone = _send(version, target, operation_id, path_parameters=hook_id)
            assert gone.status_code == 404, f"{operation_id} after delete: {gone.status_code}"
