"""wait_for_action polls until the action leaves PENDING, or gives up with the last action."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import httpx
import pytest
from conftest import FakeEnode, MakeClient, resolve
from fakeapi import ActionState, BatteryAction

from enode_codegen.runtime import ActionTimeoutError
from enode_codegen.runtime._actions import action_flow
from enode_codegen.runtime._flow import Flow, Poll, Sleep

ACTION_ID = "6f1c5b9e-2f6a-4d4e-9d3e-0c1a2b3c4d5e"
ACTION_PATH = f"/batteries/actions/{ACTION_ID}"


def action(state: str) -> dict[str, Any]:
    return {"id": ACTION_ID, "state": state, "targetId": "b1"}


async def test_polls_until_the_action_is_final(fake: FakeEnode, make_client: MakeClient) -> None:
    fake.on(
        "GET",
        ACTION_PATH,
        httpx.Response(200, json=action("PENDING")),
        httpx.Response(200, json=action("PENDING")),
        httpx.Response(200, json=action("CONFIRMED")),
    )
    client = make_client()
    pending = BatteryAction.model_validate(action("PENDING"))

    final = await resolve(client.batteries.wait_for_action(pending, poll_interval=0.001))

    assert final.state == ActionState.CONFIRMED
    assert len(fake.api_requests) == 3


async def test_accepts_an_action_id(fake: FakeEnode, make_client: MakeClient) -> None:
    fake.on("GET", ACTION_PATH, httpx.Response(200, json=action("FAILED")))
    client = make_client()

    final = await resolve(client.batteries.wait_for_action(UUID(ACTION_ID)))

    assert final.state == ActionState.FAILED
    assert len(fake.api_requests) == 1


async def test_a_final_action_needs_no_request(fake: FakeEnode, make_client: MakeClient) -> None:
    client = make_client()
    done = BatteryAction.model_validate(action("CANCELLED"))

    assert await resolve(client.batteries.wait_for_action(done)) is done
    assert fake.api_requests == []


async def test_timeout_raises_with_the_last_action(
    fake: FakeEnode, make_client: MakeClient
) -> None:
    fake.on("GET", ACTION_PATH, httpx.Response(200, json=action("PENDING")))
    client = make_client()

    with pytest.raises(ActionTimeoutError) as caught:
        await resolve(client.batteries.wait_for_action(ACTION_ID, timeout=0.05, poll_interval=0.01))

    assert isinstance(caught.value.action, BatteryAction)
    assert caught.value.action.state == ActionState.PENDING
    assert ACTION_ID in str(caught.value)
    assert len(fake.api_requests) >= 2


def test_flow_sleeps_no_longer_than_the_deadline() -> None:
    now = [0.0]
    flow: Flow[BatteryAction] = action_flow(
        ACTION_ID, timeout=5.0, poll_interval=2.0, clock=lambda: now[0]
    )
    pending = BatteryAction.model_validate(action("PENDING"))

    assert next(flow) == Poll(ACTION_ID)
    assert flow.send(pending) == Sleep(2.0)
    now[0] = 4.0
    assert flow.send(None) == Poll(pending.id)
    assert flow.send(pending) == Sleep(1.0)
    now[0] = 5.0
    assert flow.send(None) == Poll(pending.id)
    with pytest.raises(ActionTimeoutError):
        flow.send(pending)
