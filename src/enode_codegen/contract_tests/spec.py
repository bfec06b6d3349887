"""The specs under test, loaded once per version through the generator's validator (so a
contract run never tests an invalid spec) and facts read from them."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from enode_codegen.generator.paths import spec_file
from enode_codegen.generator.refs import deref
from enode_codegen.generator.validate import iter_operations, validate_spec

__all__ = [
    "SpecOperation",
    "document",
    "link_sources",
    "operations",
    "query_params",
    "resolved",
    "response_schema",
    "webhook_events",
]


@functools.cache
def document(version: str) -> dict[str, Any]:
    """The version's spec as one self-contained dict (validated)."""
    return validate_spec(spec_file(version)).document


@dataclass(frozen=True)
class SpecOperation:
    operation_id: str
    method: str
    path: str
    tags: tuple[str, ...]
    path_params: tuple[str, ...]
    has_body: bool
    responses: tuple[str, ...]
    secured: bool
    deprecated: bool = False


@functools.cache
def operations(version: str) -> dict[str, SpecOperation]:
    doc = document(version)
    root_security = doc.get("security") or []
    result: dict[str, SpecOperation] = {}
    for path, method, op in iter_operations(doc):
        params = [deref(doc, p) for p in op.get("parameters", [])]
        result[op["operationId"]] = SpecOperation(
            operation_id=op["operationId"],
            method=method.upper(),
            path=path,
            tags=tuple(op.get("tags", ())),
            path_params=tuple(p["name"] for p in params if p.get("in") == "path"),
            has_body="requestBody" in op,
            responses=tuple(sorted(op.get("responses", {}))),
            secured=bool(op.get("security", root_security)),
            deprecated=bool(op.get("deprecated", False)),
        )
    return result


@functools.cache
def link_sources(version: str, with_path_params: bool = False) -> list[tuple[str, str, str]]:
    """(source operationId, target parameter name, JSON pointer into the 200 body) of every
    GET link source (without path parameters unless asked): the lists naming real entities."""
    doc = document(version)
    ops = operations(version)
    found = []
    for _path, method, op in iter_operations(doc):
        if method != "get" or bool(ops[op["operationId"]].path_params) != with_path_params:
            continue
        for response in op.get("responses", {}).values():
            response = deref(doc, response)
            for link in (response.get("links") or {}).values():
                for name, expression in (link.get("parameters") or {}).items():
                    if isinstance(expression, str) and expression.startswith("$response.body#"):
                        found.append(
                            (op["operationId"], name, expression[len("$response.body#") :])
                        )
    return found


def resolved(version: str, node: Any) -> Any:
    """`node` with its local `$ref` chain followed."""
    return deref(document(version), node)


@functools.cache
def query_params(version: str, operation_id: str) -> dict[str, bool]:
    """Query parameter name -> required, of an operation."""
    doc = document(version)
    for _path, _method, op in iter_operations(doc):
        if op.get("operationId") == operation_id:
            params = [deref(doc, p) for p in op.get("parameters", [])]
            return {p["name"]: bool(p.get("required")) for p in params if p.get("in") == "query"}
    return {}


def response_schema(version: str, operation_id: str, status: str = "200") -> dict[str, Any]:
    """The JSON schema of an operation's answer (resolved; {} when it has none)."""
    doc = document(version)
    for _path, _method, op in iter_operations(doc):
        if op.get("operationId") == operation_id:
            response = deref(doc, op.get("responses", {}).get(status, {}))
            media = (response.get("content") or {}).get("application/json") or {}
            return dict(deref(doc, media.get("schema", {})))
    return {}


@functools.cache
def webhook_events(version: str) -> dict[str, dict[str, Any]]:
    """Event name -> the JSON schema of one event, for every event the version's spec
    declares (the keys of its top-level `webhooks`, in document order): the `items` of each
    webhook's `application/json` request body (an array of that event). Empty when the
    version declares no webhooks."""
    doc = document(version)
    found: dict[str, dict[str, Any]] = {}
    for name, item in (doc.get("webhooks") or {}).items():
        post = deref(doc, item).get("post") or {}
        body = deref(doc, post.get("requestBody") or {})
        media = (body.get("content") or {}).get("application/json") or {}
        schema = deref(doc, media.get("schema") or {})
        event = schema.get("items") if schema.get("type") == "array" else schema
        if not isinstance(event, dict):
            raise ValueError(
                f"spec {version}: webhooks/{name}/post/requestBody has no application/json "
                "array schema of events"
            )
        found[name] = event
    return found
