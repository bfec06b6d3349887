"""Internals: strict mode catches bad responses, the pure-Python validation path, the CLI."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from mockhelpers import fetch_token, problem, v
from starlette.applications import Starlette

from enode_codegen.mock.app import MockApp
from enode_codegen.mock.cli import build_config, parser
from enode_codegen.mock.config import DEFAULT_SPEC_DIR
from enode_codegen.mock.pagination import decode_cursor, encode_cursor, paginate
from enode_codegen.mock.problems import ProblemError
from enode_codegen.mock.specs import load_index


async def test_strict_mode_turns_a_bad_response_into_a_500(
    make_app: Callable[..., Starlette], seed: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app()
    mock = app.state.mock
    battery = seed["batteries"][0]["id"]
    mock.env.state.asset("battery", battery).record["chargeState"]["batteryLevel"] = "full"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        client.headers["Authorization"] = f"Bearer {await fetch_token(client)}"
        with caplog.at_level(logging.ERROR, logger="mock.responses"):
            body = problem(await client.get(f"/batteries/{battery}"), 500)
        assert "batteryLevel" in body["detail"]
        assert "SPEC VIOLATION" in caplog.text
        assert len(mock.violations) == 1
        assert mock.violations[0].operation_id == "getBattery"
        listed = (await client.get("/_mock/violations")).json()
        assert listed[0]["status"] == 200
    mock.violations.clear()  # this test wanted one


async def test_lenient_mode_sends_the_response_but_records_it(
    make_app: Callable[..., Starlette], seed: dict[str, Any]
) -> None:
    app = make_app(strict=False)
    mock = app.state.mock
    battery = seed["batteries"][0]["id"]
    mock.env.state.asset("battery", battery).record["isReachable"] = "sometimes"
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        client.headers["Authorization"] = f"Bearer {await fetch_token(client)}"
        response = await client.get(f"/batteries/{battery}")
        assert response.status_code == 200 and response.json()["isReachable"] == "sometimes"
    assert len(mock.violations) == 1
    mock.violations.clear()


async def test_pure_python_validation_path(
    make_app: Callable[..., Starlette], seed: dict[str, Any]
) -> None:
    app = make_app(accelerate=False)
    assert not app.state.mock.index.versions["2024-10-01"].store.accelerated
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        client.headers["Authorization"] = f"Bearer {await fetch_token(client)}"
        for version in ("2023-04-01", "2024-10-01"):
            assert (await client.get("/batteries", headers=v(version))).status_code == 200
            assert (await client.get("/hvacs", headers=v(version))).status_code == 200
        battery = seed["batteries"][0]["id"]
        body = problem(
            await client.post(f"/batteries/{battery}/operation-mode", json={"operationMode": "X"}),
            400,
        )
        assert "operationMode" in body["detail"]
        problem(await client.get("/batteries/nope"), 400)
        problem(await client.get("/users/u/link"), 405)
        response = await client.post(
            f"/users/{seed['users'][0]['id']}/link",
            json={
                "vendorType": "battery",
                "language": "en-US",
                "scopes": [],
                "redirectUri": "not a uri",
            },
        )
        assert "redirectUri" in problem(response, 400)["detail"]


def test_every_operation_is_indexed() -> None:
    index = load_index(DEFAULT_SPEC_DIR.resolve(), None, accelerate=True)
    assert index.supported == ("2023-04-01", "2023-08-01", "2024-01-01", "2024-10-01")
    newest = index.versions["2024-10-01"]
    op, params = newest.router.match(
        "GET", "/batteries/actions/4eaeb363-296d-4ccc-a973-7805e6f400bd"
    )
    assert op.operation_id == "getBatteryAction" and params == {
        "actionId": "4eaeb363-296d-4ccc-a973-7805e6f400bd"
    }
    assert newest.operations["listBatteries"].paginated
    assert not newest.operations["checkHealthReady"].requires_auth
    assert index.versions["2023-04-01"].operations["listChargers"].returns_id_list


def test_cursors() -> None:
    items = list(range(1, 8))
    page, cursors = paginate(items, lambda i: i, {"pageSize": 3})
    assert page == [1, 2, 3] and cursors["before"] is None
    assert decode_cursor(str(cursors["after"]), "after") == 3
    page, cursors = paginate(items, lambda i: i, {"pageSize": 3, "before": encode_cursor(1)})
    assert page == [] and cursors == {"after": encode_cursor(0), "before": None}
    with pytest.raises(ProblemError):
        decode_cursor("djE6eA", "after")  # "v1:x"


def test_cli_config() -> None:
    args = parser().parse_args(
        [
            "serve",
            "--port",
            "9000",
            "--action-delay",
            "manual",
            "--client",
            "a:b",
            "--no-strict",
            "--token-ttl",
            "60",
        ]
    )
    config = build_config(args)
    assert (args.port, config.action_delay, config.clients, config.strict, config.token_ttl) == (
        9000,
        None,
        {"a": "b"},
        False,
        60.0,
    )
    defaults = build_config(parser().parse_args(["serve"]))
    assert defaults.action_delay == 3.0 and defaults.clients == {"mock-client": "mock-secret"}
    with pytest.raises(SystemExit):
        parser().parse_args(["serve", "--action-delay", "soon"])


def test_seed_is_valid_and_consistent(mock: MockApp, seed: dict[str, Any]) -> None:
    kinds = {"battery": "batteries", "charger": "chargers", "hvac": "hvacs"}
    kinds |= {"inverter": "inverters", "meter": "meters"}
    users = {u["id"] for u in seed["users"]}
    locations = {loc["id"]: loc for loc in seed["locations"]}
    for kind, key in kinds.items():
        for record in seed[key]:
            assert mock.canonical_issues(kind, record) == [], record["id"]
            assert record["userId"] in users
            location = record["location"]
            if location["id"] is not None:
                assert locations[location["id"]]["userId"] == record["userId"]
                if "latitude" in location:  # chargers report no GPS position
                    assert location["latitude"] == locations[location["id"]]["latitude"]
    for schedule in seed["schedules"]:
        assert schedule["userId"] in users
