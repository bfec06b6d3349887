"""OAuth 2.0 client credentials: the token endpoint and bearer-token checks.

`POST /oauth2/token` with HTTP Basic `client_id:client_secret` (or the two as form
fields) and the form body `grant_type=client_credentials` answers
`{access_token, expires_in, scope: "", token_type: "bearer"}`. Wrong credentials answer
401 `{"error": "invalid_client"}` (OAuth's error format, not a problem document). Every
API operation that declares `security` needs `Authorization: Bearer <token>` with a token
that has not expired (on the mock's clock); otherwise 401 problem+json. Where `security`
also lists `{}` (the vendor health reads and `/integrations`: Enode's documents disagree on
whether they need a token), the token is optional, and checked only when sent.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import secrets
import threading
from dataclasses import dataclass
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response

from .clock import Clock
from .problems import ProblemError, json_response

__all__ = ["TokenStore", "token_endpoint"]

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@dataclass
class _Token:
    client_id: str
    expires_at: float


class TokenStore:
    """Issued bearer tokens and the clients allowed to get one."""

    def __init__(self, clients: dict[str, str], ttl: float, clock: Clock) -> None:
        self.clients = dict(clients)
        self.ttl = ttl
        self.clock = clock
        self._tokens: dict[str, _Token] = {}
        self._lock = threading.Lock()

    def authenticate(self, client_id: str, secret: str) -> bool:
        expected = self.clients.get(client_id)
        return expected is not None and hmac.compare_digest(expected.encode(), secret.encode())

    def issue(self, client_id: str) -> tuple[str, int]:
        token = secrets.token_urlsafe(32)
        now = self.clock.time()
        with self._lock:
            if len(self._tokens) > 10_000:  # forget expired tokens now and then
                self._tokens = {k: t for k, t in self._tokens.items() if t.expires_at > now}
            self._tokens[token] = _Token(client_id, now + self.ttl)
        return token, int(self.ttl)

    def expire_all(self) -> None:
        with self._lock:
            self._tokens.clear()

    def check(self, authorization: str | None) -> str:
        """The client ID behind a valid `Authorization: Bearer` header; else a 401 problem."""
        challenge = {"WWW-Authenticate": 'Bearer realm="enode-mock"'}
        if not authorization:
            raise ProblemError(
                401,
                "Missing access token: send 'Authorization: Bearer <token>' with a token from "
                "POST /oauth2/token.",
                headers=challenge,
            )
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ProblemError(
                401,
                f"The Authorization header must use the Bearer scheme, not {scheme[:20]!r}.",
                headers=challenge,
            )
        entry = self._tokens.get(token.strip())
        if entry is None:
            raise ProblemError(401, "The access token is invalid.", headers=challenge)
        if entry.expires_at <= self.clock.time():
            raise ProblemError(
                401, "The access token has expired; fetch a new one.", headers=challenge
            )
        return entry.client_id


def _oauth_error(
    status: int, error: str, description: str, headers: dict[str, str] | None = None
) -> Response:
    return json_response(
        status,
        {"error": error, "error_description": description},
        headers={**_NO_STORE, **(headers or {})},
    )


def _basic(header: str | None) -> tuple[str, str] | None:
    if not header:
        return None
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, colon, secret = decoded.partition(":")
    return (client_id, secret) if colon else None


async def token_endpoint(request: Request, store: TokenStore, max_body: int) -> Response:
    if request.method != "POST":
        return _oauth_error(405, "invalid_request", "Use POST.", {"Allow": "POST"})
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/x-www-form-urlencoded":
        return _oauth_error(
            400,
            "invalid_request",
            "Send the form body grant_type=client_credentials "
            "as application/x-www-form-urlencoded.",
        )
    raw = await request.body()
    if len(raw) > max_body:
        return _oauth_error(413, "invalid_request", "The request body is too large.")
    try:
        form = {k: v[-1] for k, v in parse_qs(raw.decode("utf-8"), keep_blank_values=True).items()}
    except UnicodeDecodeError:
        return _oauth_error(400, "invalid_request", "The form body is not UTF-8.")
    credentials = _basic(request.headers.get("authorization"))
    if credentials is None and "client_id" in form:
        credentials = (form["client_id"], form.get("client_secret", ""))
    if credentials is None:
        return _oauth_error(
            401,
            "invalid_client",
            "Client authentication failed: no client credentials were sent; send HTTP Basic "
            "client_id:client_secret.",
            {"WWW-Authenticate": 'Basic realm="enode-mock"'},
        )
    if not store.authenticate(*credentials):
        return _oauth_error(
            401,
            "invalid_client",
            f"Client authentication failed: the client credentials for client_id "
            f"{credentials[0][:80]!r} were refused (unknown client or wrong secret).",
            {"WWW-Authenticate": 'Basic realm="enode-mock"'},
        )
    grant = form.get("grant_type")
    if grant is None:
        return _oauth_error(400, "invalid_request", "grant_type is required.")
    if grant != "client_credentials":
        return _oauth_error(
            400, "unsupported_grant_type", f"grant_type {grant[:40]!r} is not supported."
        )
    token, expires_in = store.issue(credentials[0])
    return json_response(
        200,
        {"access_token": token, "expires_in": expires_in, "scope": "", "token_type": "bearer"},
        headers=_NO_STORE,
    )
