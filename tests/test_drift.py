"""Real Enode traffic never breaks a user: drift, property-tested over every operation.

For every operation with a JSON 2xx body of every version, a schema-valid body (from
`schema_instances`) is changed by each of nine kinds of drift at a place hypothesis picks
among those the spec allows for that kind, and served through `httpx.MockTransport` to the
generated client's real call path. The default client must return (and list the change in
`drift(result)`); `strict=True` must raise. The spec is walked independently of the
generated models, so a place is one the spec describes, not one the client believes in.
"""

from __future__ import annotations

import copy
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_generated_clients import (
    BASE_URL,
    VERSIONS,
    build_call,
    document,
    method_for,
    package,
    resolve,
)

from enode_codegen.generator.validate import iter_operations


@dataclass(frozen=True)
class Slot:
    """A place in a body: its JSON path, the path as keys, its schema, whether required."""

    path: str
    keys: tuple[str | int, ...]
    schema: dict[str, Any]
    required: bool


def _nullable(schema: dict[str, Any], version: str) -> bool:
    kind = schema.get("type")
    if schema.get("nullable") or kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    for key in ("oneOf", "anyOf"):
        if any(_nullable(resolve(version, m), version) for m in schema.get(key, [])):
            return True
    return any(_nullable(resolve(version, m), version) for m in schema.get("allOf", []))


def _flat(schema: dict[str, Any], value: Any, version: str) -> dict[str, Any]:
    """The schema that describes `value`: $refs resolved, allOf merged, the oneOf/anyOf
    member that fits `value` chosen (by discriminator tag, else by most shared keys)."""
    schema = resolve(version, schema)
    if "allOf" in schema:
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        properties = dict(merged.get("properties", {}))
        required = list(merged.get("required", []))
        for member in schema["allOf"]:
            flat = _flat(member, value, version)
            properties.update(flat.get("properties", {}))
            required += flat.get("required", [])
            merged = {**flat, **merged}
        merged["properties"], merged["required"] = properties, required
        return merged
    for key in ("oneOf", "anyOf"):
        members = [resolve(version, m) for m in schema.get(key, [])]
        members = [m for m in members if m.get("type") != "null"]
        if members:
            fitting = [_flat(m, value, version) for m in members]

            def score(member: dict[str, Any]) -> int:
                if not isinstance(value, dict):
                    return 0
                props = member.get("properties", {})
                tag = (schema.get("discriminator") or {}).get("propertyName")
                if tag and tag in value:
                    tag_schema = resolve(version, props.get(tag, {}))
                    allowed = tag_schema.get("enum") or [tag_schema.get("const")]
                    if value[tag] not in allowed:
                        return -1
                return len(set(props) & set(value)) - len(
                    set(member.get("required", [])) - set(value)
                )

            return {**max(fitting, key=score), "nullable": _nullable(schema, version)}
    return schema


def slots(schema: Any, value: Any, version: str) -> Iterator[Slot]:
    """Every place of `value` with the schema the spec gives it."""

    def walk(schema: Any, value: Any, path: str, keys: tuple[Any, ...], required: bool):
        flat = _flat(schema, value, version)
        yield Slot(path, keys, flat, required)
        if isinstance(value, dict):
            needed = set(flat.get("required", []))
            for name, child in flat.get("properties", {}).items():
                if name in value:
                    yield from walk(
                        child, value[name], f"{path}.{name}", (*keys, name), name in needed
                    )
        elif isinstance(value, list) and "items" in flat:
            for i, item in enumerate(value):
                yield from walk(flat["items"], item, f"{path}[{i}]", (*keys, i), True)

    yield from walk(schema, value, "$", (), True)


def _kind(slot: Slot) -> str:
    kind = slot.schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    return kind or ("object" if "properties" in slot.schema else "")


def _not_null(slot: Slot, version: str) -> bool:
    """A place null may not take: a required property or an array item that is not nullable.
    (An optional property reads None when absent, so the models accept null there too.)"""
    return slot.required and not _nullable(slot.schema, version) and bool(_kind(slot))


