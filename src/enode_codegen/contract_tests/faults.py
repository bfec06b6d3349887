"""Deliberately broken variants of the mock, to prove the contract suite catches each fault.

Each fault is an ASGI middleware around the (strict, self-validating) mock: it rewrites the
mock's requests or responses on the wire, outside the mock, so the mock's own strict mode
cannot mask it. `--fault NAME` selects one for a run (in-process, or with --mock-server
through `python -m contract_tests.faults serve --fault NAME ...`).

tests/test_contract_faults.py runs the suite against every fault and asserts it fails.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["FAULTS", "Fault", "FaultMiddleware", "main", "wrap"]

Scope = dict[str, Any]
Message = dict[str, Any]
App = Callable[
    [Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]
]


@dataclass
class Exchange:
    """One request and the mock's answer, as bytes, for a fault to rewrite."""

    method: str
    path: str
    query: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes
    status: int = 0
    response_headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    response_body: bytes = b""

    def header(self, name: str) -> str | None:
        key = name.lower().encode()
        for k, v in self.headers:
            if k.lower() == key:
                return v.decode("latin-1")
        return None

    @property
    def content_type(self) -> str:
        for k, v in self.response_headers:
            if k.lower() == b"content-type":
                return v.decode("latin-1")
        return ""

    def set_content_type(self, value: str) -> None:
        self.response_headers = [
            (k, v) for k, v in self.response_headers if k.lower() != b"content-type"
        ]
        self.response_headers.append((b"content-type", value.encode()))

    def json(self) -> Any:
        if "json" not in self.content_type or not self.response_body:
            return None
        try:
            return json.loads(self.response_body)
        except ValueError:
            return None

    def set_json(self, value: Any) -> None:
        self.response_body = json.dumps(value).encode()


Call = Callable[[Exchange], Awaitable[Exchange]]


@dataclass(frozen=True)
class Fault:
    name: str
    description: str
    # rewrites one exchange; `call` sends a (modified) request to the mock again
    apply: Callable[[Exchange, Call], Awaitable[Exchange]]
    # what a failing run's output must all mention (check title, detail), for the proof
    caught_by: tuple[str, ...]
    # extra arguments of its proof run (tests/test_contract_faults.py)
    run_args: tuple[str, ...] = ()


def _walk(value: Any, key: str, change: Callable[[Any], Any]) -> bool:
    """Apply `change` to every `key` entry of every object in `value`; True if any."""
    changed = False
    if isinstance(value, dict):
        for k in list(value):
            if k == key:
                new = change(value[k])
                if new is _DELETE:
                    del value[k]
                else:
                    value[k] = new
                changed = True
            else:
                changed |= _walk(value[k], key, change)
    elif isinstance(value, list):
        for item in value:
            changed |= _walk(item, key, change)
    return changed


_DELETE = object()


def _body_rewrite(
    key: str, change: Callable[[Any], Any]
) -> Callable[[Exchange, Call], Awaitable[Exchange]]:
    async def apply(exchange: Exchange, call: Call) -> Exchange:
        exchange = await call(exchange)
        if 200 <= exchange.status < 300:
            body = exchange.json()
            if body is not None and _walk(body, key, change):
                exchange.set_json(body)
        return exchange

    return apply


async def _undocumented_status(exchange: Exchange, call: Call) -> Exchange:
    exchange = await call(exchange)
    if exchange.status == 404:
        exchange.status = 410  # "Gone": documented by no operation
    return exchange


async def _wrong_content_type(exchange: Exchange, call: Call) -> Exchange:
    exchange = await call(exchange)
    if 200 <= exchange.status < 300 and "json" in exchange.content_type:
        exchange.set_content_type("text/plain; charset=utf-8")
    return exchange


async def _server_error_on_bad_input(exchange: Exchange, call: Call) -> Exchange:
    exchange = await call(exchange)
    if exchange.status == 400:
        exchange.status = 500
        exchange.set_json(
            {
                "type": "https://developers.enode.com/api/problems/internal-server-error",
                "title": "Internal server error",
                "detail": "Unhandled exception while parsing the request.",
            }
        )
    return exchange


async def _accepts_bad_input(exchange: Exchange, call: Call) -> Exchange:
    """Invalid query parameters are ignored instead of rejected: a 400 is replaced by the
    answer to the same request without its query string."""
    original_query = exchange.query
    answered = await call(exchange)
    if answered.status == 400 and original_query:
        retry = Exchange(exchange.method, exchange.path, b"", exchange.headers, exchange.body)
        retried = await call(retry)
        if 200 <= retried.status < 300:
            retried.query = original_query
            return retried
    return answered


