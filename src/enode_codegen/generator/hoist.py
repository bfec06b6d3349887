"""Give every model a meaningful name before models are generated.

Works on a copy of the bundled document:

1. component schema names become valid class names (`pet-store` -> `PetStore`);
2. inline objects and enums inside schemas move into `components/schemas`,
   named after their parent and property (`Battery.chargeState` ->
   `BatteryChargeState`, a list's items -> `<Parent><Property>Item`);
3. inline request and response bodies of operations become
   `<OperationId>Request` / `<OperationId>Response`.

So datamodel-code-generator never has to invent names like `Mode1` or
`Resolution49`, and the client templates can name every type.
"""

from __future__ import annotations

import copy
from typing import Any

from .naming import class_name, unique
from .validate import iter_operations
from .yaml_source import escape_pointer, unescape_pointer

__all__ = ["hoist_schemas"]

_SCHEMA_PREFIX = "#/components/schemas/"


def hoist_schemas(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of `document` in which every object and enum schema is a named component."""
    doc = copy.deepcopy(document)
    schemas: dict[str, Any] = doc.setdefault("components", {}).setdefault("schemas", {})
    renames: dict[str, str] = {}
    taken: set[str] = set()
    for name in sorted(schemas):
        renames[name] = unique(class_name(name), taken)
    doc["components"]["schemas"] = {renames[name]: schemas[name] for name in sorted(schemas)}
    _rewrite_refs(
        doc,
        {
            f"{_SCHEMA_PREFIX}{escape_pointer(old)}": f"{_SCHEMA_PREFIX}{new}"
            for old, new in renames.items()
        },
    )
    hoister = _Hoister(doc["components"]["schemas"], taken)
    for name in sorted(doc["components"]["schemas"]):
        hoister.visit_named(name)
    for _path, _method, operation in sorted(
        iter_operations(doc), key=lambda item: (item[0], item[1])
    ):
        base = class_name(str(operation.get("operationId") or f"{_method} {_path}"))
        body = operation.get("requestBody")
        if isinstance(body, dict):
            for media in (body.get("content") or {}).values():
                if isinstance(media, dict) and isinstance(media.get("schema"), dict):
                    media["schema"] = hoister.hoist(media["schema"], f"{base}Request", top=True)
        for code, response in sorted((operation.get("responses") or {}).items()):
            if not isinstance(response, dict):
                continue
            for media in (response.get("content") or {}).values():
                if isinstance(media, dict) and isinstance(media.get("schema"), dict):
                    suffix = "Response" if str(code).startswith("2") else f"Error{code}"
                    media["schema"] = hoister.hoist(media["schema"], f"{base}{suffix}", top=True)
        for parameter in operation.get("parameters") or []:
            if isinstance(parameter, dict) and isinstance(parameter.get("schema"), dict):
                parameter["schema"] = hoister.hoist(
                    parameter["schema"],
                    f"{base}{class_name(str(parameter.get('name', '')))}",
                    top=False,
                )
    doc["components"]["schemas"] = dict(sorted(doc["components"]["schemas"].items()))
    return doc


class _Hoister:
    def __init__(self, schemas: dict[str, Any], taken: set[str]) -> None:
        self.schemas = schemas
        self.taken = taken
        self.visited: set[str] = set()

    def visit_named(self, name: str) -> None:
        if name in self.visited:
            return
        self.visited.add(name)
        self.schemas[name] = self.visit(self.schemas[name], name)

    def visit(self, schema: Any, owner: str) -> Any:
        """Hoist what is inside `schema` (a schema that is or will be named `owner`)."""
        if not isinstance(schema, dict):
            return schema
        properties = schema.get("properties")
        if isinstance(properties, dict):
            for prop, sub in properties.items():
                properties[prop] = self.hoist(sub, owner + class_name(prop), top=False)
        if isinstance(schema.get("items"), dict):
            schema["items"] = self.hoist(schema["items"], owner + "Item", top=False)
        if isinstance(schema.get("additionalProperties"), dict):
            schema["additionalProperties"] = self.hoist(
                schema["additionalProperties"], owner + "Value", top=False
            )
        for key in ("allOf",):
            for index, member in enumerate(schema.get(key) or []):
                schema[key][index] = self.visit(member, owner)
        for key in ("oneOf", "anyOf"):
            for index, member in enumerate(schema.get(key) or []):
                schema[key][index] = self.hoist(
                    member, owner + _variant_name(member, index), top=False
                )
        return schema

    def hoist(self, schema: Any, name: str, *, top: bool) -> Any:
        """Replace an inline object or enum by a reference to a new named component."""
        if not isinstance(schema, dict) or "$ref" in schema:
            return schema
        if _is_enum(schema):
            nullable = _strip_null(schema)
            ref = self.add(schema, name)
            return {"anyOf": [ref, {"type": "null"}]} if nullable else ref
        if _is_object(schema) or (top and any(k in schema for k in ("allOf", "oneOf", "anyOf"))):
            return self.add(self.visit(schema, name), name, visited=True)
        if schema.get("type") == "array" or "items" in schema:
            if isinstance(schema.get("items"), dict):
                schema["items"] = self.hoist(schema["items"], name + "Item", top=False)
            return schema
        for key in ("oneOf", "anyOf", "allOf"):
            for index, member in enumerate(schema.get(key) or []):
                schema[key][index] = self.hoist(
                    member, name + _variant_name(member, index), top=False
                )
        return schema

    def add(self, schema: dict[str, Any], name: str, *, visited: bool = False) -> dict[str, str]:
        final = unique(class_name(name), self.taken)
        self.schemas[final] = schema
        if visited:
            self.visited.add(final)
        return {"$ref": f"{_SCHEMA_PREFIX}{final}"}


def _is_enum(schema: dict[str, Any]) -> bool:
    return isinstance(schema.get("enum"), list) and all(
        isinstance(v, str) or v is None for v in schema["enum"]
    )


def _is_object(schema: dict[str, Any]) -> bool:
    return isinstance(schema.get("properties"), dict) and bool(schema["properties"])


def _strip_null(schema: dict[str, Any]) -> bool:
    """Make an enum schema non-nullable in place; return whether it allowed null."""
    nullable = False
    types = schema.get("type")
    if isinstance(types, list) and "null" in types:
        nullable = True
        rest = [t for t in types if t != "null"]
        schema["type"] = rest[0] if len(rest) == 1 else rest
    if None in schema["enum"]:
        nullable = True
        schema["enum"] = [v for v in schema["enum"] if v is not None]
    if schema.pop("nullable", False):
        nullable = True
    return nullable


def _variant_name(member: Any, index: int) -> str:
    if isinstance(member, dict):
        if isinstance(member.get("title"), str):
            return class_name(member["title"])
        for prop in (member.get("properties") or {}).values():
            if (
                isinstance(prop, dict)
                and isinstance(prop.get("enum"), list)
                and len(prop["enum"]) == 1
            ):
                return class_name(str(prop["enum"][0]))
            if isinstance(prop, dict) and "const" in prop:
                return class_name(str(prop["const"]))
    return f"Option{index + 1}"


def _rewrite_refs(node: Any, mapping: dict[str, str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_SCHEMA_PREFIX):
            head, _, rest = ref[len(_SCHEMA_PREFIX) :].partition("/")
            key = f"{_SCHEMA_PREFIX}{head}"
            if key in mapping:
                node["$ref"] = mapping[key] + (f"/{rest}" if rest else "")
        for value in node.values():
            _rewrite_refs(value, mapping)
    elif isinstance(node, list):
        for value in node:
            _rewrite_refs(value, mapping)


def ref_name(ref: str) -> str | None:
    """`#/components/schemas/Battery` -> `Battery`; None for any other reference."""
    if ref.startswith(_SCHEMA_PREFIX) and "/" not in ref[len(_SCHEMA_PREFIX) :]:
        return unescape_pointer(ref[len(_SCHEMA_PREFIX) :])
    return None
