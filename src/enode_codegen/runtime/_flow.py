"""The sans-IO core: flows yield commands, drivers perform them.

A *flow* is a generator holding all the logic of a job (an API call, a token fetch, a
wait for an action). Whenever it needs the outside world it yields a command and is
resumed with the result:

    Send(request)        -> httpx.Response, or the httpx.RequestError it raised
    Sleep(seconds)       -> None
    FetchToken(rejected) -> a bearer token other than `rejected`
    Poll(action_id)      -> the action, fetched again

`run_sync` and `run_async` are the only loops; the sync and async clients differ
only in how they perform each command. Tests can also drive a flow by hand.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass, field
from typing import Any, TypeAlias, TypeVar, cast

import httpx

__all__ = [
    "Command",
    "FetchToken",
    "Flow",
    "Poll",
    "Send",
    "Sleep",
    "fetch_token",
    "poll",
    "run_async",
    "run_sync",
    "send",
    "sleep",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Send:
    """Send this request; reply with the response or the transport error."""

    request: httpx.Request


@dataclass(frozen=True, slots=True)
class Sleep:
    """Wait this many seconds."""

    seconds: float


@dataclass(frozen=True, slots=True)
class FetchToken:
    """Reply with a usable bearer token, fetching one if needed (once for all callers)."""

    rejected: str | None = field(default=None, repr=False)  # the API refused this one


@dataclass(frozen=True, slots=True)
class Poll:
    """Fetch the action with this id again."""

    action_id: Any


Command: TypeAlias = Send | Sleep | FetchToken | Poll
Flow: TypeAlias = Generator[Command, object, T]


def run_sync(flow: Flow[T], perform: Callable[[Command], object]) -> T:
    """Run `flow` to completion, performing each command with `perform`."""
    reply: object = None
    try:
        while True:
            try:
                command = flow.send(reply)
            except StopIteration as done:
                return cast(T, done.value)
            reply = perform(command)
    finally:
        flow.close()


async def run_async(flow: Flow[T], perform: Callable[[Command], Awaitable[object]]) -> T:
    """Run `flow` to completion, awaiting `perform` for each command."""
    reply: object = None
    try:
        while True:
            try:
                command = flow.send(reply)
            except StopIteration as done:
                return cast(T, done.value)
            reply = await perform(command)
    finally:
        flow.close()


# Typed sub-flows: `response = yield from send(request)` instead of a bare, untyped yield.


def send(request: httpx.Request) -> Flow[httpx.Response | httpx.RequestError]:
    return cast(httpx.Response | httpx.RequestError, (yield Send(request)))


def sleep(seconds: float) -> Flow[None]:
    yield Sleep(seconds)


def fetch_token(rejected: str | None = None) -> Flow[str]:
    return cast(str, (yield FetchToken(rejected)))


def poll(action_id: object) -> Flow[Any]:
    return (yield Poll(action_id))