class _TokenCache:
    token: str | None = None


async def _no_auth(exchange: Exchange, call: Call) -> Exchange:
    """Requests without a valid token are served as if they had one."""
    answered = await call(exchange)
    if answered.status != 401:
        return answered
    if _TokenCache.token is None:
        import base64

        from enode_codegen.mock.config import DEFAULT_CLIENTS

        client_id, secret = next(iter(DEFAULT_CLIENTS.items()))
        basic = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
        token_request = Exchange(
            "POST",
            "/oauth2/token",
            b"",
            [
                (b"authorization", f"Basic {basic}".encode()),
                (b"content-type", b"application/x-www-form-urlencoded"),
            ],
            b"grant_type=client_credentials",
        )
        token_answer = await call(token_request)
        _TokenCache.token = json.loads(token_answer.response_body)["access_token"]
    headers = [(k, v) for k, v in exchange.headers if k.lower() != b"authorization"]
    headers.append((b"authorization", f"Bearer {_TokenCache.token}".encode()))
    retry = Exchange(exchange.method, exchange.path, exchange.query, headers, exchange.body)
    return await call(retry)


_ACTION = re.compile(r"^/(batteries|chargers|hvacs)/actions/([^/]+)(/cancel)?$")
_CANCELLED: set[str] = set()


async def _cancelled_action_confirms(exchange: Exchange, call: Call) -> Exchange:
    """A cancelled action later reads as CONFIRMED (CANCELLED is terminal)."""
    exchange = await call(exchange)
    match = _ACTION.match(exchange.path)
    if match is None or exchange.status != 200:
        return exchange
    action_id, cancel = match.group(2), match.group(3)
    if cancel and exchange.method == "POST":
        _CANCELLED.add(action_id)
    elif exchange.method == "GET" and action_id in _CANCELLED:
        body = exchange.json()
        if isinstance(body, dict) and body.get("state") == "CANCELLED":
            body["state"] = "CONFIRMED"
            body["failureReason"] = None
            exchange.set_json(body)
    return exchange


# --- faults that keep every answer schema-valid (caught by the named checks, checks.py) ---

# their proof runs collect only test_behaviour.py (schemathesis's per-operation tests take
# most of a short run's start, and cannot see these faults)
BEHAVIOUR_ONLY = (
    "--ignore-glob=*test_operations.py",
    "--ignore-glob=*test_stateful.py",
    "--ignore-glob=*test_clients.py",
)

# what a stateful fault remembers; cleared when the mock is reset (POST /_mock/reset)
_MEMORY: dict[str, dict[str, Any]] = {}


def forget() -> None:
    _MEMORY.clear()
    _CANCELLED.clear()


def _memory(name: str) -> dict[str, Any]:
    return _MEMORY.setdefault(name, {})


def _query(exchange: Exchange) -> dict[str, str]:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(exchange.query.decode("latin-1")))


def _is_page(exchange: Exchange) -> bool:
    body = exchange.json()
    return (
        exchange.method == "GET"
        and exchange.status == 200
        and isinstance(body, dict)
        and isinstance(body.get("pagination"), dict)
    )


async def _page_size_ignored(exchange: Exchange, call: Call) -> Exchange:
    """A valid `pageSize` is ignored: every page has the default size."""
    from urllib.parse import urlencode

    query = _query(exchange)
    size = query.get("pageSize", "")
    if exchange.method == "GET" and size.isdigit() and int(size) >= 1:
        del query["pageSize"]
        exchange.query = urlencode(query).encode()
    return await call(exchange)


async def _cursor_repeats(exchange: Exchange, call: Call) -> Exchange:
    """The `after` cursor of a page reached with `after` is that same cursor again."""
    exchange = await call(exchange)
    sent = _query(exchange).get("after")
    if sent and _is_page(exchange):
        body = exchange.json()
        if body["pagination"]["after"] is not None:
            body["pagination"]["after"] = sent
            exchange.set_json(body)
    return exchange


async def _malformed_second_page(exchange: Exchange, call: Call) -> Exchange:
    """Pages reached with `after` lose their items' required `id` (the first page is fine)."""
    exchange = await call(exchange)
    if _query(exchange).get("after") and _is_page(exchange):
        body = exchange.json()
        for item in body["data"]:
            if isinstance(item, dict):
                item.pop("id", None)
        exchange.set_json(body)
    return exchange


