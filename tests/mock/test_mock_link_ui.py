"""The Link UI's rules without a browser (tests/browser walks the pages in chromium):
expiry after 24 hours of mock time, the CSRF token, older versions' link shapes, the
relink flow, every catalogue record valid against the newest schema, and the /_mock
access guard for clients that are not on loopback."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from enode_codegen.mock.app import MockApp
from enode_codegen.mock.cli import build_config, parser
from enode_codegen.mock.link_ui import Catalogue

HTML = {"accept": "text/html"}
BOB = "91ce5c7a-f93f-5592-8869-f391a1f44d21"
BODY = {
    "vendorType": "vehicle",
    "language": "en-US",
    "scopes": ["vehicle:read:data"],
    "redirectUri": "https://app.example/back",
}


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page[:500]
    return found.group(1)


async def _post_asgi(app: Starlette, path: str, form: str) -> tuple[int, dict[bytes, bytes]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": form.encode(), "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"content-type", b"application/x-www-form-urlencoded")],
        "client": ("127.0.0.1", 1),
        "server": ("mock.test", 80),
        "scheme": "http",
        "http_version": "1.1",
        "root_path": "",
    }
    await app(scope, receive, send)
    start = sent[0]
    return start["status"], dict(start["headers"])


async def _walk(client: httpx.AsyncClient, url: str, *steps: dict[str, str]) -> httpx.Response:
    csrf = _csrf((await client.get(url, headers=HTML)).text)
    answer = None
    for step in steps:
        answer = await client.post(url, data={**step, "csrf": csrf})
        assert answer.status_code == 303, answer.text
    assert answer is not None
    return answer


async def test_a_session_expires_after_24_hours(client: httpx.AsyncClient) -> None:
    link = (await client.post("/users/late/link", json=BODY)).json()
    url = link["linkUrl"].removeprefix("http://mock.test")
    assert (await client.get(url, headers=HTML)).status_code == 200
    advanced = await client.post("/_mock/clock/advance", json={"seconds": 24 * 3600})
    assert advanced.status_code == 200
    page = await client.get(url, headers=HTML)
    assert page.status_code == 410 and "link sessions last 24 hours" in page.text
    session = (await client.get(url)).json()  # the JSON view stays, for scripts
    assert session["status"] == "OPEN" and "csrf" not in session


async def test_forms_need_the_sessions_csrf_token(client: httpx.AsyncClient) -> None:
    url = (await client.post("/users/x/link", json=BODY)).json()["linkUrl"]
    refused = await client.post(url, data={"do": "start", "csrf": "guess"})
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    assert (await client.get(url)).json()["step"] == "intro"


async def test_2023_04_01_shape_links_and_returns_to_about_blank(
    client: httpx.AsyncClient, mock: MockApp, app: Starlette
) -> None:
    old = {"vendor": "NISSAN", "vendorType": "vehicle", "scopes": [], "redirectUri": "about:blank"}
    link = await client.post(
        "/users/old-app/link", json=old, headers={"Enode-Version": "2023-04-01"}
    )
    assert link.status_code == 200 and set(link.json()) == {"linkUrl", "linkState"}
    url = link.json()["linkUrl"]
    done = await _walk(
        client,
        url,
        {"do": "start"},
        {"do": "review"},
        {"do": "signin", "email": "me@example.com", "password": "enode-mock"},
        {"do": "allow"},
    )
    assert done.headers["location"] == url.removeprefix("http://mock.test")
    token = link.json()["linkState"]
    csrf = mock.env.state.link_sessions[token]["csrf"]
    # (httpx cannot hold a response redirecting to about:blank: the app is called directly)
    status, headers = await _post_asgi(app, f"/_mock/link/{token}", f"do=continue&csrf={csrf}")
    assert (status, headers[b"location"]) == (303, b"about:blank")
    vehicles = (await client.get("/users/old-app/vehicles")).json()["data"]
    assert [v["information"]["model"] for v in vehicles] == ["Leaf e+"]


async def test_relink_makes_the_credentials_valid_again(
    client: httpx.AsyncClient, seed: dict[str, Any]
) -> None:
    broken = next(c for c in seed["chargers"] if c["userId"] == BOB and c["vendor"] == "WALLBOX")
    before = {a["id"] for a in (await client.get(f"/users/{BOB}/chargers")).json()["data"]}
    link = await client.post(f"/assets/{broken['id']}/relink", json={**BODY, "vendorType": None})
    assert link.status_code == 200, link.text
    url = link.json()["linkUrl"]
    await _walk(
        client,
        url,
        {"do": "start"},  # the asset's vendor is named: no brand step
        {"do": "review"},
        {"do": "signin", "email": "bob@example.com", "password": "enode-mock"},
        {"do": "allow"},
    )
    user = (await client.get(f"/users/{BOB}")).json()
    wallbox = [v for v in user["linkedVendors"] if v["vendor"] == "WALLBOX"]
    assert wallbox == [{"vendor": "WALLBOX", "vendorType": "charger", "isValid": True}]
    after = {a["id"] for a in (await client.get(f"/users/{BOB}/chargers")).json()["data"]}
    assert after == before  # a relink adds no assets


async def test_the_brand_step_offers_only_vendors_whose_devices_are_valid_assets(
    client: httpx.AsyncClient, mock: MockApp
) -> None:
    """Each offered brand's catalogue devices are valid canonical assets (the seed's vendor
    list names e.g. ENPHASE for chargers, which the spec's ChargerVendor lacks: not offered)."""
    catalogue = Catalogue()
    state = mock.env.state
    brands: dict[str, list[str]] = {}
    for kind in ("battery", "charger", "hvac", "inverter", "meter", "vehicle"):
        url = (await client.post("/users/x/link", json={**BODY, "vendorType": kind})).json()[
            "linkUrl"
        ]
        await _walk(client, url, {"do": "start"})
        page = (await client.get(url, headers=HTML)).text
        offered = brands[kind] = re.findall(r'name="vendor" value="([A-Z_]+)"', page)
        assert offered, kind
        for vendor in offered:
            for device in catalogue.found(state.vendors[vendor], kind):
                record = catalogue.record(
                    device, state.new_id, "u", vendor, [], "2024-01-01T00:00:00.000Z"
                )
                assert mock.canonical_issues(kind, record) == [], (vendor, kind)
    assert "EASEE" in brands["charger"] and "ENPHASE" not in brands["charger"]


