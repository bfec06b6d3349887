"""The action lifecycle: PENDING -> CONFIRMED / FAILED / CANCELLED, and its rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from mockhelpers import VERSIONS, fetch_token, problem, v
from starlette.applications import Starlette


def by_key(seed: dict[str, Any], kind: str, vendor_key: str) -> dict[str, Any]:
    """A seed asset by the middle part of its vendor information ID (e.g. ALICE-POWERWALL)."""
    for record in seed[kind]:
        info = record["information"]
        if (info.get("id") or info.get("serialNumber")).split("-", 1)[1] == vendor_key:
            found: dict[str, Any] = record
            return found
    raise KeyError(vendor_key)


def assert_pending(action: dict[str, Any]) -> None:
    assert action["state"] == "PENDING"
    assert action["completedAt"] is None
    assert action["failureReason"] is None


async def advance(client: httpx.AsyncClient, action_id: str, **body: Any) -> dict[str, Any]:
    response = await client.post(f"/_mock/actions/{action_id}/advance", json=body or None)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def test_battery_action_confirms_and_the_battery_reflects_it(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    battery = by_key(seed, "batteries", "ALICE-POWERWALL")
    created = await client.post(
        f"/batteries/{battery['id']}/operation-mode", json={"operationMode": "IMPORT_FOCUS"}
    )
    assert created.status_code == 200, created.text
    action = created.json()
    assert_pending(action)
    assert action["targetId"] == battery["id"] and action["targetType"] == "battery"
    assert action["targetState"] == {"operationMode": "IMPORT_FOCUS"}
    assert action["userId"] == battery["userId"]
    fetched = (await client.get(f"/batteries/actions/{action['id']}")).json()
    assert fetched == action
    still = (await client.get(f"/batteries/{battery['id']}")).json()
    assert still["config"]["operationMode"] == "SELF_RELIANCE"

    await advance(client, action["id"])
    done = (await client.get(f"/batteries/actions/{action['id']}")).json()
    assert done["state"] == "CONFIRMED"
    assert done["completedAt"] is not None and done["failureReason"] is None
    after = (await client.get(f"/batteries/{battery['id']}")).json()
    assert after["config"]["operationMode"] == "IMPORT_FOCUS"


async def test_charger_actions_change_charging_and_max_current(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    charger = by_key(seed, "chargers", "ALICE-WALLCONNECTOR")
    start = (
        await client.post(f"/chargers/{charger['id']}/charging", json={"action": "START"})
    ).json()
    assert_pending(start)
    assert start["kind"] == "START" and start["targetType"] == "charger"
    await advance(client, start["id"])
    state = (await client.get(f"/chargers/{charger['id']}")).json()["chargeState"]
    assert state["isCharging"] is True
    assert state["powerDeliveryState"] == "PLUGGED_IN:CHARGING"
    assert state["chargeRate"] and state["chargeRate"] > 0

    current = (
        await client.post(f"/chargers/{charger['id']}/max-current", json={"maxCurrent": 10})
    ).json()
    assert current["targetState"] == {"maxCurrent": 10}
    assert "kind" not in current
    confirmed = await advance(client, current["id"])
    assert confirmed["state"] == "CONFIRMED"
    state = (await client.get(f"/chargers/{charger['id']}")).json()["chargeState"]
    assert state["maxCurrent"] == 10

    stop = (
        await client.post(f"/chargers/{charger['id']}/charging", json={"action": "STOP"})
    ).json()
    await advance(client, stop["id"])
    state = (await client.get(f"/chargers/{charger['id']}")).json()["chargeState"]
    assert (state["isCharging"], state["powerDeliveryState"], state["chargeRate"]) == (
        False,
        "PLUGGED_IN:STOPPED",
        None,
    )
    # both kinds of charger action come back through the one action endpoint
    for action in (start, current, stop):
        assert (await client.get(f"/chargers/actions/{action['id']}")).status_code == 200


async def test_start_without_a_vehicle_is_cancelled_unless_plugged_in_meanwhile(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    charger = by_key(seed, "chargers", "ALICE-ZAPTECGO")  # unplugged
    first = (
        await client.post(f"/chargers/{charger['id']}/charging", json={"action": "START"})
    ).json()
    ended = await advance(client, first["id"])
    assert ended["state"] == "CANCELLED"
    assert ended["failureReason"]["type"] == "FAILED_PRECONDITION"

    second = (
        await client.post(f"/chargers/{charger['id']}/charging", json={"action": "START"})
    ).json()
    plugged = await client.post(f"/_mock/chargers/{charger['id']}/plug", json={"pluggedIn": True})
    assert plugged.json()["chargeState"]["powerDeliveryState"] == "PLUGGED_IN:STOPPED"
    assert (await advance(client, second["id"]))["state"] == "CONFIRMED"
    await client.post(f"/_mock/chargers/{charger['id']}/plug", json={"pluggedIn": False})
    state = (await client.get(f"/chargers/{charger['id']}")).json()["chargeState"]
    assert state["powerDeliveryState"] == "UNPLUGGED" and state["isCharging"] is False


async def test_hvac_actions(client: httpx.AsyncClient, seed: dict[str, Any]) -> None:
    hvac = by_key(seed, "hvacs", "ALICE-ALTHERMA")
    hold = await client.post(
        f"/hvacs/{hvac['id']}/permanent-hold",
        json={"mode": "AUTO", "heatSetpoint": 19, "coolSetpoint": 25},
    )
    assert hold.status_code == 200, hold.text
    action = hold.json()
    assert action["target"] == {
        "holdType": "PERMANENT",
        "mode": "AUTO",
        "heatSetpoint": 19,
        "coolSetpoint": 25,
    }
    await advance(client, action["id"])
    body = (await client.get(f"/hvacs/{hvac['id']}")).json()
    assert body["thermostatState"]["mode"] == "AUTO"
    assert body["thermostatState"]["holdType"] == "PERMANENT"
    assert (body["thermostatState"]["heatSetpoint"], body["thermostatState"]["coolSetpoint"]) == (
        19,
        25,
    )
    # the deprecated top-level mirrors, in the versions that still have them
    older = (await client.get(f"/hvacs/{hvac['id']}", headers=v("2024-01-01"))).json()
    assert (older["mode"], older["holdType"]) == ("AUTO", "PERMANENT")
    assert "mode" not in body

    follow = (await client.post(f"/hvacs/{hvac['id']}/follow-schedule")).json()
    assert follow["target"] == {"holdType": "SCHEDULED"}
    await advance(client, follow["id"])
    body = (await client.get(f"/hvacs/{hvac['id']}")).json()
    assert body["thermostatState"]["holdType"] == "SCHEDULED"


async def test_hvac_hold_checks_modes_and_ranges(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    hvac = by_key(seed, "hvacs", "ALICE-ALTHERMA")
    body = problem(
        await client.post(
            f"/hvacs/{hvac['id']}/permanent-hold", json={"mode": "HEAT", "heatSetpoint": 45}
        ),
        400,
    )
    assert "heatSetpoint" in body["detail"]
    mill = by_key(seed, "hvacs", "BOB-MILL")
    body = problem(
        await client.post(
            f"/hvacs/{mill['id']}/permanent-hold", json={"mode": "COOL", "coolSetpoint": 20}
        ),
        400,
    )
    assert "capableModes" in body["detail"]
    body = problem(
        await client.post(f"/hvacs/{hvac['id']}/permanent-hold", json={"mode": "COOL"}), 400
    )
    assert "coolSetpoint" in body["detail"]


async def test_unreachable_target_fails_with_no_response(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    battery = by_key(seed, "batteries", "ALICE-IQ5P")
    response = await client.post(
        f"/_mock/assets/batteries/{battery['id']}/reachable", json={"isReachable": False}
    )
    assert response.json()["isReachable"] is False
    action = (
        await client.post(
            f"/batteries/{battery['id']}/operation-mode", json={"operationMode": "SELF_RELIANCE"}
        )
    ).json()
    assert_pending(action)
    ended = await advance(client, action["id"])
    assert ended["state"] == "FAILED"
    assert ended["failureReason"]["type"] == "NO_RESPONSE"
    assert ended["failureReason"]["detail"]
    assert ended["completedAt"] is not None
    unchanged = (await client.get(f"/batteries/{battery['id']}")).json()
    assert unchanged["config"]["operationMode"] == "TIME_OF_USE"


async def test_new_action_cancels_the_pending_one(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    battery = by_key(seed, "batteries", "ALICE-POWERWALL")
    path = f"/batteries/{battery['id']}/operation-mode"
    first = (await client.post(path, json={"operationMode": "IMPORT_FOCUS"})).json()
    second = (await client.post(path, json={"operationMode": "EXPORT_FOCUS"})).json()
    old = (await client.get(f"/batteries/actions/{first['id']}")).json()
    assert old["state"] == "CANCELLED"
    assert old["failureReason"]["type"] == "CONFLICT"
    assert old["completedAt"] is not None
    assert (await client.get(f"/batteries/actions/{second['id']}")).json()["state"] == "PENDING"


async def test_cancel_pending_and_resolved(client: httpx.AsyncClient, seed: dict[str, Any]) -> None:
    charger = by_key(seed, "chargers", "ALICE-WALLCONNECTOR")
    action = (
        await client.post(f"/chargers/{charger['id']}/max-current", json={"maxCurrent": 12})
    ).json()
    cancelled = await client.post(f"/chargers/actions/{action['id']}/cancel")
    assert cancelled.status_code == 200
    body = cancelled.json()
    assert body["state"] == "CANCELLED"
    assert body["failureReason"]["type"] == "REQUESTED_CANCELLATION"

    again = await client.post(f"/chargers/actions/{action['id']}/cancel")
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/json"
    assert again.json() == body
    # a seeded, long-resolved action
    resolved = seed["actions"][0]
    conflict = await client.post(f"/batteries/actions/{resolved['id']}/cancel")
    assert conflict.status_code == 409
    assert conflict.json()["state"] == "CONFIRMED"
    # advancing a resolved action is a conflict too
    assert (await client.post(f"/_mock/actions/{resolved['id']}/advance")).status_code == 409


async def test_actions_are_per_family(client: httpx.AsyncClient, seed: dict[str, Any]) -> None:
    battery_action = seed["actions"][0]["id"]
    assert (await client.get(f"/batteries/actions/{battery_action}")).status_code == 200
    problem(await client.get(f"/chargers/actions/{battery_action}"), 404)
    problem(await client.post(f"/hvacs/actions/{battery_action}/cancel"), 404)
    problem(await client.get("/batteries/actions/00000000-0000-4000-8000-000000000000"), 404)


async def test_schedule_control_is_422(client: httpx.AsyncClient, seed: dict[str, Any]) -> None:
    carol_charger = by_key(seed, "chargers", "CAROL-KEBA")  # an enabled schedule targets it
    body = problem(
        await client.post(f"/chargers/{carol_charger['id']}/charging", json={"action": "START"}),
        422,
    )
    assert "schedule" in body["detail"]
    problem(
        await client.post(f"/chargers/{carol_charger['id']}/max-current", json={"maxCurrent": 8}),
        422,
    )

    alice_charger = by_key(seed, "chargers", "ALICE-WALLCONNECTOR")
    await client.post(
        f"/_mock/chargers/{alice_charger['id']}/schedule-control", json={"controlled": True}
    )
    problem(
        await client.post(f"/chargers/{alice_charger['id']}/charging", json={"action": "START"}),
        422,
    )
    await client.post(
        f"/_mock/chargers/{alice_charger['id']}/schedule-control", json={"controlled": False}
    )
    assert (
        await client.post(f"/chargers/{alice_charger['id']}/charging", json={"action": "START"})
    ).status_code == 200

    nibe = by_key(seed, "hvacs", "CAROL-NIBE")  # controlled in the seed
    problem(await client.post(f"/hvacs/{nibe['id']}/follow-schedule"), 422)
    problem(await client.post(f"/hvacs/{nibe['id']}/permanent-hold", json={"mode": "OFF"}), 422)
    await client.post(
        f"/_mock/assets/hvacs/{nibe['id']}/schedule-control", json={"controlled": False}
    )
    assert (await client.post(f"/hvacs/{nibe['id']}/follow-schedule")).status_code == 200


async def test_capability_not_supported_is_400(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    iq5p = by_key(seed, "batteries", "ALICE-IQ5P")
    body = problem(
        await client.post(
            f"/batteries/{iq5p['id']}/operation-mode", json={"operationMode": "EXPORT_FOCUS"}
        ),
        400,
    )
    assert "exportFocus" in body["detail"]
    iqev = by_key(seed, "chargers", "ALICE-ZAPTECGO")
    body = problem(
        await client.post(f"/chargers/{iqev['id']}/max-current", json={"maxCurrent": 16}), 400
    )
    assert "setMaxCurrent" in body["detail"]
    mill = by_key(seed, "hvacs", "BOB-MILL")
    body = problem(await client.post(f"/hvacs/{mill['id']}/follow-schedule"), 400)
    assert "setFollowSchedule" in body["detail"]
    # after the capability appears, the request is accepted
    await client.patch(
        f"/_mock/assets/batteries/{iq5p['id']}",
        json={"capabilities": {"exportFocus": {"isCapable": True, "interventionIds": []}}},
    )
    ok = await client.post(
        f"/batteries/{iq5p['id']}/operation-mode", json={"operationMode": "EXPORT_FOCUS"}
    )
    assert ok.status_code == 200


async def test_unnecessary_charging_command_is_accepted_then_cancelled_unnecessary(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    """As the reference says: the action is created, and "not carried out given that the
    device was already in the desired state" (CANCELLED, failureReason UNNECESSARY)."""
    charging = by_key(seed, "chargers", "BOB-EASEE")  # charging in the seed
    created = await client.post(f"/chargers/{charging['id']}/charging", json={"action": "START"})
    assert created.status_code == 200, created.text
    assert created.json()["state"] == "PENDING"
    ended = await advance(client, created.json()["id"])
    assert ended["state"] == "CANCELLED"
    assert ended["failureReason"]["type"] == "UNNECESSARY"
    assert "already charging" in ended["failureReason"]["detail"]
    state = (await client.get(f"/chargers/{charging['id']}")).json()["chargeState"]
    assert state["isCharging"] is True


