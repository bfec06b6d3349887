"""The spec index: every version's operations, compiled once, and a router per version.

Each version folder of `spec/` is loaded as one bundled document (generator.validate),
and each operation becomes an `Operation`: its parameters with compiled validators, its
request body, its documented responses (with compiled validators), whether it needs a
token (OpenAPI `security`), and a path regex. Nothing here is hand-copied from the spec.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from enode_codegen._cache import cache_root
from enode_codegen.generator.bundle import bundle_spec
from enode_codegen.generator.paths import PUBLISHED_DIR
from enode_codegen.generator.refs import escape_pointer, follow
from enode_codegen.generator.validate import iter_operations, validate_spec
from enode_codegen.generator.yaml_source import load_plain

from .schemas import CompiledSchema, SchemaStore

__all__ = [
    "VERSION_HEADER",
    "BodySpec",
    "Operation",
    "Param",
    "ResponseSpec",
    "RouteMiss",
    "Router",
    "SpecIndex",
    "VersionSpec",
    "load_index",
]

VERSION_HEADER = "Enode-Version"
_VERSION_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Param:
    """One path, query or header parameter of an operation."""

    name: str
    location: str
    required: bool
    kind: str  # JSON type the raw string is coerced to: string, integer, number, boolean, array
    item_kind: str
    validator: CompiledSchema | None  # None when any string is acceptable
    default: Any = None
    has_default: bool = False


@dataclass(frozen=True)
class BodySpec:
    required: bool
    media_types: tuple[str, ...]
    validator: CompiledSchema


@dataclass(frozen=True)
class ResponseSpec:
    status: int
    media_type: str | None
    schema_pointer: str | None
    validator: CompiledSchema | None


@dataclass(frozen=True)
class Operation:
    """One operation of one version, as the spec defines it."""

    version: str
    operation_id: str
    method: str
    path: str
    params: tuple[Param, ...]
    body: BodySpec | None
    responses: dict[int, ResponseSpec]
    requires_auth: bool
    # a token is optional (`security` lists `{}` beside a scheme): checked only when sent
    optional_auth: bool
    deprecated: bool
    paginated: bool
    returns_id_list: bool

    def response(self, status: int) -> ResponseSpec | None:
        return self.responses.get(status)


@dataclass
class RouteMiss(Exception):
    """No operation for this method and path: `allowed` is empty for an unknown path."""

    allowed: tuple[str, ...] = ()


@dataclass
class _Route:
    regex: re.Pattern[str]
    names: tuple[str, ...]
    literals: int
    operations: dict[str, Operation] = field(default_factory=dict)


class Router:
    """Matches (method, path) to an operation; literal segments win over parameters."""

    def __init__(self, operations: list[Operation]) -> None:
        routes: dict[str, _Route] = {}
        for op in operations:
            route = routes.get(op.path)
            if route is None:
                route = _compile_template(op.path)
                routes[op.path] = route
            route.operations[op.method] = op
        self._exact: dict[str, _Route] = {p: r for p, r in routes.items() if "{" not in p}
        self._by_length: dict[int, list[_Route]] = {}
        for path, route in routes.items():
            if "{" in path:
                self._by_length.setdefault(path.count("/"), []).append(route)
        for candidates in self._by_length.values():
            candidates.sort(key=lambda r: -r.literals)
        self.templates = tuple(routes)

    def match(self, method: str, path: str) -> tuple[Operation, dict[str, str]]:
        """Match a raw (still percent-encoded) path; parameter values come back decoded."""
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/") or "/"
        route = self._exact.get(path)
        params: dict[str, str] = {}
        if route is None:
            for candidate in self._by_length.get(path.count("/"), ()):
                found = candidate.regex.match(path)
                if found is not None:
                    route = candidate
                    params = {k: unquote(v) for k, v in found.groupdict().items()}
                    break
        if route is None:
            raise RouteMiss(())
        op = route.operations.get(method)
        if op is None:
            if method == "HEAD" and "GET" in route.operations:
                return route.operations["GET"], params
            raise RouteMiss(tuple(sorted(route.operations)))
        return op, params


def _compile_template(template: str) -> _Route:
    pattern = "^"
    names: list[str] = []
    literals = 0
    for segment in template.strip("/").split("/"):
        pattern += "/"
        if segment.startswith("{") and segment.endswith("}"):
            name = segment[1:-1]
            names.append(name)
            pattern += f"(?P<{name}>[^/]*)"
        else:
            literals += 1
            pattern += re.escape(segment)
    return _Route(re.compile(pattern + "$"), tuple(names), literals)


@dataclass
class VersionSpec:
    """One Enode-Version: its document, schema store, operations and router."""

    version: str
    document: dict[str, Any]
    store: SchemaStore
    operations: dict[str, Operation]
    router: Router

    def schema_pointer(self, name: str) -> str:
        return f"/components/schemas/{escape_pointer(name)}"


@dataclass
class SpecIndex:
    """Every served version, newest last."""

    versions: dict[str, VersionSpec]

    @property
    def supported(self) -> tuple[str, ...]:
        return tuple(self.versions)

    @property
    def newest(self) -> str:
        return max(self.versions)


def _type_of(document: dict[str, Any], schema: Any, pointer: str) -> tuple[str, Any, str]:
    """The JSON type a parameter's raw text is coerced to (`string` when unsure)."""
    schema, pointer = follow(document, schema, pointer)
    if not isinstance(schema, dict):
        return "string", schema, pointer
    declared = schema.get("type")
    if isinstance(declared, list):
        declared = next((t for t in declared if t != "null"), "string")
    if declared is None and "enum" not in schema:
        for key in ("allOf", "oneOf", "anyOf"):
            branches = schema.get(key)
            if isinstance(branches, list) and branches:
                return _type_of(document, branches[0], f"{pointer}/{key}/0")
    return str(declared or "string"), schema, pointer


