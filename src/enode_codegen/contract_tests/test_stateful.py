"""Stateful tests: schemathesis's state machine from the spec's links, and explicit
scenarios (action lifecycle, list -> get, schedule create/get/update/delete). Every request
of a scenario is also checked by every schemathesis check (`_st.call_and_validate`)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from . import _st
from .catalog import get_json
from .options import Options, current
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
