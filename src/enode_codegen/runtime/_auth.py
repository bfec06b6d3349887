"""Bearer tokens: OAuth2 client credentials, fetched lazily and cached until near expiry.

`TokenProvider.current()` answers from the cache without IO. When it has nothing
usable, the driver takes its lock (threading.Lock or asyncio.Lock), asks again (another
caller may have fetched meanwhile) and only then runs `TokenProvider.fetch()`, a flow
that POSTs the token URL. So concurrent callers cause exactly one token request. A
token the API rejected with 401 is passed as `rejected` and never handed out again.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from pydantic_core import ValidationError

from ._errors import ResponseValidationError
from ._flow import Flow
from ._log import logger
from ._parse import status_error
from ._retry import Backoff, send_with_retries
from ._secret import Secret

__all__ = ["ClientCredentials", "TokenProvider"]

REFRESH_MARGIN = 60.0  # seconds before expiry at which a cached token is replaced


@dataclass(frozen=True)
class ClientCredentials:
    """An OAuth2 client of the API; the secret never shows in repr."""

    client_id: str
    client_secret: Secret
    token_url: str
    scopes: tuple[str, ...] = ()  # sent as `scope` when there are any
    user_agent: str = ""  # a third-party client's User-Agent, sent with the token request too

    def token_request(self, timeout: httpx.Timeout) -> httpx.Request:
        """The client-credentials grant: HTTP Basic client_id:client_secret, form body."""
        pair = f"{self.client_id}:{self.client_secret.get_secret_value()}".encode()
        return httpx.Request(
            "POST",
            self.token_url,
            headers={
                "Authorization": "Basic " + base64.b64encode(pair).decode("ascii"),
                "Accept": "application/json",
            }
            | ({"User-Agent": self.user_agent} if self.user_agent else {}),
            data={"grant_type": "client_credentials"}
            | ({"scope": " ".join(self.scopes)} if self.scopes else {}),
            extensions={"timeout": timeout.as_dict()},
        )


@dataclass(frozen=True)
class _Token:
    value: str = field(repr=False)
    refresh_at: float  # on the provider's clock


class TokenProvider:
    """Hands out the bearer token: the caller's fixed token, or a cached client-credentials one
    (neither: a third-party client whose calls never need one)."""

    def __init__(
        self,
        credentials: ClientCredentials | None = None,
        access_token: Secret | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if credentials is not None and access_token is not None:
            raise ValueError("pass credentials or access_token, not both")
        self.credentials = credentials
        self._clock = clock
        self._token = (
            _Token(access_token.get_secret_value(), float("inf")) if access_token else None
        )

    @property
    def refreshable(self) -> bool:
        """Whether a new token can be fetched (False for a caller-supplied access token)."""
        return self.credentials is not None

    def current(self, rejected: str | None = None) -> str | None:
        """The cached token if it is still usable and not `rejected`; None means fetch."""
        token = self._token
        if token is None:
            return None
        if not self.refreshable:
            return token.value
        if token.value == rejected or self._clock() >= token.refresh_at:
            return None
        return token.value

    def fetch(self, *, timeout: httpx.Timeout, max_retries: int, backoff: Backoff) -> Flow[str]:
        """Fetch a token from the token URL, cache it and return it."""
        if self.credentials is None:
            raise RuntimeError("a caller-supplied access token cannot be refreshed")
        request = self.credentials.token_request(timeout)
        response = yield from send_with_retries(
            request, idempotent=True, max_retries=max_retries, backoff=backoff
        )
        if response.is_error:
            raise status_error(response)
        from ._models import TokenResponse  # pydantic loads at the first fetch, not at import

        try:
            body = TokenResponse.model_validate_json(response.content)
        except ValidationError:
            # Not chained: pydantic's message would quote the body, which may hold a token.
            message = f"the token endpoint {request.url} returned an unreadable body"
            raise ResponseValidationError(message, response=response) from None
        lifetime = max(0.0, body.expires_in)
        refresh_in = max(lifetime - REFRESH_MARGIN, lifetime / 2)
        self._token = _Token(body.access_token.get_secret_value(), self._clock() + refresh_in)
        logger.debug("fetched an access token valid for %.0f s", lifetime)
        return self._token.value
