"""Client mistakes get a 4xx problem document with a useful detail, never a 5xx."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from mockhelpers import problem, v

BATTERY = "ff96f006-4a9d-5af9-9a90-2ba25e6bb0ef"  # alice's Powerwall in the seed


@pytest.fixture
def battery(seed: dict[str, Any]) -> str:
    battery_id: str = seed["batteries"][0]["id"]
    assert battery_id == BATTERY
    return battery_id


def mode_path(battery_id: str) -> str:
    return f"/batteries/{battery_id}/operation-mode"


JSON = {"Content-Type": "application/json"}


async def test_invalid_json(client: httpx.AsyncClient, battery: str) -> None:
    body = problem(
        await client.post(mode_path(battery), content=b'{"operationMode": ', headers=JSON), 400
    )
    assert "not valid JSON" in body["detail"] and "line 1" in body["detail"]
    body = problem(await client.post(mode_path(battery), content=b"\xff\xfe", headers=JSON), 400)
    assert "UTF-8" in body["detail"]
    body = problem(
        await client.post(mode_path(battery), content=b'{"operationMode": NaN}', headers=JSON), 400
    )
    assert "NaN" in body["detail"]


async def test_wrong_type_and_bad_enum(client: httpx.AsyncClient, battery: str) -> None:
    body = problem(await client.post(mode_path(battery), json={"operationMode": 5}), 400)
    assert body["detail"].startswith("body.operationMode:")
    assert body["issues"][0]["path"] == ["body", "operationMode"]
    body = problem(await client.post(mode_path(battery), json={"operationMode": "TURBO"}), 400)
    assert "TURBO" in body["detail"] and "IMPORT_FOCUS" in body["detail"]
    body = problem(await client.post(mode_path(battery), json=["IMPORT_FOCUS"]), 400)
    assert "object" in body["detail"]
    body = problem(await client.post(mode_path(battery), json={}), 400)
    assert "operationMode" in body["detail"] and "required" in body["detail"]
    body = problem(await client.post(mode_path(battery), content=b"", headers=JSON), 400)
    assert "required" in body["detail"]


async def test_malformed_uuid(client: httpx.AsyncClient) -> None:
    body = problem(await client.get("/batteries/not-a-uuid"), 400)
    assert body["detail"].startswith("path.batteryId:") and "uuid" in body["detail"]
    body = problem(await client.get("/batteries/actions/1234"), 400)
    assert "actionId" in body["detail"]
    body = problem(await client.get("/interventions/xyz"), 400)
    assert "interventionId" in body["detail"]


async def test_query_parameters(client: httpx.AsyncClient, seed: dict[str, Any]) -> None:
    body = problem(await client.get("/batteries?pageSize=many"), 400)
    assert body["detail"].startswith("query.pageSize:")
    body = problem(await client.get("/batteries?pageSize=0"), 400)
    assert "pageSize" in body["detail"]
    user = seed["users"][0]["id"]
    body = problem(await client.get(f"/users/{user}/statistics/charging?type=charger"), 400)
    assert "startDate" in body["detail"] and "required" in body["detail"]
    body = problem(
        await client.get(
            f"/users/{user}/statistics/charging?type=toaster&startDate=2024-01-01T00:00:00Z"
        ),
        400,
    )
    assert "type" in body["detail"]
    body = problem(
        await client.get(f"/users/{user}/statistics/charging?type=charger&startDate=yesterday"), 400
    )
    assert "startDate" in body["detail"] and "date-time" in body["detail"]


async def test_oversized_body_is_413(client: httpx.AsyncClient, battery: str) -> None:
    huge = b'{"operationMode": "' + b"x" * (1024 * 1024 + 10) + b'"}'
    body = problem(await client.post(mode_path(battery), content=huge, headers=JSON), 413)
    assert "1048576" in body["detail"]
    # also without a Content-Length header (a streamed body)

    async def chunks() -> Any:
        for _ in range(20):
            yield b" " * 100_000

    problem(await client.post(mode_path(battery), content=chunks(), headers=JSON), 413)
    # and on operations that take no body
    problem(await client.post(f"/batteries/{battery}/refresh-hint", content=huge), 413)


async def test_wrong_content_type_is_415(client: httpx.AsyncClient, battery: str) -> None:
    body = problem(
        await client.post(
            mode_path(battery),
            content=b"operationMode=IDLE",
            headers={"Content-Type": "text/plain"},
        ),
        415,
    )
    assert "text/plain" in body["detail"] and "application/json" in body["detail"]
    body = problem(await client.post(mode_path(battery), content=b'{"operationMode":"IDLE"}'), 415)
    assert "missing" in body["detail"]
    ok = await client.post(
        mode_path(battery),
        content=b'{"operationMode":"IDLE"}',
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert ok.status_code == 200


async def test_unknown_route_and_wrong_method(
    client: httpx.AsyncClient, raw: httpx.AsyncClient
) -> None:
    body = problem(await client.get("/toasters"), 404)
    assert "/toasters" in body["detail"]
    problem(await raw.get("/toasters"), 404)  # also without a token
    problem(await raw.get("/_mock/nothing-here"), 404)
    response = await client.put("/batteries")
    body = problem(response, 405)
    assert response.headers["allow"] == "GET"
    assert "PUT" in body["detail"]
    problem(await raw.get("/_mock/reset"), 405)


async def test_bad_values_the_schema_allows(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    charger = seed["chargers"][0]["id"]
    body = problem(
        await client.post(f"/chargers/{charger}/max-current", json={"maxCurrent": -3}), 400
    )
    assert "maxCurrent" in body["detail"]
    body = problem(await client.get("/batteries?after=garbage"), 400)
    assert "cursor" in body["detail"]


async def test_admin_input_errors(raw: httpx.AsyncClient, battery: str) -> None:
    problem(
        await raw.post(f"/_mock/assets/batteries/{battery}/reachable", json={"isReachable": "no"}),
        400,
    )
    problem(
        await raw.post(f"/_mock/assets/toasters/{battery}/reachable", json={"isReachable": False}),
        404,
    )
    problem(
        await raw.post("/_mock/assets/batteries/nope/reachable", json={"isReachable": False}), 404
    )
    problem(await raw.post("/_mock/clock/advance", json={"seconds": -1}), 400)
    problem(await raw.post("/_mock/clock/advance", content=b"{", headers=JSON), 400)
    problem(await raw.post("/_mock/actions/nope/advance"), 404)
    body = problem(
        await raw.patch(f"/_mock/assets/batteries/{battery}", json={"isReachable": "yes"}), 400
    )
    assert "isReachable" in body["detail"]


async def test_version_header_is_checked_first(client: httpx.AsyncClient) -> None:
    problem(await client.get("/batteries", headers=v("")), 400)


async def test_numbers_out_of_range(client: httpx.AsyncClient, seed: dict[str, Any]) -> None:
    charger = seed["chargers"][0]["id"]
    body = problem(
        await client.post(
            f"/chargers/{charger}/max-current", content=b'{"maxCurrent": 1e400}', headers=JSON
        ),
        400,
    )
    assert "out of range" in body["detail"]
    huge = "9" * 5000
    problem(
        await client.post(
            f"/chargers/{charger}/max-current",
            content=f'{{"maxCurrent": {huge}}}'.encode(),
            headers=JSON,
        ),
        400,
    )
    response = await client.get("/batteries", params={"pageSize": "1" + "0" * 30})
    assert response.status_code == 200
