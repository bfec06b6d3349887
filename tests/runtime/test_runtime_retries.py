"""Retries: which failures are retried for reads and for action-creating POSTs, and how long
the client waits (full-jitter backoff, Retry-After)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest
from conftest import FakeEnode, MakeClient, problem, resolve
from fakeapi import OperationMode
from hypothesis import given
from hypothesis import strategies as st

from enode_codegen.runtime import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    Backoff,
    InternalServerError,
    RateLimitError,
    ServiceUnavailableError,
)

BATTERY = {"id": "b1", "chargeState": "IDLE"}
ACTION = {"id": "6f1c5b9e-2f6a-4d4e-9d3e-0c1a2b3c4d5e", "state": "PENDING", "targetId": "b1"}
ACTION_PATH = "/batteries/b1/operation-mode"


def ok_action() -> httpx.Response:
    return httpx.Response(200, json=ACTION)


async def test_retry_after_seconds_are_honoured(fake: FakeEnode, make_client: MakeClient) -> None:
    fake.on(
        "GET",
        "/batteries/b1",
        httpx.Response(429, headers={"Retry-After": "3"}),
        httpx.Response(200, json=BATTERY),
    )
    client = make_client()

    assert (await resolve(client.batteries.get_battery("b1"))).id == "b1"
    assert fake.slept == [3.0]
    assert len(fake.api_requests) == 2


async def test_retry_after_http_date_is_honoured(fake: FakeEnode, make_client: MakeClient) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    fake.on(
        "GET",
        "/batteries/b1",
        httpx.Response(503, headers={"Retry-After": when}),
        httpx.Response(200, json=BATTERY),
    )
    client = make_client()

    await resolve(client.batteries.get_battery("b1"))

    assert len(fake.slept) == 1
    assert 28.0 <= fake.slept[0] <= 30.0


async def test_unreadable_retry_after_falls_back_to_backoff(
    fake: FakeEnode, make_client: MakeClient
) -> None:
    fake.on(
        "GET",
        "/batteries/b1",
        httpx.Response(429, headers={"Retry-After": "soon"}),
        httpx.Response(200, json=BATTERY),
    )
    client = make_client(backoff=Backoff(random=lambda: 1.0))

    await resolve(client.batteries.get_battery("b1"))

    assert fake.slept == [0.5]


async def test_retry_after_is_capped(fake: FakeEnode, make_client: MakeClient) -> None:
    fake.on(
        "GET",
        "/batteries/b1",
        httpx.Response(429, headers={"Retry-After": "86400"}),
        httpx.Response(200, json=BATTERY),
    )
    client = make_client()

    await resolve(client.batteries.get_battery("b1"))

    assert fake.slept == [60.0]


@given(draw=st.floats(0.0, 1.0, exclude_max=True), retry=st.integers(1, 60))
def test_backoff_is_full_jitter_below_an_exponential_cap(draw: float, retry: int) -> None:
    cap = min(8.0, 0.5 * 2 ** (retry - 1))
    delay = Backoff(random=lambda: draw).delay(retry)
    assert 0.0 <= delay < cap
    assert delay == pytest.approx(draw * cap)


def test_backoff_uses_real_randomness_by_default() -> None:
    delays = {Backoff().delay(3) for _ in range(50)}
    assert len(delays) > 1
    assert all(0.0 <= d < 2.0 for d in delays)


async def test_gives_up_after_max_retries_with_growing_waits(
    fake: FakeEnode, make_client: MakeClient
) -> None:
    fake.on("GET", "/batteries/b1", problem(503, "Service Unavailable"))
    client = make_client(max_retries=3, backoff=Backoff(random=lambda: 1.0))

    with pytest.raises(ServiceUnavailableError):
        await resolve(client.batteries.get_battery("b1"))

    assert len(fake.api_requests) == 4
    assert fake.slept == [0.5, 1.0, 2.0]


# (outcome of the first attempt, whether a GET retries it, whether an action POST retries it)
RULE = [
    ("500", problem(500), False, False),
    ("502", problem(502), True, False),
    ("503", problem(503), True, True),
    ("504", problem(504), True, False),
    ("429", problem(429), True, True),
    ("409", problem(409), False, False),
    ("connect error", httpx.ConnectError("connection refused"), True, True),
    ("connect timeout", httpx.ConnectTimeout("connect timed out"), True, True),
    ("read timeout", httpx.ReadTimeout("read timed out"), True, False),
    ("connection reset", httpx.ReadError("connection reset by peer"), True, False),
]


@pytest.mark.parametrize(
    ("first", "get_retries", "post_retries"),
    [pytest.param(first, get, post, id=name) for name, first, get, post in RULE],
)
async def test_retry_rule(
    fake: FakeEnode,
    make_client: MakeClient,
    first: httpx.Response | Exception,
    get_retries: bool,
    post_retries: bool,
) -> None:
    fake.on("GET", "/batteries/b1", first, httpx.Response(200, json=BATTERY))
    fake.on("POST", ACTION_PATH, first, ok_action())
    client = make_client()

    calls: list[tuple[Callable[[], Any], bool]] = [
        (lambda: client.batteries.get_battery("b1"), get_retries),
        (
            lambda: client.batteries.set_battery_operation_mode(
                "b1", operation_mode=OperationMode.IMPORT_FOCUS
            ),
            post_retries,
        ),
    ]
    for call, retried in calls:
        fake.api_requests.clear()
        if retried:
            await resolve(call())
            assert len(fake.api_requests) == 2
        else:
            with pytest.raises((APIStatusError, APIConnectionError)):
                await resolve(call())
            assert len(fake.api_requests) == 1


async def test_action_post_after_read_timeout_raises_timeout_error(
    fake: FakeEnode, make_client: MakeClient
) -> None:
    fake.on("POST", ACTION_PATH, httpx.ReadTimeout("read timed out"), ok_action())
    client = make_client()

    with pytest.raises(APITimeoutError) as caught:
        await resolve(
            client.batteries.set_battery_operation_mode(
                "b1", operation_mode=OperationMode.IMPORT_FOCUS
            )
        )

    assert caught.value.method == "POST"
    assert len(fake.api_requests) == 1


async def test_action_post_after_500_raises_at_once(
    fake: FakeEnode, make_client: MakeClient
) -> None:
    fake.on("POST", ACTION_PATH, problem(500), ok_action())
    client = make_client()

    with pytest.raises(InternalServerError):
        await resolve(
            client.batteries.set_battery_operation_mode(
                "b1", operation_mode=OperationMode.IMPORT_FOCUS
            )
        )

    assert len(fake.api_requests) == 1
    assert fake.slept == []


async def test_connection_failures_exhausted_raise_connection_error(
    fake: FakeEnode, make_client: MakeClient
) -> None:
    fake.on("GET", "/batteries/b1", httpx.ConnectError("connection refused"))
    client = make_client(max_retries=2)

    with pytest.raises(APIConnectionError) as caught:
        await resolve(client.batteries.get_battery("b1"))

    assert not isinstance(caught.value, APITimeoutError)
    assert isinstance(caught.value.__cause__, httpx.ConnectError)
    assert len(fake.api_requests) == 3


async def test_max_retries_per_call_and_per_copy(fake: FakeEnode, make_client: MakeClient) -> None:
    fake.on("GET", "/batteries/b1", problem(429))
    client = make_client(max_retries=2)

    with pytest.raises(RateLimitError):
        await resolve(client.batteries.get_battery("b1", options={"max_retries": 0}))
    assert len(fake.api_requests) == 1

    fake.api_requests.clear()
    with pytest.raises(RateLimitError):
        await resolve(client.with_options(max_retries=1).batteries.get_battery("b1"))
    assert len(fake.api_requests) == 2

    fake.api_requests.clear()
    with pytest.raises(RateLimitError):
        await resolve(client.batteries.get_battery("b1"))
    assert len(fake.api_requests) == 3
