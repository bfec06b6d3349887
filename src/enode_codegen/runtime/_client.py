"""The client classes that generated `Client` / `AsyncClient` subclass.

`BaseAPIClient` holds everything that does not do IO: settings, configuration,
`with_options`, parsing and the raw-response switch. `SyncAPIClient` and
`AsyncAPIClient` add only the IO: they run the flows of `_lifecycle.py` and
`_auth.py`, performing each command with httpx and sleeping, and guard token
fetches with a lock so that concurrent callers trigger one fetch.
"""

from __future__ import annotations

import copy
import difflib
import inspect
import os
import threading
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Self,
    TypedDict,
    TypeVar,
    Unpack,
    cast,
    get_type_hints,
    overload,
)

import httpx

from ._auth import TokenProvider
from ._errors import ConfigurationError
from ._flow import Command, FetchToken, Flow, Send, Sleep, run_async, run_sync
from ._lifecycle import call_flow
from ._pagination import AsyncPage, PageRequest, SyncPage
from ._parse import parse_body
from ._raw import RawResponse, raw_requested
from ._request import ClientConfig, RequestArgs, check_version_header, make_call
from ._retry import Backoff
from ._security import ApiProfile, Authorizer, resolve_authorizer, resolve_base_url
from ._settings import ENVIRONMENTS, Environment, Settings, resolve_settings

if TYPE_CHECKING:
    from ._models import PageBody

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "AsyncAPIClient",
    "AsyncThirdPartyClient",
    "BaseAPIClient",
    "ClientOptions",
    "SyncAPIClient",
    "SyncThirdPartyClient",
    "ThirdPartyOptions",
]

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2


class ClientOptions(TypedDict, total=False):
    """The keyword arguments shared by `Client(...)` and `AsyncClient(...)`.

    Credentials: `client_id` + `client_secret` (OAuth2 client credentials), or an
    `access_token` you already have. Location: `environment` ("sandbox" or
    "production"), or `base_url` and `token_url`. Unset ones are read from ENODE_*
    environment variables. `timeout` (default 30 s, 5 s to connect), `max_retries`
    (default 2), `strict` (default False: a response that differs from the spec is
    returned as received, see `drift()`; True raises instead), `default_headers` (sent
    with every API request; an Enode-Version other than the client's is a
    ConfigurationError), `backoff` (retry delays).
    """

    client_id: str | None
    client_secret: str | None
    access_token: str | None
    environment: str | None
    base_url: str | None
    token_url: str | None
    timeout: float | httpx.Timeout
    max_retries: int
    strict: bool
    default_headers: Mapping[str, str]
    backoff: Backoff


class ThirdPartyOptions(TypedDict, total=False):
    """The keyword arguments of a client generated from a third-party spec.

    Location: `base_url`, or the spec's first server with `server_variables` filled in.
    Credentials, as the spec's securitySchemes take them: `access_token` (bearer),
    `api_key` (a key, or {scheme name: key}), `username` + `password` (basic), `client_id`
    + `client_secret` (OAuth2 client credentials; `token_url` and `scopes` override the
    spec's). Unset ones are read from <PACKAGE>_* environment variables. The rest as
    `ClientOptions`.
    """

    base_url: str | None
    server_variables: Mapping[str, str] | None
    access_token: str | None
    api_key: str | Mapping[str, str] | None
    username: str | None
    password: str | None
    client_id: str | None
    client_secret: str | None
    token_url: str | None
    scopes: list[str] | tuple[str, ...] | None
    timeout: float | httpx.Timeout
    max_retries: int
    strict: bool
    default_headers: Mapping[str, str]
    backoff: Backoff


def _names(options: type) -> frozenset[str]:
    return frozenset(options.__required_keys__ | options.__optional_keys__)  # type: ignore[attr-defined]


_OPTION_NAMES = _names(ClientOptions)
_OPTION_DEFAULTS: dict[str, object] = {
    "timeout": DEFAULT_TIMEOUT,
    "max_retries": DEFAULT_MAX_RETRIES,
    "strict": False,
}


def _own_parameters(cls: type) -> list[inspect.Parameter]:
    """The keyword parameters a client class's `__init__` declares itself (http_client, ...)."""
    init = next(vars(klass)["__init__"] for klass in cls.__mro__ if "__init__" in vars(klass))
    parameters = inspect.signature(init).parameters.values()
    return [p for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY]


def _signature(cls: type[BaseAPIClient]) -> inspect.Signature:
    """`Client(*, http_client=None, ..., client_id=None, ..., timeout=..., ...)`: what
    `help(Client)` and IDEs show instead of `**options`."""
    hints = get_type_hints(cls.OPTIONS)
    options = [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            default=_OPTION_DEFAULTS.get(name),
            annotation=hints[name],
        )
        for name in cls.OPTIONS.__annotations__
    ]
    return inspect.Signature([*_own_parameters(cls), *options], return_annotation=None)


