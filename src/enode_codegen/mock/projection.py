"""Response projection: canonical records -> the shape one version's schema documents.

The state holds one canonical record per entity (the newest version's shape plus a few
internal keys). A projector, compiled once per schema, walks the schema: objects keep only
the properties the version declares (in schema order), required properties the record
lacks come from `DERIVED` (the renamed location fields) or become `null` where the schema
allows; enum values the version does not know (battery mode `IDLE`, HVAC mode `UNKNOWN`
before 2024-10-01) become `null` at the nearest nullable place, or drop out of arrays. A
value that cannot be rendered at all raises `Unrepresentable`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from enode_codegen.generator.refs import escape_pointer, follow

from .schemas import SchemaStore

__all__ = ["DERIVED", "MISSING", "Projector", "ProjectorCompiler", "Unrepresentable"]

Projector = Callable[[Any], Any]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


class Unrepresentable(Exception):
    """The record holds a value this version's schema cannot express."""

    def __init__(self, where: str, value: Any) -> None:
        super().__init__(f"{where}: {value!r} cannot be represented")
        self.where = where
        self.value = value


def _location_id(record: Mapping[str, Any]) -> Any:
    if "locationId" in record:
        return record["locationId"]
    location = record.get("location")
    return location.get("id") if isinstance(location, Mapping) else MISSING


# Properties an older version names differently from the canonical (2024-10-01) record:
# 2023-04-01 `chargingLocationId` (or `locationId` on batteries) and 2023-08-01 / 2024-01-01
# `locationId` are the `id` of the 2024-10-01 `location` object.
DERIVED: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "locationId": _location_id,
    "chargingLocationId": _location_id,
}


def _nullable(schema: Mapping[str, Any]) -> bool:
    declared = schema.get("type")
    if declared == "null" or (isinstance(declared, list) and "null" in declared):
        return True
    for key in ("oneOf", "anyOf"):
        for branch in schema.get(key) or ():
            if isinstance(branch, Mapping) and branch.get("type") == "null" and len(branch) <= 2:
                return True
    return False


