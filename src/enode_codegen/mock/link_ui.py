"""The Link UI: the pages a user walks through at a link session's `linkUrl`.

Enode documents the journey on its "Link UI" page (developers.enode.com/docs/link-ui):
1 Introduction (names the session's vendorType), 2 Brand and service selection (skipped
when the session names a vendor), 3 Review data access (the requested scopes, and what
is not accessed), 4.1 Sign in to the brand account, 4.2 Two-factor authentication when
the vendor asks for it, then the devices found and Allow, and 5 Confirmation, whose
Continue returns the user to `redirectUri`. Sessions are single-use and live 24 hours
(Enode's `POST /users/{userId}/link` description).

What Enode appends to `redirectUri` is not documented: the page says only that the user
returns "via the redirectUri". The mock therefore returns to it unchanged on success, and
on cancel or failure appends OAuth 2.0's error parameters (RFC 6749 4.1.2.1), which is the
mock's choice and not Enode's documented behaviour:

- cancelled by the user:   `?error=access_denied&error_description=...`
- the vendor is in outage: `?error=temporarily_unavailable&error_description=...`

Every page is a plain HTML form posting back to the session's URL (POST/redirect/GET);
each form carries the session's CSRF token, and GET never changes anything.

Fake vendor accounts (documented in mock/README.md): any e-mail address with the
password `enode-mock`; an address containing `+2fa` (`me+2fa@example.com`) is asked
for the one-time code `123456`. Any other password is refused. A vendor whose
`linkingStatus` is `OUTAGE` (`POST /_mock/vendors/{vendor}/status`, or the console)
cannot be signed in to.
"""

from __future__ import annotations

import copy
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from .clock import format_timestamp, parse_timestamp
from .problems import ProblemError, json_response, problem_response
from .state import Asset, State

if TYPE_CHECKING:
    from .instance import MockInstance

__all__ = [
    "CATALOGUE_PATH",
    "SESSION_TTL",
    "TEST_CODE",
    "TEST_PASSWORD",
    "Catalogue",
    "form_fields",
    "link_routes",
    "new_session",
    "templates",
]

SESSION_TTL = 24 * 3600.0  # "short-lived (24 hours), single-use" (Enode's linkUser)
TEST_PASSWORD = "enode-mock"
TEST_CODE = "123456"
CATALOGUE_PATH = Path(__file__).resolve().parent / "seed" / "link_catalogue.json"
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"

templates = Jinja2Templates(directory=str(TEMPLATE_DIR))  # autoescapes .html

