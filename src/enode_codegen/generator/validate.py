"""`enode-codegen validate`: is a spec a valid OpenAPI document that we can build on?

Every check runs on every spec and all problems are reported at once, each with
file, line and JSON pointer of the offending node:

1. load: YAML syntax, duplicate keys, dangling or circular `$ref` (bundle.py); a
   reference into a file that does not parse is not reported again;
2. ref-cycle: a schema that is only a `$ref` chain leading back to itself (found
   before openapi-spec-validator runs, which would otherwise recurse forever);
3. openapi: openapi-spec-validator on the bundled document; each finding is mapped
   through the document (and its `$ref`s) to the node it is about;
4. our rules: unique `operationId`s (across paths and 3.1 `webhooks`), every example
   valid against its schema
   (a warning for third-party specs, an error for Enode's), and for Enode's specs
   a success response and the `Enode-Version` header on every operation and no
   reference cycle between schemas at all.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import lint
from .bundle import DATA_KEYS, Bundle, bundle_spec, looks_like_schema
from .deep_stack import deep_call
from .errors import Severity, SpecError, SpecProblem
from .refs import deref, escape_pointer, locate, unescape_pointer

# openapi-spec-validator, jsonschema and referencing (about 30 MB once imported) are imported
# where they are used: a large spec is validated in a forked process, and the process
# generating its models beside it never needs them.
if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

__all__ = [
    "HTTP_METHODS",
    "ValidatedSpec",
    "iter_operations",
    "iter_webhooks",
    "validate_bundle",
    "validate_spec",
]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
VERSION_HEADER = "enode-version"
_SPEC_URI = "urn:enode-codegen:spec"


@dataclass(frozen=True)
class ValidatedSpec:
    """A bundled spec that passed every check, with its one-line summary figures."""

    bundle: Bundle
    operations: int
    schemas: int
    warnings: tuple[SpecProblem, ...] = ()  # found, but not in the way of generation

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


def validate_spec(
    root: Path, *, enode_rules: bool = True, allow_outside: Sequence[Path] = ()
) -> ValidatedSpec:
    """Bundle and validate the spec rooted at `root`; raise SpecError listing every problem.

    `enode_rules` adds the project's own rules for the Enode documents (version header,
    success responses, examples, no schema cycles); third-party specs get only
    openapi-spec-validator and unique operationIds, which is what generation needs.
    `$ref`s may read files under `allow_outside` as well as the root's folder.
    """
    bundle = bundle_spec(root, strict=False, allow_outside=allow_outside)
    return validate_bundle(bundle, enode_rules=enode_rules)


def validate_bundle(bundle: Bundle, *, enode_rules: bool = True) -> ValidatedSpec:
    """Run every check on `bundle` (even one with load problems); raise SpecError on errors.

    Examples that do not match their schema are errors under `enode_rules` and
    warnings otherwise: published third-party specs often carry stale examples,
    which say nothing about whether a client can be generated. The validators recurse
    once per level of nesting, so they run on a deep stack (deep_stack.py).
    """
    return deep_call(_validate_bundle, bundle, enode_rules=enode_rules)


def _validate_bundle(bundle: Bundle, *, enode_rules: bool) -> ValidatedSpec:
    document = bundle.document
    problems = list(bundle.problems)
    cycles = _alias_cycles(document)
    problems += [
        bundle.problem(f"/components/schemas/{escape_pointer(cycle[0])}", "ref-cycle", message)
        for cycle, message in cycles
    ]
    checked = _without_alias_cycles(document, cycles)
    problems += _openapi_problems(bundle, checked)
    problems += _operation_problems(bundle, enode_rules=enode_rules)
    problems += _example_problems(
        bundle, checked, Severity.ERROR if enode_rules else Severity.WARNING
    )
    if enode_rules:
        reported = {frozenset(cycle) for cycle, _ in cycles}
        problems += [p for key, p in _cycle_problems(bundle) if key not in reported]
    problems = lint.review(bundle, problems)  # checks of our own, plain words (lint.py)
    unique = sorted(  # a problem without a line sorts first in its file
        dict.fromkeys(problems), key=lambda p: (p.file, p.line or 0, p.pointer, p.message)
    )
    if any(p.severity is Severity.ERROR for p in unique):
        raise SpecError(unique)
    operations = sum(1 for _ in iter_operations(document))
    schemas = len(document.get("components", {}).get("schemas", {}))
    return ValidatedSpec(bundle, operations, schemas, tuple(unique))


def iter_operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Yield (path, method, operation) for every operation, in document order."""
    for path, item in (document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                yield path, method, operation


def iter_webhooks(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Yield (name, method, operation) for every operation of the OpenAPI 3.1 `webhooks`
    (requests the API sends, not serves), in document order; references not followed."""
    for name, item in (document.get("webhooks") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                yield str(name), method, operation


def _openapi_problems(bundle: Bundle, document: dict[str, Any]) -> Iterator[SpecProblem]:
    """openapi-spec-validator's findings on `document` (the bundle's, alias cycles cut),
    each at the node it is about; findings at references that did not resolve are
    knock-ons of a problem already reported, and dropped."""
    from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

    version = str(document.get("openapi", ""))
    validator_class: Any
    if version.startswith("3.1"):
        validator_class = _locating(OpenAPIV31SpecValidator)
    elif version.startswith("3.0"):
        validator_class = _locating(OpenAPIV30SpecValidator)
    else:
        yield bundle.problem(
            "/openapi", "openapi", f"unsupported OpenAPI version {version!r} (3.0 and 3.1 are)"
        )
        return
    found: dict[tuple[str, str], None] = {}
    try:
        for error in validator_class(document).iter_errors():
            if "is not unique" in error.message and error.message.startswith("Operation ID"):
                continue  # reported with its location by _operation_problems
            pointer = _error_pointer(document, error)
            if not bundle.under_broken(pointer):
                found[(pointer, _best_message(error))] = None
    except (RecursionError, KeyError, TypeError, ValueError, AttributeError) as exc:
        if not bundle.problems:  # otherwise most likely a knock-on of those
            message = f"openapi-spec-validator stopped: {type(exc).__name__}: {exc}"
            found[("", message)] = None
    bundle.prefetch(pointer for pointer, _ in found)
    for pointer, message in found:
        yield bundle.problem(pointer, "openapi", message)


_LOCATED = "_enode_codegen_parts"


class _IdList(list[int]):
    """The validator's list of schema ids already seen, with set-speed `in`."""

    def __init__(self) -> None:
        super().__init__()
        self._ids: set[int] = set()

    def append(self, item: int) -> None:
        super().append(item)
        self._ids.add(item)

    def __contains__(self, item: object) -> bool:
        return item in self._ids


# Digests of schemas the OpenAPI meta-schema accepted, per validator class: the dated versions
# of one API share most schemas, and checking a schema against the meta-schema is the most
# expensive part of validation. Only acceptances are kept (a finding is located per node).
_META_VALID: set[tuple[str, bytes]] = set()


def _meta_key(dialect: str, schema_value: Any) -> tuple[str, bytes] | None:
    try:
        text = json.dumps(schema_value, sort_keys=True, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):  # not plain JSON (a YAML date, NaN): check it every time
        return None
    return dialect, hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def _locating(spec_validator: type[Any]) -> type[Any]:
    """`spec_validator` whose keyword validators tag each finding with the path (in the
    document, as walked by the validator) of the node they were checking."""
    from jsonschema_path import SchemaPath
    from openapi_spec_validator.validation.exceptions import (
        OpenAPIValidationError,
        UnresolvableParameterError,
    )

    def wrap(keyword: str, keyword_class: type[Any]) -> type[Any]:
        def __call__(self: Any, *args: Any, **kwargs: Any) -> Iterator[ValidationError]:
            node = next((a for a in args if isinstance(a, SchemaPath)), None)
            for error in keyword_class.__call__(self, *args, **kwargs):
                if not isinstance(error, OpenAPIValidationError):
                    error = OpenAPIValidationError.create_from(error)
                if node is not None and not hasattr(error, _LOCATED):
                    parts = tuple(str(p) for p in node.parts)
                    if isinstance(error, UnresolvableParameterError):
                        parts = parts[:2]  # a path template's parameter: the path is the place
                    elif keyword == "default":
                        parts = (*parts, "default")  # a default that its schema refuses
                    setattr(error, _LOCATED, parts)
                yield error

        def __init__(self: Any, registry: Any) -> None:
            keyword_class.__init__(self, registry)
            for name in ("visited_schema_ids", "meta_checked_schema_ids"):
                if isinstance(getattr(self, name, None), list):
                    setattr(self, name, _IdList())  # O(1) membership: large specs are quadratic

        members: dict[str, Any] = {"__call__": __call__, "__init__": __init__}
        if hasattr(keyword_class, "_validate_schema_meta"):

            def _validate_schema_meta(self: Any, schema: Any, schema_value: Any) -> Any:
                dialect = spec_validator.__name__
                if hasattr(self, "_get_schema_dialect_id"):  # 3.1: $schema, jsonSchemaDialect
                    try:
                        dialect += f" {self._get_schema_dialect_id(schema, schema_value)}"
                    except Exception:  # the original check reports what is wrong
                        return keyword_class._validate_schema_meta(self, schema, schema_value)
                key = _meta_key(dialect, schema_value)
                if key is not None and key in _META_VALID:
                    return None
                error = keyword_class._validate_schema_meta(self, schema, schema_value)
                if error is None and key is not None:
                    _META_VALID.add(key)
                return error

            members["_validate_schema_meta"] = _validate_schema_meta
        return type(keyword_class.__name__, (keyword_class,), members)

    keywords = {name: wrap(name, cls) for name, cls in spec_validator.keyword_validators.items()}
    return type(spec_validator.__name__, (spec_validator,), {"keyword_validators": keywords})


def _error_pointer(document: dict[str, Any], error: ValidationError) -> str:
    """The document pointer of the node `error` is about, following local `$ref`s."""
    parts: Sequence[str] = getattr(error, _LOCATED, ())
    return locate(document, [*parts, *(str(p) for p in error.absolute_path)])


def _best_message(error: ValidationError) -> str:
    import jsonschema.exceptions

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

    for name, method, operation in iter_webhooks(document):
        # webhooks share the operationId namespace (OpenAPI 3.1: unique in the document);
        # they are sent by the API, so the request rules above (Enode-Version) do not apply
        pointer = f"/webhooks/{escape_pointer(name)}/{method}"
        where = f"webhook {name!r}"
        operation_id = operation.get("operationId")
        if not operation_id:
            if enode_rules:
                yield bundle.problem(pointer, "operation-id", f"{where} has no operationId")
        elif operation_id in first_seen:
            yield bundle.problem(
                f"{pointer}/operationId",
                "operation-id",
                f"duplicate operationId {operation_id!r} (also {first_seen[operation_id]})",
            )
        else:
            first_seen[operation_id] = where


def _resolved_params(document: dict[str, Any], path: str) -> list[dict[str, Any]]:
    item = document["paths"][path]
    return _resolve_all(document, item.get("parameters"))


def _resolve_all(document: dict[str, Any], values: Any) -> list[dict[str, Any]]:
    return [deref(document, v) for v in values or [] if isinstance(v, dict)]


# --- examples -----------------------------------------------------------------


def _example_problems(
    bundle: Bundle, document: dict[str, Any], severity: Severity
) -> Iterator[SpecProblem]:
    """Every example checked against its schema, with the OpenAPI dialect of the document
    (3.0's `nullable`, 3.1's JSON Schema 2020-12)."""
    import jsonschema.exceptions
    from openapi_schema_validator import OAS30Validator, OAS31Validator
    from referencing import Registry, Resource
    from referencing.exceptions import Unresolvable
    from referencing.jsonschema import DRAFT4, DRAFT202012

    if str(document.get("openapi", "")).startswith("3.0"):
        validator_class: Any = OAS30Validator
        specification = DRAFT4
    else:
        validator_class = OAS31Validator
        specification = DRAFT202012
    registry: Registry[Any] = Registry().with_resource(
        _SPEC_URI, Resource.from_contents(document, default_specification=specification)
    )
    found: list[tuple[str, str]] = []
    for pointer, schema_pointer, example in _iter_examples(document, ""):
        if bundle.under_broken(schema_pointer):
            continue  # the broken reference is reported already
        validator = validator_class(
            {"$ref": f"{_SPEC_URI}#{schema_pointer}"},
            registry=registry,
            format_checker=validator_class.FORMAT_CHECKER,
        )
        try:
            errors = sorted(validator.iter_errors(example), key=lambda e: list(e.absolute_path))
        except RecursionError:
            found.append((pointer, "example cannot be checked: its schema nests without end"))
            continue
        except (
            jsonschema.exceptions.SchemaError,
            jsonschema.exceptions.UnknownType,
            Unresolvable,
        ):
            continue  # the schema itself is wrong, which the openapi check reports
        for error in errors:
            at = "".join(f"/{escape_pointer(str(p))}" for p in error.absolute_path)
            message = f"example does not match its schema at {at or '/'}: {_best_message(error)}"
            found.append((pointer, message))
    bundle.prefetch(pointer for pointer, _ in found)
    for pointer, message in found:
        yield _with_severity(bundle.problem(pointer, "example", message), severity)


def _with_severity(problem: SpecProblem, severity: Severity) -> SpecProblem:
    return dataclasses.replace(problem, severity=severity)


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
    if looks_like_schema(node) and isinstance(node.get("examples"), list):
        for index, value in enumerate(node["examples"]):
            yield f"{pointer}/examples/{index}", pointer, value
    for key, value in node.items():
        if key in DATA_KEYS:
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
    "webhooks",
}
# --- reference cycles ------------------------------------------------------------


