"""The generated 2024-10-01 client against the mock, as the package README shows it:
start a vehicle charging and wait for the action, set a smart charging policy and read the
plan it produces, manage locations and tariffs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from enode_codegen.contract_tests.transports import SyncASGITransport
from enode_codegen.mock.app import create_app
from enode_codegen.mock.clock import Clock
from enode_codegen.mock.config import MockConfig

enode = pytest.importorskip("enode_2024_10_01")

ALICE = "50350389-4d14-540d-b3f6-8f0ebfaea0cf"
ALICE_CAR = "c3a8f5e1-2b7d-5e4a-9f60-1d2e3f4a5b6c"
CAROL_CAR = "6f1e2d3c-4b5a-5968-8776-a5b4c3d2e1f0"
FROZEN = datetime(2024, 11, 21, 12, 0, 0, tzinfo=UTC)  # 13:00 in Oslo


@pytest.fixture
def mock_app() -> Any:
    # actions resolve on the next request, so wait_for_action's first poll sees the end
    return create_app(MockConfig(action_delay=0, clock=Clock(FROZEN)))


@pytest.fixture
def client(mock_app: Any) -> Iterator[Any]:
    transport = SyncASGITransport(mock_app)
    try:
        with enode.Client(
            client_id="mock-client",
            client_secret="mock-secret",
            base_url="http://mock.test",
            token_url="http://mock.test/oauth2/token",
            transport=transport,
            strict=True,
        ) as opened:
            yield opened
    finally:
        transport.shutdown()
    assert mock_app.state.mock.violations == []


def test_start_charging_and_wait_for_the_action(client: Any) -> None:
    vendors = {vehicle.vendor for vehicle in client.vehicles.list_vehicles()}
    assert len(vendors) >= 3
    action = client.vehicles.control_vehicle_charging(
        ALICE_CAR, action=enode.models.VehicleChargeActionKind.START
    )
    assert action.state == "PENDING"
    final = client.vehicles.wait_for_action(action, timeout=10, poll_interval=0.01)
    assert final.id == action.id and final.state == "CONFIRMED"
    vehicle = client.vehicles.get_vehicle(ALICE_CAR)
    assert vehicle.charge_state.is_charging is True
    with pytest.raises(enode.ConflictError) as conflict:
        client.vehicles.cancel_vehicle_action(final.id)
    assert conflict.value.action.state == "CONFIRMED"


def test_a_failed_precondition_ends_the_wait_cancelled(client: Any) -> None:
    action = client.vehicles.control_vehicle_charging(
        CAROL_CAR, action=enode.models.VehicleChargeActionKind.START
    )
    final = client.vehicles.wait_for_action(action.id, timeout=10, poll_interval=0.01)
    assert final.state == "CANCELLED"
    assert final.failure_reason.type == "FAILED_PRECONDITION"


def test_smart_charging_policy_produces_a_plan(client: Any) -> None:
    policy = client.vehicles.update_vehicle_smart_charging_policy(
        ALICE_CAR, is_enabled=True, deadline="07:00", minimum_charge_limit=20
    )
    assert policy.is_enabled is True and policy.deadline == "07:00"
    status = client.vehicles.get_vehicle_smart_charging_status(ALICE_CAR)
    assert status.state == "PLAN:EXECUTING:STOPPED"
    assert status.plan is not None
    assert status.plan.start_at == datetime(2024, 11, 21, 22, 0, tzinfo=UTC)  # off-peak
    assert status.plan.smart_cost < status.plan.non_smart_cost
    latest = client.vehicles.get_vehicle_smart_charging_plan(ALICE_CAR, "latest")
    assert latest.id == status.plan.id
    with pytest.raises(enode.UnprocessableEntityError):
        client.vehicles.control_vehicle_charging(
            ALICE_CAR, action=enode.models.VehicleChargeActionKind.START
        )
    override = client.vehicles.create_vehicle_smart_override(ALICE_CAR)
    assert override.ended_at is None and override.vendor_action_id is not None
    assert client.vehicles.end_vehicle_smart_override(ALICE_CAR).ended_at is not None


def test_locations_and_tariffs(client: Any) -> None:
    home = client.locations.create_location(
        ALICE, name="Home", latitude=59.91, longitude=10.75, timezone_name="Europe/Oslo"
    )
    assert client.locations.get_location(home.id) == home
    renamed = client.locations.update_location(home.id, name="Home (Oslo)")
    assert renamed.name == "Home (Oslo)" and renamed.latitude == 59.91
    rates = [
        enode.models.TariffRate(name="PEAK", cost="2.10"),
        enode.models.TariffRate(name="OFF-PEAK", cost="0.60"),
    ]
    client.tariffs.set_tariff("home-tou", body=rates)
    assert client.tariffs.get_tariff("home-tou") == rates
    client.locations.set_location_tariff(
        home.id,
        tariff_id="home-tou",
        tariff_intervals=[
            enode.models.LocationTariffRequestInterval.model_validate(interval)
            for interval in (
                {"name": "OFF-PEAK", "from": "00:00", "to": "07:00", "weekdays": [5, 6]},
                {"name": "PEAK", "from": "07:00", "to": "23:00", "weekdays": [5, 6]},
            )
        ],
    )
    schedule = client.locations.get_location_tariff(home.id)
    assert [(e.weekday, e.from_hour_minute, e.tariff_name) for e in schedule] == [
        (5, "00:00", "OFF-PEAK"),
        (5, "07:00", "PEAK"),
        (6, "00:00", "OFF-PEAK"),
        (6, "07:00", "PEAK"),
    ]
    with pytest.raises(enode.BadRequestError) as overlap:
        client.locations.set_location_tariff(
            home.id,
            tariff_id="home-tou",
            tariff_intervals=[
                enode.models.LocationTariffRequestInterval.model_validate(interval)
                for interval in (
                    {"name": "PEAK", "from": "07:00", "to": "23:00"},
                    {"name": "OFF-PEAK", "from": "22:00", "to": "24:00"},
                )
            ],
        )
    assert "overlap" in str(overlap.value.detail)
    assert client.locations.delete_location(home.id).id == home.id
    with pytest.raises(enode.NotFoundError):
        client.locations.get_location(home.id)


README = (
    Path(__file__).resolve().parent.parent / "generated" / "enode-client-2024-10-01" / "README.md"
)
README_SECTIONS = ("Vehicles: start charging and wait", "Smart charging", "Locations and tariffs")


def _readme_example(heading: str) -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


@pytest.mark.parametrize("heading", README_SECTIONS)
def test_package_readme_examples_run_against_the_mock(mock_app: Any, heading: str) -> None:
    """The package README's vehicle, smart charging and location examples work as written
    (with the mock's seeded IDs in place of the placeholders and a client of the mock)."""
    transport = SyncASGITransport(mock_app)

    def mock_client(**_: Any) -> Any:
        return enode.Client(
            client_id="mock-client",
            client_secret="mock-secret",
            base_url="http://mock.test",
            token_url="http://mock.test/oauth2/token",
            transport=transport,
            strict=True,
        )

    code = (
        _readme_example(heading)
        .replace('Client(environment="sandbox")', "mock_client()")
        .replace('vehicle_id = "..."', f'vehicle_id = "{ALICE_CAR}"')
        .replace('user_id = "..."', f'user_id = "{ALICE}"')
    )
    assert "mock_client()" in code and '"..."' not in code, code
    try:
        exec(compile(code, f"README.md ({heading})", "exec"), {"mock_client": mock_client})
    finally:
        transport.shutdown()
    assert mock_app.state.mock.violations == []
