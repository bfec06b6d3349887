"""readOnly and writeOnly: which schemas the client sends, which it reads, which both.

datamodel-code-generator (request-response mode) writes every schema with a readOnly or
writeOnly property, and every schema referring to one, as two models: `<Name>Request`
without the readOnly properties and `<Name>Response` without the writeOnly ones.
`prepare` first narrows each such schema to what the document uses it for, so one-way
schemas keep one model under the name the spec gives them:

- a schema only the server sends (reached from responses and webhook payloads only) loses
  its writeOnly properties, and its readOnly properties are plain ones;
- a schema only the client sends (request bodies and parameters) loses its readOnly
  properties, and its writeOnly properties are plain ones;
- a schema no operation refers to is taken as one the server sends (typically an event or
  a shape shared by responses);
- a schema used both ways becomes the two models. When the spec also has a
  schema named `<Name>Request` or `<Name>Response`, the pair is written as
  `<Name>ModelRequest` / `<Name>ModelResponse` (datamodel-code-generator would number one).

The module's own `directional` (models.py) then says, from the classes written, which
schemas became two models; pytypes.py picks the one for each direction.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from .validate import iter_operations

__all__ = ["prepare"]

_SCHEMA_PREFIX = "#/components/schemas/"
_NOT_SCHEMA = ("example", "examples", "default", "enum", "const")


def prepare(document: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str], bool]:
    """The component schemas to write, narrowed as above; {schema: name written as} for
    those renamed; whether any schema is still to be written as two models
    (datamodel-code-generator's request-response mode costs a third more time and memory
    on a large spec, so it is asked for only then). `document` is not changed."""
    schemas: dict[str, Any] = document.get("components", {}).get("schemas", {})
    if not any(_flagged(schema) for schema in schemas.values()):
        return schemas, {}, False
    schemas = _marks_on_properties(schemas)
    refs = {name: _refs(schema) for name, schema in schemas.items()}
    one_way = _affected(schemas, refs)
    sent_roots, read_roots = _roots(document)
    sent, read = _closure(sent_roots, refs), _closure(read_roots, refs)
    narrowed = dict(schemas)
    for name in sorted(one_way):
        if name not in sent:
            narrowed[name] = _narrowed(schemas, name, drop="writeOnly", plain="readOnly")
        elif name not in read:
            narrowed[name] = _narrowed(schemas, name, drop="readOnly", plain="writeOnly")
    aliases: dict[str, str] = {}
    two_way = _affected(narrowed, refs)
    for name in sorted(two_way):
        if f"{name}Request" in narrowed or f"{name}Response" in narrowed:
            new = f"{name}Model"
            while new in narrowed or new in aliases.values():
                new += "_"
            aliases[name] = new
    if not aliases:
        return narrowed, {}, bool(two_way)
    text = json.dumps(narrowed)
    for old, new in aliases.items():
        text = text.replace(f'"{_SCHEMA_PREFIX}{old}"', f'"{_SCHEMA_PREFIX}{new}"')
    renamed: dict[str, Any] = json.loads(text)
    return {aliases.get(name, name): schema for name, schema in renamed.items()}, aliases, True


def _flagged(node: Any, top: bool = True) -> bool:
    """A readOnly or writeOnly property anywhere in this schema (not behind a `$ref`), or
    the mark on the schema itself (an inline property schema hoisted into a component
    keeps it; datamodel-code-generator applies it to the properties referring to it)."""
    if top and isinstance(node, dict) and True in (node.get("readOnly"), node.get("writeOnly")):
        return True
    if isinstance(node, list):
        return any(_flagged(item, False) for item in node)
    if not isinstance(node, dict):
        return False
    properties = node.get("properties")
    if isinstance(properties, dict) and any(
        isinstance(p, dict) and (p.get("readOnly") is True or p.get("writeOnly") is True)
        for p in properties.values()
    ):
        return True
    return any(_flagged(value, False) for key, value in node.items() if key not in _NOT_SCHEMA)


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

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
            return
        if not isinstance(node, dict):
            return
        properties = node.get("properties")
        if isinstance(properties, dict):
            for prop in properties.values():
                ref = prop.get("$ref") if isinstance(prop, dict) else None
                if isinstance(ref, str) and ref[len(_SCHEMA_PREFIX) :] in marks:
                    prop.update(marks[ref[len(_SCHEMA_PREFIX) :]])
        for key, value in node.items():
            if key not in _NOT_SCHEMA:
                visit(value)

    for name in changed:
        visit(schemas[name])
    return schemas


def _refs(node: Any, found: set[str] | None = None) -> set[str]:
    """Names of the component schemas a node refers to."""
    found = set() if found is None else found
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_SCHEMA_PREFIX):
            found.add(ref[len(_SCHEMA_PREFIX) :])
        for key, value in node.items():
            if key not in _NOT_SCHEMA:
                _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)
    return found


def _affected(schemas: dict[str, Any], refs: dict[str, set[str]]) -> set[str]:
    """Schemas with a readOnly or writeOnly property, and those referring to one."""
    affected = {name for name, schema in schemas.items() if _flagged(schema)}
    grew = bool(affected)
    while grew:
        grew = False
        for name in schemas:
            if name not in affected and refs.get(name, set()) & affected:
                affected.add(name)
                grew = True
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


def _narrowed(schemas: dict[str, Any], name: str, *, drop: str, plain: str) -> Any:
    """A copy of schema `name` without the properties marked `drop`, and without the
    `plain` mark on the others."""
    schema = copy.deepcopy(schemas[name])

    def marked(prop: Any) -> bool:
        return isinstance(prop, dict) and prop.get(drop) is True

    def visit(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
            return
        if not isinstance(node, dict):
            return
        properties = node.get("properties")
        if isinstance(properties, dict):
            dropped = {n for n, p in properties.items() if marked(p)}
            for name in dropped:
                del properties[name]
            if dropped and isinstance(node.get("required"), list):
                node["required"] = [n for n in node["required"] if n not in dropped]
            for prop in properties.values():
                if isinstance(prop, dict):
                    prop.pop(plain, None)
        for key, value in node.items():
            if key not in _NOT_SCHEMA:
                visit(value)

    visit(schema)
    return schema
