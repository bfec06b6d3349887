"""Python type annotations for schemas, as they appear in the generated client.

`TypeMapper.annotation(schema)` returns source text such as `models.Battery`,
`list[str]` or `datetime | None`. Referenced schemas resolve through the class
names that model generation produced (a schema written as a request and a response
model resolves to the one for its direction: `for_input` for what the client sends);
a schema that cannot be typed becomes `Any` and the mapper records why, so the
operation is still generated and the loosening is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .hoist import ref_name
from .refs import deref

__all__ = ["TypeMapper"]

_PRIMITIVES = {"integer": "int", "number": "float", "boolean": "bool", "null": "None"}


@dataclass
class TypeMapper:
    """Maps schemas of one document to annotations; `models_alias` prefixes model classes."""

    document: dict[str, Any]
    classes: set[str]
    models_alias: str = "models"
    loose: list[str] = field(default_factory=list)
    # schema -> (request class, response class), for schemas written as two models
    directional: dict[str, tuple[str, str]] = field(default_factory=dict)

    def model_class(self, name: str | None, *, for_input: bool = False) -> str | None:
        """The class a component schema is written as, in one direction; None if none."""
        if name is None:
            return None
        if name in self.directional:
            return self.directional[name][0 if for_input else 1]
        return name if name in self.classes else None

    def annotation(self, schema: Any, *, for_input: bool = False) -> str:
        return " | ".join(self._union(schema, for_input))

    def cast_expression(self, schema: Any) -> str:
        """What the runtime parses a body of `schema` with: the annotation, except for a
        discriminated union, parsed through its root model so the discriminator is used
        (the runtime unwraps the variant)."""
        name = ref_name(schema["$ref"]) if isinstance(schema, dict) and "$ref" in schema else None
        target = self.resolve(schema)
        written = self.model_class(name)
        if written is not None and "discriminator" in target:
            return f"{self.models_alias}.{written}"
        return self.annotation(schema)

    def resolve(self, schema: Any) -> dict[str, Any]:
        """Follow local `$ref`s to the schema they name."""
        return deref(self.document, schema)

    def _union(self, schema: Any, for_input: bool) -> list[str]:
        parts: list[str] = []
        for part in self._parts(schema, for_input):
            if part not in parts:
                parts.append(part)
        if "Any" in parts:
            return ["Any"]
        if "None" in parts:  # None last reads best: `str | None`
            parts = [p for p in parts if p != "None"] + ["None"]
        return parts or ["Any"]

    def _parts(self, schema: Any, for_input: bool) -> list[str]:
        if schema is True or schema == {}:
            return ["Any"]
        if not isinstance(schema, dict):
            self.loose.append(f"unsupported schema {schema!r}")
            return ["Any"]
        ref = schema.get("$ref")
        if isinstance(ref, str):
            name = ref_name(ref)
            target = self.resolve(schema) if name is not None else {}
            if target and not _is_model_like(target):
                return self._parts(target, for_input)  # an alias of a list or primitive: inline it
            written = self.model_class(name, for_input=for_input)
            if written is not None:
                return [f"{self.models_alias}.{written}"]
            self.loose.append(f"no model class for {ref}")
            return ["Any"]
        for key in ("oneOf", "anyOf"):
            if isinstance(schema.get(key), list):
                return [p for member in schema[key] for p in self._parts(member, for_input)]
        if isinstance(schema.get("allOf"), list):
            members = schema["allOf"]
            if len(members) == 1:
                return self._parts(members[0], for_input)
            if all(isinstance(m, dict) and not {"$ref", "properties"} & m.keys() for m in members):
                merged: dict[str, Any] = {}
                for member in members:  # constraints on one primitive: the type they share
                    merged.update(member)
                return self._parts(merged, for_input)
            self.loose.append("an inline allOf with several members")
            return ["Any"]
        if "const" in schema:
            return [f"Literal[{schema['const']!r}]"] if schema["const"] is not None else ["None"]
        types = schema.get("type")
        if isinstance(types, list):
            return [p for t in types for p in self._parts({**schema, "type": t}, for_input)]
        if schema.get("nullable") is True:
            return [
                *self._parts({k: v for k, v in schema.items() if k != "nullable"}, for_input),
                "None",
            ]
        if isinstance(schema.get("enum"), list) and types in (None, "string"):
            values = [v for v in schema["enum"] if v is not None]
            literal = [f"Literal[{', '.join(repr(v) for v in values)}]"] if values else []
            return literal + (["None"] if None in schema["enum"] else [])
        if types == "string":
            fmt = schema.get("format")
            if fmt == "uuid":
                return ["UUID", "str"] if for_input else ["UUID"]
            if fmt == "date-time":
                return ["datetime"]
            if fmt == "date":
                return ["date"]
            if fmt == "binary":
                return ["bytes"]
            return ["str"]
        if types in _PRIMITIVES:
            return [_PRIMITIVES[types]]
        if types == "array" or "items" in schema:
            return [f"list[{self.annotation(schema.get('items', {}), for_input=for_input)}]"]
        if types == "object" or "properties" in schema or "additionalProperties" in schema:
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                return [f"dict[str, {self.annotation(extra, for_input=for_input)}]"]
            return ["dict[str, Any]"]
        return ["Any"]


def _is_model_like(schema: dict[str, Any]) -> bool:
    """Schemas that become classes of their own (objects and enums); unions are inlined."""
    return any(key in schema for key in ("properties", "allOf", "enum"))
