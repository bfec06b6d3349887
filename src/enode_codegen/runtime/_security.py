"""Clients of third-party specs: where they connect and how each call authenticates.

A client generated from a spec that is not Enode's carries an `ApiProfile`: the spec's
`servers`, its `securitySchemes`, its top-level `security`, the prefix of its environment
variables (the package name, upper case) and its User-Agent. Nothing of Enode applies to
it: no environments, no Enode-Version, no ENODE_* variables.

- Base URL: `base_url=`, else `<PREFIX>_BASE_URL`, else the spec's first server with its
  `{variables}` filled from `server_variables=` or their defaults (checked against `enum`).
  A relative server URL is relative to wherever the spec is served, which the client
  cannot know: it asks for `base_url=` then.
- Credentials, each an argument or its variable: `access_token` (http bearer, or an OAuth2
  / OpenID Connect token you already have), `api_key` (every apiKey scheme; a mapping
  scheme name -> key when they differ), `username` + `password` (http basic), `client_id` +
  `client_secret` (OAuth2 client credentials at the scheme's `tokenUrl`, or `token_url=`;
  `scopes=` defaults to every scope the spec asks of that scheme).
- Each call takes the operation's `security` (else the spec's) and uses the first
  alternative whose schemes all have credentials; `security: []` sends none. A call no
  alternative fits raises ConfigurationError naming what to pass.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urljoin

from ._auth import ClientCredentials
from ._errors import ConfigurationError
from ._secret import Secret

__all__ = [
    "ApiProfile",
    "Auth",
    "Authorizer",
    "SecurityScheme",
    "Server",
    "ServerVariable",
    "resolve_authorizer",
    "resolve_base_url",
]

Requirement = Mapping[str, Sequence[str]]  # scheme name -> scopes
_VARIABLE = re.compile(r"\{([^{}]+)\}")


@dataclass(frozen=True)
class ServerVariable:
    default: str
    enum: tuple[str, ...] = ()


@dataclass(frozen=True)
class Server:
    url: str
    variables: Mapping[str, ServerVariable] = field(default_factory=dict)


@dataclass(frozen=True)
class SecurityScheme:
    """One entry of `securitySchemes`. `kind`: "bearer", "basic", "apiKey", "oauth2",
    "openIdConnect" or "unsupported" (`detail` says what it is)."""

    kind: Literal["bearer", "basic", "apiKey", "oauth2", "openIdConnect", "unsupported"]
    location: Literal["header", "query", "cookie"] = "header"  # apiKey
    parameter: str = ""  # apiKey: the header, query or cookie name
    token_url: str = ""  # oauth2: the clientCredentials flow's tokenUrl ("" without that flow)
    scopes: tuple[str, ...] = ()  # oauth2: every scope the spec's requirements ask of it
    detail: str = ""


@dataclass(frozen=True)
class ApiProfile:
    """What a third-party client knows of its spec (rendered into the generated package)."""

    env_prefix: str  # "PET_SHOP_CLIENT": PET_SHOP_CLIENT_API_KEY, ...
    user_agent: str
    servers: tuple[Server, ...] = ()
    schemes: Mapping[str, SecurityScheme] = field(default_factory=dict)
    security: tuple[Requirement, ...] | None = None  # the spec's top-level `security`


@dataclass(frozen=True)
class Auth:
    """How one request is authorised: fixed parts, plus a fetched OAuth2 token if `token`."""

    headers: Mapping[str, str] = field(default_factory=dict)
    params: tuple[tuple[str, str], ...] = ()
    cookies: tuple[tuple[str, str], ...] = ()
    token: bool = True  # Enode's clients: every call carries the client's bearer token


NO_AUTH = Auth(token=False)


def resolve_base_url(
    profile: ApiProfile,
    base_url: str | None,
    variables: Mapping[str, str] | None,
    env: Mapping[str, str],
) -> str:
    """`base_url`, else <PREFIX>_BASE_URL, else the first server with its variables filled."""
    chosen = base_url or env.get(f"{profile.env_prefix}_BASE_URL")
    if chosen:
        return chosen
    servers = profile.servers or (Server("/"),)  # OpenAPI: no servers means "/"
    server = servers[0]
    given = dict(variables or {})
    unknown = sorted(set(given) - set(server.variables))
    if unknown:
        known = ", ".join(sorted(server.variables)) or "none"
        raise ConfigurationError(
            f"server_variables: unknown {', '.join(map(repr, unknown))} for server "
            f"{server.url!r} (its variables: {known})"
        )

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        variable = server.variables.get(name)
        if variable is None:  # the spec names a variable it does not declare
            raise ConfigurationError(
                f"the server URL {server.url!r} uses {{{name}}}, which its variables do not "
                f"declare; pass base_url="
            )
        value = given.get(name, variable.default)
        if variable.enum and value not in variable.enum:
            choices = ", ".join(map(repr, variable.enum))
            raise ConfigurationError(
                f"server variable {name!r} is {value!r}; expected one of {choices}"
            )
        return value

    url = _VARIABLE.sub(fill, server.url)
    if "://" not in url:
        raise ConfigurationError(
            f"the spec's server URL {url!r} is relative to wherever the spec is served, which "
            f"this client cannot know; pass base_url='https://<host>{url.rstrip('/')}' "
            f"(or set {profile.env_prefix}_BASE_URL)"
        )
    return url


@dataclass(frozen=True)
class _Given:
    access_token: Secret | None
    api_keys: Mapping[str, Secret]  # scheme name -> key
    api_key_all: Secret | None
    username: str | None
    password: Secret | None
    oauth_scheme: str | None  # the scheme the client-credentials token is for


@dataclass(frozen=True)
class Authorizer:
    """A third-party client's credentials: picks and applies a `security` alternative."""

    profile: ApiProfile
    given: _Given

    def auth_for(self, security: Sequence[Requirement] | None, operation: str) -> Auth:
        """The auth of a call to `operation` ("GET /pets") whose `security` is given (None:
        the operation declares none, so the spec's top-level one applies)."""
        requirements = self.profile.security if security is None else tuple(security)
        if requirements is None:
            if not self.profile.schemes and self.given.access_token is not None:
                # the spec declares no auth at all; a token the caller passed is sent anyway
                return Auth(headers=_bearer(self.given.access_token), token=False)
            return NO_AUTH
        if not requirements:
            return NO_AUTH
        for requirement in requirements:
            auth = self._apply(requirement)
            if auth is not None:
                return auth
        raise ConfigurationError(
            f"{operation} needs credentials, one of:\n  - "
            + "\n  - ".join(self._describe(r) for r in requirements)
        )

    def _apply(self, requirement: Requirement) -> Auth | None:
        headers: dict[str, str] = {}
        params: list[tuple[str, str]] = []
        cookies: list[tuple[str, str]] = []
        token = False
        for name in requirement:
            scheme = self.profile.schemes.get(name)
            given = self.given
            if scheme is None:
                return None
            if scheme.kind == "apiKey":
                key = given.api_keys.get(name) or given.api_key_all
                if key is None:
                    return None
                pair = (scheme.parameter, key.get_secret_value())
                if scheme.location == "header":
                    headers[scheme.parameter] = pair[1]
                else:
                    (params if scheme.location == "query" else cookies).append(pair)
            elif scheme.kind == "basic":
                if given.username is None or given.password is None:
                    return None
                pair_text = f"{given.username}:{given.password.get_secret_value()}"
                headers["Authorization"] = "Basic " + base64.b64encode(pair_text.encode()).decode(
                    "ascii"
                )
            elif scheme.kind in ("bearer", "oauth2", "openIdConnect"):
                if name == given.oauth_scheme:
                    token = True
                elif given.access_token is not None:
                    headers.update(_bearer(given.access_token))
                else:
                    return None
            else:
                return None
        return Auth(headers=headers, params=tuple(params), cookies=tuple(cookies), token=token)

    def _describe(self, requirement: Requirement) -> str:
        if not requirement:
            return "no credentials"
        return " and ".join(self._describe_scheme(name) for name in requirement)

    def _describe_scheme(self, name: str) -> str:
        scheme = self.profile.schemes.get(name)
        env = self.profile.env_prefix
        if scheme is None:
            return f"{name!r} (not in the spec's securitySchemes)"
        if scheme.kind == "apiKey":
            where = f"{scheme.location} {scheme.parameter!r}"
            return f"{name!r} (API key in {where}): pass api_key= or set {env}_API_KEY"
        if scheme.kind == "basic":
            return (
                f"{name!r} (HTTP basic): pass username= and password= "
                f"or set {env}_USERNAME and {env}_PASSWORD"
            )
        if scheme.kind == "oauth2" and scheme.token_url:
            return (
                f"{name!r} (OAuth2 client credentials): pass client_id= and client_secret= "
                f"or set {env}_CLIENT_ID and {env}_CLIENT_SECRET; or access_token="
            )
        if scheme.kind in ("bearer", "oauth2", "openIdConnect"):
            return f"{name!r} ({scheme.kind}): pass access_token= or set {env}_ACCESS_TOKEN"
        return f"{name!r} ({scheme.detail}: not supported; send it with default_headers=)"


