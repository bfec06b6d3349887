"""Faults of problem types and refresh hints (caught by EN5xx)."""

from __future__ import annotations

from .wire import BEHAVIOUR_ONLY, Call, Exchange, Fault

__all__ = ["FAULTS"]


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


FAULTS = (
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
)