def _unknown_options(cls: type[BaseAPIClient], unknown: list[str]) -> str:
    valid = sorted(_names(cls.OPTIONS) | {p.name for p in _own_parameters(cls)})
    parts = []
    for name in unknown:
        close = difflib.get_close_matches(name, valid, n=1)
        parts.append(f"{name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    return (
        f"{cls.__name__}() got unexpected keyword argument(s) {', '.join(parts)}; "
        f"valid options: {', '.join(valid)}"
    )


class BaseAPIClient:
    """Settings, configuration and parsing shared by the sync and async clients."""

    API_VERSION: ClassVar[str] = ""  # the Enode-Version; set by the generated subclass
    ENVIRONMENTS: ClassVar[Mapping[str, Environment]] = ENVIRONMENTS
    # a client of a third-party spec: its servers, auth, variables; None for Enode's clients
    PROFILE: ClassVar[ApiProfile | None] = None
    OPTIONS: ClassVar[type] = ClientOptions  # the keyword options `__init__` takes

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.__signature__ = _signature(cls)  # type: ignore[attr-defined]

    def __init__(self, **options: Unpack[ClientOptions]) -> None:
        if not self.API_VERSION and self.PROFILE is None:
            raise TypeError(f"{type(self).__name__} has no API_VERSION; use a generated client")
        unknown = sorted(set(options) - _names(self.OPTIONS))
        if unknown:
            raise TypeError(_unknown_options(type(self), unknown))
        default_headers = dict(options.get("default_headers") or {})
        authorizer = None
        if self.PROFILE is None:
            self._settings = resolve_settings(
                client_id=options.get("client_id"),
                client_secret=options.get("client_secret"),
                access_token=options.get("access_token"),
                environment=options.get("environment"),
                base_url=options.get("base_url"),
                token_url=options.get("token_url"),
                env=os.environ,
                environments=self.ENVIRONMENTS,
            )
            check_version_header(default_headers, self.API_VERSION, "default_headers")
        else:
            self._settings, authorizer = _third_party_settings(
                self.PROFILE, cast(ThirdPartyOptions, options)
            )
        self._config = ClientConfig(
            base_url=self._settings.base_url,
            api_version=self.API_VERSION if self.PROFILE is None else "",
            timeout=_timeout(options.get("timeout", DEFAULT_TIMEOUT)),
            max_retries=options.get("max_retries", DEFAULT_MAX_RETRIES),
            backoff=options.get("backoff") or Backoff(),
            strict=options.get("strict", False),
            default_headers=default_headers,
            user_agent=self.PROFILE.user_agent if self.PROFILE else "",
            authorizer=authorizer,
        )
        self._tokens = TokenProvider(self._settings.credentials, self._settings.access_token)
        self._owns_http = True

    @property
    def environment(self) -> str | None:
        return self._settings.environment

    @property
    def base_url(self) -> str:
        return self._config.base_url

    @property
    def timeout(self) -> httpx.Timeout:
        return self._config.timeout

    @property
    def max_retries(self) -> int:
        return self._config.max_retries

    @property
    def strict(self) -> bool:
        return self._config.strict

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        strict: bool | None = None,
    ) -> Self:
        """A copy with other defaults that shares this client's HTTP client and token cache.

        Closing the copy does not close the shared HTTP client; close the original.
        """
        config = self._config
        new = copy.copy(self)
        new._config = replace(
            config,
            timeout=config.timeout if timeout is None else _timeout(timeout),
            max_retries=config.max_retries if max_retries is None else max_retries,
            strict=config.strict if strict is None else strict,
        )
        new._owns_http = False
        for name, value in list(vars(new).items()):  # resources must call the copy
            if getattr(value, "_client", None) is self:  # a resource of this client
                setattr(new, name, type(value)(new))
        return new

    def _call_flow(self, method: str, path: str, args: RequestArgs) -> Flow[httpx.Response]:
        call = make_call(method, path, args, self._config)
        return call_flow(call, backoff=self._config.backoff, refreshable=self._tokens.refreshable)

    def _token_flow(self) -> Flow[str]:
        config = self._config
        return self._tokens.fetch(
            timeout=config.timeout, max_retries=config.max_retries, backoff=config.backoff
        )

    def _deliver(self, response: httpx.Response, parse: Callable[[], R]) -> R:
        """`parse()`, or a RawResponse when the call runs under a raw-response wrapper."""
        if raw_requested():
            return cast(R, RawResponse(response, parse))
        return parse()

    def _parse(self, response: httpx.Response, cast_to: object, operation: str) -> Any:
        return parse_body(response, cast_to, strict=self._config.strict, operation=operation)

    def _page_body(self, response: httpx.Response, request: PageRequest[Any]) -> PageBody[Any]:
        from ._models import PageBody  # pydantic's model machinery loads at the first call

        item_type: Any = request.item_type
        operation = f"{request.method} {request.path}"
        body: PageBody[Any] = self._parse(response, PageBody[item_type], operation)
        return body

    def __repr__(self) -> str:
        """`enode_2024_10_01.Client(environment=..., base_url=..., client_id=...)`: every
        keyword is one the constructor takes; the package names the Enode-Version."""
        credentials = self._settings.credentials
        auth = f"client_id={credentials.client_id!r}" if credentials else "access_token=<hidden>"
        package = type(self).__module__.rsplit("._client", 1)[0]
        if self.PROFILE is not None:
            shown = f", client_id={credentials.client_id!r}" if credentials else ""
            return f"{package}.{type(self).__qualname__}(base_url={self.base_url!r}{shown})"
        return (
            f"{package}.{type(self).__qualname__}(environment={self.environment!r}, "
            f"base_url={self.base_url!r}, {auth})"
        )