_ACTION_READ = re.compile(r"^/(batteries|chargers|hvacs)/actions/([^/]+)$")


async def _superseded_action_pending(exchange: Exchange, call: Call) -> Exchange:
    """An action cancelled by a newer one (CONFLICT) still reads PENDING."""
    exchange = await call(exchange)
    if exchange.method == "GET" and exchange.status == 200 and _ACTION_READ.match(exchange.path):
        body = exchange.json()
        reason = (body or {}).get("failureReason") or {}
        if body.get("state") == "CANCELLED" and reason.get("type") == "CONFLICT":
            body.update(state="PENDING", failureReason=None, completedAt=None)
            exchange.set_json(body)
    return exchange


async def _cancel_not_applied(exchange: Exchange, call: Call) -> Exchange:
    """Cancelling a PENDING action answers it CANCELLED, but nothing is cancelled."""
    match = _ACTION.match(exchange.path)
    if exchange.method != "POST" or match is None or not match.group(3):
        return await call(exchange)
    read = Exchange("GET", exchange.path.removesuffix("/cancel"), b"", exchange.headers, b"")
    current = await call(read)
    body = current.json()
    if current.status != 200 or not isinstance(body, dict) or body.get("state") != "PENDING":
        return await call(exchange)
    body.update(
        state="CANCELLED",
        completedAt=body.get("updatedAt"),
        failureReason={"type": "REQUESTED_CANCELLATION", "detail": "Cancelled by request."},
    )
    current.set_json(body)
    return current


_ASSET_READ = re.compile(r"^/(batteries|chargers|hvacs|inverters|meters)/([^/]+)$")


async def _confirmed_effect_missing(exchange: Exchange, call: Call) -> Exchange:
    """An asset reads as it did the first time after a reset: no action ever changes it."""
    exchange = await call(exchange)
    if exchange.method == "GET" and exchange.status == 200 and _ASSET_READ.match(exchange.path):
        first = _memory("assets").setdefault(exchange.path, exchange.response_body)
        exchange.response_body = first
    return exchange


async def _list_get_disagree(exchange: Exchange, call: Call) -> Exchange:
    """A single asset GET reads `lastSeen` an hour later than its list item."""
    from datetime import datetime, timedelta

    exchange = await call(exchange)
    if exchange.method == "GET" and exchange.status == 200 and _ASSET_READ.match(exchange.path):
        body = exchange.json()
        if isinstance(body, dict) and isinstance(body.get("lastSeen"), str):
            seen = datetime.fromisoformat(body["lastSeen"].replace("Z", "+00:00"))
            later = (seen + timedelta(hours=1)).isoformat().replace("+00:00", "Z")
            body["lastSeen"] = later
            exchange.set_json(body)
    return exchange


_USER_LIST = re.compile(r"^/users/([^/]+)/(batteries|chargers|hvacs|inverters|meters)$")


async def _user_list_leaks(exchange: Exchange, call: Call) -> Exchange:
    """A user's asset list also holds another user's asset (the first of the full list)."""
    exchange = await call(exchange)
    match = _USER_LIST.match(exchange.path)
    if match is None or not _is_page(exchange) or _query(exchange).get("after"):
        return exchange
    everything = await call(Exchange("GET", f"/{match.group(2)}", b"", exchange.headers, b""))
    others = [
        item
        for item in (everything.json() or {}).get("data", [])
        if item.get("userId") != match.group(1)
    ]
    if others:
        body = exchange.json()
        body["data"].append(others[0])
        exchange.set_json(body)
    return exchange


_USER = re.compile(r"^/users/([^/]+)$")


async def _deleted_assets_readable(exchange: Exchange, call: Call) -> Exchange:
    """A deleted user's assets stay readable by their own GET (remembered before the
    delete)."""
    remembered = _memory("deleted-assets")
    user = _USER.match(exchange.path)
    if exchange.method == "DELETE" and user is not None:
        for kind in ("batteries", "chargers", "hvacs", "inverters", "meters"):
            listed = await call(
                Exchange("GET", f"/{kind}", b"pageSize=1000", exchange.headers, b"")
            )
            for item in (listed.json() or {}).get("data", []) if listed.status == 200 else []:
                if item.get("userId") == user.group(1):
                    remembered[f"/{kind}/{item['id']}"] = json.dumps(item).encode()
    exchange = await call(exchange)
    if exchange.method == "GET" and exchange.status == 404 and exchange.path in remembered:
        exchange.status = 200
        exchange.response_body = remembered[exchange.path]
        exchange.set_content_type("application/json")
    return exchange


