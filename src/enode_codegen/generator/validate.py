"""`enode-codegen validate`: is a spec a valid OpenAPI document that we can build on?

Checks, in order, each reported with file, line and JSON pointer:

1. load: YAML syntax, duplicate keys, dangling or circular `$ref` (bundle.py);
2. openapi: openapi-spec-validator on the bundled document;
3. our rules: unique `operationId`s, a success response on every operation,
   the `Enode-Version` header on every operation, every example valid against
   its schema, no reference cycle between schemas.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .bundle import Bundle, bundle_spec, deref
from .errors import SpecError, SpecProblem
from .yaml_source import escape_pointer, unescape_pointer

__all__ = ["HTTP_METHODS", "ValidatedSpec", "iter_operations", "validate_bundle", "validate_spec"]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
VERSION_HEADER = "enode-version"
_SPEC_URI = "urn:enode-codegen:spec"


@dataclass(frozen=True)
class ValidatedSpec:
    """A bundled spec that passed every check, with its one-line summary figures."""

    bundle: Bundle
    operations: int
    schemas: int

    @property
    def document(self) -> dict[str, Any]:
        return self.bundle.document

    def summary(self) -> str:
        info = self.document.get("info", {})
        return (
            f"{self.bundle.locate('')[0]}: OK: "
            f"{info.get('title', '?')} {info.get('version', '?')}: "
            f"{self.operations} operations, {self.schemas} schemas"
        )


def validate_spec(root: Path, *, enode_rules: bool = True) -> ValidatedSpec:
    """Bundle and validate the spec rooted at `root`; raise SpecError listing every problem.

    `enode_rules` adds the project's own rules for the Enode documents (version header,
    success responses, examples, no schema cycles); third-party specs get only
    openapi-spec-validator and unique operationIds, which is what generation needs.
    """
    bundle = bundle_spec(root)
    return validate_bundle(bundle, enode_rules=enode_rules)


def validate_bundle(bundle: Bundle, *, enode_rules: bool = True) -> ValidatedSpec:
    document = bundle.document
    problems = list(_openapi_problems(bundle))
    problems += _operation_problems(bundle, enode_rules=enode_rules)
    if not problems and enode_rules:
        problems += _example_problems(bundle)
        problems += _cycle_problems(bundle)
    if problems:
        raise SpecError(problems)
    operations = sum(1 for _ in iter_operations(document))
    schemas = len(document.get("components", {}).get("schemas", {}))
    return ValidatedSpec(bundle, operations, schemas)


def iter_operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Yield (path, method, operation) for every operation, in document order."""
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                yield path, method, operation


def _openapi_problems(bundle: Bundle) -> Iterator[SpecProblem]:
    version = str(bundle.document.get("openapi", ""))
    if version.startswith("3.1"):
        validator: Any = OpenAPIV31SpecValidator(bundle.document)
    elif version.startswith("3.0"):
        validator = OpenAPIV30SpecValidator(bundle.document)
    else:
        yield bundle.problem(
            "/openapi", "openapi", f"unsupported OpenAPI version {version!r} (3.0 and 3.1 are)"
        )
        return
    seen: set[tuple[str, str]] = set()
    for error in validator.iter_errors():
        if "is not unique" in error.message and error.message.startswith("Operation ID"):
            continue  # reported with its location by _operation_problems
        pointer = "".join(f"/{escape_pointer(str(p))}" for p in error.absolute_path)
        message = _best_message(error)
        if (pointer, message) in seen:
            continue
        seen.add((pointer, message))
        yield bundle.problem(pointer, "openapi", message)


def _best_message(error: ValidationError) -> str:
    best = jsonschema.exceptions.best_match([error, *error.context]) if error.context else error
    return best.message if len(best.message) < 400 else best.message[:400] + "..."


def _operation_problems(bundle: Bundle, *, enode_rules: bool) -> Iterator[SpecProblem]:
    document = bundle.document
    first_seen: dict[str, str] = {}
    for path, method, operation in iter_operations(document):
        pointer = f"/paths/{escape_pointer(path)}/{method}"
        where = f"{method.upper()} {path}"
        operation_id = operation.get("operationId")
        if not operation_id:
            if enode_rules:  # elsewhere the generator names the method after method and path
                yield bundle.problem(pointer, "operation-id", f"{where} has no operationId")
        elif operation_id in first_seen:
            other = first_seen[operation_id]
            yield bundle.problem(
                f"{pointer}/operationId",
                "operation-id",
                f"duplicate operationId {operation_id!r} (also {other})",
            )
        else:
            first_seen[operation_id] = where
        if not enode_rules:
            continue
        responses = operation.get("responses") or {}
        if not any(str(code)[:1] in ("2", "3") for code in responses):
            yield bundle.problem(
                f"{pointer}/responses",
                "success-response",
                f"{where} documents no success (2xx/3xx) response",
            )
        parameters = [
            *_resolved_params(document, path),
            *_resolve_all(document, operation.get("parameters")),
        ]
        if not any(
            p.get("in") == "header" and str(p.get("name", "")).lower() == VERSION_HEADER
            for p in parameters
        ):
            yield bundle.problem(
                f"{pointer}/parameters",
                "enode-version",
                f"{where} does not declare the Enode-Version header",
            )


