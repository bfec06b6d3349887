"""Real entities of the target, read through its own API: the IDs that path parameters can
take so tests reach success paths (found by following the spec's links from the lists)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from enode_codegen.generator.refs import unescape_pointer
from enode_codegen.generator.validate import iter_operations

from .spec import document, link_sources, operations
from .targets import Target

__all__ = ["discover", "get_json", "request_example"]


def _pointer_parts(pointer: str) -> list[str]:
    return [unescape_pointer(part) for part in pointer.lstrip("/").split("/")]


def _pointer_values(value: Any, parts: list[str]) -> list[Any]:
    """Values at a JSON pointer, with array index 0 generalised to every element."""
    if not parts:
        return [value]
    head, rest = parts[0], parts[1:]
    if isinstance(value, list) and head.isdigit():
        return [found for item in value for found in _pointer_values(item, rest)]
    if isinstance(value, dict) and head in value:
        return _pointer_values(value[head], rest)
    return []


def _harvest(value: Any, names: set[str], into: dict[str, set[str]]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key in names and isinstance(item, str) and item:
                into[key].add(item)
            else:
                _harvest(item, names, into)
    elif isinstance(value, list):
        for item in value:
            _harvest(item, names, into)


def get_json(target: Target, version: str, path: str, **params: Any) -> tuple[int, Any]:
    response = target.http().get(
        path,
        params=params or None,
        headers={**target.auth_headers(), "Enode-Version": version},
    )
    try:
        body = response.json()
    except ValueError:
        body = None
    return response.status_code, body


def discover(target: Target, version: str) -> dict[str, list[str]]:
    """path parameter name -> IDs of real entities (from the list operations' links; keys
    of the same name in list bodies, e.g. the `userId` of assets; the mock's actions)."""
    ops = operations(version)
    names = {name for op in ops.values() for name in op.path_params}
    found: dict[str, set[str]] = defaultdict(set)
    bodies: dict[str, Any] = {}
    for source, name, pointer in link_sources(version):
        if source not in bodies:
            status, body = get_json(target, version, ops[source].path)
            bodies[source] = body if status == 200 else None
        body = bodies[source]
        if body is None:
            continue
        for value in _pointer_values(body, _pointer_parts(pointer)):
            if isinstance(value, str) and value:
                found[name].add(value)
    for body in bodies.values():
        _harvest(body, names, found)
    # then the lists under an owner (e.g. /users/{userId}/schedules), for owners found above
    for source, name, pointer in link_sources(version, with_path_params=True):
        op = ops[source]
        if not all(found.get(param) for param in op.path_params):
            continue
        for owner in sorted(found[op.path_params[0]])[:6]:
            path = op.path
            for param in op.path_params:
                path = path.replace(
                    "{" + param + "}",
                    owner if param == op.path_params[0] else sorted(found[param])[0],
                )
            status, body = get_json(target, version, path)
            if status != 200:
                continue
            for value in _pointer_values(body, _pointer_parts(pointer)):
                if isinstance(value, str) and value:
                    found[name].add(value)
    if "getMe" in ops:  # 2023-04-01: the context user
        status, body = get_json(target, version, ops["getMe"].path)
        if status == 200 and isinstance(body, dict) and isinstance(body.get("id"), str):
            found["userId"].add(body["id"])
    if target.admin is not None and "actionId" in names:
        for action in target.admin.state().get("actions", []):
            found["actionId"].add(action["id"])
    return {name: sorted(values) for name, values in found.items()}


def request_example(version: str, operation_id: str) -> Any:
    """The request body example the spec gives for an operation (None: none)."""
    for _path, _method, operation in iter_operations(document(version)):
        if operation.get("operationId") == operation_id:
            content = (operation.get("requestBody") or {}).get("content", {})
            media = content.get("application/json") or {}
            return media.get("example")
    return None
