"""readOnly and writeOnly: which schemas the client sends, which it reads, which both.

A readOnly property is only ever sent by the server, a writeOnly one only by the client,
so one model cannot be right both ways. `prepare` rewrites the component schemas before
models are generated, after what the document uses each schema with such properties (or
referring to one) for:

- a schema only the server sends (reached from responses and webhook payloads only) loses
  its writeOnly properties, and its readOnly ones are plain properties, required as the
  spec says: one model, under the spec's name;
- a schema only the client sends (request bodies, parameters) loses its readOnly
  properties, and its writeOnly ones are plain: one model, under the spec's name;
- a schema no operation refers to is taken as one the server sends (an event, a shape
  responses share);
- a schema used both ways becomes two, `<Name>Request` (no readOnly properties) and
  `<Name>Response` (no writeOnly properties), and each schema referring to it refers to
  the one for its own direction (`<Name>ModelRequest` when the spec has a schema named
  `<Name>Request` already).

datamodel-code-generator has a request-response mode, but it writes two models for every
schema with such a property and for every schema referring to one, used both ways or not
(`CreateBookingResponseRequest`), and costs a third more time and memory on a large spec.
pytypes.py picks the model for each direction from `prepare`'s map.
"""

from __future__ import annotations

import copy
from typing import Any

from .bundle import schema_objects
from .validate import iter_operations

__all__ = ["prepare"]

_SCHEMA_PREFIX = "#/components/schemas/"
_SENT, _READ = 0, 1


def prepare(document: dict[str, Any]) -> tuple[dict[str, Any], dict[str, tuple[str, str]]]:
    """The component schemas to write models for, rewritten as above, and {schema:
    (request model, response model)} for the schemas written as two. `document` is not
    changed."""
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    if not any(_flagged(schema) for schema in schemas.values()):
        return schemas, {}
    schemas = _marks_on_properties(schemas)
    refs = {name: _refs(schema) for name, schema in schemas.items()}
    affected = _affected(schemas, refs)
    sent_roots, read_roots = _roots(document)
    sent, read = _closure(sent_roots, refs), _closure(read_roots, refs)
    taken = set(schemas)
    pairs: dict[str, tuple[str, str]] = {}
    for name in sorted(affected & sent & read):
        base = name
        while {f"{base}Request", f"{base}Response"} & taken:
            base = f"{base}Model" if base == name else f"{base}_"
        pairs[name] = (f"{base}Request", f"{base}Response")
        taken |= set(pairs[name])
    written: dict[str, Any] = {}
    for name, schema in schemas.items():
        if name in pairs:
            written[pairs[name][_SENT]] = _one_way(schema, _SENT, pairs)
            written[pairs[name][_READ]] = _one_way(schema, _READ, pairs)
        elif name in affected:
            written[name] = _one_way(schema, _SENT if name in sent else _READ, pairs)
        else:
            written[name] = schema
    return written, pairs


def _flagged(schema: Any) -> bool:
    """A readOnly or writeOnly property anywhere in this schema (not behind a `$ref`), or
    the mark on the schema itself (an inline property schema hoisted into a component
    keeps it; datamodel-code-generator applies it to the properties referring to it)."""
    if isinstance(schema, dict) and True in (schema.get("readOnly"), schema.get("writeOnly")):
        return True
    return any(
        isinstance(p, dict) and True in (p.get("readOnly"), p.get("writeOnly"))
        for node in schema_objects(schema)
        if isinstance(node.get("properties"), dict)
        for p in node["properties"].values()
    )


def _marks_on_properties(schemas: dict[str, Any]) -> dict[str, Any]:
    """A copy of `schemas` in which the readOnly/writeOnly mark of a component (an inline
    property schema hoisted there keeps it; a shared `alert-number` may have one) is on the
    properties referring to it instead: it says how a property is used, and a component
    can be a property here and a parameter there."""
    marks = {
        name: {flag: True for flag in ("readOnly", "writeOnly") if schema.get(flag) is True}
        for name, schema in schemas.items()
        if isinstance(schema, dict) and True in (schema.get("readOnly"), schema.get("writeOnly"))
    }
    changed = [n for n, schema in schemas.items() if n in marks or _refs(schema) & marks.keys()]
    schemas = {**schemas, **{n: copy.deepcopy(schemas[n]) for n in changed}}
    for name in marks:
        schemas[name].pop("readOnly", None)
        schemas[name].pop("writeOnly", None)

    for name in changed:
        for node in schema_objects(schemas[name]):
            properties = node.get("properties")
            for prop in properties.values() if isinstance(properties, dict) else ():
                ref = prop.get("$ref") if isinstance(prop, dict) else None
                if isinstance(ref, str) and ref[len(_SCHEMA_PREFIX) :] in marks:
                    prop.update(marks[ref[len(_SCHEMA_PREFIX) :]])
    return schemas