async def _other_version_location(exchange: Exchange, call: Call) -> Exchange:
    """Single asset GETs also carry the older versions' `locationId` beside `location`."""
    exchange = await call(exchange)
    if exchange.method == "GET" and exchange.status == 200 and _ASSET_READ.match(exchange.path):
        body = exchange.json()
        if isinstance(body, dict) and isinstance(body.get("location"), dict):
            body["locationId"] = body["location"].get("id")
            exchange.set_json(body)
    return exchange


async def _old_version_enum_remapped(exchange: Exchange, call: Call) -> Exchange:
    """Before 2024-10-01, a battery operation mode the version does not know (IDLE, which
    it must show as null) reads SELF_RELIANCE."""
    exchange = await call(exchange)
    version = exchange.header("enode-version") or ""
    if (
        exchange.status != 200
        or not exchange.path.startswith("/batteries")
        or (version >= "2024-10-01")
    ):
        return exchange
    body = exchange.json()
    items = body.get("data", [body]) if isinstance(body, dict) else []
    changed = False
    for item in items:
        config = item.get("config") if isinstance(item, dict) else None
        if (
            isinstance(config, dict)
            and "operationMode" in config
            and config["operationMode"] is None
        ):
            config["operationMode"] = "SELF_RELIANCE"
            changed = True
    if changed:
        exchange.set_json(body)
    return exchange


async def _wrong_problem_type(exchange: Exchange, call: Call) -> Exchange:
    """404 problems say they are `bad-request` problems."""
    exchange = await call(exchange)
    body = exchange.json()
    if exchange.status == 404 and isinstance(body, dict) and "type" in body:
        body["type"] = "https://developers.enode.com/api/problems/bad-request"
        exchange.set_json(body)
    return exchange


async def _refresh_hint_always_204(exchange: Exchange, call: Call) -> Exchange:
    """A refresh hint for an unknown asset answers 204 instead of 404."""
    exchange = await call(exchange)
    if exchange.path.endswith("/refresh-hint") and exchange.status == 404:
        exchange.status = 204
        exchange.response_body = b""
        exchange.response_headers = [
            (k, v) for k, v in exchange.response_headers if k.lower() != b"content-type"
        ]
    return exchange


async def _throttled(exchange: Exchange, call: Call) -> Exchange:
    """Every 5th request is answered 429, every 7th 503, both with `Retry-After: 0`, before
    reaching the mock (a client that honours Retry-After just sends it again)."""
    counter = _memory("throttle")
    counter["n"] = counter.get("n", 0) + 1
    n = counter["n"]
    if n % 5 and n % 7:
        return await call(exchange)
    status, slug = (429, "too-many-requests") if n % 5 == 0 else (503, "service-unavailable")
    exchange.status = status
    exchange.response_headers = [(b"retry-after", b"0")]
    exchange.set_content_type("application/problem+json")
    exchange.set_json(
        {
            "type": f"https://developers.enode.com/api/problems/{slug}",
            "title": "Try again later",
            "detail": "The mock's throttled fault: retry after the Retry-After header.",
        }
    )
    return exchange


async def _passthrough(exchange: Exchange, call: Call) -> Exchange:
    return await call(exchange)


# the control: the middleware without a fault (the clean suite must pass through it)
PASSTHROUGH = Fault("passthrough", "no fault: the middleware alone", _passthrough, ())
# not a fault of the API: 429/503 answers with Retry-After that the suite must honour (the
# clean suite passes through it)
THROTTLED = Fault(
    "throttled",
    "every 5th request 429, every 7th 503, with Retry-After: 0",
    _throttled,
    (),
    BEHAVIOUR_ONLY,
)

