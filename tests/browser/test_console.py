"""The console at /_mock/console in a real browser: a new action appears within a second
(without a reload) and shows CONFIRMED after its Confirm button; the vehicle charts draw
the battery rising over mock time and a smart-charging plan against the tariff; the
forms refuse a request without the CSRF token."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import pytest
from browserhelpers import mock_client, serious_violations, shot

from enode_codegen.contract_tests.receiver import WebhookReceiver

enode = pytest.importorskip("enode_2024_10_01")
models = pytest.importorskip("enode_2024_10_01.models")
expect = pytest.importorskip("playwright.sync_api").expect

ALICE_TESLA = "c3a8f5e1-2b7d-5e4a-9f60-1d2e3f4a5b6c"  # plugged in at Alice's Home (tariff)


def test_console_shows_a_new_action_and_confirms_it(server: str, page: Any) -> None:
    page.goto(f"{server}/_mock/console")
    expect(page.get_by_role("heading", level=1)).to_have_text("enode-mock console")
    with mock_client(server, enode.Client) as client:
        action = client.vehicles.control_vehicle_charging(
            ALICE_TESLA, action=models.VehicleChargeActionKind("START")
        )
        created = time.monotonic()
        row = page.locator(f'tr[data-action="{action.id}"]')
        expect(row).to_be_visible(timeout=1000)  # polled, no reload
        seen = time.monotonic() - created
        assert seen < 1.0, seen
        expect(row.locator(".state")).to_have_text("PENDING")
        page.get_by_label("Live updates").uncheck()  # hold the page still for the pictures
        shot(page, "console-pending-action", part="#actions")
        assert serious_violations(page) == []
        page.get_by_label("Live updates").check()
        row.get_by_role("button", name=f"Confirm action {str(action.id)[:8]}").click()
        expect(row.locator(".state")).to_have_text("CONFIRMED")
        assert client.vehicles.get_vehicle_action(action.id).state == "CONFIRMED"


def test_console_charts_battery_and_smart_charging_plan(server: str, page: Any) -> None:
    with mock_client(server, enode.Client) as client:
        vehicle = client.vehicles.get_vehicle(ALICE_TESLA)
        if not vehicle.charge_state.is_charging:
            action = client.vehicles.control_vehicle_charging(
                ALICE_TESLA, action=models.VehicleChargeActionKind("START")
            )
            advanced = httpx.post(f"{server}/_mock/actions/{action.id}/advance", timeout=10)
            assert advanced.status_code == 200, advanced.text
    page.goto(f"{server}/_mock/console")
    panel = page.locator(f'[data-vehicle="{ALICE_TESLA}"]')
    level_before = client_level(server)
    # the clock control, by keyboard: three quarter hours of charging
    for _ in range(3):
        page.get_by_label("Advance by (seconds)").fill("900")
        page.get_by_role("button", name="Advance clock").click()
        page.wait_for_timeout(700)  # a poll or two: one sample per mock time seen
    assert client_level(server) > level_before
    chart = panel.locator("svg.chart-battery")
    expect(chart).to_be_visible()
    points = chart.locator("polyline.level").get_attribute("points") or ""
    ys = [float(p.split(",")[1]) for p in points.split()]
    assert len(ys) >= 3 and ys[-1] < ys[0], points  # SVG y grows downwards: the level rose
    expect(chart).to_have_attribute("aria-label", re.compile("^Battery level"))

    with mock_client(server, enode.Client) as client:
        client.vehicles.update_vehicle_smart_charging_policy(
            ALICE_TESLA, is_enabled=True, deadline="07:00", minimum_charge_limit=0
        )
    plan = panel.locator("svg.chart-plan")
    expect(plan).to_be_visible(timeout=2000)
    bars = plan.locator("rect")
    expect(bars).to_have_count(24)
    heights = {bars.nth(i).get_attribute("height") for i in range(24)}
    assert len(heights) >= 2, heights  # peak and off-peak prices differ
    page.get_by_label("Live updates").uncheck()
    shot(page, "console-charts", part=f'[data-vehicle="{ALICE_TESLA}"]')
    assert serious_violations(page) == []


def test_console_sends_a_test_event_to_a_webhook(server: str, page: Any) -> None:
    with WebhookReceiver() as receiver, mock_client(server, enode.Client) as client:
        hook = client.webhooks.create_webhook(url=receiver.url, secret="console-secret-0123456789")
        page.goto(f"{server}/_mock/console")
        row = page.locator(f'tr[data-webhook="{hook.id}"]')
        row.get_by_role("button", name=f"Send test event to {receiver.url}").click()
        expect(page.locator("#console-status")).to_contain_text("test event: SUCCESS")
        [event] = client.webhooks.unwrap(
            receiver.requests[-1].body,
            receiver.requests[-1].headers,
            secret="console-secret-0123456789",
        )
        assert isinstance(event, models.WebhookTestEvent)
        client.webhooks.delete_webhook(hook.id)


def test_console_form_needs_its_csrf_token(server: str) -> None:
    refused = httpx.post(
        f"{server}/_mock/console/do", data={"op": "advance-clock", "seconds": "60"}, timeout=10
    )
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    # and GET changes nothing: the console page is only read
    assert httpx.get(f"{server}/_mock/console/do", timeout=10).status_code == 405


def client_level(server: str) -> float:
    with mock_client(server, enode.Client) as client:
        return float(client.vehicles.get_vehicle(ALICE_TESLA).charge_state.battery_level)
