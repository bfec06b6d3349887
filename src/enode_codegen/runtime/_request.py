"""What generated code asks for, and the `httpx.Request` that carries it.

`make_call` resolves a method, a path template and `RequestArgs` against the client
configuration into a `Call`; `build_request` turns a `Call` plus a bearer token into
the request that is sent. Values are serialised here: path parameters are URL-quoted,
None query parameters dropped, enums sent as their value, datetimes as ISO 8601,
booleans as `true`/`false`, and pydantic bodies dumped by alias without unset fields.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from enum import Enum
from typing import Any, TypedDict
from urllib.parse import quote

import httpx
from pydantic_core import to_jsonable_python

from ._errors import ConfigurationError
from ._retry import Backoff
from ._security import Auth, Authorizer, Requirement
from ._strict import is_model

__all__ = [
    "Call",
    "ClientConfig",
    "RequestArgs",
    "RequestOptions",
    "build_request",
    "check_version_header",
    "jsonable",
    "make_call",
    "query_value",
]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_PATH_PARAM = re.compile(r"\{([^{}]+)\}")


class RequestOptions(TypedDict, total=False):
    """Per-call overrides, passed as `options=` to any operation."""

    timeout: float | httpx.Timeout  # seconds, or an httpx.Timeout
    max_retries: int
    extra_headers: Mapping[str, str]
    extra_query: Mapping[str, object]


class RequestArgs(TypedDict, total=False):
    """The keyword arguments of `request()` / `request_page()` besides `cast_to`/`item_type`."""

    path_params: Mapping[str, object]  # values for the `{name}`s of the path template
    params: Mapping[str, object]  # query parameters by wire name; None values are dropped
    headers: Mapping[str, object]  # header parameters by wire name; None values are dropped
    json_body: object  # a pydantic model, or a dict (None values at the top level dropped)
    idempotent: bool  # default: True for GET/HEAD/OPTIONS/PUT/DELETE, False otherwise
    error_models: Mapping[int, object]  # status -> type of a non-problem error body
    options: RequestOptions | None
    timeout: float | httpx.Timeout | None  # shorthand for options={"timeout": ...}
    security: Sequence[Requirement]  # third-party clients: the operation's own `security`


@dataclass(frozen=True)
class ClientConfig:
    """Everything about a client that a call needs; `with_options` replaces fields."""

    base_url: str
    api_version: str
    timeout: httpx.Timeout
    max_retries: int
    backoff: Backoff
    strict: bool
    default_headers: Mapping[str, str] = field(default_factory=dict)
    user_agent: str = ""  # "": Enode's, naming the Enode-Version
    authorizer: Authorizer | None = None  # a third-party client's; None: Enode's bearer token


@dataclass(frozen=True)
class Call:
    """One API call with every option resolved; the input of the request lifecycle."""

    method: str
    url: str
    params: Sequence[tuple[str, str]]
    headers: httpx.Headers  # all but Authorization
    json_body: object  # already JSON-compatible; None: no body
    timeout: httpx.Timeout
    max_retries: int
    idempotent: bool
    error_models: Mapping[int, object]
    auth: Auth = field(default_factory=Auth)


def check_version_header(headers: Mapping[str, str], api_version: str, where: str) -> None:
    """Raise ConfigurationError when `headers` ask for another Enode-Version than the one
    the client's models were generated for (the same version is accepted)."""
    for name, value in headers.items():
        if name.lower() == "enode-version" and value.strip() != api_version:
            raise ConfigurationError(
                f"{where} sets Enode-Version {value!r}, but this client is generated for "
                f"Enode-Version {api_version!r} and sends it on every request (its models "
                f"describe that version only); use the client package of {value.strip()!r}, "
                f"or drop the header"
            )


def make_call(method: str, path: str, args: RequestArgs, config: ClientConfig) -> Call:
    """Resolve what generated code passed into a `Call`."""
    method = method.upper()
    options: RequestOptions = args.get("options") or {}
    timeout = args.get("timeout")
    if timeout is None:
        timeout = options.get("timeout", config.timeout)
    headers = httpx.Headers(
        {
            "Accept": "application/json",
            "User-Agent": config.user_agent or f"enode-python (Enode-Version {config.api_version})",
        }
    )
    extra_headers = options.get("extra_headers", {})
    if config.api_version:
        check_version_header(extra_headers, config.api_version, "extra_headers")
    for layer in (config.default_headers, _flat(args.get("headers") or {}), extra_headers):
        for name, value in layer.items():
            headers[name] = value  # case-insensitive: replaces any earlier spelling
    if config.api_version:  # a third-party client has none
        headers["Enode-Version"] = config.api_version
    auth = Auth()
    if config.authorizer is not None:
        auth = config.authorizer.auth_for(args.get("security"), f"{method} {path}")
    params = [*query_items(args.get("params") or {}), *query_items(options.get("extra_query", {}))]
    body = args.get("json_body")
    return Call(
        method=method,
        url=config.base_url.rstrip("/") + expand_path(path, args.get("path_params") or {}),
        params=params,
        headers=headers,
        json_body=None if body is None else jsonable(body, top_level=True),
        timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
        max_retries=options.get("max_retries", config.max_retries),
        idempotent=args.get("idempotent", method in IDEMPOTENT_METHODS),
        error_models=args.get("error_models") or {},
        auth=auth,
    )


def build_request(call: Call, token: str | None) -> httpx.Request:
    """The request for `call`, authorised with `token` (a bearer token, if the call's auth
    asks for one) and the call's fixed credentials."""
    headers = httpx.Headers(call.headers)
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    headers.update(call.auth.headers)
    if call.auth.cookies:
        cookies = "; ".join(f"{name}={value}" for name, value in call.auth.cookies)
        headers["Cookie"] = "; ".join(filter(None, (headers.get("Cookie"), cookies)))
    return httpx.Request(
        call.method,
        call.url,
        params=[*call.params, *call.auth.params],
        headers=headers,
        json=call.json_body,
        extensions={"timeout": call.timeout.as_dict()},
    )


def expand_path(template: str, values: Mapping[str, object]) -> str:
    """`/batteries/{batteryId}` with each `{name}` replaced by its URL-quoted value."""

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values or values[name] is None:
            raise ValueError(f"missing path parameter {name!r} for {template}")
        text = query_value(values[name])
        if not text:
            raise ValueError(f"path parameter {name!r} must not be empty")
        return quote(text, safe="")

    return _PATH_PARAM.sub(substitute, template)


def query_items(params: Mapping[str, object]) -> list[tuple[str, str]]:
    """Query pairs; None is dropped and a list repeats its key."""
    items: list[tuple[str, str]] = []
    for name, value in params.items():
        for one in value if isinstance(value, list | tuple) else [value]:
            if one is not None:
                items.append((name, query_value(one)))
    return items


def query_value(value: object) -> str:
    """One value as it appears in a path or query string."""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def jsonable(value: object, *, top_level: bool = False) -> Any:
    """A JSON-compatible copy of a body: models by alias without unset fields."""
    if is_model(value):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items() if not (top_level and v is None)}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return to_jsonable_python(value)


def _flat(headers: Mapping[str, object]) -> dict[str, str]:
    return {name: query_value(value) for name, value in headers.items() if value is not None}
