"""Deterministic, schema-valid example values built from a spec's schemas (test helper).

`instance(schema, document)` returns one value that validates against `schema`,
filling every property (so parsing is exercised on the full shape), picking the
first enum value or `oneOf` variant, and non-null types where a schema allows
null.
"""

from __future__ import annotations

from typing import Any

__all__ = ["instance"]

_FORMATS = {
    "uuid": "4eaeb363-296d-4ccc-a973-7805e6f400bd",
    "uuid4": "4eaeb363-296d-4ccc-a973-7805e6f400bd",
    "date-time": "2024-05-01T12:00:00Z",
    "date": "2024-05-01",
    "uri": "https://example.com/callback",
    "uri-reference": "https://example.com/problems/x",
    "email": "user@example.com",
    "decimal": "12.5",  # a number written as a string; clients parse it as Decimal
}
_PATTERN_SAMPLES = ("08:00", "https://example.com/callback", "en-US", "0.25", "a")


def _resolve(schema: Any, document: dict[str, Any]) -> Any:
    while isinstance(schema, dict) and "$ref" in schema:
        node: Any = document
        for token in schema["$ref"][2:].split("/"):
            node = node[token.replace("~1", "/").replace("~0", "~")]
        schema = node
    return schema


def instance(
    schema: Any, document: dict[str, Any], depth: int = 0, *, optional_depth: int = 12
) -> Any:
    """A schema-valid value; optional properties are filled only above `optional_depth`
    (a wide recursive schema, Telegram's `Message`, would otherwise grow without bound)."""
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    schema = _resolve(schema, document)
    if not isinstance(schema, dict) or depth > 12:
        return None
    discriminator = schema.get("discriminator")
    if isinstance(discriminator, dict) and "propertyName" in discriminator:
        tagged = _tagged(ref, schema, discriminator, document, depth, optional_depth)
        if tagged is not None:
            return tagged
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return next(v for v in schema["enum"] if v is not None)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for member in schema["allOf"]:
            value = instance(member, document, depth + 1, optional_depth=optional_depth)
            if not isinstance(value, dict):
                return value  # a wrapped scalar or enum (`allOf: [$ref]` beside a description)
            merged.update(value)
        own = {k: v for k, v in schema.items() if k != "allOf"}
        if own.get("properties"):
            merged.update(
                instance(
                    {**own, "type": "object"}, document, depth + 1, optional_depth=optional_depth
                )
            )
        return merged
    for key in ("oneOf", "anyOf"):
        if key in schema:
            members = [m for m in schema[key] if _resolve(m, document).get("type") != "null"]
            if not members:
                return None
            return instance(members[0], document, depth + 1, optional_depth=optional_depth)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        required = set(schema.get("required") or [])
        return {
            name: instance(sub, document, depth + 1, optional_depth=optional_depth)
            for name, sub in schema.get("properties", {}).items()
            if depth < optional_depth or name in required
        }
    if kind == "array":
        return [
            instance(schema.get("items", {}), document, depth + 1, optional_depth=optional_depth)
        ]
    if kind == "string":
        if schema.get("format") in _FORMATS:
            return _FORMATS[schema["format"]]
        if "pattern" in schema:
            import re

            return next((s for s in _PATTERN_SAMPLES if re.search(schema["pattern"], s)), "a")
        return "text"
    if kind == "integer":
        return int(schema.get("minimum", 1))
    if kind == "number":
        return float(schema.get("minimum", 1.5))
    if kind == "boolean":
        return True
    return None


def _tagged(
    ref: Any,
    schema: dict[str, Any],
    discriminator: dict[str, Any],
    document: dict[str, Any],
    depth: int,
    optional_depth: int,
) -> Any:
    """An instance of one concrete type behind a discriminator, with its tag: what a server
    sends (the property alone is only a string to JSON Schema; a client checks the tag)."""
    mapping = discriminator.get("mapping") or {}
    members = [m["$ref"] for m in schema.get("oneOf") or schema.get("anyOf") or [] if "$ref" in m]
    if members:
        target = members[0]
    elif mapping:
        target = next(iter(mapping.values()))
    else:  # subtypes name the base in their allOf
        schemas = document.get("components", {}).get("schemas", {})
        target = next(
            (
                f"#/components/schemas/{name}"
                for name, sub in schemas.items()
                if isinstance(sub, dict) and {"$ref": ref} in (sub.get("allOf") or [])
            ),
            None,
        )
        if target is None:
            return None
    tag = next((k for k, v in mapping.items() if v == target), target.rsplit("/", 1)[-1])
    if target == ref:
        return None
    subtype = _resolve({"$ref": target}, document)
    value: Any = {}
    for member in subtype.get("allOf") or [subtype]:
        if isinstance(member, dict) and member.get("$ref") == ref:  # the base, untagged
            plain = {k: v for k, v in schema.items() if k != "discriminator"}
            part = instance(plain, document, depth + 1, optional_depth=optional_depth)
        elif member is subtype:
            part = instance({"$ref": target}, document, depth + 1, optional_depth=optional_depth)
        else:
            part = instance(member, document, depth + 1, optional_depth=optional_depth)
        if isinstance(part, dict) and isinstance(value, dict):
            value.update(part)
    if not isinstance(value, dict):
        return None
    value[discriminator["propertyName"]] = tag
    return value
