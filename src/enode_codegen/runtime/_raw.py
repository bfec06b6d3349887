"""Raw responses: the HTTP response of a call, with parsing left to the caller.

`to_raw_response_wrapper(client.batteries.get_battery)` (or the async twin) returns a
function with the same parameters that returns `RawResponse[Battery]` instead of a
`Battery`. The wrapper sets a context variable that `request()` reads, so generated
methods need no raw variant of their own. Errors still raise as usual.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any, Generic, ParamSpec, TypeVar

import httpx

__all__ = [
    "RawResponse",
    "async_to_raw_response_wrapper",
    "raw_requested",
    "to_raw_response_wrapper",
]

T = TypeVar("T")
P = ParamSpec("P")

_RAW: ContextVar[bool] = ContextVar("enode_raw_response", default=False)


class RawResponse(Generic[T]):
    """A successful HTTP response and the value it parses to."""

    def __init__(self, http_response: httpx.Response, parse: Callable[[], T]) -> None:
        self.http_response = http_response
        self._parse = parse
        self._parsed: list[T] = []

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    def parse(self) -> T:
        """The body parsed as the operation's return type (parsed once, then cached)."""
        if not self._parsed:
            self._parsed.append(self._parse())
        return self._parsed[0]

    def __repr__(self) -> str:
        request = self.http_response.request
        return f"<RawResponse [{self.status_code}] {request.method} {request.url.path}>"


def raw_requested() -> bool:
    """Whether the current call should return a RawResponse (read by `request()`)."""
    return _RAW.get()


def to_raw_response_wrapper(method: Callable[P, T]) -> Callable[P, RawResponse[T]]:
    """`method` returning `RawResponse[T]` instead of `T`."""

    @functools.wraps(method)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> RawResponse[T]:
        reset = _RAW.set(True)
        try:
            return _checked(method(*args, **kwargs))
        finally:
            _RAW.reset(reset)

    return wrapped


def async_to_raw_response_wrapper(
    method: Callable[P, Awaitable[T]],
) -> Callable[P, Awaitable[RawResponse[T]]]:
    """Async `method` returning `RawResponse[T]` instead of `T`."""

    @functools.wraps(method)
    async def wrapped(*args: P.args, **kwargs: P.kwargs) -> RawResponse[T]:
        reset = _RAW.set(True)
        try:
            return _checked(await method(*args, **kwargs))
        finally:
            _RAW.reset(reset)

    return wrapped


def _checked(result: Any) -> RawResponse[Any]:
    if not isinstance(result, RawResponse):
        raise TypeError("the wrapped method did not go through request()/request_page()")
    return result
