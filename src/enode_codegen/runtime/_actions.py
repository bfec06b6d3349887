"""Waiting for an action (battery, charger, HVAC) to leave PENDING.

`action_flow` polls the action until its `state` is no longer PENDING and returns
it, or raises ActionTimeoutError carrying the last action seen. `wait_for_action`
and `async_wait_for_action` only run that flow with a get-action function, e.g.
`wait_for_action(client.batteries.get_battery_action, action)`.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar
from uuid import UUID

from ._errors import ActionTimeoutError
from ._flow import Command, Flow, Poll, Sleep, poll, run_async, run_sync, sleep

__all__ = [
    "DEFAULT_ACTION_POLL_INTERVAL",
    "DEFAULT_ACTION_TIMEOUT",
    "Action",
    "action_flow",
    "async_wait_for_action",
    "wait_for_action",
]

DEFAULT_ACTION_TIMEOUT = 300.0
DEFAULT_ACTION_POLL_INTERVAL = 2.0
PENDING = "PENDING"


class Action(Protocol):
    """What waiting needs of an action model."""

    @property
    def id(self) -> Any: ...

    @property
    def state(self) -> Any: ...


A = TypeVar("A", bound=Action)


def action_flow(
    action: A | UUID | str,
    *,
    timeout: float,
    poll_interval: float,
    clock: Callable[[], float] = time.monotonic,
) -> Flow[A]:
    """Poll until the action is no longer PENDING; give up after `timeout` seconds."""
    deadline = clock() + timeout
    current: A = (yield from poll(action)) if isinstance(action, UUID | str) else action
    while current.state == PENDING:
        remaining = deadline - clock()
        if remaining <= 0:
            raise ActionTimeoutError(
                f"action {current.id} is still PENDING after {timeout:g} s", action=current
            )
        yield from sleep(min(poll_interval, remaining))
        current = yield from poll(current.id)
    return current


def wait_for_action(
    get_action: Callable[[Any], A],
    action: A | UUID | str,
    *,
    timeout: float = DEFAULT_ACTION_TIMEOUT,
    poll_interval: float = DEFAULT_ACTION_POLL_INTERVAL,
) -> A:
    """The action once it left PENDING, fetched with `get_action(action_id)`."""

    def perform(command: Command) -> object:
        if isinstance(command, Poll):
            return get_action(command.action_id)
        if isinstance(command, Sleep):
            time.sleep(command.seconds)
            return None
        raise TypeError(f"unexpected command {command!r}")

    return run_sync(action_flow(action, timeout=timeout, poll_interval=poll_interval), perform)


async def async_wait_for_action(
    get_action: Callable[[Any], Awaitable[A]],
    action: A | UUID | str,
    *,
    timeout: float = DEFAULT_ACTION_TIMEOUT,
    poll_interval: float = DEFAULT_ACTION_POLL_INTERVAL,
) -> A:
    """The action once it left PENDING, fetched with `await get_action(action_id)`."""

    async def perform(command: Command) -> object:
        if isinstance(command, Poll):
            return await get_action(command.action_id)
        if isinstance(command, Sleep):
            import asyncio  # imported on use: sync-only users never pay for asyncio

            await asyncio.sleep(command.seconds)
            return None
        raise TypeError(f"unexpected command {command!r}")

    flow = action_flow(action, timeout=timeout, poll_interval=poll_interval)
    return await run_async(flow, perform)
