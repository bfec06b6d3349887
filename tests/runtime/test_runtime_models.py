"""Forward compatibility: unknown enum values and fields are kept; strict mode reports them."""

from __future__ import annotations

import json
import pickle

import httpx
import pytest
from conftest import FakeEnode, MakeClient, collect, resolve
from fakeapi import Battery, ChargeState, OperationMode

from enode_codegen.runtime import OpenEnum, StrictModeError

NEW_BATTERY = {
    "id": "b1",
    "chargeState": "DISCHARGING_TO_GRID",
    "location": {"latitude": 59.9, "longitude": 10.7, "altitude": 12},
    "newField": {"nested": True},
}


def test_open_enum_accepts_unknown_values() -> None:
    known = ChargeState("IDLE")
    unknown = ChargeState("DISCHARGING_TO_GRID")

    assert known is ChargeState.IDLE and known.is_known
    assert not unknown.is_known
    assert unknown == "DISCHARGING_TO_GRID"
    assert unknown.value == "DISCHARGING_TO_GRID"
    assert unknown != ChargeState.IDLE
    assert {"DISCHARGING_TO_GRID": 1}[unknown] == 1
    assert f"{unknown}" == "DISCHARGING_TO_GRID"
    assert "unknown" in repr(unknown)
    assert list(ChargeState) == [ChargeState.CHARGING, ChargeState.IDLE]
    assert pickle.loads(pickle.dumps(unknown)) == unknown
    with pytest.raises(ValueError):
        ChargeState(3)  # type: ignore[arg-type]


def test_a_value_named_like_a_member_is_not_that_member() -> None:
    class Odd(OpenEnum):
        A = "a"

    assert not Odd("A").is_known


async def test_unknown_values_and_fields_are_kept(fake: FakeEnode, make_client: MakeClient) -> None:
    fake.on("GET", "/batteries/b1", httpx.Response(200, json=NEW_BATTERY))
    client = make_client()

    battery = await resolve(client.batteries.get_battery("b1"))

    assert battery.charge_state == "DISCHARGING_TO_GRID"
    assert not battery.charge_state.is_known
    assert battery.model_extra == {"newField": {"nested": True}}
    assert battery.location.model_extra == {"altitude": 12}
    assert json.loads(battery.model_dump_json(by_alias=True)) == NEW_BATTERY


async def test_strict_mode_reports_every_unknown(fake: FakeEnode, make_client: MakeClient) -> None:
    fake.on("GET", "/batteries/b1", httpx.Response(200, json=NEW_BATTERY))
    client = make_client(strict=True)

    with pytest.raises(StrictModeError) as caught:
        await resolve(client.batteries.get_battery("b1"))

    assert sorted(caught.value.unknowns) == [
        "$.chargeState: unknown ChargeState value 'DISCHARGING_TO_GRID'",
        "$.location.altitude: unknown field",
        "$.newField: unknown field",
    ]
    assert "GET /batteries/b1" in str(caught.value)


async def test_strict_mode_accepts_a_known_response(
    fake: FakeEnode, make_client: MakeClient
) -> None:
    fake.on("GET", "/batteries/b1", httpx.Response(200, json={"id": "b1", "chargeState": "IDLE"}))
    client = make_client(strict=True)

    assert (await resolve(client.batteries.get_battery("b1"))).id == "b1"


async def test_strict_mode_walks_pages(fake: FakeEnode, make_client: MakeClient) -> None:
    body = {
        "data": [{"id": "b1", "chargeState": "IDLE"}, {"id": "b2", "chargeState": "NEW"}],
        "pagination": {"after": None, "before": None, "total": 2},
    }
    fake.on("GET", "/batteries", httpx.Response(200, json=body))
    lenient = make_client()
    assert len(await collect(await resolve(lenient.batteries.list_batteries()))) == 2

    with pytest.raises(StrictModeError) as caught:
        await resolve(lenient.with_options(strict=True).batteries.list_batteries())

    assert sorted(caught.value.unknowns) == [
        "$.data[1].chargeState: unknown ChargeState value 'NEW'",
        "$.pagination.total: unknown field",
    ]


async def test_bodies_are_sent_by_alias_without_none(
    fake: FakeEnode, make_client: MakeClient
) -> None:
    action = {"id": "6f1c5b9e-2f6a-4d4e-9d3e-0c1a2b3c4d5e", "state": "PENDING", "targetId": "b1"}
    fake.on("POST", "/batteries/b1/operation-mode", httpx.Response(200, json=action))
    client = make_client()

    await resolve(
        client.batteries.set_battery_operation_mode("b1", operation_mode=OperationMode.EXPORT_FOCUS)
    )
    await resolve(
        client.batteries.set_battery_operation_mode(
            "b1", operation_mode=OperationMode("FUTURE_MODE"), note="hi"
        )
    )

    sent = [json.loads(r.content) for r in fake.api_requests]
    assert sent == [
        {"operationMode": "EXPORT_FOCUS"},
        {"operationMode": "FUTURE_MODE", "note": "hi"},
    ]
    assert fake.api_requests[0].headers["Content-Type"] == "application/json"


def test_model_bodies_are_dumped_by_alias_and_unset_fields_left_out() -> None:
    from enode_codegen.runtime._request import jsonable

    battery = Battery.model_validate({"id": "b1", "chargeState": "IDLE"})
    assert jsonable({"battery": battery, "skip": None}, top_level=True) == {
        "battery": {"id": "b1", "chargeState": "IDLE"}
    }