@pytest.mark.parametrize("version", VERSIONS)
async def test_action_shapes_in_every_version(
    client: httpx.AsyncClient, seed: dict[str, Any], version: str
) -> None:
    battery = by_key(seed, "batteries", "BOB-SOLAREDGE")
    charger = by_key(seed, "chargers", "ALICE-WALLCONNECTOR")
    hvac = by_key(seed, "hvacs", "BOB-ECOBEE")
    headers = v(version)
    responses = [
        await client.post(
            f"/batteries/{battery['id']}/operation-mode",
            json={"operationMode": "SELF_RELIANCE"},
            headers=headers,
        ),
        await client.post(
            f"/chargers/{charger['id']}/charging", json={"action": "START"}, headers=headers
        ),
        await client.post(
            f"/hvacs/{hvac['id']}/permanent-hold",
            json={"mode": "HEAT", "heatSetpoint": 21.5},
            headers=headers,
        ),
    ]
    for response in responses:
        assert response.status_code == 200, response.text
        assert_pending(response.json())


async def test_idle_needs_2024_10(client: httpx.AsyncClient, seed: dict[str, Any]) -> None:
    battery = by_key(seed, "batteries", "ALICE-POWERWALL")
    path = f"/batteries/{battery['id']}/operation-mode"
    problem(await client.post(path, json={"operationMode": "IDLE"}, headers=v("2024-01-01")), 400)
    action = (await client.post(path, json={"operationMode": "IDLE"})).json()
    # an older version cannot show an action whose target state it has no name for
    body = problem(
        await client.get(f"/batteries/actions/{action['id']}", headers=v("2023-08-01")), 404
    )
    assert "IDLE" in body["detail"]
    await advance(client, action["id"])
    old = (await client.get(f"/batteries/{battery['id']}", headers=v("2023-04-01"))).json()
    assert old["config"]["operationMode"] is None