FAULTS: dict[str, Fault] = {
    fault.name: fault
    for fault in (
        PASSTHROUGH,
        Fault(
            "missing-required-field",
            "2xx bodies lose the required `lastSeen` of every asset",
            _body_rewrite("lastSeen", lambda value: _DELETE),
            ("Response violates schema", '"lastSeen" is a required property'),
        ),
        Fault(
            "wrong-enum-value",
            "every `vendor` in 2xx bodies is 'ACME', a value no vendor enum has",
            _body_rewrite("vendor", lambda value: "ACME" if isinstance(value, str) else value),
            ("Response violates schema", '"ACME" is not one of'),
        ),
        Fault(
            "wrong-type",
            "every `isReachable` in 2xx bodies is the string 'yes' instead of a boolean",
            _body_rewrite("isReachable", lambda value: "yes" if isinstance(value, bool) else value),
            ("Response violates schema", '"yes" is not of type "boolean"'),
        ),
        Fault(
            "null-not-allowed",
            "every `userId` in 2xx bodies is null (a non-nullable string)",
            _body_rewrite("userId", lambda value: None),
            ("Response violates schema", 'null is not of type "string"'),
        ),
        Fault(
            "bad-date-time",
            "every `lastSeen` in 2xx bodies is 'yesterday' (not an RFC 3339 date-time)",
            _body_rewrite(
                "lastSeen", lambda value: "yesterday" if isinstance(value, str) else value
            ),
            ("Response violates schema", '"yesterday" is not a "date-time"'),
        ),
        Fault(
            "undocumented-status",
            "404 answers become 410 Gone, which no operation documents",
            _undocumented_status,
            ("Undocumented status code", "Received: 410"),
        ),
        Fault(
            "wrong-content-type",
            "2xx JSON answers are labelled text/plain",
            _wrong_content_type,
            ("Undocumented Content-Type", "text/plain"),
        ),
        Fault(
            "server-error-on-bad-input",
            "invalid requests get 500 instead of 400",
            _server_error_on_bad_input,
            ("Server error", "[500]"),
        ),
        Fault(
            "accepts-bad-input",
            "invalid query parameters are ignored: the request succeeds with 200",
            _accepts_bad_input,
            ("Schema-violating request accepted", "[200] OK"),
        ),
        Fault(
            "auth-not-enforced",
            "requests without a (valid) token are served",
            _no_auth,
            ("API accepts requests without authentication",),
        ),
        Fault(
            "cancelled-action-confirms",
            "an action read after its cancellation is CONFIRMED (CANCELLED is terminal)",
            _cancelled_action_confirms,
            ("EN201", "action_state_machine", "was CANCELLED and now reads CONFIRMED"),
            (*BEHAVIOUR_ONLY, "-k", "test_action_lifecycle"),
        ),
        Fault(
            "page-size-ignored",
            "a valid `pageSize` is ignored: every page has the default 50 items",
            _page_size_ignored,
            ("EN101", "pagination_page_size", "pageSize=1"),
            (*BEHAVIOUR_ONLY, "-k", "test_pagination"),
        ),
        Fault(
            "cursor-repeats",
            "the `after` cursor of a page reached with `after` is that cursor again",
            _cursor_repeats,
            ("EN102", "pagination_cursor_advances", "was already issued"),
            (*BEHAVIOUR_ONLY, "-k", "test_pagination"),
        ),
        Fault(
            "malformed-second-page",
            "pages after the first lose their items' required `id`",
            _malformed_second_page,
            ("EN107", "pagination_page_shape", '"id" is a required property'),
            (*BEHAVIOUR_ONLY, "-k", "test_pagination"),
        ),
        Fault(
            "superseded-action-pending",
            "an action cancelled by a newer one (CONFLICT) still reads PENDING",
            _superseded_action_pending,
            ("EN204", "action_superseded", "it reads PENDING"),
            (*BEHAVIOUR_ONLY, "-k", "test_action_lifecycle"),
        ),
        Fault(
            "cancel-not-applied",
            "cancelling a PENDING action answers CANCELLED but cancels nothing",
            _cancel_not_applied,
            ("EN205", "action_cancel_visible", "reads PENDING"),
            (*BEHAVIOUR_ONLY, "-k", "test_action_lifecycle"),
        ),
        Fault(
            "confirmed-effect-missing",
            "assets read as they did first after a reset: confirmed actions change nothing",
            _confirmed_effect_missing,
            ("EN207", "action_effect", "is CONFIRMED, but"),
            (*BEHAVIOUR_ONLY, "-k", "test_action_lifecycle"),
        ),
        Fault(
            "list-get-disagree",
            "a single asset GET reads `lastSeen` an hour later than the list",
            _list_get_disagree,
            ("EN301", "list_get_agree", "disagree on ['lastSeen']"),
            (*BEHAVIOUR_ONLY, "-k", "test_list_get_agree"),
        ),
        Fault(
            "user-list-leaks",
            "a user's asset list also holds another user's asset",
            _user_list_leaks,
            ("EN302", "user_list_filter", "of other users"),
            (*BEHAVIOUR_ONLY, "-k", "test_user_list_filter"),
        ),
        Fault(
            "deleted-assets-readable",
            "a deleted user's assets stay readable by their own GET",
            _deleted_assets_readable,
            ("EN303", "deleted_is_gone", "after the delete"),
            (*BEHAVIOUR_ONLY, "-k", "test_deleted_is_gone"),
        ),
        Fault(
            "other-version-location",
            "2024-10-01 asset GETs also carry the older `locationId`",
            _other_version_location,
            ("EN401", "version_shape", "than the version documents (['location'])"),
            (*BEHAVIOUR_ONLY, "-k", "test_versions"),
        ),
        Fault(
            "old-version-enum-remapped",
            "before 2024-10-01 an IDLE battery reads SELF_RELIANCE instead of null",
            _old_version_enum_remapped,
            ("EN402", "version_enum", "'SELF_RELIANCE', expected None"),
            ("--versions", "2023-08-01,2024-10-01", *BEHAVIOUR_ONLY, "-k", "test_versions"),
        ),
        Fault(
            "wrong-problem-type",
            "404 problems carry the `bad-request` type",
            _wrong_problem_type,
            ("EN503", "Problem type does not match the status", "a 404 answer's problem"),
        ),
        Fault(
            "refresh-hint-always-204",
            "a refresh hint for an unknown asset answers 204, not 404",
            _refresh_hint_always_204,
            ("EN501", "refresh_hint", "not 404"),
            (*BEHAVIOUR_ONLY, "-k", "test_refresh_hint"),
        ),
        THROTTLED,
    )
}


