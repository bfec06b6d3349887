"""The generated packages, called for real: spec -> generated/ -> import -> call.

Every operation of every version is called through the sync and the async client
against `httpx.MockTransport`, which answers with a schema-valid body built from
the spec; the test checks the request on the wire (method, path, Enode-Version,
bearer token, JSON body) and the typed value returned. `test_generated_is_current`
makes sure generated/ is exactly what the specs produce, so these tests speak for
a fresh generation too.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import warnings
from functools import cache
from types import ModuleType
from typing import Any

import httpx
import pytest
from schema_instances import instance

from enode_codegen.generator.generate import check
from enode_codegen.generator.ir import resource_attr
from enode_codegen.generator.naming import snake_name
from enode_codegen.generator.paths import GENERATED_DIR, SPEC_DIR, discover_versions, spec_file
from enode_codegen.generator.validate import iter_operations, validate_spec

VERSIONS = ["2023-04-01", "2023-08-01", "2024-01-01", "2024-10-01"]
BASE_URL = "https://enode.test"


def test_generated_is_current() -> None:
    """A spec or template change without `enode-codegen generate` fails here (and in CI)."""
    diff = check(discover_versions(SPEC_DIR), GENERATED_DIR)
    assert not diff, "generated/ is stale; run `enode-codegen generate`:\n" + "".join(diff[:200])


@cache
def package(version: str) -> ModuleType:
    return importlib.import_module(f"enode_{version.replace('-', '_')}")


@cache
def document(version: str) -> dict[str, Any]:
    return validate_spec(spec_file(version)).document


def resolve(version: str, node: Any) -> Any:
    while isinstance(node, dict) and "$ref" in node:
        target: Any = document(version)
        for token in node["$ref"][2:].split("/"):
            target = target[token.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def snake(name: str) -> str:
    return snake_name(name)


def cases() -> list[Any]:
    found = []
    for version in VERSIONS:
        for path, method, op in iter_operations(document(version)):
            found.append(
                pytest.param(
                    version, path, method, op["operationId"], id=f"{version}-{op['operationId']}"
                )
            )
    return found


class Recorder:
    """A MockTransport handler answering one operation with a schema-valid body."""

    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.body is None:
            return httpx.Response(self.status)
        return httpx.Response(self.status, json=self.body)


def build_call(version: str, path: str, method: str) -> tuple[dict[str, Any], str, Any, int, Any]:
    """Arguments for the generated method, the expected URL path, the expected JSON body,
    and the status and body the fake server answers with."""
    doc = document(version)
    op = doc["paths"][path][method]
    kwargs: dict[str, Any] = {}
    url_path = path
    for raw in op.get("parameters", []):
        param = resolve(version, raw)
        if param["in"] == "header":
            continue
        if param["in"] == "path":
            value = instance(param["schema"], doc)
            kwargs[snake(param["name"])] = value
            url_path = url_path.replace("{" + param["name"] + "}", str(value))
        elif param.get("required"):
            kwargs[snake(param["name"])] = instance(param["schema"], doc)
    expected_body = None
    if "requestBody" in op:
        body_schema = resolve(version, op["requestBody"])["content"]["application/json"]["schema"]
        body = instance(body_schema, doc)
        target = resolve(version, body_schema)
        if "properties" in target and not any(k in target for k in ("oneOf", "anyOf", "allOf")):
            kwargs.update({snake(k): v for k, v in body.items()})
        else:
            kwargs["body"] = body
        expected_body = body
    code = min(c for c in op["responses"] if c.startswith("2"))
    response = resolve(version, op["responses"][code])
    content = response.get("content", {}).get("application/json")
    reply = instance(content["schema"], doc) if content else None
    if reply is not None and isinstance(reply, dict) and "pagination" in reply:
        reply["pagination"] = {"after": None, "before": None}
    return kwargs, url_path, expected_body, int(code), reply


def method_for(client: Any, version: str, path: str, method: str) -> Any:
    op = document(version)["paths"][path][method]
    tag = op["tags"][0]
    paths = [p for p, _, o in iter_operations(document(version)) if o["tags"][0] == tag]
    resource = getattr(client, resource_attr(tag, paths))
    return getattr(resource, snake(op["operationId"]))


def check_request(
    recorder: Recorder, version: str, method: str, url_path: str, expected_body: Any
) -> None:
    [request] = recorder.requests
    assert request.method == method.upper()
    assert request.url.path == url_path
    assert request.headers["Enode-Version"] == version
    assert request.headers["Authorization"] == "Bearer test-token"
    if expected_body is not None:
        assert json.loads(request.content) == expected_body


def check_result(pkg: Any, result: Any, reply: Any) -> None:
    # the client reads tolerantly (a reply that does not match its model is returned, not
    # raised): every operation's reply must parse without drift, page items included
    items = result if isinstance(result, list) else getattr(result, "data", None)
    parts = [result, *(items if isinstance(items, list) else [])]
    assert [str(d) for part in parts for d in pkg.drift(part)] == []
    if reply is None:
        assert result is None
    elif isinstance(reply, list):
        assert isinstance(result, list) and len(result) == len(reply)
    elif isinstance(reply, dict) and "pagination" in reply:
        assert len(result.data) == len(reply["data"]) and not result.has_next_page()
    else:
        assert hasattr(result, "model_dump"), f"expected a model, got {type(result).__name__}"
        assert result.model_dump(mode="json", by_alias=True, exclude_unset=True) == reply


@pytest.mark.parametrize(("version", "path", "method", "operation_id"), cases())
def test_every_operation_sync_and_async(
    version: str, path: str, method: str, operation_id: str
) -> None:
    pkg = package(version)
    kwargs, url_path, expected_body, status, reply = build_call(version, path, method)

    recorder = Recorder(status, reply)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pkg.Client(
            access_token="test-token", base_url=BASE_URL, transport=httpx.MockTransport(recorder)
        ) as client:
            result = method_for(client, version, path, method)(**kwargs)
    check_request(recorder, version, method, url_path, expected_body)
    check_result(pkg, result, reply)
    deprecated = document(version)["paths"][path][method].get("deprecated", False)
    assert any(issubclass(w.category, DeprecationWarning) for w in caught) == deprecated

    async def run() -> Any:
        async with pkg.AsyncClient(
            access_token="test-token",
            base_url=BASE_URL,
            transport=httpx.MockTransport(async_recorder),
        ) as client:
            return await method_for(client, version, path, method)(**kwargs)

    async_recorder = Recorder(status, reply)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        async_result = asyncio.run(run())
    check_request(async_recorder, version, method, url_path, expected_body)
    check_result(pkg, async_result, reply)


def test_sync_and_async_clients_have_the_same_methods() -> None:
    for version in VERSIONS:
        pkg = package(version)
        for name, member in inspect.getmembers(pkg.Client):
            if isinstance(member, property) or name.startswith("_"):
                continue
        for attr in dir(pkg.Client):
            sync_resource = getattr(pkg.Client, attr, None)
            if not hasattr(sync_resource, "func"):  # cached_property
                continue
            sync_cls = inspect.signature(sync_resource.func).return_annotation
            async_cls = inspect.signature(getattr(pkg.AsyncClient, attr).func).return_annotation
            sync_methods = {m for m in dir(getattr(pkg._client, sync_cls)) if not m.startswith("_")}
            async_methods = {
                m for m in dir(getattr(pkg._client, async_cls)) if not m.startswith("_")
            }
            assert sync_methods == async_methods, (version, attr)
            for method in sync_methods:
                sync_sig = inspect.signature(getattr(getattr(pkg._client, sync_cls), method))
                async_sig = inspect.signature(getattr(getattr(pkg._client, async_cls), method))
                assert list(sync_sig.parameters) == list(async_sig.parameters), (
                    version,
                    attr,
                    method,
                )


def battery_body(version: str, **overrides: Any) -> dict[str, Any]:
    schema = resolve(version, document(version)["components"]["schemas"]["Battery"])
    body = instance(schema, document(version))
    body.update(overrides)
    return body


@pytest.mark.parametrize("version", VERSIONS)
def test_pagination_walks_every_page(version: str) -> None:
    pkg = package(version)
    pages = {
        None: (["a", "b"], "c1"),
        "c1": (["c", "d"], "c2"),
        "c2": (["e"], None),
    }
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        ids, after = pages[request.url.params.get("after")]
        data = [
            battery_body(version, id=f"4eaeb363-296d-4ccc-a973-7805e6f400b{i}")
            for i, _ in enumerate(ids)
        ]
        for item, name in zip(data, ids, strict=True):
            item["userId"] = name
        return httpx.Response(
            200, json={"data": data, "pagination": {"after": after, "before": None}}
        )

    with pkg.Client(
        access_token="test-token", base_url=BASE_URL, transport=httpx.MockTransport(handler)
    ) as client:
        page = client.batteries.list_batteries(page_size=2)
        assert [b.user_id for b in page.data] == ["a", "b"]
        assert [b.user_id for b in page] == ["a", "b", "c", "d", "e"]
    assert [r.url.params.get("after") for r in seen] == [None, "c1", "c2", None, "c1", "c2"][
        : len(seen)
    ]
    assert all(r.url.params.get("pageSize") == "2" for r in seen)
    assert all("before" not in r.url.params for r in seen)


@pytest.mark.parametrize("version", VERSIONS)
def test_typed_errors_and_unknown_enum_values(version: str) -> None:
    pkg = package(version)
    action = instance(
        resolve(version, document(version)["components"]["schemas"]["BatteryAction"]),
        document(version),
    )
    action["state"] = "CONFIRMED"

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/cancel"):
            return httpx.Response(409, json=action)
        if request.url.path.startswith("/batteries/missing"):
            problem = {
                "type": "https://developers.enode.com/api/problems/not-found",
                "title": "Not Found",
                "detail": "No battery missing",
            }
            return httpx.Response(
                404, json=problem, headers={"content-type": "application/problem+json"}
            )
        return httpx.Response(
            200,
            json=battery_body(
                version,
                isReachable=True,
                vendor="TESLA",
                chargeState={**battery_body(version)["chargeState"], "status": "SOMETHING_NEW"},
            ),
        )

    with pkg.Client(
        access_token="test-token", base_url=BASE_URL, transport=httpx.MockTransport(handler)
    ) as client:
        with pytest.raises(pkg.NotFoundError) as not_found:
            client.batteries.get_battery("missing")
        assert not_found.value.status_code == 404 and not_found.value.detail == "No battery missing"
        with pytest.raises(pkg.ConflictError) as conflict:
            client.batteries.cancel_battery_action(action["id"])
        assert isinstance(conflict.value.action, pkg.models.BatteryAction)
        assert conflict.value.action.state == pkg.models.ActionState.CONFIRMED
        battery = client.batteries.get_battery(action["targetId"])
        status = battery.charge_state.status
        assert status == "SOMETHING_NEW" and not status.is_known
    strict = pkg.Client(
        access_token="test-token",
        base_url=BASE_URL,
        transport=httpx.MockTransport(handler),
        strict=True,
    )
    with pytest.raises(pkg.StrictModeError):
        strict.batteries.get_battery(action["targetId"])
    strict.close()


def test_importing_a_package_is_cheap_and_models_load_on_first_use() -> None:
    """Models, and pydantic's model machinery, load on first use; asyncio is imported only
    by async clients."""
    import subprocess
    import sys

    code = (
        "import sys, enode_2024_10_01 as pkg\n"
        "assert 'pydantic.main' not in sys.modules, 'pydantic models loaded at import'\n"
        "client = pkg.Client(access_token='t', base_url='http://x')\n"
        "assert 'pydantic.main' not in sys.modules, 'pydantic models loaded by a client'\n"
        "subclasses = pkg._runtime.EnodeModel.__subclasses__()\n"
        "built = [c for c in subclasses if c.__module__.endswith('.models')]\n"
        "assert built == [], 'models built at import'\n"
        "assert 'asyncio' not in sys.modules, 'asyncio imported at import'\n"
        "from enode_2024_10_01.models import Battery\n"
        "assert Battery in pkg._runtime.EnodeModel.__subclasses__()\n"
        "assert pkg.models.Battery is Battery\n"
    )
    package_dir = GENERATED_DIR / "enode-client-2024-10-01"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=package_dir, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
