"""The hand-written runtime of every generated Enode client package.

The generator copies this folder verbatim into each package as `<pkg>/_runtime/`,
so it imports only httpx, pydantic, the standard library and itself (relatively).
Importing it does not load pydantic's model machinery (`_models.py` loads on first
use), so a client package imports fast.

What generated code uses
------------------------

Models and enums::

    class Battery(EnodeModel): ...          # unknown fields kept in model_extra
    class BatteryState(OpenEnum): ...       # unknown values kept, `.is_known` False

Clients (no `__init__` needed; resources as cached properties)::

    class Client(SyncAPIClient):            # AsyncClient(AsyncAPIClient): the same
        API_VERSION = "2024-10-01"          # sent as Enode-Version on every request

        @cached_property
        def batteries(self) -> BatteriesResource:
            return BatteriesResource(self)

        @property                           # a plain property, not cached
        def with_raw_response(self) -> ClientWithRawResponse:
            return ClientWithRawResponse(self)

    Constructor keywords: see `ClientOptions`, plus `http_client=`, `transport=` and
    `sleep=`. `with_options(timeout=, max_retries=, strict=)` returns a copy sharing
    the HTTP client and token cache; every resource instance found on the copy (cached
    property or set in `__init__`) is re-created for the copy. `ENVIRONMENTS` may be
    overridden by the subclass.

A client of a third-party spec (generated with `--no-enode-rules`) subclasses
`SyncThirdPartyClient` / `AsyncThirdPartyClient` instead and sets `PROFILE =
ApiProfile(...)` (servers, securitySchemes, top-level security, variable prefix,
User-Agent) rather than `API_VERSION`; its operations pass `security=` when they declare
their own. Keywords: `ThirdPartyOptions`. See `_security.py`.

Resources (the async twin is identical apart from `async def` / `await`)::

    class BatteriesResource(SyncResource):  # AsyncResource
        def get_battery(self, battery_id: UUID, *, options: RequestOptions | None = None,
                        timeout: float | None = None) -> models.Battery:
            return self._client.request(
                "GET", "/batteries/{batteryId}", path_params={"batteryId": battery_id},
                cast_to=models.Battery, options=options, timeout=timeout)

        def list_batteries(self, *, page_size: int | None = None, after: str | None = None,
                           before: str | None = None) -> SyncPage[models.Battery]:
            return self._client.request_page(
                "GET", "/batteries", params={"pageSize": page_size, "after": after,
                "before": before}, item_type=models.Battery)

        def set_battery_operation_mode(self, battery_id: UUID, *, operation_mode: ...
                                       ) -> models.BatteryAction:
            return self._client.request(
                "POST", "/batteries/{batteryId}/operation-mode",
                path_params={"batteryId": battery_id},
                json_body={"operationMode": operation_mode}, cast_to=models.BatteryAction,
                idempotent=False, error_models={409: models.BatteryAction})

        def wait_for_action(self, action: models.BatteryAction | UUID | str, *,
                            timeout: float = 300.0, poll_interval: float = 2.0
                            ) -> models.BatteryAction:
            return self._wait_for_action(self.get_battery_action, action,
                                         timeout=timeout, poll_interval=poll_interval)

    class BatteriesResourceWithRawResponse:          # the same for Async
        def __init__(self, batteries: BatteriesResource) -> None:
            self.get_battery = batteries._with_raw_response(batteries.get_battery)

    class ClientWithRawResponse:
        def __init__(self, client: Client) -> None:
            self.batteries = BatteriesResourceWithRawResponse(client.batteries)

Webhooks (the package's `webhooks.py`; `_webhooks.py` signs and verifies, stdlib only)::

    EVENTS: WebhookEvents[WebhookEventPayload] = WebhookEvents(
        {"user:vehicle:updated": models.VehicleUpdatedEvent, ...}, discriminator="event")
    EVENTS.unwrap(body, headers, secret=None)     # verify, then list[Event | UnknownWebhookEvent]
    EVENTS.construct_delivery(events, secret=None)  # (body, headers) as Enode would send them

`request(method, path, *, cast_to, **RequestArgs)`: `cast_to` is a model class,
`list[X]`, `str`, a union, `Any`, `bytes` (a binary body), `Text` (a text/plain body, as
`str`), or None (no body). `RequestArgs`: `path_params`, `params` (query by wire name),
`headers`, `cookies` (None dropped; each in its OpenAPI style, `styles` naming those
that are not the default: `{"query": {"ids": ("pipeDelimited", False, False)}}`),
`json_body` (model or dict), or `body` with its `content_type` (multipart with
`part_types`, form-urlencoded with `form_styles`, text, bytes), `accept`,
`idempotent` (default by method: POST/PATCH are not), `error_models`
(status -> body type, e.g. the action of a 409), `options: RequestOptions` and
`timeout`. `request_page(method, path, *, item_type, **RequestArgs)` returns a
`SyncPage[item_type]` / `AsyncPage[item_type]`. Versions whose list operations return
plain arrays use `request(..., cast_to=list[X])`.
"""