class SyncAPIClient(BaseAPIClient):
    """The sync client: `request()` and `request_page()` for the generated resources.

    `http_client` (yours, not closed by this client) or `transport` (for a client this
    one creates and closes) choose how requests are sent; `sleep` is injectable for tests.
    """

    def __init__(
        self,
        *,
        http_client: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        **options: Unpack[ClientOptions],
    ) -> None:
        super().__init__(**options)
        if http_client is not None and transport is not None:
            raise ConfigurationError("pass http_client or transport, not both")
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(transport=transport, timeout=self.timeout)
        self._sleep = sleep
        self._token_lock = threading.Lock()

    @overload
    def request(
        self, method: str, path: str, *, cast_to: type[T], **args: Unpack[RequestArgs]
    ) -> T: ...
    @overload
    def request(
        self, method: str, path: str, *, cast_to: None, **args: Unpack[RequestArgs]
    ) -> None: ...
    @overload
    def request(
        self, method: str, path: str, *, cast_to: object, **args: Unpack[RequestArgs]
    ) -> Any: ...
    def request(
        self, method: str, path: str, *, cast_to: object, **args: Unpack[RequestArgs]
    ) -> Any:
        """Call the API and return the body parsed as `cast_to` (None: no body)."""
        response = self._run(self._call_flow(method, path, args))
        return self._deliver(response, lambda: self._parse(response, cast_to, f"{method} {path}"))

    @overload
    def request_page(
        self, method: str, path: str, *, item_type: type[T], **args: Unpack[RequestArgs]
    ) -> SyncPage[T]: ...
    @overload
    def request_page(
        self, method: str, path: str, *, item_type: object, **args: Unpack[RequestArgs]
    ) -> SyncPage[Any]: ...
    def request_page(
        self, method: str, path: str, *, item_type: object, **args: Unpack[RequestArgs]
    ) -> SyncPage[Any]:
        """Call a list operation and return its first page of `item_type` items."""
        return self.fetch_page(PageRequest(method, path, item_type, args))

    def fetch_page(self, request: PageRequest[T]) -> SyncPage[T]:
        """The page `request` describes: the hook a page calls for the page after it."""
        response = self._run(self._call_flow(request.method, request.path, request.args))
        return self._deliver(
            response, lambda: SyncPage(self, request, self._page_body(response, request))
        )

    def _run(self, flow: Flow[T]) -> T:
        return run_sync(flow, self._perform)

    def _perform(self, command: Command) -> object:
        if isinstance(command, Send):
            try:
                return self._http.send(command.request)
            except httpx.RequestError as exc:
                return exc
        if isinstance(command, Sleep):
            self._sleep(command.seconds)
            return None
        if isinstance(command, FetchToken):
            return self._token(command.rejected)
        raise TypeError(f"unexpected command {command!r}")

    def _token(self, rejected: str | None) -> str:
        token = self._tokens.current(rejected)
        if token is not None:
            return token
        with self._token_lock:  # one fetch; the callers that waited find it cached
            token = self._tokens.current(rejected)
            if token is None:
                token = self._run(self._token_flow())
            return token

    def close(self) -> None:
        """Close the HTTP client, if this client created it."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncAPIClient(BaseAPIClient):
    """The async client: `await request()` and `await request_page()`.

    `http_client` (yours, not closed by this client) or `transport` (for a client this
    one creates and closes) choose how requests are sent; `sleep` is injectable for tests.
    """

    def __init__(
        self,
        *,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        **options: Unpack[ClientOptions],
    ) -> None:
        import asyncio  # here, not at module level: sync-only users never pay for asyncio

        super().__init__(**options)
        if http_client is not None and transport is not None:
            raise ConfigurationError("pass http_client or transport, not both")
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(transport=transport, timeout=self.timeout)
        self._sleep = sleep or asyncio.sleep
        self._token_lock = asyncio.Lock()

    @overload
    async def request(
        self, method: str, path: str, *, cast_to: type[T], **args: Unpack[RequestArgs]
    ) -> T: ...
    @overload
    async def request(
        self, method: str, path: str, *, cast_to: None, **args: Unpack[RequestArgs]
    ) -> None: ...
    @overload
    async def request(
        self, method: str, path: str, *, cast_to: object, **args: Unpack[RequestArgs]
    ) -> Any: ...
    async def request(
        self, method: str, path: str, *, cast_to: object, **args: Unpack[RequestArgs]
    ) -> Any:
        """Call the API and return the body parsed as `cast_to` (None: no body)."""
        response = await self._run(self._call_flow(method, path, args))
        return self._deliver(response, lambda: self._parse(response, cast_to, f"{method} {path}"))

    @overload
    async def request_page(
        self, method: str, path: str, *, item_type: type[T], **args: Unpack[RequestArgs]
    ) -> AsyncPage[T]: ...
    @overload
    async def request_page(
        self, method: str, path: str, *, item_type: object, **args: Unpack[RequestArgs]
    ) -> AsyncPage[Any]: ...
    async def request_page(
        self, method: str, path: str, *, item_type: object, **args: Unpack[RequestArgs]
    ) -> AsyncPage[Any]:
        """Call a list operation and return its first page of `item_type` items."""
        return await self.fetch_page(PageRequest(method, path, item_type, args))

    async def fetch_page(self, request: PageRequest[T]) -> AsyncPage[T]:
        """The page `request` describes: the hook a page calls for the page after it."""
        response = await self._run(self._call_flow(request.method, request.path, request.args))
        return self._deliver(
            response, lambda: AsyncPage(self, request, self._page_body(response, request))
        )

    async def _run(self, flow: Flow[T]) -> T:
        return await run_async(flow, self._perform)

    async def _perform(self, command: Command) -> object:
        if isinstance(command, Send):
            try:
                return await self._http.send(command.request)
            except httpx.RequestError as exc:
                return exc
        if isinstance(command, Sleep):
            await self._sleep(command.seconds)
            return None
        if isinstance(command, FetchToken):
            return await self._token(command.rejected)
        raise TypeError(f"unexpected command {command!r}")

    async def _token(self, rejected: str | None) -> str:
        token = self._tokens.current(rejected)
        if token is not None:
            return token
        async with self._token_lock:  # one fetch; the callers that waited find it cached
            token = self._tokens.current(rejected)
            if token is None:
                token = await self._run(self._token_flow())
            return token

    async def close(self) -> None:
        """Close the HTTP client, if this client created it."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()


