"""What generated code asks for, and the `httpx.Request` that carries it.

`make_call` resolves a method, a path template and `RequestArgs` against the client
configuration into a `Call`; `build_request` turns a `Call` plus a bearer token into
the request that is sent. Parameters are serialised in their OpenAPI style (`_params.py`:
None dropped, enums sent as their value, datetimes as ISO 8601, booleans as
`true`/`false`), JSON bodies dumped by alias without unset fields, other media types
encoded once per call (`_encoding.py`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypedDict
from urllib.parse import quote, urlencode

import httpx
from pydantic_core import to_jsonable_python

from ._encoding import encode_body
from ._errors import ConfigurationError
from ._params import ParamStyle, Styles, cookie_header, expand_path, header_values, query_string
from ._params import scalar as query_value
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
    cookies: Mapping[str, object]  # cookie parameters by wire name; None values are dropped
    styles: Styles  # location -> wire name -> (style, explode, allowReserved), when not default
    json_body: object  # a pydantic model, or a dict (None values at the top level dropped)
    body: object  # a body of another media type: `content_type`, encoded by `_encoding.py`
    content_type: str  # the media type of `body` (or of `json_body`: `application/json`)
    part_types: Mapping[str, str]  # multipart: property -> the part's declared Content-Type
    form_styles: Mapping[str, ParamStyle]  # x-www-form-urlencoded: property -> its style
    accept: str  # the media type of a successful response, when it is not JSON
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
    url: str  # with the query string, already encoded
    headers: httpx.Headers  # all but Authorization
    json_body: object  # already JSON-compatible; None: no JSON body
    timeout: httpx.Timeout
    max_retries: int
    idempotent: bool
    error_models: Mapping[int, object]
    content: bytes | None = None  # a body of another media type (its Content-Type in headers)
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
            "Accept": args.get("accept", "application/json"),
            "User-Agent": config.user_agent or f"enode-python (Enode-Version {config.api_version})",
        }
    )
    extra_headers = options.get("extra_headers", {})
    if config.api_version:
        check_version_header(extra_headers, config.api_version, "extra_headers")
    styles = args.get("styles") or {}
    parameters = header_values(args.get("headers") or {}, styles)
    for layer in (config.default_headers, parameters, extra_headers):
        for name, value in layer.items():
            headers[name] = value  # case-insensitive: replaces any earlier spelling
    cookie = cookie_header(args.get("cookies") or {}, styles)
    if cookie is not None:
        headers["Cookie"] = "; ".join(filter(None, (headers.get("Cookie"), cookie)))
    if config.api_version:  # a third-party client has none
        headers["Enode-Version"] = config.api_version
    auth = Auth()
    if config.authorizer is not None:
        auth = config.authorizer.auth_for(args.get("security"), f"{method} {path}")
    query = "&".join(
        [
            *query_string(args.get("params") or {}, styles),
            *query_string(options.get("extra_query", {})),
        ]
    )
    url = config.base_url.rstrip("/") + expand_path(path, args.get("path_params") or {}, styles)
    body = args.get("json_body")
    if body is not None and "content_type" in args:  # e.g. application/merge-patch+json
        headers["Content-Type"] = args["content_type"]
    content = None
    if args.get("body") is not None:
        content, headers["Content-Type"] = encode_body(
            args.get("content_type", "application/octet-stream"),
            args.get("body"),
            part_types=args.get("part_types"),
            styles=args.get("form_styles"),
        )
    return Call(
        method=method,
        url=f"{url}?{query}" if query else url,
        headers=headers,
        json_body=None if body is None else jsonable(body, top_level=True),
        content=content,
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
    url = call.url
    if call.auth.params:  # an apiKey in the query, after the call's own parameters
        query = urlencode(call.auth.params, quote_via=quote)
        url = f"{url}{'&' if '?' in url else '?'}{query}"
    return httpx.Request(
        call.method,
        url,
        headers=headers,
        json=call.json_body,
        content=call.content,
        extensions={"timeout": call.timeout.as_dict()},
    )


def jsonable(value: object, *, top_level: bool = False) -> Any:
    """A JSON-compatible copy of a body: models by alias without unset fields."""
    if is_model(value):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items() if not (top_level and v is None)}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return to_jsonable_python(value)
