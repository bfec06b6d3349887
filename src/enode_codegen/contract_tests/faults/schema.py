"""Faults that break the response schema, status codes, content types, input validation or
authentication: schemathesis's own checks catch them (test_operations.py)."""

from __future__ import annotations

import base64
import json
from collections.abc import Awaitable, Callable
from typing import Any

from enode_codegen.mock.config import DEFAULT_CLIENTS

from .wire import DELETE, Call, Exchange, Fault

__all__ = ["FAULTS"]


def _walk(value: Any, key: str, change: Callable[[Any], Any]) -> bool:
    """Apply `change` to every `key` entry of every object in `value`; True if any."""
    changed = False
    if isinstance(value, dict):
        for k in list(value):
            if k == key:
                new = change(value[k])
                if new is DELETE:
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


async def _no_auth(exchange: Exchange, call: Call) -> Exchange:
    """Requests without a valid token are served as if they had one."""
    answered = await call(exchange)
    if answered.status != 401:
        return answered
    token = call.memory("auth").get("token")
    if token is None:
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
        token = json.loads(token_answer.response_body)["access_token"]
        call.memory("auth")["token"] = token
    headers = [(k, v) for k, v in exchange.headers if k.lower() != b"authorization"]
    headers.append((b"authorization", f"Bearer {token}".encode()))
    retry = Exchange(exchange.method, exchange.path, exchange.query, headers, exchange.body)
    return await call(retry)


FAULTS = (
    Fault(
        "missing-required-field",
        "2xx bodies lose the required `lastSeen` of every asset",
        _body_rewrite("lastSeen", lambda value: DELETE),
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
        _body_rewrite("lastSeen", lambda value: "yesterday" if isinstance(value, str) else value),
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
)