# Each kind of drift: where it may go (given the slot and the value there), and the change.
# A change returns the new value of the slot, or DELETE; the deviation is expected at the
# slot's path (for an unknown field, at the field's own path).
DELETE = object()
NEW_FIELD = "fieldFromTheFuture"


@dataclass(frozen=True)
class Drift:
    name: str
    applies: Callable[[Slot, Any, str], bool]
    change: Callable[[Any], Any]
    at_child: str | None = None


DRIFTS = [
    Drift("null where the spec says non-null", lambda s, v, ver: _not_null(s, ver), lambda v: None),
    Drift(
        "a missing required field",
        lambda s, v, ver: s.required and bool(s.keys) and isinstance(s.keys[-1], str),
        lambda v: DELETE,
    ),
    Drift(
        "a number as a string",
        lambda s, v, ver: _kind(s) in ("integer", "number") and not s.schema.get("enum"),
        lambda v: str(v),
    ),
    Drift(
        "a string where a number belongs",
        lambda s, v, ver: _kind(s) in ("integer", "number") and not s.schema.get("enum"),
        lambda v: "about twelve",
    ),
    Drift(
        "an unknown enum value",
        lambda s, v, ver: _kind(s) == "string" and bool(s.schema.get("enum")),
        lambda v: "VALUE_FROM_THE_FUTURE",
    ),
    Drift(
        "an unknown field",
        lambda s, v, ver: isinstance(v, dict) and "properties" in s.schema,
        lambda v: {**v, NEW_FIELD: {"x": 1}},
        NEW_FIELD,
    ),
    Drift(
        "a bad date-time",
        lambda s, v, ver: s.schema.get("format") == "date-time",
        lambda v: "the day after tomorrow",
    ),
    Drift(
        "an array where an object belongs",
        lambda s, v, ver: isinstance(v, dict) and "properties" in s.schema,
        lambda v: [v],
    ),
    Drift(
        "an object where an array belongs",
        lambda s, v, ver: isinstance(v, list),
        lambda v: {"items": v},
    ),
]


def _at(body: Any, keys: tuple[Any, ...]) -> Any:
    for key in keys:
        body = body[key]
    return body


def apply(body: Any, slot: Slot, drift: Drift) -> tuple[Any, str]:
    """A copy of `body` with `drift` at `slot`, and the JSON path the client must name."""
    new = copy.deepcopy(body)
    changed = drift.change(_at(new, slot.keys))
    where = f"{slot.path}.{drift.at_child}" if drift.at_child else slot.path
    if not slot.keys:
        return changed, where
    parent = _at(new, slot.keys[:-1])
    if changed is DELETE:
        del parent[slot.keys[-1]]
    else:
        parent[slot.keys[-1]] = changed
    return new, where


def json_operations() -> list[Any]:
    found = []
    for version in VERSIONS:
        for path, method, op in iter_operations(document(version)):
            code = min(c for c in op["responses"] if c.startswith("2"))
            content = resolve(version, op["responses"][code]).get("content", {})
            if "application/json" in content:
                found.append(
                    pytest.param(version, path, method, id=f"{version}-{op['operationId']}")
                )
    return found


def response_schema(version: str, path: str, method: str) -> dict[str, Any]:
    op = document(version)["paths"][path][method]
    code = min(c for c in op["responses"] if c.startswith("2"))
    return resolve(version, op["responses"][code])["content"]["application/json"]["schema"]


def call(version: str, path: str, method: str, body: Any, *, strict: bool) -> Any:
    pkg = package(version)
    kwargs, _, _, status, _ = build_call(version, path, method)
    content = json.dumps(body).encode()

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=content, headers={"content-type": "application/json"})

    with pkg.Client(
        access_token="test-token",
        base_url=BASE_URL,
        strict=strict,
        transport=httpx.MockTransport(answer),
    ) as client:
        return method_for(client, version, path, method)(**kwargs)


def reported(version: str, result: Any) -> list[Any]:
    """What the user can read of the drift: `drift(result)`."""
    return package(version).drift(result)