class ProjectorCompiler:
    """Compiles (and caches, per JSON pointer) projectors for one version document."""

    def __init__(
        self,
        store: SchemaStore,
        derived: Mapping[str, Callable[[Mapping[str, Any]], Any]] = DERIVED,
    ) -> None:
        self.store = store
        self.derived = dict(derived)
        self._cache: dict[str, Projector] = {}

    def compile(self, pointer: str) -> Projector:
        cached = self._cache.get(pointer)
        if cached is not None:
            return cached
        holder: list[Projector] = []

        def late(value: Any) -> Any:  # stands in while a (cyclic) schema compiles
            return holder[0](value)

        self._cache[pointer] = late
        projector = self._build(self.store.resolve(pointer), pointer)
        holder.append(projector)
        self._cache[pointer] = projector
        return projector

    # --- building -------------------------------------------------------------------

    def _target(self, schema: Mapping[str, Any], pointer: str) -> tuple[Mapping[str, Any], str]:
        target, pointer = follow(self.store.document, schema, pointer)
        return target, pointer

    def _object_parts(
        self, schema: Mapping[str, Any], pointer: str
    ) -> tuple[dict[str, str], set[str]] | None:
        """Properties (name -> schema pointer) and required names, merging allOf branches."""
        schema, pointer = self._target(schema, pointer)
        props: dict[str, str] = {}
        required: set[str] = set(schema.get("required") or ())
        for name in schema.get("properties") or {}:
            props[name] = f"{pointer}/properties/{escape_pointer(name)}"
        for i, branch in enumerate(schema.get("allOf") or ()):
            parts = self._object_parts(branch, f"{pointer}/allOf/{i}")
            if parts is None:
                return None
            props.update(parts[0])
            required |= parts[1]
        if not props and not required and schema.get("type") not in ("object", None):
            return None
        if not props and "allOf" not in schema and "properties" not in schema:
            return None
        return props, required

    def _build(self, schema: Any, pointer: str) -> Projector:
        if not isinstance(schema, Mapping):
            return _identity
        if isinstance(schema.get("$ref"), str):
            target = str(schema["$ref"])[1:]
            inner = self.compile(target)
            return inner
        nullable = _nullable(schema)
        if "allOf" in schema:
            parts = self._object_parts(schema, pointer)
            if parts is not None:
                return self._object(parts[0], parts[1], nullable, pointer)
            branches = schema["allOf"]
            if len(branches) == 1:
                return self._guard(self._build(branches[0], f"{pointer}/allOf/0"), nullable)
            return _identity
        for key in ("oneOf", "anyOf"):
            if key in schema:
                return self._choice(schema, key, nullable, pointer)
        if "enum" in schema or "const" in schema:
            allowed = schema["enum"] if "enum" in schema else [schema["const"]]
            return _enum(
                frozenset(v for v in allowed if isinstance(v, str | int | bool)), nullable, pointer
            )
        declared = schema.get("type")
        types = set(declared) if isinstance(declared, list) else {declared}
        if "properties" in schema or "object" in types:
            parts = self._object_parts(schema, pointer)
            if parts is None:
                return _identity
            return self._object(parts[0], parts[1], nullable, pointer)
        if "array" in types:
            items = schema.get("items")
            if isinstance(items, Mapping):
                return _array(self._build(items, f"{pointer}/items"))
        return _identity

    def _guard(self, inner: Projector, nullable: bool) -> Projector:
        if not nullable:
            return inner

        def guarded(value: Any) -> Any:
            if value is None:
                return None
            try:
                return inner(value)
            except Unrepresentable:
                return None

        return guarded

    def _choice(
        self, schema: Mapping[str, Any], key: str, nullable: bool, pointer: str
    ) -> Projector:
        branches: list[tuple[Projector, frozenset[str], str]] = []
        for i, branch in enumerate(schema[key]):
            if isinstance(branch, Mapping) and branch.get("type") == "null" and len(branch) <= 2:
                continue
            branch_pointer = f"{pointer}/{key}/{i}"
            parts = self._object_parts(branch, branch_pointer)
            required = frozenset(parts[1]) if parts else frozenset()
            target = branch.get("$ref") if isinstance(branch, Mapping) else None
            branches.append((self._build(branch, branch_pointer), required, str(target or "")))
        if not branches:
            return _identity
        if len(branches) == 1:
            return self._guard(branches[0][0], nullable)
        discriminator = schema.get("discriminator") or {}
        prop = discriminator.get("propertyName")
        mapping = {
            k: "#" + str(v).lstrip("#") for k, v in (discriminator.get("mapping") or {}).items()
        }
        derived = self.derived

        def choose(value: Any) -> Any:
            if isinstance(value, dict):
                if prop and value.get(prop) in mapping:
                    wanted = mapping[value[prop]]
                    for project, _, target in branches:
                        if target == wanted:
                            return project(value)
                present = set(value) | {k for k in derived if derived[k](value) is not MISSING}
                for project, required, _ in branches:
                    if required <= present:
                        return project(value)
            return branches[0][0](value)

        return self._guard(choose, nullable)

    def _object(
        self, props: dict[str, str], required: set[str], nullable: bool, pointer: str
    ) -> Projector:
        fields: list[tuple[str, Projector | None, bool, bool]] = []
        for name, prop_pointer in props.items():
            prop_schema, _ = self._target(self.store.resolve(prop_pointer), prop_pointer)
            project = self.compile(prop_pointer)
            fields.append(
                (
                    name,
                    None if project is _identity else project,
                    name in required,
                    _nullable(self.store.resolve(prop_pointer)) or _nullable(prop_schema),
                )
            )
        derived = self.derived

        def project_object(value: Any) -> Any:
            if not isinstance(value, dict):
                return value
            out: dict[str, Any] = {}
            for name, project, is_required, is_nullable in fields:
                if name in value:
                    item = value[name]
                elif name in derived and (item := derived[name](value)) is not MISSING:
                    pass
                elif is_required:
                    if is_nullable:
                        out[name] = None
                        continue
                    raise Unrepresentable(f"{pointer}: required property {name!r}", None)
                else:
                    continue
                if project is None or item is None:
                    out[name] = item
                    continue
                try:
                    out[name] = project(item)
                except Unrepresentable:
                    if is_nullable:
                        out[name] = None
                    elif is_required:
                        raise
            return out

        return self._guard(project_object, nullable)


def _identity(value: Any) -> Any:
    return value


def _enum(allowed: frozenset[Any], nullable: bool, pointer: str) -> Projector:
    def project_enum(value: Any) -> Any:
        if isinstance(value, str | int | bool) and value in allowed:
            return value
        if value is None or nullable:
            return None
        raise Unrepresentable(pointer, value)

    return project_enum


def _array(item: Projector) -> Projector:
    if item is _identity:
        return _identity

    def project_array(value: Any) -> Any:
        if not isinstance(value, list):
            return value
        out = []
        for element in value:
            try:
                out.append(item(element))
            except Unrepresentable:
                continue  # an element this version cannot name (e.g. an enum value) drops out
        return out

    return project_array
