"""Compiled JSON Schema validators over one version document.

Every schema is addressed by its JSON pointer inside the bundled version document and
compiled once: `{"$ref": "urn:enode-mock:<version>#<pointer>"}` against a `referencing`
registry holding the whole document, so the spec's local `$ref`s resolve. Validity is
checked with jsonschema_rs when it is installed (fast path), and error messages always
come from jsonschema (only computed when a check fails).
"""

from __future__ import annotations

import importlib
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import jsonschema
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from rfc3339_validator import validate_rfc3339  # type: ignore[import-untyped]

from enode_codegen.generator.refs import resolve

jsonschema_rs: Any
try:  # optional accelerator
    jsonschema_rs = importlib.import_module("jsonschema_rs")
except ImportError:  # pragma: no cover - exercised when the wheel is absent
    jsonschema_rs = None

__all__ = ["FORMAT_CHECKER", "CompiledSchema", "Issue", "SchemaStore"]

Path_ = tuple[str | int, ...]

FORMAT_CHECKER = jsonschema.FormatChecker(formats=())
_FRAGMENT_SAFE = "/~!$&'()*+,;=:@"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*$")


@FORMAT_CHECKER.checks("uuid")
def _is_uuid(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if len(value) != 36 or any(value[i] != "-" for i in (8, 13, 18, 23)):
        return False
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@FORMAT_CHECKER.checks("date-time")
def _is_datetime(value: object) -> bool:
    return not isinstance(value, str) or bool(validate_rfc3339(value))


@FORMAT_CHECKER.checks("uri")
def _is_uri(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return bool(parts.scheme) and bool(_SCHEME.match(parts.scheme))


@dataclass(frozen=True)
class Issue:
    """One validation failure: a message and where (e.g. `("body", "rules", 0, "shouldCharge")`)."""

    message: str
    path: Path_ = ()

    def where(self) -> str:
        if not self.path:
            return "request"
        head, *rest = self.path
        text = str(head)
        for part in rest:
            text += f"[{part}]" if isinstance(part, int) else f".{part}"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {"message": self.message, "path": list(self.path)}


def _shorten(value: str, limit: int = 160) -> str:
    return value if len(value) <= limit else value[: limit - 3] + "..."


def _describe(error: ValidationError) -> str:
    """A readable message for one jsonschema error (enums list their values)."""
    if error.validator == "enum" and isinstance(error.validator_value, list):
        allowed = ", ".join(repr(v) for v in error.validator_value)
        return f"{_shorten(repr(error.instance))} is not one of the allowed values ({allowed})"
    if error.validator == "const":
        return f"{_shorten(repr(error.instance))} must be {error.validator_value!r}"
    if error.validator == "format":
        return f"{_shorten(repr(error.instance))} is not a valid {error.validator_value}"
    if error.validator == "required":
        missing = str(error.message).split(" ")[0]
        return f"{missing} is required"
    return _shorten(str(error.message), 300)


@dataclass
class CompiledSchema:
    """One schema of the document, ready to check instances against."""

    pointer: str
    _python: Any
    _fast: Any = None
    _schema: dict[str, Any] = field(default_factory=dict)

    def is_valid(self, instance: Any) -> bool:
        if self._fast is not None:
            return bool(self._fast.is_valid(instance))
        return bool(self._python.is_valid(instance))

    def issues(self, instance: Any, prefix: Path_ = ()) -> list[Issue]:
        """Every failure, most relevant first; empty when the instance is valid."""
        errors = list(self._python.iter_errors(instance))
        issues: list[Issue] = []
        if errors:
            first = best_match(errors)
            ordered = [first, *(e for e in errors if e is not first)]
            for error in ordered:
                issues.extend(self._explain(error, prefix))
        elif self._fast is not None and not self._fast.is_valid(instance):
            for fast_error in self._fast.iter_errors(instance):
                path = prefix + tuple(fast_error.instance_path)
                issues.append(Issue(_shorten(str(fast_error.message), 300), path))
        return issues

    def _explain(self, error: ValidationError, prefix: Path_) -> Iterable[Issue]:
        path = prefix + tuple(error.absolute_path)
        if error.validator in ("oneOf", "anyOf") and error.context:
            chosen = _discriminated(error, path)
            if chosen is not None:
                yield from chosen
                return
            best = best_match(_nearest_branch(error))
            yield Issue(_describe(best), prefix + tuple(best.absolute_path))
            return
        yield Issue(_describe(error), path)


def _nearest_branch(error: ValidationError) -> list[ValidationError]:
    """The errors of the oneOf/anyOf branch the instance comes nearest to (fewest errors;
    a `null` branch only when it is the only one), so that a charge schedule with a bad
    rule is told about the rule, not about the temperature schedule's required fields."""
    branches = error.schema.get(str(error.validator)) if isinstance(error.schema, dict) else None
    by_branch: dict[int, list[ValidationError]] = {}
    for sub in error.context or []:
        if sub.schema_path and isinstance(sub.schema_path[0], int):
            by_branch.setdefault(sub.schema_path[0], []).append(sub)
    candidates = {
        index: errors
        for index, errors in by_branch.items()
        if not (
            isinstance(branches, list)
            and index < len(branches)
            and isinstance(branches[index], dict)
            and branches[index].get("type") == "null"
        )
    }
    if not candidates:
        return list(error.context or [])
    fewest = min(len(errors) for errors in candidates.values())
    return [e for errors in candidates.values() if len(errors) == fewest for e in errors]


def _discriminated(error: ValidationError, path: Path_) -> list[Issue] | None:
    """For a oneOf with a discriminator, the issues of the branch the instance names."""
    schema = error.schema if isinstance(error.schema, dict) else {}
    discriminator = schema.get("discriminator")
    instance = error.instance
    if not isinstance(discriminator, dict) or not isinstance(instance, dict):
        return None
    name = discriminator.get("propertyName")
    mapping = discriminator.get("mapping") or {}
    if not isinstance(name, str) or not mapping:
        return None
    value = instance.get(name)
    if not isinstance(value, str) or value not in mapping:
        allowed = ", ".join(repr(v) for v in mapping)
        if name not in instance:
            return [Issue(f"{name!r} is required (one of {allowed})", path)]
        return [
            Issue(
                f"{_shorten(repr(value))} is not one of the allowed values ({allowed})",
                (*path, name),
            )
        ]
    target = mapping[value]
    branches = schema.get(str(error.validator)) or []
    index = next(
        (i for i, b in enumerate(branches) if isinstance(b, dict) and b.get("$ref") == target),
        None,
    )
    if index is None:
        return None
    prefix = path[: len(path) - len(error.absolute_path)] if error.absolute_path else path
    found = [
        Issue(_describe(e), prefix + tuple(e.absolute_path))
        for e in error.context or []
        if e.schema_path and e.schema_path[0] == index
    ]
    return found or None


class SchemaStore:
    """Compiles and caches validators for schemas of one bundled version document."""

    def __init__(self, document: dict[str, Any], uri: str, *, accelerate: bool = True) -> None:
        self.document = document
        self.uri = uri
        resource: Resource[Any] = Resource.from_contents(
            document, default_specification=DRAFT202012
        )
        self._registry: Registry[Any] = Registry().with_resource(uri, resource)
        self._fast_registry: Any = None
        if accelerate and jsonschema_rs is not None:
            self._fast_registry = jsonschema_rs.Registry(
                [(uri, document)], draft=jsonschema_rs.Draft202012
            )
        self._cache: dict[str, CompiledSchema] = {}

    @property
    def accelerated(self) -> bool:
        return self._fast_registry is not None

    def resolve(self, pointer: str) -> Any:
        return resolve(self.document, pointer)

    def compile(self, pointer: str) -> CompiledSchema:
        cached = self._cache.get(pointer)
        if cached is not None:
            return cached
        fragment = quote(pointer, safe=_FRAGMENT_SAFE)
        wrapper = {"$ref": f"{self.uri}#{fragment}"}
        python = jsonschema.Draft202012Validator(
            wrapper, registry=self._registry, format_checker=FORMAT_CHECKER
        )
        fast = None
        if self._fast_registry is not None:
            fast = jsonschema_rs.validator_for(
                wrapper, registry=self._fast_registry, validate_formats=True
            )
        compiled = CompiledSchema(pointer, python, fast, self.resolve(pointer))
        self._cache[pointer] = compiled
        return compiled