# --- text ---------------------------------------------------------------------------------
# English and Norwegian (bokmål); any other language falls back to English.
TEXT: dict[str, dict[str, str]] = {
    "en": {
        "title": "Link your {kind}",
        "intro": "{app} uses Enode to connect to your {kind}. Enode signs in to your "
        "{kind}'s brand account on your behalf and shares only the data you allow.",
        "start": "Continue",
        "cancel": "Cancel",
        "brand": "Select the brand of your {kind}",
        "service": "service: {service}",
        "review": "Review data access",
        "review_lead": "{app} asks for this access to your {brand} {kind}:",
        "not_accessed": "Not accessed:",
        "signin": "Sign in to {service}",
        "email": "E-mail",
        "password": "Password",
        "signin_button": "Sign in",
        "wrong_password": "The e-mail or password is not correct. Try again.",
        "twofa": "Two-factor authentication",
        "twofa_lead": "{service} sent a code to your phone. Enter it to continue.",
        "code": "One-time code",
        "wrong_code": "That code is not correct.",
        "verify": "Verify",
        "outage": "{brand} is not available",
        "outage_lead": "{service} does not answer right now, so your {kind} cannot be "
        "linked. Try again later.",
        "back": "Back to the app",
        "devices": "Devices found",
        "devices_lead": "These devices were found in your {service} account. Allow {app} "
        "to access them?",
        "allow": "Allow",
        "done": "Your {kind} is linked",
        "done_lead": "{app} can now reach the devices you allowed.",
        "continue": "Continue",
        "gone": "This link session can no longer be used",
        "expired": "It expired: link sessions last 24 hours. Start again in the app.",
        "used": "It was already used. Start again in the app.",
        "step": "Step {n} of {total}",
        "battery": "battery",
        "charger": "charger",
        "hvac": "heat pump or thermostat",
        "inverter": "solar inverter",
        "meter": "energy meter",
        "vehicle": "vehicle",
        "required": "Fill in this field.",
    },
    "nb": {
        "title": "Koble til {kind}",
        "intro": "{app} bruker Enode for å koble til {kind}. Enode logger inn på "
        "merkekontoen din på dine vegne og deler bare dataene du tillater.",
        "start": "Fortsett",
        "cancel": "Avbryt",
        "brand": "Velg merket til {kind}",
        "service": "tjeneste: {service}",
        "review": "Se over datatilgangen",
        "review_lead": "{app} ber om denne tilgangen til {brand} {kind}:",
        "not_accessed": "Brukes ikke:",
        "signin": "Logg inn på {service}",
        "email": "E-post",
        "password": "Passord",
        "signin_button": "Logg inn",
        "wrong_password": "E-posten eller passordet er feil. Prøv igjen.",
        "twofa": "Tofaktorautentisering",
        "twofa_lead": "{service} sendte en kode til telefonen din. Skriv den inn for å fortsette.",
        "code": "Engangskode",
        "wrong_code": "Koden er feil.",
        "verify": "Bekreft",
        "outage": "{brand} er ikke tilgjengelig",
        "outage_lead": "{service} svarer ikke nå, så {kind} kan ikke kobles til. Prøv "
        "igjen senere.",
        "back": "Tilbake til appen",
        "devices": "Enheter funnet",
        "devices_lead": "Disse enhetene ble funnet i {service}-kontoen din. Vil du gi "
        "{app} tilgang til dem?",
        "allow": "Tillat",
        "done": "Tilkoblingen er fullført",
        "done_lead": "{app} når nå enhetene du tillot.",
        "continue": "Fortsett",
        "gone": "Denne koblingsøkten kan ikke brukes lenger",
        "expired": "Den er utløpt: koblingsøkter varer i 24 timer. Start på nytt i appen.",
        "used": "Den er allerede brukt. Start på nytt i appen.",
        "step": "Steg {n} av {total}",
        "battery": "batteriet",
        "charger": "laderen",
        "hvac": "varmepumpen eller termostaten",
        "inverter": "vekselretteren",
        "meter": "strømmåleren",
        "vehicle": "bilen",
        "required": "Fyll ut dette feltet.",
    },
}
# what each scope gives access to, shown on the review step (English only: scope names
# are the API's, and the descriptions follow them)
SCOPE_TEXT: dict[str, str] = {
    "read:data": "Read its data (state, charge, energy)",
    "read:location": "Read its location",
    "control:charging": "Start and stop charging",
    "control:operation_mode": "Change its operation mode",
    "control:mode": "Change its mode and setpoints",
}


def _language(session: dict[str, Any], accept: str) -> str:
    """`en` or `nb`: the session's language, `browser` = the Accept-Language header."""
    wanted = str(session["request"].get("language") or "browser")
    candidates = [wanted]
    if wanted == "browser":
        candidates = [part.split(";")[0].strip() for part in accept.split(",")]
    for candidate in candidates:
        base = candidate.split("-")[0].lower()
        if base in ("nb", "no", "nn"):
            return "nb"
        if base == "en":
            return "en"
    return "en"


# --- the catalogue --------------------------------------------------------------------------


@dataclass(frozen=True)
class Device:
    kind: str
    information: dict[str, Any]


