"""Link UI in a real browser: a team's onboarding from the generated client's `link_user`
through Enode's documented steps to the vehicle listed by the client and the
`user:vehicle:discovered` webhook at a local receiver; cancel, a wrong password (in
Norwegian), a vendor outage, and a used session. The app's side of `redirectUri` is a
local HTTP server (conftest.AppSite) recording the URLs the browser opened."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from browserhelpers import AppSite, mock_client, serious_violations, shot

from enode_codegen.contract_tests.receiver import WebhookReceiver

enode = pytest.importorskip("enode_2024_10_01")
models = pytest.importorskip("enode_2024_10_01.models")
expect = pytest.importorskip("playwright.sync_api").expect

SECRET = "browser-link-secret-0123456789abcdef"
SCOPES = ["vehicle:read:data", "vehicle:control:charging"]


def _checked(page: Any, name: str) -> None:
    """Screenshot the step and assert axe-core finds no serious or critical problem."""
    shot(page, name)
    assert serious_violations(page) == [], name


def test_link_a_vehicle_end_to_end(server: str, page: Any, app_site: AppSite) -> None:
    user = f"browser-{uuid.uuid4()}"
    app = f"{app_site.base}/enode/done"
    with WebhookReceiver() as receiver, mock_client(server, enode.Client) as client:
        hook = client.webhooks.create_webhook(
            url=receiver.url,
            secret=SECRET,
            events=[models.WebhookEvent("user:vehicle:discovered")],
        )
        session = client.users.link_user(
            user,
            vendor_type=models.UserVendorType("vehicle"),
            language=models.UserLinkLanguage("en-US"),
            scopes=[models.UserLinkScope(s) for s in SCOPES],
            redirect_uri=app,
            color_scheme=models.UserLinkColorScheme("light"),
        )

        page.goto(str(session.link_url))
        expect(page.get_by_role("heading", level=1)).to_have_text("Link your vehicle")
        expect(page.locator("#progress")).to_have_text("Step 1 of 6")
        _checked(page, "link-1-intro")
        page.get_by_role("button", name="Continue").click()

        # brand and service: every vendor with vehicles, chosen by its label (keyboard:
        # the first radio has focus)
        expect(page.get_by_role("group", name="Select the brand of your vehicle")).to_be_visible()
        _checked(page, "link-2-brand")
        page.get_by_label("Tesla").check()
        page.get_by_role("button", name="Continue").click()

        expect(page.get_by_role("heading", name="Review data access")).to_be_visible()
        scopes = page.locator("#scopes li")
        expect(scopes).to_have_count(2)
        expect(scopes.nth(0)).to_contain_text("vehicle:read:data")
        expect(page.locator("#not-accessed")).to_contain_text("vehicle:read:location")
        _checked(page, "link-3-review")
        page.get_by_role("button", name="Continue").click()

        expect(page.get_by_role("heading", name="Sign in to Tesla")).to_be_visible()
        expect(page.get_by_label("E-mail")).to_be_focused()
        page.get_by_label("E-mail").fill("driver+2fa@example.com")
        page.get_by_label("Password").fill("enode-mock")
        _checked(page, "link-4-signin")
        page.get_by_label("Password").press("Enter")  # keyboard submit

        expect(page.get_by_role("heading", name="Two-factor authentication")).to_be_visible()
        page.get_by_label("One-time code").fill("000000")
        page.get_by_role("button", name="Verify").click()
        expect(page.get_by_role("alert")).to_have_text("That code is not correct.")
        page.get_by_label("One-time code").fill("123456")
        _checked(page, "link-4b-twofa")
        page.get_by_role("button", name="Verify").click()

        expect(page.get_by_role("heading", name="Devices found")).to_be_visible()
        expect(page.locator("#devices li")).to_have_text(["Tesla Model Y (2024)"])
        _checked(page, "link-5-devices")
        page.get_by_role("button", name="Allow").click()

        expect(page.get_by_role("status")).to_contain_text("Your vehicle is linked")
        expect(page.get_by_role("heading", level=1)).to_have_text("Your vehicle is linked")
        _checked(page, "link-6-done")
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(app)
        assert app_site.opened == [app]  # success: redirectUri as given, nothing appended

        # the app's view: the vehicle through the API, and the discovered webhook
        vehicles = [
            v for v in client.vehicles.list_vehicles(page_size=100).data if v.user_id == user
        ]
        assert [(v.vendor, v.information.model) for v in vehicles] == [("TESLA", "Model Y")]
        assert client.users.get_user(user).linked_vendors[0].vendor == "TESLA"
        flushed = httpx.post(f"{server}/_mock/webhooks/flush", json={"timeout": 20}, timeout=30)
        assert flushed.status_code == 200, flushed.text
        events = [
            event
            for request in receiver.requests
            for event in client.webhooks.unwrap(request.body, request.headers, secret=SECRET)
        ]
        discovered = [e for e in events if isinstance(e, models.VehicleDiscoveredEvent)]
        assert [(e.user.id, str(e.vehicle.id)) for e in discovered] == [(user, str(vehicles[0].id))]
        client.webhooks.delete_webhook(hook.id)

        # single use: the finished session's page says so
        page.goto(str(session.link_url))
        expect(page.get_by_role("heading", level=1)).to_have_text("Your vehicle is linked")


def test_cancel_returns_with_access_denied(server: str, page: Any, app_site: AppSite) -> None:
    with mock_client(server, enode.Client) as client:
        session = client.users.link_user(
            f"browser-{uuid.uuid4()}",
            vendor_type=models.UserVendorType("vehicle"),
            vendor=models.UserVendor("VOLKSWAGEN"),  # names the brand: its step is skipped
            language=models.UserLinkLanguage("en-GB"),
            scopes=[models.UserLinkScope("vehicle:read:data")],
            redirect_uri=f"{app_site.base}/enode/done?state=abc",
            color_scheme=models.UserLinkColorScheme("dark"),
        )
    page.goto(str(session.link_url))
    expect(page.locator("#progress")).to_have_text("Step 1 of 5")
    # by keyboard alone: Tab to Continue, Enter; the review step focuses its Continue,
    # Tab moves on to Cancel
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Continue")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Review data access")).to_be_visible()
    expect(page.get_by_role("button", name="Continue")).to_be_focused()
    _checked(page, "link-dark-review")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Cancel")).to_be_focused()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{app_site.base}/**")
    query = parse_qs(urlsplit(app_site.opened[-1]).query)
    assert query["state"] == ["abc"] and query["error"] == ["access_denied"]
    assert query["error_description"] == ["The user cancelled linking."]
    # the session is used up
    response = page.goto(str(session.link_url))
    assert response is not None and response.status == 410
    expect(page.get_by_role("alert")).to_contain_text("already used")


def test_wrong_password_in_norwegian(server: str, page: Any, app_site: AppSite) -> None:
    with mock_client(server, enode.Client) as client:
        session = client.users.link_user(
            f"browser-{uuid.uuid4()}",
            vendor_type=models.UserVendorType("vehicle"),
            vendor=models.UserVendor("BMW"),
            language=models.UserLinkLanguage("nb-NO"),
            scopes=[models.UserLinkScope("vehicle:read:data")],
            redirect_uri=app_site.base,
        )
    page.goto(str(session.link_url))
    expect(page.get_by_role("heading", level=1)).to_have_text("Koble til bilen")
    page.get_by_role("button", name="Fortsett").click()
    page.get_by_role("button", name="Fortsett").click()
    page.get_by_label("E-post").fill("driver@example.com")
    page.get_by_label("Passord").fill("wrong")
    page.get_by_role("button", name="Logg inn").click()
    alert = page.get_by_role("alert")
    expect(alert).to_have_text("E-posten eller passordet er feil. Prøv igjen.")
    expect(page.get_by_label("Passord")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("E-post")).to_have_value("driver@example.com")
    _checked(page, "link-wrong-password-nb")


def test_vendor_outage_returns_with_temporarily_unavailable(
    server: str, page: Any, app_site: AppSite
) -> None:
    started = httpx.post(
        f"{server}/_mock/vendors/KIA/status", json={"linkingStatus": "OUTAGE"}, timeout=10
    )
    assert started.status_code == 200, started.text
    try:
        with mock_client(server, enode.Client) as client:
            session = client.users.link_user(
                f"browser-{uuid.uuid4()}",
                vendor_type=models.UserVendorType("vehicle"),
                vendor=models.UserVendor("KIA"),
                language=models.UserLinkLanguage("en-US"),
                scopes=[models.UserLinkScope("vehicle:read:data")],
                redirect_uri=f"{app_site.base}/enode/done",
            )
        page.goto(str(session.link_url))
        page.get_by_role("button", name="Continue").click()
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("E-mail").fill("driver@example.com")
        page.get_by_label("Password").fill("enode-mock")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Kia is not available")
        page.get_by_role("button", name="Back to the app").click()
        page.wait_for_url(f"{app_site.base}/**")
        assert parse_qs(urlsplit(app_site.opened[-1]).query)["error"] == ["temporarily_unavailable"]
    finally:
        httpx.post(
            f"{server}/_mock/vendors/KIA/status", json={"linkingStatus": "READY"}, timeout=10
        )