class SyncThirdPartyClient(SyncAPIClient):
    """The sync client of a third-party spec (its `PROFILE` set by the generated subclass)."""

    OPTIONS = ThirdPartyOptions

    if TYPE_CHECKING:  # the options type checkers see; at run time SyncAPIClient's __init__

        def __init__(
            self,
            *,
            http_client: httpx.Client | None = None,
            transport: httpx.BaseTransport | None = None,
            sleep: Callable[[float], None] = time.sleep,
            **options: Unpack[ThirdPartyOptions],
        ) -> None: ...


class AsyncThirdPartyClient(AsyncAPIClient):
    """The asyncio client of a third-party spec (its `PROFILE` set by the generated subclass)."""

    OPTIONS = ThirdPartyOptions

    if TYPE_CHECKING:

        def __init__(
            self,
            *,
            http_client: httpx.AsyncClient | None = None,
            transport: httpx.AsyncBaseTransport | None = None,
            sleep: Callable[[float], Awaitable[None]] | None = None,
            **options: Unpack[ThirdPartyOptions],
        ) -> None: ...


def _third_party_settings(
    profile: ApiProfile, options: ThirdPartyOptions
) -> tuple[Settings, Authorizer]:
    base_url = resolve_base_url(
        profile, options.get("base_url"), options.get("server_variables"), os.environ
    )
    scopes = options.get("scopes")
    authorizer, credentials = resolve_authorizer(
        profile,
        base_url=base_url,
        access_token=options.get("access_token"),
        api_key=options.get("api_key"),
        username=options.get("username"),
        password=options.get("password"),
        client_id=options.get("client_id"),
        client_secret=options.get("client_secret"),
        token_url=options.get("token_url"),
        scopes=None if scopes is None else tuple(scopes),
        env=os.environ,
    )
    return Settings(base_url, None, credentials, None), authorizer


def _timeout(value: float | httpx.Timeout) -> httpx.Timeout:
    return value if isinstance(value, httpx.Timeout) else httpx.Timeout(value)