def _refs(node: Any, found: set[str] | None = None) -> set[str]:
    """Names of the component schemas a node refers to (added to `found`)."""
    found = set() if found is None else found
    for child in schema_objects(node):
        ref = child.get("$ref")
        if isinstance(ref, str) and ref.startswith(_SCHEMA_PREFIX):
            found.add(ref[len(_SCHEMA_PREFIX) :])
    return found


def _affected(schemas: dict[str, Any], refs: dict[str, set[str]]) -> set[str]:
    """Schemas with a readOnly or writeOnly property, and those referring to one."""
    # walked backwards along the references, each schema once: a pass over every schema
    # per step of a chain is quadratic on a large spec whose schemas refer to earlier ones
    referrers: dict[str, list[str]] = {}
    for name in schemas:
        for target in refs.get(name, ()):
            referrers.setdefault(target, []).append(name)
    affected = {name for name, schema in schemas.items() if _flagged(schema)}
    todo = list(affected)
    while todo:
        for name in referrers.get(todo.pop(), ()):
            if name not in affected:
                affected.add(name)
                todo.append(name)
    return affected


def _closure(roots: set[str], refs: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(refs.get(name, ()))
    return seen


def _roots(document: dict[str, Any]) -> tuple[set[str], set[str]]:
    """Schemas the client sends (request bodies, parameters) and those it reads (responses,
    webhook payloads, which the server sends), as the document refers to them."""
    sent: set[str] = set()
    read: set[str] = set()
    paths = document.get("paths") or {}
    for path, _method, operation in iter_operations(document):
        item = paths.get(path) if isinstance(paths, dict) else None
        if isinstance(item, dict):
            _refs(item.get("parameters"), sent)
        _refs(operation.get("parameters"), sent)
        _refs(operation.get("requestBody"), sent)
        _refs(operation.get("responses"), read)
    for hook in (document.get("webhooks") or {}).values():
        if isinstance(hook, dict):
            for operation in hook.values():
                if isinstance(operation, dict):
                    _refs(operation.get("requestBody"), read)
                    _refs(operation.get("responses"), sent)
    components = document.get("components") or {}
    for kind in ("parameters", "requestBodies"):
        _refs(components.get(kind), sent)
    for kind in ("responses", "headers"):
        _refs(components.get(kind), read)
    return sent, read


def _one_way(schema: Any, side: int, pairs: dict[str, tuple[str, str]]) -> Any:
    """A copy of `schema` as sent (`_SENT`: without its readOnly properties) or as read
    (without its writeOnly ones), the other mark dropped, and its references to schemas
    written as two retargeted to the model for the same side."""
    drop, plain = ("readOnly", "writeOnly") if side == _SENT else ("writeOnly", "readOnly")
    schema = copy.deepcopy(schema)

    def retarget(ref: Any) -> Any:
        if isinstance(ref, str) and ref[len(_SCHEMA_PREFIX) :] in pairs:
            return _SCHEMA_PREFIX + pairs[ref[len(_SCHEMA_PREFIX) :]][side]
        return ref

    for node in schema_objects(schema):
        if "$ref" in node:
            node["$ref"] = retarget(node["$ref"])
        mapping = (
            node.get("discriminator", {}).get("mapping")
            if isinstance(node.get("discriminator"), dict)
            else None
        )
        if isinstance(mapping, dict):
            for key in mapping:
                mapping[key] = retarget(mapping[key])
        properties = node.get("properties")
        if isinstance(properties, dict):
            dropped = {n for n, p in properties.items() if isinstance(p, dict) and p.get(drop)}
            for name in dropped:
                del properties[name]
            if dropped and isinstance(node.get("required"), list):
                node["required"] = [n for n in node["required"] if n not in dropped]
            for prop in properties.values():
                if isinstance(prop, dict):
                    prop.pop(plain, None)
    return schema
