"""The request lifecycle is a plain generator: it can be driven by hand, with no IO at all."""

from __future__ import annotations

import httpx
import pytest

from enode_codegen.runtime import Backoff, RateLimitError
from enode_codegen.runtime._flow import Command, FetchToken, Flow, Send, Sleep, run_sync
from enode_codegen.runtime._lifecycle import call_flow
from enode_codegen.runtime._request import ClientConfig, make_call

CONFIG = ClientConfig(
    base_url="https://api.test",
    api_version="2024-10-01",
    timeout=httpx.Timeout(10),
    max_retries=1,
    backoff=Backoff(random=lambda: 1.0),
    strict=False,
)


def flow_for(method: str = "GET") -> Flow[httpx.Response]:
    call = make_call(method, "/batteries/{id}", {"path_params": {"id": "b1"}}, CONFIG)
    return call_flow(call, backoff=CONFIG.backoff, refreshable=True)


def test_commands_of_a_retried_and_refreshed_call() -> None:
    flow = flow_for()

    assert next(flow) == FetchToken()
    send = flow.send("tok-a")
    assert isinstance(send, Send)
    assert send.request.headers["Authorization"] == "Bearer tok-a"
    assert send.request.url == "https://api.test/batteries/b1"
    assert flow.send(
        httpx.Response(429, headers={"Retry-After": "2"}, request=send.request)
    ) == Sleep(2.0)
    again = flow.send(None)
    assert isinstance(again, Send)
    refresh = flow.send(httpx.Response(401, request=again.request))
    assert refresh == FetchToken(rejected="tok-a")
    final = flow.send("tok-b")
    assert isinstance(final, Send)
    assert final.request.headers["Authorization"] == "Bearer tok-b"
    ok = httpx.Response(200, json={}, request=final.request)
    with pytest.raises(StopIteration) as done:
        flow.send(ok)
    assert done.value.value is ok


def test_run_sync_performs_commands_and_raises_the_flow_error() -> None:
    performed: list[object] = []

    def perform(command: Command) -> object:
        performed.append(command)
        if isinstance(command, FetchToken):
            return "tok"
        if isinstance(command, Sleep):
            return None
        assert isinstance(command, Send)
        return httpx.Response(429, request=command.request)

    with pytest.raises(RateLimitError):
        run_sync(flow_for("POST"), perform)

    assert [type(c).__name__ for c in performed] == ["FetchToken", "Send", "Sleep", "Send"]


def test_fetch_token_repr_hides_the_token() -> None:
    assert "tok-secret" not in repr(FetchToken(rejected="tok-secret"))
