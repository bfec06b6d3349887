"""Where a client connects and how it authenticates, from arguments then ENODE_* variables.

Each setting is taken from the first of: its argument, the `environment` argument,
its environment variable, the ENODE_ENVIRONMENT variable. Variables: ENODE_CLIENT_ID,
ENODE_CLIENT_SECRET, ENODE_ENVIRONMENT, ENODE_BASE_URL, ENODE_TOKEN_URL. Anything
missing is reported at construction, all at once, by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ._auth import ClientCredentials
from ._errors import ConfigurationError
from ._secret import Secret

__all__ = ["ENVIRONMENTS", "Environment", "Settings", "resolve_settings"]


@dataclass(frozen=True)
class Environment:
    """The API and token URLs of one Enode environment."""

    base_url: str
    token_url: str


ENVIRONMENTS: Mapping[str, Environment] = {
    "production": Environment(
        base_url="https://enode-api.production.enode.io",
        token_url="https://oauth.production.enode.io/oauth2/token",
    ),
    "sandbox": Environment(
        base_url="https://enode-api.sandbox.enode.io",
        token_url="https://oauth.sandbox.enode.io/oauth2/token",
    ),
}


@dataclass(frozen=True)
class Settings:
    """The resolved connection settings of a client (exactly one of the two auth fields)."""

    base_url: str
    environment: str | None
    credentials: ClientCredentials | None
    access_token: Secret | None


def resolve_settings(
    *,
    client_id: str | None,
    client_secret: str | None,
    access_token: str | None,
    environment: str | None,
    base_url: str | None,
    token_url: str | None,
    env: Mapping[str, str],
    environments: Mapping[str, Environment] = ENVIRONMENTS,
) -> Settings:
    """Settings from the arguments and `env`, or ConfigurationError naming what is missing."""

    def known(name: str | None, source: str) -> Environment | None:
        if name is None:
            return None
        if name not in environments:
            choices = ", ".join(repr(n) for n in environments)
            raise ConfigurationError(f"unknown {source} {name!r}; expected one of {choices}")
        return environments[name]

    env_name = env.get("ENODE_ENVIRONMENT") or None
    chosen, from_env = known(environment, "environment"), known(env_name, "ENODE_ENVIRONMENT")
    missing: list[str] = []

    base = _first(
        base_url,
        chosen.base_url if chosen else None,
        env.get("ENODE_BASE_URL"),
        from_env.base_url if from_env else None,
    )
    if not base:
        missing.append(
            "the API URL: pass environment='sandbox' or 'production' (or set ENODE_ENVIRONMENT), "
            "or base_url= (or set ENODE_BASE_URL)"
        )
    credentials = None
    if access_token:
        if client_id or client_secret:
            raise ConfigurationError("pass either access_token or client_id/client_secret")
    else:
        cid = client_id or env.get("ENODE_CLIENT_ID")
        secret = client_secret or env.get("ENODE_CLIENT_SECRET")
        tokens = _first(
            token_url,
            chosen.token_url if chosen else None,
            env.get("ENODE_TOKEN_URL"),
            from_env.token_url if from_env else None,
        )
        if not cid:
            missing.append("client_id (pass client_id= or set ENODE_CLIENT_ID)")
        if not secret:
            missing.append("client_secret (pass client_secret= or set ENODE_CLIENT_SECRET)")
        if base and not tokens:
            missing.append("token_url (pass token_url= or environment=, or set ENODE_TOKEN_URL)")
        if cid and secret and tokens:
            credentials = ClientCredentials(cid, Secret(secret), tokens)
    if missing or not base:
        raise ConfigurationError(
            "cannot create the Enode client, missing:\n  - " + "\n  - ".join(missing)
        )
    return Settings(
        base_url=base,
        environment=environment or env_name,
        credentials=credentials,
        access_token=Secret(access_token) if access_token else None,
    )


def _first(*values: str | None) -> str | None:
    return next((value for value in values if value), None)