def _trivial_string(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    keys = set(schema) - {"type", "description", "example", "examples", "deprecated", "title"}
    return schema.get("type") == "string" and not keys


def _build_param(version: VersionSpec, raw: Any, pointer: str) -> Param:
    document = version.document
    param, pointer = follow(document, raw, pointer)
    schema_pointer = f"{pointer}/schema"
    schema = param.get("schema", {})
    kind, resolved, _ = _type_of(document, schema, schema_pointer)
    item_kind = "string"
    if kind == "array":
        items = resolved.get("items", {}) if isinstance(resolved, dict) else {}
        item_kind, _, _ = _type_of(document, items, f"{schema_pointer}/items")
    validator = None if _trivial_string(schema) else version.store.compile(schema_pointer)
    has_default = isinstance(resolved, dict) and "default" in resolved
    return Param(
        name=str(param["name"]),
        location=str(param["in"]),
        required=bool(param.get("required", False)),
        kind=kind,
        item_kind=item_kind,
        validator=validator,
        default=resolved.get("default") if has_default else None,
        has_default=has_default,
    )


def _build_operation(version: VersionSpec, path: str, method: str, op: dict[str, Any]) -> Operation:
    document = version.document
    op_pointer = f"/paths/{escape_pointer(path)}/{method}"
    raw_params: dict[tuple[str, str], tuple[Any, str]] = {}
    item = document["paths"][path]
    for i, raw in enumerate(item.get("parameters") or []):
        resolved, _ = follow(document, raw, f"/paths/{escape_pointer(path)}/parameters/{i}")
        raw_params[(resolved["name"], resolved["in"])] = (
            raw,
            f"/paths/{escape_pointer(path)}/parameters/{i}",
        )
    for i, raw in enumerate(op.get("parameters") or []):
        resolved, _ = follow(document, raw, f"{op_pointer}/parameters/{i}")
        raw_params[(resolved["name"], resolved["in"])] = (raw, f"{op_pointer}/parameters/{i}")
    params = tuple(_build_param(version, raw, ptr) for raw, ptr in raw_params.values())

    body = None
    if "requestBody" in op:
        request_body, rb_pointer = follow(document, op["requestBody"], f"{op_pointer}/requestBody")
        content = request_body.get("content") or {}
        media = tuple(content)
        json_media = next((m for m in media if m.endswith("json")), media[0])
        body = BodySpec(
            required=bool(request_body.get("required", False)),
            media_types=media,
            validator=version.store.compile(
                f"{rb_pointer}/content/{escape_pointer(json_media)}/schema"
            ),
        )

    responses: dict[int, ResponseSpec] = {}
    for code, raw in (op.get("responses") or {}).items():
        if not str(code).isdigit():
            continue
        response, r_pointer = follow(document, raw, f"{op_pointer}/responses/{code}")
        content = response.get("content") or {}
        media_type = next(iter(content), None)
        schema_pointer = None
        validator = None
        if media_type is not None and "schema" in content[media_type]:
            schema_pointer = f"{r_pointer}/content/{escape_pointer(media_type)}/schema"
            validator = version.store.compile(schema_pointer)
        responses[int(code)] = ResponseSpec(int(code), media_type, schema_pointer, validator)

    security = op.get("security", document.get("security", []))
    names = {p.name for p in params}
    ok = responses.get(200)
    returns_id_list = False
    if ok is not None and ok.schema_pointer is not None:
        schema, _ = follow(document, version.store.resolve(ok.schema_pointer), ok.schema_pointer)
        if isinstance(schema, dict) and schema.get("type") == "array":
            items, _ = follow(document, schema.get("items", {}), ok.schema_pointer)
            returns_id_list = isinstance(items, dict) and items.get("type") == "string"
    return Operation(
        version=version.version,
        operation_id=str(op["operationId"]),
        method=method.upper(),
        path=path,
        params=params,
        body=body,
        responses=responses,
        requires_auth=bool(security) and {} not in security,
        optional_auth=bool(security) and {} in security,
        deprecated=bool(op.get("deprecated", False)),
        paginated={"after", "before"} <= names,
        returns_id_list=returns_id_list,
    )


def _version_file(root: Path, version: str) -> Path:
    """`<version>.yaml` (the published layout) or `<version>/openapi.yaml` under `root`."""
    published = root / f"{version}.yaml"
    return published if published.is_file() else root / version / "openapi.yaml"


def _document(root: Path, version: str) -> dict[str, Any]:
    """The bundled document of one version. The packaged documents (spec/published/) are
    read as they are: `build-specs` validated each before writing it, self-contained, and
    `enode-codegen check` keeps them so; validating four of them again took 4.5 of the
    mock's 5 s of start-up, and reading their YAML still takes 0.1-0.4 s each, so a JSON
    copy is kept in the tool's cache (`_cache.py`), named after the file's digest. Any
    other spec folder is validated in full (a clear error, not a wrong mock)."""
    file = _version_file(root, version)
    if root.resolve() != PUBLISHED_DIR.resolve():
        return validate_spec(file).document
    raw = file.read_bytes()
    cached = cache_root() / "specs" / f"{version}-{hashlib.sha256(raw).hexdigest()[:16]}.json"
    with contextlib.suppress(OSError, ValueError):
        document = json.loads(cached.read_bytes())
        if isinstance(document, dict):
            return document
    document = load_plain(file)
    if not isinstance(document, dict) or _external_ref(document):
        return bundle_spec(file, strict=True).document
    text = json.dumps(document, ensure_ascii=False)
    if json.loads(text) == document:  # only what JSON gives back unchanged is kept
        with contextlib.suppress(OSError):
            cached.parent.mkdir(parents=True, exist_ok=True)
            scratch = cached.with_suffix(f".{os.getpid()}.tmp")
            scratch.write_text(text, encoding="utf-8")
            os.replace(scratch, cached)
    return document


def _external_ref(node: Any) -> bool:
    """Whether a `$ref` anywhere in `node` points outside its document."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and not ref.startswith("#"):
            return True
        return any(_external_ref(value) for value in node.values())
    if isinstance(node, list):
        return any(_external_ref(value) for value in node)
    return False


def load_version(root: Path, version: str, *, accelerate: bool) -> VersionSpec:
    document = _document(root, version)
    store = SchemaStore(document, f"urn:enode-mock:{version}", accelerate=accelerate)
    spec = VersionSpec(version, document, store, {}, Router([]))
    operations = [_build_operation(spec, p, m, op) for p, m, op in iter_operations(document)]
    spec.operations = {op.operation_id: op for op in operations}
    spec.router = Router(operations)
    return spec


@lru_cache(maxsize=8)
def load_index(
    spec_dir: Path, versions: tuple[str, ...] | None = None, *, accelerate: bool = True
) -> SpecIndex:
    """Load (once per process and arguments) every version under `spec_dir`."""
    if versions is None:
        versions = tuple(
            sorted(
                p.name.removesuffix(".yaml")
                for p in spec_dir.iterdir()
                if _VERSION_FOLDER.match(p.name.removesuffix(".yaml"))
                and (p.suffix == ".yaml" or (p / "openapi.yaml").is_file())
            )
        )
    if not versions:
        raise ValueError(f"no spec versions found under {spec_dir}")
    loaded = {v: load_version(spec_dir, v, accelerate=accelerate) for v in sorted(versions)}
    return SpecIndex(loaded)