class Catalogue:
    """Simulated devices behind a vendor account (seed/link_catalogue.json)."""

    def __init__(self, path: Path = CATALOGUE_PATH) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        self.templates: dict[str, dict[str, Any]] = data["templates"]
        self.devices: dict[str, list[dict[str, Any]]] = data["devices"]

    def found(self, vendor: dict[str, Any], kind: str) -> list[Device]:
        listed = [
            Device(kind, dict(entry["information"]))
            for entry in self.devices.get(str(vendor["vendor"]), [])
            if entry["vendorType"] == kind
        ]
        if listed:
            return listed
        name = str(vendor.get("displayName") or vendor["vendor"])
        return [Device(kind, {"brand": name, "model": f"{name} {kind}"})]

    def record(
        self,
        device: Device,
        new_id: Callable[[], str],
        user_id: str,
        vendor: str,
        scopes: list[str],
        now: str,
    ) -> dict[str, Any]:
        """A canonical record for one found device, owned by `user_id` (IDs from `new_id`)."""
        record = copy.deepcopy(self.templates[device.kind])
        information = dict(record.get("information") or {})
        for key in ("id", "vin", "serialNumber", "sn"):
            if key in information:  # the vendor's own identifiers: fresh for each device
                information[key] = new_id().replace("-", "")[:17].upper()
        information.update(device.information)
        _stamp(record, now)
        record.update(
            id=new_id(),
            userId=user_id,
            vendor=vendor,
            information=information,
            scopes=[s for s in scopes if s.startswith(f"{device.kind}:")],
        )
        return record


def _stamp(node: Any, now: str) -> None:
    """Replace the template's placeholder timestamps with the link's time."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str) and value.startswith("1970-01-01T"):
                node[key] = now
            else:
                _stamp(value, now)
    elif isinstance(node, list):
        for item in node:
            _stamp(item, now)


# --- sessions -----------------------------------------------------------------------------


def new_session(
    state: State,
    user_id: str,
    version: str,
    request: dict[str, Any],
    now: float,
    base_url: str,
    asset_id: str | None = None,
) -> dict[str, Any]:
    """Record a link session (linkUser, relinkAsset) and answer the API's reply."""
    token = state.new_id()
    session: dict[str, Any] = {
        "userId": user_id,
        "version": version,
        "request": request,
        "createdAt": format_timestamp(now),
        "expiresAt": format_timestamp(now + SESSION_TTL),
        "status": "OPEN",  # -> COMPLETED, CANCELLED, FAILED
        "step": "intro",
        "vendor": request.get("vendor"),
        "csrf": secrets.token_urlsafe(24),
        "signedInAs": None,
    }
    if asset_id is not None:
        session["assetId"] = asset_id
    state.link_sessions[token] = session
    state.touch()
    link_url = f"{base_url}/_mock/link/{token}"
    # one canonical record; each version's schema keeps linkState or linkToken
    return {"linkUrl": link_url, "linkState": token, "linkToken": token}


def redirect_target(uri: str, error: str | None = None, description: str | None = None) -> str:
    """`redirectUri`, with OAuth 2.0's error parameters when the link did not succeed."""
    if error is None:
        return uri
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [("error", error), ("error_description", description or error)]
    return urlunsplit(parts._replace(query=urlencode(query)))


# --- the pages ------------------------------------------------------------------------------

STEPS = ("intro", "brand", "review", "signin", "twofa", "devices", "done")


