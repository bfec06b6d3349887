"""Checks openapi-spec-validator does not make, and plain words for what it says badly.

`review` runs last in validation, on every spec (Enode's and third-party ones):

- discriminator: a `mapping` value naming a schema that does not exist (error: the
  generated tag type would refuse the responses that carry it);
- path: two paths equal but for the names of their parameters, `/a/{x}` and `/a/{y}`,
  which OpenAPI forbids (error when both declare one method: two operations for one
  request; a warning otherwise, as each request still has one operation);
- ref-siblings: in OpenAPI 3.0, keywords beside a `$ref` (warning: the standard ignores
  them; this generator applies them, `nullable` included, other tools will not);
- required: `required` naming a property the schema does not declare (warning);
- openapi: a list of types in 3.0, a response key that is not a status code, a response
  without a description, Swagger 2 left in (`in: body`, `type: file`, `required: true` on
  a property): errors said plainly, in place of the validator's `oneOf` dump of the node;
  every other validator finding is cut to its first line (the rest repeats the node).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any

from .bundle import DATA_KEYS, Bundle
from .errors import Severity, SpecProblem
from .refs import escape_pointer, unescape_pointer

__all__ = ["review"]

_TEMPLATE = re.compile(r"\{[^{}]*\}")
_STATUS = re.compile(r"^(?:[1-5](?:\d\d|XX)|default|x-.*)$")
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def review(bundle: Bundle, problems: list[SpecProblem]) -> list[SpecProblem]:
    """`problems` in plain words, with this module's findings added."""
    document = bundle.document
    checked = _Pointers(bundle.document)
    found = [
        *_discriminator_mappings(checked),
        *_equal_paths(checked),
        *_required_missing(checked),
    ]
    plain: list[SpecProblem] = []
    if str(document.get("openapi", "")).startswith("3.0"):
        found += _ref_siblings(checked)
        plain += _type_lists(checked)
    plain += _status_codes(checked)
    plain += _swagger_leftovers(checked)
    # every line in one pass per file: a large JSON file read once per finding took minutes
    bundle.prefetch(p.pointer for p in (*found, *plain))
    found = [_located(bundle, p) for p in found]
    plain = [_located(bundle, p) for p in plain]
    validator = [p for p in problems if p.rule == "openapi"]
    # a plain word only stands in for a finding of the validator's, never adds an error
    plain = [mine for mine in plain if any(_explains(mine, p) for p in validator)]
    said = [p for p in problems if not any(_explains(mine, p) for mine in plain)]
    return [*(_first_line(p) for p in said), *plain, *found]


def _explains(mine: SpecProblem, theirs: SpecProblem) -> bool:
    """`mine` is about the node `theirs` (the validator's) reports, or a node inside it."""
    if (
        theirs.rule != "openapi" or theirs.pointer.count("/") < 3
    ):  # a finding about the whole document is its own
        return False
    return mine.file == theirs.file and (
        mine.pointer == theirs.pointer or mine.pointer.startswith(theirs.pointer + "/")
    )


def _first_line(problem: SpecProblem) -> SpecProblem:
    if problem.rule != "openapi" or "\n" not in problem.message:
        return problem
    return dataclasses.replace(problem, message=problem.message.split("\n", 1)[0].rstrip())


class _Pointers:
    """The bundle as the checks see it: their problems carry the bundle's pointer, and
    `review` finds their files and lines afterwards, all at once (`Bundle.prefetch`)."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def problem(self, pointer: str, rule: str, message: str) -> SpecProblem:
        return SpecProblem("", None, pointer, rule, message)


def _located(bundle: Bundle, problem: SpecProblem) -> SpecProblem:
    file, line, pointer = bundle.locate(problem.pointer)
    return dataclasses.replace(problem, file=file, line=line, pointer=pointer)


def _warning(problem: SpecProblem) -> SpecProblem:
    return dataclasses.replace(problem, severity=Severity.WARNING)


def _objects(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(pointer, object) for every object of the document, parents first, not inside data
    (`DATA_KEYS`); iterative, so any depth of nesting is walked."""
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        pointer, node = stack.pop()
        if isinstance(node, dict):
            yield pointer, node
            children = [
                (f"{pointer}/{escape_pointer(str(k))}", v)
                for k, v in node.items()
                if k not in DATA_KEYS or (k == "default" and pointer.endswith("/responses"))
            ]
        elif isinstance(node, list):
            children = [(f"{pointer}/{i}", v) for i, v in enumerate(node)]
        else:
            continue
        stack.extend(reversed(children))


