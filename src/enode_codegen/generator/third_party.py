"""What a client of a third-party spec knows of it: servers, auth, variables, User-Agent.

A spec generated with `--no-enode-rules` is not Enode's (`generate.py` decides, in one
place), so its client gets nothing of Enode: this module reads the spec's `servers`,
`securitySchemes` and `security` (top-level and per operation) into the `ApiProfile` the
runtime's `_security.py` applies, and into the facts its README states.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = ["SchemeInfo", "ServerInfo", "ThirdParty", "third_party"]

_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class ServerInfo:
    url: str
    description: str
    variables: tuple[tuple[str, str, tuple[str, ...]], ...]  # (name, default, enum)

    @property
    def relative(self) -> bool:
        return "://" not in self.url


@dataclass(frozen=True)
class SchemeInfo:
    name: str
    kind: str  # bearer, basic, apiKey, oauth2, openIdConnect, unsupported
    location: str  # apiKey: header, query or cookie
    parameter: str  # apiKey: its name
    token_url: str  # oauth2 client credentials
    scopes: tuple[str, ...]
    detail: str  # what an unsupported scheme is


@dataclass(frozen=True)
class ThirdParty:
    """The rendering facts of a third-party client (see the module docstring)."""

    env_prefix: str
    servers: tuple[ServerInfo, ...]
    schemes: tuple[SchemeInfo, ...]
    security: tuple[dict[str, tuple[str, ...]], ...] | None  # top-level; None: not declared
    operation_security: dict[str, str]  # "GET /pets" -> `security=` literal, when declared

    @property
    def oauth(self) -> SchemeInfo | None:
        return next((s for s in self.schemes if s.kind == "oauth2" and s.token_url), None)

    def kinds(self) -> set[str]:
        return {s.kind for s in self.schemes}

    def profile_source(self, user_agent: str) -> str:
        """The `ApiProfile(...)` expression of the generated `_client.py`."""
        servers = "".join(
            f"Server({_py(s.url)}, {{"
            + ", ".join(
                f"{_py(name)}: ServerVariable({_py(default)}, {_tuple(enum)})"
                for name, default, enum in s.variables
            )
            + "}), "
            for s in self.servers
        )
        schemes = ", ".join(
            f"{_py(s.name)}: SecurityScheme({_py(s.kind)}"
            + (f", location={_py(s.location)}, parameter={_py(s.parameter)}" if s.parameter else "")
            + (f", token_url={_py(s.token_url)}" if s.token_url else "")
            + (f", scopes={_tuple(s.scopes)}" if s.scopes else "")
            + (f", detail={_py(s.detail)}" if s.detail else "")
            + ")"
            for s in self.schemes
        )
        security = "None" if self.security is None else _requirements(self.security)
        return (
            f"ApiProfile(env_prefix={_py(self.env_prefix)}, user_agent={_py(user_agent)}, "
            f"servers=({servers}), schemes={{{schemes}}}, security={security})"
        )


def third_party(document: dict[str, Any], package: str) -> ThirdParty:
    """The profile of `document`'s client, whose package is `package`."""
    schemes_doc = document.get("components", {}).get("securitySchemes", {})
    top = _security(document.get("security"))
    per_operation: dict[str, tuple[dict[str, tuple[str, ...]], ...]] = {}
    for path, item in (document.get("paths") or {}).items():
        for method in _METHODS:
            op = item.get(method) if isinstance(item, dict) else None
            if isinstance(op, dict) and "security" in op:
                per_operation[f"{method.upper()} {path}"] = _security(op["security"]) or ()
    scopes: dict[str, dict[str, None]] = {}
    for requirements in [top or (), *per_operation.values()]:
        for requirement in requirements:
            for name, wanted in requirement.items():
                scopes.setdefault(name, {}).update(dict.fromkeys(wanted))
    schemes = tuple(
        _scheme(name, spec, tuple(scopes.get(name, {})))
        for name, spec in schemes_doc.items()
        if isinstance(spec, dict)
    )
    return ThirdParty(
        env_prefix=package.upper(),
        servers=tuple(_server(s) for s in document.get("servers") or () if isinstance(s, dict)),
        schemes=schemes,
        security=top,
        operation_security={key: _requirements(value) for key, value in per_operation.items()},
    )


def _server(server: dict[str, Any]) -> ServerInfo:
    variables = server.get("variables") or {}
    return ServerInfo(
        url=str(server.get("url", "/")),
        description=" ".join(str(server.get("description", "")).split()),
        variables=tuple(
            (
                str(name),
                str(v.get("default", "")),
                tuple(str(e) for e in v.get("enum") or ()),
            )
            for name, v in variables.items()
            if isinstance(v, dict)
        ),
    )


def _scheme(name: str, spec: dict[str, Any], scopes: tuple[str, ...]) -> SchemeInfo:
    kind, location, parameter, token_url, detail = "unsupported", "header", "", "", ""
    scheme_type = spec.get("type")
    if scheme_type == "http":
        http = str(spec.get("scheme", "")).lower()
        kind = http if http in ("bearer", "basic") else "unsupported"
        detail = "" if kind != "unsupported" else f"HTTP {spec.get('scheme')}"
    elif scheme_type == "apiKey" and spec.get("in") in ("header", "query", "cookie"):
        kind, location, parameter = "apiKey", spec["in"], str(spec.get("name", ""))
    elif scheme_type == "oauth2":
        kind = "oauth2"
        flow = (spec.get("flows") or {}).get("clientCredentials") or {}
        token_url = str(flow.get("tokenUrl", ""))
    elif scheme_type == "openIdConnect":
        kind = "openIdConnect"
    else:
        detail = str(scheme_type)
    return SchemeInfo(name, kind, location, parameter, token_url, scopes, detail)


def _security(value: Any) -> tuple[dict[str, tuple[str, ...]], ...] | None:
    if not isinstance(value, list):
        return None
    return tuple(
        {str(name): tuple(str(s) for s in scopes or ()) for name, scopes in r.items()}
        for r in value
        if isinstance(r, dict)
    )


def _requirements(requirements: tuple[dict[str, tuple[str, ...]], ...]) -> str:
    """`({"api_key": ()}, {})`: a `security` list as a Python literal."""
    items = [
        "{" + ", ".join(f"{_py(n)}: {_tuple(s)}" for n, s in r.items()) + "}" for r in requirements
    ]
    return "(" + "".join(f"{item}, " for item in items) + ")"


def _tuple(values: tuple[str, ...]) -> str:
    return "(" + "".join(f"{_py(v)}, " for v in values) + ")"


def _py(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)
