"""Flatten: every field of a schema as one `Field` per JSON path (`data[].location.id`),
following `$ref`s and merging `allOf`/`oneOf`/`anyOf` members, each field remembering where
its schema is written (for tying differences to the declared changes that made them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..refs import RefError, escape_pointer, follow, split_pointer

__all__ = ["Field", "body_fields", "flatten", "subject_name", "type_text"]

_CONSTRAINTS = (
    "pattern",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
)


@dataclass
class Field:
    types: frozenset[str]
    enum: tuple[Any, ...] | None
    enum_pointer: str
    required: bool
    pointer: str  # where this field's schema is written
    constraints: dict[str, Any]
    required_pointer: str = ""  # the `required` list that makes it required (or would)


def _follow(document: dict[str, Any], node: Any, pointer: str) -> tuple[dict[str, Any], str]:
    """`refs.follow`, with {} (at the pointer it tried) where a chain leads nowhere."""
    try:
        node, pointer = follow(document, node, pointer)
    except RefError as exc:
        return {}, exc.pointer
    return (node if isinstance(node, dict) else {}), pointer


def flatten(
    document: dict[str, Any],
    schema: Any,
    pointer: str,
    path: str,
    required: bool,
    out: dict[str, Field],
    seen: tuple[str, ...] = (),
    required_pointer: str = "",
) -> None:
    """Every field under `schema` as {path: Field}; paths like `data[].location.id`."""
    site = pointer
    schema, pointer = _follow(document, schema, pointer)
    if pointer in seen:
        return
    seen = (*seen, pointer)
    members = _members(document, schema, pointer)
    types: set[str] = set()
    enum: list[Any] | None = None
    enum_pointer = pointer
    properties: dict[str, tuple[Any, str]] = {}
    required_names: set[str] = set()
    items: list[tuple[Any, str]] = []
    constraints: dict[str, Any] = {}
    for member, member_pointer in members:
        raw = member.get("type")
        if isinstance(raw, str):
            types.add(raw)
        elif isinstance(raw, list):
            types.update(str(t) for t in raw)
        if "enum" in member or "const" in member:
            values = member.get("enum", [member.get("const")])
            enum = [*(enum or []), *[v for v in values if v not in (enum or [])]]
            enum_pointer = member_pointer
        for name, prop in (member.get("properties") or {}).items():
            properties.setdefault(
                name, (prop, f"{member_pointer}/properties/{escape_pointer(name)}")
            )
        required_names.update(member.get("required") or [])
        if "items" in member:
            items.append((member["items"], f"{member_pointer}/items"))
        for key in _CONSTRAINTS:
            if key in member:
                constraints[key] = member[key]
    if not types and properties:
        types.add("object")
    if not types and items:
        types.add("array")
    if enum is not None and None in enum:
        types.add("null")
        enum = [v for v in enum if v is not None]
    out[path] = Field(
        frozenset(types),
        tuple(enum) if enum is not None else None,
        enum_pointer,
        required,
        site,
        constraints,
        required_pointer,
    )
    for name, (prop, prop_pointer) in properties.items():
        child = f"{path}.{name}" if path else name
        holder = prop_pointer.rsplit("/properties/", 1)[0]
        flatten(
            document,
            prop,
            prop_pointer,
            child,
            name in required_names,
            out,
            seen,
            f"{holder}/required",
        )
    for item, item_pointer in items:
        flatten(document, item, item_pointer, f"{path}[]", True, out, seen)


def _members(
    document: dict[str, Any], schema: dict[str, Any], pointer: str
) -> list[tuple[dict[str, Any], str]]:
    """The schema and, recursively, its allOf/oneOf/anyOf members (all followed)."""
    found = [(schema, pointer)]
    for key in ("allOf", "oneOf", "anyOf"):
        for index, member in enumerate(schema.get(key) or []):
            resolved, member_pointer = _follow(document, member, f"{pointer}/{key}/{index}")
            found += _members(document, resolved, member_pointer)
    return found


def body_fields(document: dict[str, Any], holder: Any, pointer: str) -> dict[str, Field] | None:
    """The fields of the JSON body of a request body or response, or None without one."""
    holder, pointer = _follow(document, holder, pointer)
    content = holder.get("content") or {}
    for media in sorted(content, key=lambda m: (not m.endswith("json"), m)):
        media_type = content[media]
        if isinstance(media_type, dict) and "schema" in media_type:
            out: dict[str, Field] = {}
            media_pointer = f"{pointer}/content/{escape_pointer(media)}/schema"
            flatten(document, media_type["schema"], media_pointer, "", True, out)
            return out
    return None


def subject_name(pointer: str, fallback: str, path: str) -> str:
    """`Battery.chargeState.batteryLevel` for a field written in a named schema, else the
    operation and the field path."""
    tokens = split_pointer(pointer)
    if len(tokens) >= 3 and tokens[:2] == ["components", "schemas"]:
        name = tokens[2]
        rest = []
        for token in tokens[3:]:
            if token == "items":
                rest.append("[]")
            elif token in ("properties", "allOf", "oneOf", "anyOf") or token.isdigit():
                continue
            else:
                rest.append(f".{token}")
        return name + "".join(rest)
    return f"{fallback} {path or '(body)'}"


def type_text(types: frozenset[str]) -> str:
    return " | ".join(sorted(types)) or "any"