def _target(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for token in ref[2:].split("/") if ref != "#" else []:
        token = unescape_pointer(token)
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node


def _discriminator_mappings(bundle: _Pointers) -> Iterator[SpecProblem]:
    document = bundle.document
    schemas = (document.get("components") or {}).get("schemas") or {}
    for pointer, node in _objects(document):
        discriminator = node.get("discriminator")
        if not isinstance(discriminator, dict):
            continue
        mapping = discriminator.get("mapping")
        if not isinstance(mapping, dict):
            continue
        for value, ref in mapping.items():
            if not isinstance(ref, str):
                continue
            if ref.startswith("#"):
                missing = not isinstance(_target(document, ref), dict)
            elif re.fullmatch(r"[A-Za-z0-9._-]+", ref):  # a schema's name (OpenAPI allows it)
                missing = ref not in schemas
            else:
                continue  # another file's: the bundle resolved or reported it
            if missing:
                tag = discriminator.get("propertyName", "the tag")
                yield bundle.problem(
                    f"{pointer}/discriminator/mapping/{escape_pointer(str(value))}",
                    "discriminator",
                    f"mapping {value!r} names {ref}, which does not exist; the generated "
                    f"client would refuse every response whose {tag} is {value!r}",
                )


def _equal_paths(bundle: _Pointers) -> Iterator[SpecProblem]:
    """Paths equal but for their parameters' names: an error when both declare a method (two
    operations for one request), a warning otherwise (forbidden, but each request is one)."""
    first: dict[str, str] = {}
    paths = bundle.document.get("paths") or {}
    for path, item in paths.items():
        shape = _TEMPLATE.sub("{}", str(path))
        if shape not in first:
            first[shape] = str(path)
            continue
        other = first[shape]
        shared = [
            m.upper()
            for m in _METHODS
            if isinstance(item, dict) and m in item and m in (paths.get(other) or {})
        ]
        problem = bundle.problem(
            f"/paths/{escape_pointer(str(path))}",
            "path",
            f"{path} is the same path as {other} (only the names of their parameters differ), "
            "which OpenAPI forbids"
            + (
                f": both declare {', '.join(shared)}, two operations for one request; "
                "merge them into one path"
                if shared
                else "; merge them into one path"
            ),
        )
        yield problem if shared else _warning(problem)


def _ref_siblings(bundle: _Pointers) -> Iterator[SpecProblem]:
    for pointer, node in _objects(bundle.document):
        if not isinstance(node.get("$ref"), str):
            continue
        siblings = [k for k in node if k != "$ref" and not str(k).startswith("x-")]
        # words for the reader only (3.1 allows `summary` and `description` beside a $ref)
        if not siblings or set(siblings) <= {"description", "summary", "title", "deprecated"}:
            continue
        yield _warning(
            bundle.problem(
                pointer,
                "ref-siblings",
                f"OpenAPI 3.0 ignores what stands beside a $ref ({', '.join(map(str, siblings))}); "
                "enode-codegen applies it (nullable included), other tools will not: wrap the "
                "reference, `allOf: [{$ref: ...}]` with the keywords beside allOf, or use 3.1",
            )
        )


def _required_missing(bundle: _Pointers) -> Iterator[SpecProblem]:
    parents_of_all_of: set[str] = set()
    for pointer, node in _objects(bundle.document):
        if isinstance(node.get("allOf"), list):
            parents_of_all_of.add(f"{pointer}/allOf")
        required, properties = node.get("required"), node.get("properties")
        if not (isinstance(required, list) and isinstance(properties, dict)):
            continue
        if pointer.rsplit("/", 1)[0] in parents_of_all_of:
            continue  # the property may be declared by another part of the allOf
        if any(k in node for k in ("allOf", "anyOf", "oneOf", "patternProperties")) or isinstance(
            node.get("additionalProperties"), dict
        ):
            continue  # declared elsewhere, or allowed as an additional property
        for index, name in enumerate(required):
            if isinstance(name, str) and name not in properties:
                yield _warning(
                    bundle.problem(
                        f"{pointer}/required/{index}",
                        "required",
                        f"required property {name!r} is not among the schema's properties "
                        f"({', '.join(sorted(map(str, properties))) or 'none'}); "
                        "the generated model does not require it",
                    )
                )


def _type_lists(bundle: _Pointers) -> Iterator[SpecProblem]:
    for pointer, node in _objects(bundle.document):
        types = node.get("type")
        if not isinstance(types, list):
            continue
        others = [t for t in types if t != "null"]
        if "null" in types and len(others) == 1:
            hint = f"write `type: {others[0]}` with `nullable: true`"
        else:
            hint = "use `oneOf` of one schema per type"
        yield bundle.problem(
            f"{pointer}/type",
            "openapi",
            f"a list of types ({', '.join(map(str, types))}) is OpenAPI 3.1; in 3.0 {hint}",
        )


def _status_codes(bundle: _Pointers) -> Iterator[SpecProblem]:
    for path, item in (bundle.document.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        for method in _METHODS:
            operation = item.get(method)
            responses = operation.get("responses") if isinstance(operation, dict) else None
            if not isinstance(responses, dict):
                continue
            for code in responses:
                if not _STATUS.match(str(code)):
                    yield bundle.problem(
                        f"/paths/{escape_pointer(str(path))}/{method}/responses/"
                        f"{escape_pointer(str(code))}",
                        "openapi",
                        f"{code!r} is not an HTTP status code: use a code (200), a range "
                        "(2XX) or default",
                    )


_PARAMETER_PLACES = ("query", "header", "path", "cookie")


def _swagger_leftovers(bundle: _Pointers) -> Iterator[SpecProblem]:
    """Swagger 2 habits and missing response descriptions, at the node that has them."""
    document = bundle.document
    for pointer, node in _objects(document):
        parent, _, key = pointer.rpartition("/")
        if node.get("type") == "file":
            yield bundle.problem(
                f"{pointer}/type",
                "openapi",
                "`type: file` is Swagger 2; in OpenAPI 3 a file is `type: string` with "
                "`format: binary`",
            )
        if isinstance(node.get("required"), bool) and parent.endswith("/properties"):
            name = unescape_pointer(key)
            yield bundle.problem(
                f"{pointer}/required",
                "openapi",
                f"`required: {str(node['required']).lower()}` on property {name!r} is Swagger "
                f"2; in OpenAPI 3 list {name!r} in the `required` array of its object",
            )
        if (
            parent.endswith("/parameters")
            and (key.isdigit() or parent == "/components/parameters")
            and "$ref" not in node
        ):
            place = node.get("in")
            if place == "body" or place == "formData":
                yield bundle.problem(
                    f"{pointer}/in",
                    "openapi",
                    f"`in: {place}` is Swagger 2; in OpenAPI 3 a body is the operation's "
                    "`requestBody`",
                )
            elif "name" in node and place not in _PARAMETER_PLACES:
                yield bundle.problem(
                    f"{pointer}/in",
                    "openapi",
                    f"parameter {node.get('name')!r} needs `in`: one of "
                    f"{', '.join(_PARAMETER_PLACES)} (found {place!r})",
                )
        if (
            parent.endswith("/responses")
            and _STATUS.match(unescape_pointer(key))
            and not key.startswith("x-")
            and "$ref" not in node
            and "description" not in node
        ):
            yield bundle.problem(
                pointer,
                "openapi",
                f"response {unescape_pointer(key)} has no description (OpenAPI requires one, "
                "even an empty string)",
            )