def _alias_cycles(document: dict[str, Any]) -> list[tuple[list[str], str]]:
    """Component schemas that are references leading back to themselves (`A: {$ref: B}`,
    `B: {$ref: A}`): no value can ever match them, and validators recurse forever."""
    schemas = (document.get("components") or {}).get("schemas") or {}
    if not isinstance(schemas, dict):
        return []
    alias: dict[str, str] = {}
    for name, schema in schemas.items():
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            target = unescape_pointer(ref[len("#/components/schemas/") :])
            if "/" not in target:
                alias[name] = target
    found: list[tuple[list[str], str]] = []
    done: set[str] = set()
    for start in sorted(alias):
        chain: list[str] = []
        step: str | None = start
        while step is not None and step not in done and step not in chain:
            chain.append(step)
            step = alias.get(step)
        if step is not None and step in chain:
            cycle = chain[chain.index(step) :]
            first = cycle.index(min(cycle))
            cycle = cycle[first:] + cycle[:first]
            message = "circular $ref: " + " -> ".join([*cycle, cycle[0]]) + " (no value can match)"
            found.append((cycle, message))
        done.update(chain)
    return found


def _without_alias_cycles(
    document: dict[str, Any], cycles: list[tuple[list[str], str]]
) -> dict[str, Any]:
    """`document` with the members of alias cycles replaced by `{}` (a copy when needed)."""
    if not cycles:
        return document
    checked = dict(document)
    checked["components"] = dict(document["components"])
    schemas = checked["components"]["schemas"] = dict(document["components"]["schemas"])
    for cycle, _ in cycles:
        for name in cycle:
            schemas[name] = {}
    return checked


def _cycle_problems(bundle: Bundle) -> Iterator[tuple[frozenset[str], SpecProblem]]:
    """Any reference cycle between component schemas (Enode's rule: every model is finite)."""
    schemas = bundle.document.get("components", {}).get("schemas", {})
    graph = {name: sorted(_schema_refs(schema)) for name, schema in schemas.items()}
    state: dict[str, int] = {}
    reported: set[frozenset[str]] = set()

    def visit(name: str, stack: list[str]) -> Iterator[tuple[frozenset[str], SpecProblem]]:
        state[name] = 1
        stack.append(name)
        for target in graph.get(name, []):
            if state.get(target) == 1:
                cycle = stack[stack.index(target) :]
                key = frozenset(cycle)
                if key not in reported:
                    reported.add(key)
                    chain = " -> ".join([*cycle, target])
                    yield (
                        key,
                        bundle.problem(
                            f"/components/schemas/{escape_pointer(cycle[0])}",
                            "ref-cycle",
                            f"circular $ref: {chain}",
                        ),
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