async def test_timed_progression(make_app: Callable[..., Starlette], seed: dict[str, Any]) -> None:
    app = make_app(action_delay=5)
    battery = by_key(seed, "batteries", "ALICE-POWERWALL")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        client.headers["Authorization"] = f"Bearer {await fetch_token(client)}"
        action = (
            await client.post(
                f"/batteries/{battery['id']}/operation-mode", json={"operationMode": "IMPORT_FOCUS"}
            )
        ).json()
        await client.post("/_mock/clock/advance", json={"seconds": 4})
        assert (await client.get(f"/batteries/actions/{action['id']}")).json()["state"] == "PENDING"
        await client.post("/_mock/clock/advance", json={"seconds": 1})
        done = (await client.get(f"/batteries/actions/{action['id']}")).json()
        assert done["state"] == "CONFIRMED"
        assert done["completedAt"] == "2024-11-21T12:00:05.000Z"
        assert (await client.get(f"/batteries/{battery['id']}")).json()["config"][
            "operationMode"
        ] == "IMPORT_FOCUS"


async def test_immediate_progression(
    make_app: Callable[..., Starlette], seed: dict[str, Any]
) -> None:
    app = make_app(action_delay=0)
    charger = by_key(seed, "chargers", "ALICE-WALLCONNECTOR")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        client.headers["Authorization"] = f"Bearer {await fetch_token(client)}"
        created = (
            await client.post(f"/chargers/{charger['id']}/charging", json={"action": "START"})
        ).json()
        assert created["state"] == "PENDING"
        assert (await client.get(f"/chargers/actions/{created['id']}")).json()[
            "state"
        ] == "CONFIRMED"