class FaultMiddleware:
    """Buffers each API exchange with the mock and lets the fault rewrite it."""

    def __init__(self, app: App, fault: Fault) -> None:
        self.app = app
        self.fault = fault

    async def _call(self, exchange: Exchange, scope: Scope) -> Exchange:
        sent = False

        async def receive() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": exchange.body, "more_body": False}

        answer = Exchange(
            exchange.method, exchange.path, exchange.query, exchange.headers, exchange.body
        )
        chunks: list[bytes] = []

        async def send(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer.status = int(message["status"])
                answer.response_headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        inner_scope = dict(scope)  # path and raw_path stay as sent (faults never move them)
        inner_scope.update(
            method=exchange.method,
            query_string=exchange.query,
            headers=exchange.headers,
        )
        if exchange.path != scope["path"]:
            inner_scope.update(path=exchange.path, raw_path=exchange.path.encode())
        await self.app(inner_scope, receive, send)
        answer.response_body = b"".join(chunks)
        return answer

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/_mock/reset":
            forget()
        if scope["type"] != "http" or scope["path"].startswith(("/_mock", "/oauth2")):
            await self.app(scope, receive, send)
            return
        body = b""
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        exchange = Exchange(
            scope["method"],
            scope["path"],
            scope.get("query_string", b""),
            list(scope["headers"]),
            body,
        )
        answer = await self.fault.apply(exchange, lambda ex: self._call(ex, scope))
        headers = [(k, v) for k, v in answer.response_headers if k.lower() != b"content-length"]
        headers.append((b"content-length", str(len(answer.response_body)).encode()))
        await send({"type": "http.response.start", "status": answer.status, "headers": headers})
        await send({"type": "http.response.body", "body": answer.response_body, "more_body": False})


def wrap(app: Any, name: str | None) -> Any:
    """`app` wrapped in the fault `name` (None: `app` itself)."""
    if name is None:
        return app
    if name not in FAULTS:
        raise ValueError(f"unknown fault {name!r}; known: {', '.join(FAULTS)}")
    return FaultMiddleware(app, FAULTS[name])


def main(argv: list[str] | None = None) -> int:
    """`python -m contract_tests.faults serve --fault NAME [enode-mock serve options]`."""
    from enode_codegen.mock.cli import build_config, parser

    root = parser()
    root.prog = "python -m contract_tests.faults"
    for action in root._subparsers._group_actions:  # type: ignore[union-attr]
        serve = action.choices["serve"]  # type: ignore[index]
        serve.add_argument("--fault", required=True, choices=sorted(FAULTS))
    args = root.parse_args(argv)
    import logging

    import uvicorn

    from enode_codegen.mock.app import create_app

    logging.basicConfig(level=args.log_level.upper())
    app = wrap(create_app(build_config(args)), args.fault)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)
    return 0


if __name__ == "__main__":
    sys.exit(main())
