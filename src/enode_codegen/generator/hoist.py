"""Give every model a meaningful name before models are generated.

Works on a copy of the bundled document:

1. component schema names become valid class names (`pet-store` -> `PetStore`);
2. enums of booleans become `const`/`boolean` (no class can hold them), every
   other inline enum (strings, integers, numbers) and every inline object inside
   a schema moves into `components/schemas`, named after where it is
   (`Battery.chargeState` -> `BatteryChargeState`, a list's items ->
   `<Parent><Property>Item`, a `oneOf` variant after its title, its tag value or
   the property only it has: `ScheduleRuleTargetStateWithUntil`);
3. inline event schemas of the top-level `webhooks` become `<Webhook>Event`
   (`user:widget:updated` -> `UserWidgetUpdatedEvent`);
4. inline request and response bodies of operations become
   `<OperationId>Request` / `<OperationId>Response` (`<OperationId>NotFoundError`
   for an error status, `<OperationId>CreatedResponse` for a second success);
   those of shared responses and request bodies are named after their component.

Identical inline shapes share one class (named after the first place, in sorted
order, that has it); two different shapes wanting one name are told apart by a
qualifier saying what they are (`...Enum`, `...Object`, the media type), never a
number. So datamodel-code-generator never has to invent names like `Mode1` or
`Resolution49`, and the client templates can name every type.
"""

from __future__ import annotations

import copy
import json
from http import HTTPStatus
from typing import Any

from .naming import class_name, qualified
from .refs import escape_pointer, join_pointer, resolve, split_pointer, unescape_pointer
from .validate import iter_operations

__all__ = ["hoist_schemas", "ref_name"]

_SCHEMA_PREFIX = "#/components/schemas/"
_JSON = ("application/json", "application/problem+json")


