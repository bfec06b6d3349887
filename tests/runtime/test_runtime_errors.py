"""Error responses become the exception class of their status, whatever their body."""

from __future__ import annotations

import re
from uuid import UUID

import httpx
import pytest
from conftest import BASE_URL, FakeEnode, MakeClient, problem, resolve
from fakeapi import BatteryAction, OperationMode

import enode_codegen.runtime as runtime
from enode_codegen.runtime import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    EnodeError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    ServiceUnavailableError,
    UnprocessableEntityError,
    _errors,
)

CLASSES = [
    (400, BadRequestError),
    (401, AuthenticationError),
    (403, PermissionDeniedError),
    (404, NotFoundError),
    (409, ConflictError),
    (410, APIStatusError),
    (422, UnprocessableEntityError),
    (429, RateLimitError),
    (500, InternalServerError),
    (502, InternalServerError),
    (503, ServiceUnavailableError),
    (504, InternalServerError),
]


@pytest.mark.parametrize(("status", "cls"), CLASSES)
async def test_problem_maps_to_class_with_fields(
    fake: FakeEnode, make_client: MakeClient, status: int, cls: type[APIStatusError]
) -> None:
    body = {
        "type": "https://developers.enode.com/api/problems/x",
        "title": "Payload validation failed",
        "detail": '"operationMode" is required',
        "issues": [{"message": "required", "path": ["operationMode"]}],
    }
    fake.on("GET", "/batteries/b1", httpx.Response(status, json=body))
    client = make_client(max_retries=0)

    with pytest.raises(APIStatusError) as caught:
        await resolve(client.batteries.get_battery("b1"))

    error = caught.value
    assert type(error) is cls
    assert isinstance(error, EnodeError)
    assert error.status_code == status
    assert error.type == body["type"]
    assert error.title == "Payload validation failed"
    assert error.detail == '"operationMode" is required'
    assert error.issues == body["issues"]
    assert error.method == "GET"
    assert error.url == f"{BASE_URL}/batteries/b1"
    assert error.response.status_code == status
    assert str(status) in str(error) and "Payload validation failed" in str(error)


@pytest.mark.parametrize(("status", "cls"), CLASSES)
async def test_non_json_error_body_still_gives_the_class(
    fake: FakeEnode, make_client: MakeClient, status: int, cls: type[APIStatusError]
) -> None:
    html = httpx.Response(status, text="<html><h1>Bad gateway</h1></html>")
    fake.on("GET", "/batteries/b1", html)
    client = make_client(max_retries=0)

    with pytest.raises(APIStatusError) as caught:
        await resolve(client.batteries.get_battery("b1"))

    assert type(caught.value) is cls
    assert caught.value.title == html.reason_phrase
    assert caught.value.detail == ""
    assert caught.value.issues == []


@pytest.mark.parametrize(
    "body",
    [
        [1, 2, 3],
        "just a string",
        {"title": 7, "detail": None, "issues": "none"},
        {"unrelated": True},
    ],
    ids=["array", "string", "wrong-types", "no-problem-keys"],
)
async def test_malformed_problem_still_gives_the_class(
    fake: FakeEnode, make_client: MakeClient, body: object
) -> None:
    fake.on("GET", "/batteries/b1", httpx.Response(404, json=body))
    client = make_client()

    with pytest.raises(NotFoundError) as caught:
        await resolve(client.batteries.get_battery("b1"))

    assert caught.value.title == "Not Found"
    assert caught.value.detail == ""
    assert caught.value.issues == []


async def test_conflict_exposes_the_action(fake: FakeEnode, make_client: MakeClient) -> None:
    action = {"id": "6f1c5b9e-2f6a-4d4e-9d3e-0c1a2b3c4d5e", "state": "PENDING", "targetId": "b1"}
    fake.on("POST", "/batteries/b1/operation-mode", httpx.Response(409, json=action))
    client = make_client()

    with pytest.raises(ConflictError) as caught:
        await resolve(
            client.batteries.set_battery_operation_mode(
                "b1", operation_mode=OperationMode.IMPORT_FOCUS
            )
        )

    assert isinstance(caught.value.action, BatteryAction)
    assert caught.value.action.id == UUID(action["id"])
    assert caught.value.action.state == "PENDING"


async def test_conflict_with_a_problem_body_has_no_action(
    fake: FakeEnode, make_client: MakeClient
) -> None:
    fake.on("POST", "/batteries/b1/operation-mode", problem(409, "Enode controlled entity"))
    client = make_client()

    with pytest.raises(ConflictError) as caught:
        await resolve(
            client.batteries.set_battery_operation_mode(
                "b1", operation_mode=OperationMode.IMPORT_FOCUS
            )
        )

    assert caught.value.action is None
    assert caught.value.title == "Enode controlled entity"


async def test_invalid_success_body_raises_response_validation_error_in_strict_mode(
    fake: FakeEnode, make_client: MakeClient
) -> None:
    fake.on("GET", "/batteries/b1", httpx.Response(200, json={"id": "b1"}))
    client = make_client(strict=True)

    with pytest.raises(ResponseValidationError) as caught:
        await resolve(client.batteries.get_battery("b1"))

    assert caught.value.status_code == 200
    assert "chargeState" in str(caught.value)


def test_error_tree_in_docstring_lists_every_exception() -> None:
    drawn = set(re.findall(r"── (\w+)", _errors.__doc__ or ""))
    exported = {
        name
        for name in runtime.__all__
        if isinstance(getattr(runtime, name), type)
        and issubclass(getattr(runtime, name), Exception)
    }
    assert drawn == exported - {"EnodeError"}
    for name in exported:
        assert issubclass(getattr(runtime, name), EnodeError)