def link_routes(mock: MockInstance) -> list[Route]:
    """The Link UI's routes, relative to `/_mock`."""
    state = mock.env.state
    clock = mock.env.clock
    catalogue = Catalogue()

    def session_of(token: str) -> dict[str, Any]:
        session = state.link_sessions.get(token)
        if session is None:
            raise ProblemError(404, "Unknown link session.")
        return session

    def expired(session: dict[str, Any]) -> bool:
        expires = session.get("expiresAt")
        return expires is not None and clock.time() >= parse_timestamp(expires).timestamp()

    linkable: dict[tuple[str, str], bool] = {}

    def valid(vendor: dict[str, Any], kind: str) -> bool:
        """Whether the vendor's devices of `kind` are assets the newest spec accepts (the
        seed's vendor list may name a vendor the spec's enum for that type lacks)."""
        key = (str(vendor["vendor"]), kind)
        if key not in linkable:
            linkable[key] = all(
                not mock.canonical_issues(
                    kind, catalogue.record(d, _probe_id, "u", key[0], [], _EPOCH)
                )
                for d in catalogue.found(vendor, kind)
            )
        return linkable[key]

    def vendor_of(session: dict[str, Any]) -> dict[str, Any] | None:
        """The session's vendor: the seed's record, or (a vendor the request named that
        the seed does not list) one made from its name."""
        name = session.get("vendor")
        if not name:
            return None
        known = state.vendors.get(str(name))
        if known is not None:
            return known
        title = str(name).replace("_", " ").title()
        return {"vendor": str(name), "displayName": title, "portalName": title, "scopes": []}

    def vendors_for(kind: str) -> list[dict[str, Any]]:
        return sorted(
            (
                v
                for v in state.vendors.values()
                if kind in v.get("assetTypes", []) and valid(v, kind)
            ),
            key=lambda v: str(v.get("displayName", v["vendor"])).lower(),
        )

    def render(request: Request, session: dict[str, Any], token: str, **extra: Any) -> Response:
        lang = _language(session, request.headers.get("accept-language", ""))
        text = TEXT[lang]
        kind_name = session["request"].get("vendorType") or "vehicle"
        vendor = vendor_of(session)
        names = {
            "app": "Your app",
            "kind": text.get(kind_name, kind_name),
            "brand": str(vendor.get("displayName", vendor["vendor"])) if vendor else "",
            "service": str(vendor.get("portalName", vendor["vendor"])) if vendor else "",
        }

        def t(key: str, **more: Any) -> str:
            return text[key].format(**{**names, **more})

        step = extra.pop("step", session["step"])
        shown = [s for s in STEPS if s != "twofa" and not (s == "brand" and _named(session))]
        position = shown.index(step) + 1 if step in shown else None
        scopes = [str(s) for s in session["request"].get("scopes") or []]
        offered = [str(s) for s in (vendor or {}).get("scopes", []) if s.startswith(kind_name)]
        context = {
            "t": t,
            "lang": "nb-NO" if lang == "nb" else "en",
            "scheme": session["request"].get("colorScheme") or "system",
            "step": step,
            "position": position,
            "total": len(shown),
            "action": f"/_mock/link/{token}",
            "csrf": session["csrf"],
            "session": session,
            "kind": kind_name,
            "vendors": vendors_for(kind_name),
            "vendor": vendor,
            "scopes": [(s, _scope_text(s)) for s in scopes],
            "not_accessed": [(s, _scope_text(s)) for s in offered if s not in scopes],
            "devices": catalogue.found(vendor, kind_name) if vendor else [],
            **extra,
        }
        status = extra.get("status_code", 200)
        return templates.TemplateResponse(request, "link.html", context, status_code=status)

    async def page(request: Request) -> Response:
        token = request.path_params["token"]
        try:
            session = session_of(token)
        except ProblemError as error:
            return problem_response(error)
        if "text/html" not in request.headers.get("accept", ""):
            # the session as JSON, for scripts and the API tests (what linkUrl used to be)
            public = {k: v for k, v in session.items() if k != "csrf"}
            return json_response(200, public)
        if session["status"] != "OPEN" and session["step"] != "done":
            return render(request, session, token, step="gone", reason="used", status_code=410)
        if expired(session):
            return render(request, session, token, step="gone", reason="expired", status_code=410)
        return render(request, session, token)

    async def submit(request: Request) -> Response:
        token = request.path_params["token"]
        fields = await form_fields(request)
        with state.lock:
            session = state.link_sessions.get(token)
            if session is None:
                return problem_response(ProblemError(404, "Unknown link session."))
            if not secrets.compare_digest(fields.get("csrf", ""), session["csrf"]):
                return problem_response(
                    ProblemError(403, "The form's CSRF token does not match this link session.")
                )
            redirect_uri = str(session["request"].get("redirectUri") or "about:blank")
            again = RedirectResponse(f"/_mock/link/{token}", status_code=303)
            if session["status"] != "OPEN" or expired(session):
                if session["step"] == "done" and fields.get("do") == "continue":
                    return RedirectResponse(redirect_target(redirect_uri), status_code=303)
                return again  # shows the "can no longer be used" page
            do = fields.get("do", "")
            step = session["step"]
            if do == "cancel":
                session.update(status="CANCELLED", step="cancelled")
                state.touch()
                target = redirect_target(
                    redirect_uri, "access_denied", "The user cancelled linking."
                )
                return RedirectResponse(target, status_code=303)
            if do == "back-to-app" and step == "outage":
                session.update(status="FAILED")
                state.touch()
                target = redirect_target(
                    redirect_uri,
                    "temporarily_unavailable",
                    f"The vendor {session.get('vendor')} is in an outage.",
                )
                return RedirectResponse(target, status_code=303)
            if step == "intro" and do == "start":
                session["step"] = "review" if _named(session) else "brand"
            elif step == "brand" and do == "brand":
                chosen = fields.get("vendor", "")
                kind = session["request"].get("vendorType") or "vehicle"
                if chosen not in {v["vendor"] for v in vendors_for(kind)}:
                    return render(request, session, token, error="brand", status_code=400)
                session.update(vendor=chosen, step="review")
            elif step == "review" and do == "review":
                session["step"] = "signin"
            elif step == "signin" and do == "signin":
                vendor = vendor_of(session)
                if vendor is not None and vendor.get("linkingStatus") == "OUTAGE":
                    session["step"] = "outage"
                else:
                    email = fields.get("email", "").strip()
                    if not email or fields.get("password") != TEST_PASSWORD:
                        return render(
                            request,
                            session,
                            token,
                            error="wrong_password",
                            email=email,
                            status_code=401,
                        )
                    session.update(signedInAs=email)
                    session["step"] = "twofa" if "+2fa" in email else "devices"
            elif step == "twofa" and do == "verify":
                if fields.get("code", "").strip() != TEST_CODE:
                    return render(request, session, token, error="wrong_code", status_code=401)
                session["step"] = "devices"
            elif step == "devices" and do == "allow":
                finish(session)
                session.update(status="COMPLETED", step="done")
            state.touch()
        return again

    def finish(session: dict[str, Any]) -> None:
        """Create the assets found, record the linked vendor (under the state lock)."""
        vendor = str(session["vendor"])
        kind = str(session["request"].get("vendorType") or "vehicle")
        user_id = str(session["userId"])
        now = format_timestamp(clock.time())
        scopes = [str(s) for s in session["request"].get("scopes") or []]
        if "assetId" in session:  # a relink: the asset's credentials are valid again
            state.record_link(user_id, vendor, kind)
            return
        created = []
        for device in catalogue.found(vendor_of(session) or {"vendor": vendor}, kind):
            record = catalogue.record(device, state.new_id, user_id, vendor, scopes, now)
            state.add_asset(Asset(kind, record, state.next_seq()))  # user:<kind>:discovered
            created.append(record["id"])
        state.record_link(user_id, vendor, kind)
        session["assetIds"] = created

    async def endpoint(request: Request) -> Response:
        if request.method == "POST":
            return await submit(request)
        return await page(request)

    return [Route("/link/{token}", endpoint, methods=["GET", "POST"])]


async def form_fields(request: Request, limit: int = 64 * 1024) -> dict[str, str]:
    """An HTML form's fields (application/x-www-form-urlencoded; the pages send no
    files, so no multipart parser is needed); the last value of a repeated name wins."""
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > limit:
            raise ProblemError(413, f"The form exceeds {limit} bytes.")
    return dict(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))


_EPOCH = "2024-01-01T00:00:00.000Z"


def _probe_id() -> str:
    return "00000000-0000-4000-8000-000000000000"


def _named(session: dict[str, Any]) -> bool:
    return bool(session["request"].get("vendor"))


def _scope_text(scope: str) -> str:
    _, _, rest = scope.partition(":")
    return SCOPE_TEXT.get(rest, scope)