def hoist_schemas(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of `document` in which every object and enum schema is a named component."""
    doc = copy.deepcopy(document)
    _normalise_enums(doc)
    schemas: dict[str, Any] = doc.setdefault("components", {}).setdefault("schemas", {})
    _promote_deep_refs(doc, schemas)
    renames: dict[str, str] = {}
    taken: set[str] = set()
    for name in sorted(schemas):
        renames[name] = qualified(class_name(name), taken, ("Schema", "Component"))
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
            hoister.hoist_content(body.get("content"), f"{base}Request")
        responses = operation.get("responses") or {}
        first_success = min((str(c) for c in responses if str(c).startswith("2")), default=None)
        for code, response in sorted(responses.items()):
            if isinstance(response, dict):
                name = base + _response_suffix(str(code), str(code) == first_success)
                hoister.hoist_content(response.get("content"), name)
        for parameter in operation.get("parameters") or []:
            if isinstance(parameter, dict) and isinstance(parameter.get("schema"), dict):
                parameter["schema"] = hoister.hoist(
                    parameter["schema"],
                    f"{base}{class_name(str(parameter.get('name', '')))}",
                    top=False,
                )
    for key, item in sorted((doc.get("webhooks") or {}).items(), key=lambda kv: str(kv[0])):
        for _method, operation in sorted(item.items() if isinstance(item, dict) else []):
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            if isinstance(body, dict):  # an inline event: `<Webhook>Event` (its array's items too)
                _hoist_event_content(hoister, body.get("content"), class_name(f"{key} event"))
    components = doc["components"]
    for kind, suffix in (("responses", "Response"), ("requestBodies", "Request")):
        for name, item in sorted((components.get(kind) or {}).items()):
            if isinstance(item, dict):
                base = class_name(name)
                hoister.hoist_content(
                    item.get("content"), base if base.endswith(suffix) else base + suffix
                )
    doc["components"]["schemas"] = dict(sorted(doc["components"]["schemas"].items()))
    return doc


_PLUMBING = {
    "paths",
    "components",
    "schemas",
    "schema",
    "properties",
    "content",
    "requestBody",
    "responses",
    "items",
    "allOf",
    "oneOf",
    "anyOf",
    "parameters",
}


def _promote_deep_refs(doc: dict[str, Any], schemas: dict[str, Any]) -> None:
    """Schemas referenced where they are (`#/paths/~1a/post/.../properties/b`,
    `#/components/schemas/A/properties/b`) become components of their own, named from
    that place, so every reference to a schema names a component."""
    targets: set[str] = set()
    _collect_refs(doc, targets)
    deep = [
        ref
        for ref in targets
        if ref.startswith("#/")
        and ref_name(ref) is None
        and {"schema", "schemas", "properties", "items"} & set(ref[2:].split("/"))
    ]
    taken = set(schemas)
    renames: dict[str, str] = {}
    for ref in sorted(deep, key=lambda r: (-r.count("/"), r)):  # deepest first
        tokens = split_pointer(ref[1:])
        try:
            parent: Any = resolve(doc, join_pointer(tokens[:-1]))
        except KeyError:
            continue
        last = tokens[-1]
        target = _child(parent, last)
        if not isinstance(target, dict):
            continue
        words = [t for t in tokens if t not in _PLUMBING and "/" not in t and not t.isdigit()]
        operation = (
            _child(_child(doc.get("paths"), tokens[1]), tokens[2]) if len(tokens) > 2 else None
        )
        if tokens[0] == "paths" and isinstance(operation, dict) and operation.get("operationId"):
            # `#/paths/~1pets/post/requestBody/.../properties/owner` -> `CreatePetOwner`
            words = [str(operation["operationId"]), *words[1:]]
        name = qualified(class_name(" ".join(words) or "Schema"), taken, ("Schema",))
        schemas[name] = target
        replacement = {"$ref": f"{_SCHEMA_PREFIX}{name}"}
        if isinstance(parent, list):
            parent[int(last)] = replacement
        else:
            parent[last] = replacement
        renames[ref] = replacement["$ref"]
    if renames:
        _rewrite_exact(doc, renames)


def _child(node: Any, token: str) -> Any:
    if isinstance(node, list) and token.isdigit() and int(token) < len(node):
        return node[int(token)]
    return node.get(token) if isinstance(node, dict) else None


def _collect_refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            found.add(node["$ref"])
        for value in node.values():
            _collect_refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _collect_refs(value, found)


def _rewrite_exact(node: Any, mapping: dict[str, str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref in mapping:
            node["$ref"] = mapping[ref]
        for value in node.values():
            _rewrite_exact(value, mapping)
    elif isinstance(node, list):
        for value in node:
            _rewrite_exact(value, mapping)


def _hoist_event_content(hoister: _Hoister, content: Any, name: str) -> None:
    """A webhook's inline event schema becomes a component named `name`; when the body is an
    array of events, its items do."""
    for media in (content or {}).values() if isinstance(content, dict) else []:
        schema = media.get("schema") if isinstance(media, dict) else None
        if not isinstance(schema, dict):
            continue
        if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
            schema["items"] = hoister.hoist(schema["items"], name, top=True)
        else:
            media["schema"] = hoister.hoist(schema, name, top=True)


def _response_suffix(code: str, first_success: bool) -> str:
    """`Response` for the first success; otherwise what the status says (`NotFoundError`)."""
    if first_success:
        return "Response"
    if code.isdigit():
        try:
            phrase = class_name(HTTPStatus(int(code)).phrase)
        except ValueError:
            phrase = {"4": "ClientError", "5": "ServerError"}.get(code[:1], "Other")
    else:
        phrase = {"4XX": "ClientError", "5XX": "ServerError", "2XX": "Success"}.get(
            code.upper(), class_name(code)
        )
    if code[:1] in ("4", "5"):
        return phrase if phrase.endswith("Error") else f"{phrase}Error"
    return f"{phrase}Response"


class _Hoister:
    def __init__(self, schemas: dict[str, Any], taken: set[str]) -> None:
        self.schemas = schemas
        self.taken = taken
        self.visited: set[str] = set()
        self.shapes: dict[str, str] = {}  # canonical JSON of a hoisted inline shape -> its name

    def visit_named(self, name: str) -> None:
        if name in self.visited:
            return
        self.visited.add(name)
        self.schemas[name] = self.visit(self.schemas[name], name)

    def hoist_content(self, content: Any, name: str) -> None:
        """Hoist the schemas of a content map; a non-JSON media type qualifies its name
        when several media types carry schemas."""
        if not isinstance(content, dict):
            return
        media_types = [
            m for m, v in sorted(content.items()) if isinstance(v, dict) and "schema" in v
        ]
        for media_type in media_types:
            media = content[media_type]
            if not isinstance(media.get("schema"), dict):
                continue
            qualifier = ""
            if len(media_types) > 1 and media_type not in _JSON:
                qualifier = class_name(media_type.split("/")[-1].split("+")[-1])
            media["schema"] = self.hoist(media["schema"], name + qualifier, top=True)

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
        for index, member in enumerate(schema.get("allOf") or []):
            schema["allOf"][index] = self.visit(member, owner)
        self.hoist_variants(schema, owner)
        return schema

    def hoist_variants(self, schema: dict[str, Any], owner: str) -> None:
        for key in ("oneOf", "anyOf"):
            members = schema.get(key)
            if not isinstance(members, list):
                continue
            for index, name in enumerate(_variant_names(members)):
                members[index] = self.hoist(members[index], owner + name, top=False)

    def hoist(self, schema: Any, name: str, *, top: bool) -> Any:
        """Replace an inline object or enum by a reference to a new named component."""
        if not isinstance(schema, dict) or "$ref" in schema:
            return schema
        if _is_enum(schema):
            nullable = _strip_null(schema)
            ref = self.add(schema, name, "Enum")
            return {"anyOf": [ref, {"type": "null"}]} if nullable else ref
        several = (
            isinstance(schema.get("allOf"), list)
            and len(schema["allOf"]) > 1
            and any(
                isinstance(m, dict) and ("$ref" in m or "properties" in m) for m in schema["allOf"]
            )
        )
        if (
            _is_object(schema)
            or several
            or (top and any(k in schema for k in ("allOf", "oneOf", "anyOf")))
        ):
            return self.add(self.visit(schema, name), name, "Object")
        if schema.get("type") == "array" or "items" in schema:
            if isinstance(schema.get("items"), dict):
                schema["items"] = self.hoist(schema["items"], name + "Item", top=False)
            return schema
        for index, member in enumerate(schema.get("allOf") or []):
            schema["allOf"][index] = self.hoist(member, name, top=False)
        self.hoist_variants(schema, name)
        return schema

    def add(self, schema: dict[str, Any], name: str, kind: str) -> dict[str, str]:
        """A reference to `schema` as a named component: the existing one when an identical
        shape was hoisted before, else a new one under `name` (qualified if taken)."""
        shape = json.dumps(schema, sort_keys=True, default=str)
        final = self.shapes.get(shape)
        if final is None:
            final = qualified(class_name(name), self.taken, (kind, "Inline"))
            self.shapes[shape] = final
            self.schemas[final] = schema
            self.visited.add(final)
        return {"$ref": f"{_SCHEMA_PREFIX}{final}"}


def _is_enum(schema: dict[str, Any]) -> bool:
    """An enum that becomes a class: its values are strings, integers or numbers."""
    values = schema.get("enum")
    return (
        isinstance(values, list)
        and any(v is not None for v in values)
        and all(
            (isinstance(v, str | int | float) and not isinstance(v, bool)) or v is None
            for v in values
        )
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


_ORDINALS = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh", "Eighth")


def _variant_names(members: list[Any]) -> list[str]:
    """Names for the variants of a `oneOf`/`anyOf`, from what each one is."""
    names: list[str] = []
    for index, member in enumerate(members):
        name = _variant_name(member, members)
        if not name or name in names:
            ordinal = _ORDINALS[index] if index < len(_ORDINALS) else class_name(f"n {index}")
            name = f"{ordinal}Variant" if not name else f"{name}{ordinal}Variant"
        names.append(name)
    return names


def _variant_name(member: Any, siblings: list[Any]) -> str:
    if not isinstance(member, dict):
        return ""
    if isinstance(member.get("title"), str) and member["title"].strip():
        return class_name(member["title"])
    properties = member.get("properties") or {}
    for prop in properties.values():
        tags = []
        if isinstance(prop, dict) and isinstance(prop.get("enum"), list) and len(prop["enum"]) == 1:
            tags.append(prop["enum"][0])
        if isinstance(prop, dict) and "const" in prop:
            tags.append(prop["const"])
        for tag in tags:  # a number (`middleware: 0`) would name the class with a digit
            if isinstance(tag, str) and not class_name(tag)[-1].isdigit():
                return class_name(tag)
    others: set[str] = set()
    for sibling in siblings:
        if sibling is not member and isinstance(sibling, dict):
            others |= set(sibling.get("properties") or {})
    required = [p for p in member.get("required") or [] if p in properties]
    for candidates in (required, list(properties)):
        own = [p for p in candidates if p not in others]
        if own:
            return "With" + class_name(str(own[0]))
    if not properties and isinstance(member.get("type"), str):
        return class_name(member["type"])
    if _is_enum(member):
        return "Enum"
    return ""


# string formats the models hold as other Python types: a string default would mistype them
_TYPED_FORMATS = {"uri", "date-time", "date", "time", "uuid", "duration", "ipv4", "ipv6"}


def _normalise_enums(node: Any) -> None:
    """Boolean enums become what Python can type: `const` for one value, `boolean` for both;
    a `default: null` that the schema itself refuses is dropped, and so is a string default
    of a URL, date, time or UUID (the model holds another type than the default's)."""
    if isinstance(node, list):
        for item in node:
            _normalise_enums(item)
        return
    if not isinstance(node, dict):
        return
    if (
        "default" in node
        and node["default"] is None
        and isinstance(node.get("type"), str)
        and node["type"] != "null"
        and not node.get("nullable")
    ):
        del node["default"]  # `default: null` on a schema that refuses null: no default
    if node.get("format") in ("email", "idn-email"):
        del node["format"]  # pydantic's EmailStr needs email-validator, not a client dependency
    if isinstance(node.get("default"), str) and node.get("format") in _TYPED_FORMATS:
        del node["default"]  # a string where the model holds a URL, datetime, UUID...
    values = node.get("enum")
    if (
        isinstance(values, list)
        and values
        and all(isinstance(v, bool) or v is None for v in values)
    ):
        present = sorted({v for v in values if v is not None})
        nullable = None in values
        del node["enum"]
        if len(present) == 1 and not nullable:
            node["const"] = present[0]
        elif len(present) == 1:
            node.pop("type", None)
            node["anyOf"] = [{"const": present[0]}, {"type": "null"}]
        else:
            node["type"] = ["boolean", "null"] if nullable else "boolean"
    for key, value in node.items():
        if key not in ("example", "examples", "default", "const", "enum"):
            _normalise_enums(value)


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