async def test_advance_all_and_forced_outcomes(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    a = by_key(seed, "batteries", "ALICE-POWERWALL")
    b = by_key(seed, "batteries", "BOB-SOLAREDGE")
    first = (
        await client.post(
            f"/batteries/{a['id']}/operation-mode", json={"operationMode": "IMPORT_FOCUS"}
        )
    ).json()
    second = (
        await client.post(
            f"/batteries/{b['id']}/operation-mode", json={"operationMode": "EXPORT_FOCUS"}
        )
    ).json()
    forced = await advance(client, first["id"], state="FAILED")
    assert forced["state"] == "FAILED" and forced["failureReason"]["type"] == "NO_RESPONSE"
    response = await client.post("/_mock/actions/advance")
    assert [x["id"] for x in response.json()["advanced"]] == [second["id"]]
    assert (await client.get(f"/batteries/actions/{second['id']}")).json()["state"] == "CONFIRMED"


async def test_deleting_the_user_cancels_pending_actions(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    battery = by_key(seed, "batteries", "BOB-SOLAREDGE")
    action = (
        await client.post(
            f"/batteries/{battery['id']}/operation-mode", json={"operationMode": "SELF_RELIANCE"}
        )
    ).json()
    assert (await client.delete(f"/users/{battery['userId']}")).status_code == 204
    ended = (await client.get(f"/batteries/actions/{action['id']}")).json()
    assert ended["state"] == "CANCELLED"
    assert ended["failureReason"]["type"] == "NOT_FOUND"
    problem(await client.get(f"/batteries/{battery['id']}"), 404)
