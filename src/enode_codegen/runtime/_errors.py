"""Every exception the client raises.

```
EnodeError
 ├── ConfigurationError            the client cannot be built: a credential or URL is missing
 ├── APIConnectionError            no HTTP response: connection refused, DNS, reset, ...
 │    └── APITimeoutError          no HTTP response in time
 ├── APIStatusError                the API answered 4xx/5xx (problem fields, method, url, response)
 │    ├── BadRequestError                  400
 │    ├── AuthenticationError              401 (after one token refresh)
 │    ├── PermissionDeniedError            403
 │    ├── NotFoundError                    404
 │    ├── ConflictError                    409 (`.action`: the conflicting action, when sent)
 │    ├── UnprocessableEntityError         422
 │    ├── RateLimitError                   429 (after the retries)
 │    └── InternalServerError              5xx
 │         └── ServiceUnavailableError     503
 ├── ResponseValidationError       a 2xx body does not match the expected type
 ├── StrictModeError               strict mode: a response has unknown fields or enum values
 ├── ActionTimeoutError            wait_for_action: the action is still PENDING at the deadline
 ├── WebhookVerificationError      a webhook delivery's signature is missing, malformed or wrong,
 │                                 or no webhook secret is configured
 └── WebhookPayloadError           a verified delivery is not a JSON array of events, or a known
                                   event does not match its schema (unknown events never are)
```

No exception text ever contains a client secret, a token or a webhook secret. Importing this
module needs only the standard library (httpx is named in annotations only), so the webhook
signature module (`_webhooks.py`) can share the tree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "ActionTimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "EnodeError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseValidationError",
    "ServiceUnavailableError",
    "StrictModeError",
    "UnprocessableEntityError",
    "WebhookPayloadError",
    "WebhookVerificationError",
]


class EnodeError(Exception):
    """Base class of every error raised by the client."""


class ConfigurationError(EnodeError, ValueError):
    """The client cannot be constructed: the message names what is missing or wrong."""


class APIConnectionError(EnodeError):
    """The request got no HTTP response (connection refused, DNS failure, reset, ...)."""

    def __init__(self, message: str, *, request: httpx.Request) -> None:
        super().__init__(message)
        self.request = request
        self.method = request.method
        self.url = str(request.url)


class APITimeoutError(APIConnectionError):
    """The request got no HTTP response within the timeout."""


class APIStatusError(EnodeError):
    """The API answered with a 4xx or 5xx status.

    `type`, `title`, `detail` and `issues` come from the RFC 7807 problem body; they are
    empty when the body is not a problem document. `parsed` is the body parsed with the
    model the operation declares for this status (e.g. the action on a 409), else None.
    """

    status_code: int

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        type: str = "",
        title: str = "",
        detail: str = "",
        issues: Sequence[Mapping[str, Any]] = (),
        parsed: object = None,
    ) -> None:
        super().__init__(message)
        self.response = response
        self.status_code = response.status_code
        self.method = response.request.method
        self.url = str(response.request.url)
        self.type = type
        self.title = title
        self.detail = detail
        self.issues = list(issues)
        self.parsed = parsed


class BadRequestError(APIStatusError):
    """400: some part of the request was malformed."""


class AuthenticationError(APIStatusError):
    """401: the token was rejected, even after fetching a fresh one."""


class PermissionDeniedError(APIStatusError):
    """403: the client may not access this resource."""


class NotFoundError(APIStatusError):
    """404: the entity does not exist (for this user)."""


class ConflictError(APIStatusError):
    """409: e.g. the target is controlled by Smart Charging or Schedules."""

    @property
    def action(self) -> Any:
        """The action in the response body, when the operation returns one on 409; else None."""
        return self.parsed


class UnprocessableEntityError(APIStatusError):
    """422: the request was well-formed but cannot be processed."""


class RateLimitError(APIStatusError):
    """429: too many requests, still limited after the retries."""


class InternalServerError(APIStatusError):
    """5xx: the API failed."""


class ServiceUnavailableError(InternalServerError):
    """503: the service is overloaded or down for maintenance, still after the retries."""


class ResponseValidationError(EnodeError):
    """A successful response body does not match the type the operation declares."""

    def __init__(self, message: str, *, response: httpx.Response) -> None:
        super().__init__(message)
        self.response = response
        self.status_code = response.status_code


class StrictModeError(EnodeError):
    """Strict mode found parts of a response this client version does not know.

    `unknowns` lists each one as `path: what`, e.g. `data[0].state: unknown enum value 'NEW'`.
    """

    def __init__(self, message: str, *, unknowns: Sequence[str], response: httpx.Response) -> None:
        super().__init__(message)
        self.unknowns = list(unknowns)
        self.response = response


class ActionTimeoutError(EnodeError):
    """`wait_for_action` gave up: the action was still PENDING at the deadline.

    `action` is the last version of the action that was seen.
    """

    def __init__(self, message: str, *, action: Any) -> None:
        super().__init__(message)
        self.action = action


class WebhookVerificationError(EnodeError):
    """A webhook delivery's signature is missing, malformed or does not match the secret
    (or no secret is configured).

    The message says which; it never contains the secret or the expected signature. Answer
    the delivery with a 4xx and do not act on it.
    """


class WebhookPayloadError(EnodeError, ValueError):
    """A delivery whose signature verified is not what Enode sends: not JSON, not an array of
    event objects, or a known event that does not match its schema.

    `problems` lists each one as `[index] event: field.path: what`, e.g.
    `[0] user:vehicle:updated: vehicle.id: Field required`; input values are not repeated.
    Events with an `event` name this client does not know are never a problem: they parse
    into `UnknownWebhookEvent`.
    """

    def __init__(self, message: str, *, problems: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.problems = list(problems)