async def test_mock_routes_need_the_admin_token_off_loopback(
    make_app: Callable[..., Starlette],
) -> None:
    def remote(app: Starlette) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app, client=("192.0.2.7", 50000))
        return httpx.AsyncClient(transport=transport, base_url="http://mock.test")

    async with remote(make_app()) as client:
        refused = await client.get("/_mock/console")
        assert refused.status_code == 403 and "--admin-token" in refused.json()["detail"]
        assert (await client.get("/health/ready")).is_success  # the API is not guarded
    async with remote(make_app(admin_token="s3cret")) as client:
        assert (await client.get("/_mock/state")).status_code == 403
        wrong = await client.get("/_mock/state", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 403
        ok = await client.get("/_mock/state", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200
        page = await client.get("/_mock/console?token=s3cret")
        assert page.status_code == 200 and "enode_mock_admin=s3cret" in page.headers["set-cookie"]
        again = await client.get("/_mock/console/live")  # the cookie carries it
        assert again.status_code == 200


def test_admin_token_from_the_flag_or_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ENODE_MOCK_ADMIN_TOKEN", raising=False)
    assert build_config(parser().parse_args(["serve"])).admin_token is None
    flagged = parser().parse_args(["serve", "--admin-token", "t0ken"])
    assert build_config(flagged).admin_token == "t0ken"
    monkeypatch.setenv("ENODE_MOCK_ADMIN_TOKEN", "from-env")
    assert build_config(parser().parse_args(["serve"])).admin_token == "from-env"


async def test_a_vendor_the_seed_does_not_list_links_too(client: httpx.AsyncClient) -> None:
    body = {**BODY, "vendor": "POLESTAR"}  # in the spec's vendor enum, not in the seed
    link = await client.post("/users/polestar-owner/link", json=body)
    assert link.status_code == 200, link.text
    url = link.json()["linkUrl"]
    await _walk(
        client,
        url,
        {"do": "start"},
        {"do": "review"},
        {"do": "signin", "email": "me@example.com", "password": "enode-mock"},
    )
    page = (await client.get(url, headers=HTML)).text
    assert "Polestar Polestar vehicle" in page
    await _walk(client, url, {"do": "allow"})
    vehicles = (await client.get("/users/polestar-owner/vehicles")).json()["data"]
    assert [(v["vendor"], v["information"]["brand"]) for v in vehicles] == [
        ("POLESTAR", "Polestar")
    ]
