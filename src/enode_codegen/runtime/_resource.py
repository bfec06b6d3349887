"""Base classes of the generated resources (`client.batteries`, `client.chargers`, ...).

A resource only holds its client. Generated methods call `self._client.request(...)`
or `self._client.request_page(...)` (with `await` in the async twin), and may use the
two helpers below, whose calls read the same in sync and async code.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from ._actions import (
    DEFAULT_ACTION_POLL_INTERVAL,
    DEFAULT_ACTION_TIMEOUT,
    Action,
    async_wait_for_action,
    wait_for_action,
)
from ._raw import async_to_raw_response_wrapper, to_raw_response_wrapper

if TYPE_CHECKING:
    from ._client import AsyncAPIClient, SyncAPIClient

__all__ = ["AsyncResource", "SyncResource"]

A = TypeVar("A", bound=Action)


class SyncResource:
    """A group of operations of a sync client."""

    _with_raw_response = staticmethod(to_raw_response_wrapper)

    def __init__(self, client: SyncAPIClient) -> None:
        self._client = client

    def _wait_for_action(
        self,
        get_action: Callable[[Any], A],
        action: A | UUID | str,
        *,
        timeout: float = DEFAULT_ACTION_TIMEOUT,
        poll_interval: float = DEFAULT_ACTION_POLL_INTERVAL,
    ) -> A:
        return wait_for_action(get_action, action, timeout=timeout, poll_interval=poll_interval)


class AsyncResource:
    """A group of operations of an async client."""

    _with_raw_response = staticmethod(async_to_raw_response_wrapper)

    def __init__(self, client: AsyncAPIClient) -> None:
        self._client = client

    async def _wait_for_action(
        self,
        get_action: Callable[[Any], Awaitable[A]],
        action: A | UUID | str,
        *,
        timeout: float = DEFAULT_ACTION_TIMEOUT,
        poll_interval: float = DEFAULT_ACTION_POLL_INTERVAL,
    ) -> A:
        return await async_wait_for_action(
            get_action, action, timeout=timeout, poll_interval=poll_interval
        )