@pytest.mark.filterwarnings("ignore:.* is deprecated:DeprecationWarning")  # deprecated operations
@pytest.mark.parametrize(("version", "path", "method"), json_operations())
@settings(
    max_examples=2,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_default_client_reads_every_drift_and_strict_raises_on_it(
    version: str, path: str, method: str, data: st.DataObject
) -> None:
    pkg = package(version)
    _, _, _, _, body = build_call(version, path, method)
    schema = response_schema(version, path, method)
    if isinstance(body, dict) and "pagination" in body:
        body["pagination"] = {"after": None, "before": None}
    places = list(slots(schema, body, version))
    assert reported(version, call(version, path, method, body, strict=False)) == []
    call(version, path, method, body, strict=True)  # a valid body passes strict mode

    for drift in DRIFTS:
        fitting = [s for s in places if drift.applies(s, _at(body, s.keys), version)]
        if not fitting:
            continue
        slot = data.draw(st.sampled_from(fitting), label=drift.name)
        drifted, where = apply(body, slot, drift)

        result = call(version, path, method, drifted, strict=False)

        paths = [d.path for d in reported(version, result)]
        assert where in paths, f"{drift.name} at {where}: the client reported {paths}"
        with pytest.raises((pkg.ResponseValidationError, pkg.StrictModeError)):
            call(version, path, method, drifted, strict=True)


def test_every_kind_of_drift_has_a_place_in_some_body() -> None:
    """The property test above skips a kind where a body has no place for it; across all
    operations every kind must be exercised somewhere, or the test would prove nothing."""
    used = set()
    for param in json_operations():
        version, path, method = param.values
        _, _, _, _, body = build_call(version, path, method)
        for slot in slots(response_schema(version, path, method), body, version):
            used |= {d.name for d in DRIFTS if d.applies(slot, _at(body, slot.keys), version)}
    assert used == {d.name for d in DRIFTS}


V = "2024-10-01"


def test_a_page_with_one_bad_item_returns_every_item(caplog: pytest.LogCaptureFixture) -> None:
    _, _, _, _, body = build_call(V, "/vehicles", "get")
    good = body["data"][0]
    items = []
    for i in range(5):
        item = copy.deepcopy(good)
        item["id"] = f"4eaeb363-296d-4ccc-a973-7805e6f400b{i}"
        items.append(item)
    items[2]["information"]["year"] = "twenty"  # a string where a number belongs
    items[2]["lastSeen"] = "not a date"
    page_body = {"data": items, "pagination": {"after": None, "before": None}}

    package(V)._runtime._drift._LOGGED.clear()  # "once" is per process: start afresh
    with caplog.at_level(logging.WARNING, logger="enode"):
        page = call(V, "/vehicles", "get", page_body, strict=False)
        again = call(V, "/vehicles", "get", page_body, strict=False)

    drift = package(V).drift
    assert [str(v.id)[-1] for v in page.data] == ["0", "1", "2", "3", "4"]
    bad = page.data[2]
    assert bad.information.year == "twenty" and bad.last_seen == "not a date"
    assert bad.information.model == good["information"]["model"]  # the rest stays typed
    assert [(d.path, d.expected, d.received) for d in drift(bad)] == [
        ("$.data[2].lastSeen", "date-time", "not a date"),
        ("$.data[2].information.year", "number", "twenty"),
    ]
    assert drift(page) == drift(bad) and drift(again) == drift(again.data[2])
    assert [drift(v) for i, v in enumerate(page.data) if i != 2] == [[], [], [], []]
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [  # once per operation and path, however often it comes
        "drift in GET /vehicles at $.data[*].lastSeen: expected date-time, received string; "
        "returned as received (strict=True raises instead)",
        "drift in GET /vehicles at $.data[*].information.year: expected number, received "
        "string; returned as received (strict=True raises instead)",
    ]
    with pytest.raises(package(V).ResponseValidationError, match="lastSeen"):
        call(V, "/vehicles", "get", page_body, strict=True)