def resolve_authorizer(
    profile: ApiProfile,
    *,
    base_url: str,
    access_token: str | None,
    api_key: str | Mapping[str, str] | None,
    username: str | None,
    password: str | None,
    client_id: str | None,
    client_secret: str | None,
    token_url: str | None,
    scopes: Sequence[str] | None,
    env: Mapping[str, str],
) -> tuple[Authorizer, ClientCredentials | None]:
    """The authorizer and, when client credentials are given, the OAuth2 client whose
    tokens calls need; from the arguments, then <PREFIX>_* variables."""
    prefix = profile.env_prefix

    def read(value: str | None, variable: str) -> str | None:
        return value or env.get(f"{prefix}_{variable}") or None

    token = read(access_token, "ACCESS_TOKEN")
    cid, secret = read(client_id, "CLIENT_ID"), read(client_secret, "CLIENT_SECRET")
    keys: dict[str, Secret] = {}
    key_all = None
    if isinstance(api_key, Mapping):
        unknown = sorted(k for k in api_key if profile.schemes.get(k, _NONE).kind != "apiKey")
        if unknown:
            raise ConfigurationError(
                f"api_key names {', '.join(map(repr, unknown))}, not apiKey schemes of this API"
            )
        keys = {name: Secret(value) for name, value in api_key.items()}
    elif key := read(api_key, "API_KEY"):
        key_all = Secret(key)
    user, password = read(username, "USERNAME"), read(password, "PASSWORD")
    _refuse_unused(profile, token, key_all or keys, user or password, cid or secret)
    oauth = next(
        (n for n, s in profile.schemes.items() if s.kind == "oauth2" and s.token_url), None
    )
    credentials = None
    if cid or secret:
        if oauth is None:
            raise ConfigurationError(
                "client_id/client_secret: this API declares no OAuth2 client-credentials scheme"
            )
        if not (cid and secret):
            missing = "client_secret" if cid else "client_id"
            variable = f"{prefix}_{missing.upper()}"
            raise ConfigurationError(f"{missing} is missing (pass {missing}= or set {variable})")
        url = read(token_url, "TOKEN_URL") or _join(base_url, profile.schemes[oauth].token_url)
        wanted = tuple(scopes) if scopes is not None else profile.schemes[oauth].scopes
        credentials = ClientCredentials(cid, Secret(secret), url, wanted, profile.user_agent)
    given = _Given(
        access_token=Secret(token) if token else None,
        api_keys=keys,
        api_key_all=key_all,
        username=user,
        password=Secret(password) if password else None,
        oauth_scheme=oauth if credentials else None,
    )
    return Authorizer(profile, given), credentials


_NONE = SecurityScheme("unsupported")


def _refuse_unused(profile: ApiProfile, *given: object) -> None:
    """A credential no scheme of the API takes is a mistake, said at construction."""
    kinds = {s.kind for s in profile.schemes.values()}
    takes = (
        ("access_token", bool(kinds & {"bearer", "oauth2", "openIdConnect"}) or not kinds),
        ("api_key", "apiKey" in kinds),
        ("username/password", "basic" in kinds),
        ("client_id/client_secret", True),  # checked with the token URL
    )
    for value, (option, accepted) in zip(given, takes, strict=True):
        if value and not accepted:
            declared = ", ".join(f"{n} ({s.kind})" for n, s in profile.schemes.items())
            raise ConfigurationError(
                f"{option} given, but this API has no scheme that takes it "
                f"(its securitySchemes: {declared})"
            )


def _join(base_url: str, url: str) -> str:
    """A token URL relative to the server URL, as OpenAPI resolves relative references."""
    return url if "://" in url else urljoin(base_url.rstrip("/") + "/", url)


def _bearer(token: Secret) -> dict[str, str]:
    return {"Authorization": f"Bearer {token.get_secret_value()}"}