from typing import TYPE_CHECKING, Any

from ._actions import Action, async_wait_for_action, wait_for_action
from ._client import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    AsyncAPIClient,
    AsyncThirdPartyClient,
    BaseAPIClient,
    ClientOptions,
    SyncAPIClient,
    SyncThirdPartyClient,
    ThirdPartyOptions,
)
from ._drift import Deviation, drift
from ._encoding import FileContent, FileTypes, Text
from ._enums import OpenEnum, OpenFloatEnum, OpenIntEnum
from ._errors import (
    ActionTimeoutError,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    EnodeError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    ServiceUnavailableError,
    StrictModeError,
    UnprocessableEntityError,
    WebhookPayloadError,
    WebhookVerificationError,
)
from ._lazy import lazy_module
from ._pagination import AsyncPage, SyncPage
from ._raw import RawResponse, async_to_raw_response_wrapper, to_raw_response_wrapper
from ._request import RequestArgs, RequestOptions
from ._resource import AsyncResource, SyncResource
from ._retry import Backoff
from ._security import ApiProfile, SecurityScheme, Server, ServerVariable
from ._settings import ENVIRONMENTS, Environment
from ._webhooks import (
    DELIVERY_HEADER,
    SIGNATURE_HEADER,
    sign,
    signed_delivery,
    verify_signature,
)

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "DELIVERY_HEADER",
    "ENVIRONMENTS",
    "SIGNATURE_HEADER",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "Action",
    "ActionTimeoutError",
    "ApiProfile",
    "AsyncAPIClient",
    "AsyncPage",
    "AsyncResource",
    "AsyncThirdPartyClient",
    "AuthenticationError",
    "Backoff",
    "BadRequestError",
    "BaseAPIClient",
    "ClientOptions",
    "ConfigurationError",
    "ConflictError",
    "Deviation",
    "EnodeError",
    "EnodeModel",
    "Environment",
    "FileContent",
    "FileTypes",
    "InternalServerError",
    "NotFoundError",
    "OpenEnum",
    "OpenFloatEnum",
    "OpenIntEnum",
    "PaginationCursors",
    "PermissionDeniedError",
    "RateLimitError",
    "RawResponse",
    "RequestArgs",
    "RequestOptions",
    "ResponseValidationError",
    "SecurityScheme",
    "Server",
    "ServerVariable",
    "ServiceUnavailableError",
    "StrictModeError",
    "SyncAPIClient",
    "SyncPage",
    "SyncResource",
    "SyncThirdPartyClient",
    "Text",
    "ThirdPartyOptions",
    "UnknownWebhookEvent",
    "UnprocessableEntityError",
    "WebhookEvents",
    "WebhookPayloadError",
    "WebhookVerificationError",
    "async_to_raw_response_wrapper",
    "async_wait_for_action",
    "drift",
    "lazy_module",
    "sign",
    "signed_delivery",
    "to_raw_response_wrapper",
    "verify_signature",
    "wait_for_action",
]

if TYPE_CHECKING:
    from ._models import EnodeModel, PaginationCursors
    from ._webhook_events import UnknownWebhookEvent, WebhookEvents

_PYDANTIC_SIDE = {
    "EnodeModel": "_models",
    "PaginationCursors": "_models",
    "UnknownWebhookEvent": "_webhook_events",
    "WebhookEvents": "_webhook_events",
}


def __getattr__(name: str) -> Any:
    """The pydantic side of the runtime (`_models.py`, `_webhook_events.py`), imported on
    first use: the package imports without loading pydantic's model machinery."""
    if name in _PYDANTIC_SIDE:
        import importlib

        return getattr(importlib.import_module(f".{_PYDANTIC_SIDE[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