def _resolved_params(document: dict[str, Any], path: str) -> list[dict[str, Any]]:
    item = document["paths"][path]
    return _resolve_all(document, item.get("parameters"))


def _resolve_all(document: dict[str, Any], values: Any) -> list[dict[str, Any]]:
    return [deref(document, v) for v in values or [] if isinstance(v, dict)]


# --- examples -----------------------------------------------------------------


def _example_problems(bundle: Bundle) -> Iterator[SpecProblem]:
    document = bundle.document
    registry: Registry[Any] = Registry().with_resource(
        _SPEC_URI, Resource.from_contents(document, default_specification=DRAFT202012)
    )
    for pointer, schema_pointer, example in _iter_examples(document, ""):
        validator = jsonschema.Draft202012Validator(
            {"$ref": f"{_SPEC_URI}#{schema_pointer}"},
            registry=registry,
            format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
        )
        for error in sorted(validator.iter_errors(example), key=lambda e: list(e.absolute_path)):
            at = "".join(f"/{escape_pointer(str(p))}" for p in error.absolute_path)
            yield bundle.problem(
                pointer,
                "example",
                f"example does not match its schema at {at or '/'}: {_best_message(error)}",
            )


def _iter_examples(node: Any, pointer: str, named: bool = False) -> Iterator[tuple[str, str, Any]]:
    """Yield (example pointer, schema pointer, example value) for every example in the document.

    `named` is true for maps whose keys are names (properties, components), where
    a key such as `default` is a name and not literal data.
    """
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _iter_examples(item, f"{pointer}/{index}")
        return
    if not isinstance(node, dict):
        return
    schema = node.get("schema")
    if named:
        for key, value in node.items():
            yield from _iter_examples(value, f"{pointer}/{escape_pointer(key)}")
        return
    if isinstance(schema, dict) and ("example" in node or "examples" in node):
        # a media type or a parameter: `example`, or `examples` whose entries hold a `value`
        schema_pointer = f"{pointer}/schema"
        if "example" in node:
            yield f"{pointer}/example", schema_pointer, node["example"]
        for name, entry in (node.get("examples") or {}).items():
            if isinstance(entry, dict) and "value" in entry:
                yield (
                    f"{pointer}/examples/{escape_pointer(name)}/value",
                    schema_pointer,
                    entry["value"],
                )
    if _looks_like_schema(node) and isinstance(node.get("examples"), list):
        for index, value in enumerate(node["examples"]):
            yield f"{pointer}/examples/{index}", pointer, value
    for key, value in node.items():
        if key in _DATA_KEYS:
            continue  # literal data, not spec structure
        yield from _iter_examples(value, f"{pointer}/{escape_pointer(key)}", key in _NAMED_MAPS)


_NAMED_MAPS = {
    "properties",
    "patternProperties",
    "$defs",
    "schemas",
    "paths",
    "responses",
    "parameters",
    "content",
    "headers",
    "links",
    "callbacks",
    "requestBodies",
    "securitySchemes",
    "pathItems",
}
_DATA_KEYS = {"example", "examples", "default", "enum", "const"}
_SCHEMA_KEYS = {
    "type",
    "properties",
    "items",
    "allOf",
    "oneOf",
    "anyOf",
    "enum",
    "const",
    "$ref",
    "format",
}


def _looks_like_schema(node: dict[str, Any]) -> bool:
    return bool(_SCHEMA_KEYS & node.keys())


# --- reference cycles ------------------------------------------------------------


def _cycle_problems(bundle: Bundle) -> Iterator[SpecProblem]:
    schemas = bundle.document.get("components", {}).get("schemas", {})
    graph = {name: sorted(_schema_refs(schema)) for name, schema in schemas.items()}
    state: dict[str, int] = {}
    reported: set[frozenset[str]] = set()

    def visit(name: str, stack: list[str]) -> Iterator[SpecProblem]:
        state[name] = 1
        stack.append(name)
        for target in graph.get(name, []):
            if state.get(target) == 1:
                cycle = stack[stack.index(target) :]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    chain = " -> ".join([*cycle, target])
                    yield bundle.problem(
                        f"/components/schemas/{escape_pointer(cycle[0])}",
                        "ref-cycle",
                        f"circular $ref: {chain}",
                    )
            elif state.get(target) is None and target in graph:
                yield from visit(target, stack)
        stack.pop()
        state[name] = 2

    for name in sorted(graph):
        if state.get(name) is None:
            yield from visit(name, [])


def _schema_refs(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(unescape_pointer(ref.rsplit("/", 1)[1]))
        for value in node.values():
            found |= _schema_refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= _schema_refs(value)
    return found
