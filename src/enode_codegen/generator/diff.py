"""`enode-codegen diff OLD NEW`: what a team must change when it moves its Enode-Version pin.

The report is computed from the two documents (a structural diff), operation by
operation (matched by operationId, so a moved operation is one entry), and each
difference is classed by Enode's rules (reference, "Versioning"): breaking are changed
authentication, a new required input, changed input validation, a removed route or
method, a removed or renamed response field, and a new case in a response enum (not
breaking from 2024-10-01 on). Everything else additive is not.

Webhook events (the document's `webhooks`, matched by event name) are compared too: an
event the newer version adds is additive, one it no longer sends is breaking, and the
payload of an event both have is compared like a response body (the receiver reads it).

Between packaged versions, each difference is tied to the declared change that made it
(`spec/changes/<version>.yaml`): the overlay action whose changed JSON pointers contain,
or are contained in, the difference's pointers. A difference no declared change covers
is undeclared drift; `tests/test_spec_diff.py` holds both directions to zero.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .bundle import bundle_spec
from .errors import SpecError, SpecProblem
from .paths import CHANGES_DIR, SOURCE_DIR, spec_file
from .publish import Rendition, render_versions
from .refs import RefError, escape_pointer, follow, split_pointer
from .validate import HTTP_METHODS, iter_operations

__all__ = [
    "ENUM_ADDITIONS_NONBREAKING_FROM",
    "DeclaredChange",
    "Difference",
    "Report",
    "attribute",
    "coverage_problems",
    "declared_changes",
    "diff_documents",
    "is_downgrade",
    "packaged_report",
    "render_json",
    "render_markdown",
]

ENUM_ADDITIONS_NONBREAKING_FROM = "2024-10-01"
VERSION_HEADER = "enode-version"
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


@dataclass(frozen=True)
class Difference:
    """One structural difference between two versions of the API."""

    kind: str  # e.g. operation-removed, response-property-added (see KINDS)
    subject: str  # what changed: `GET /me (getMe)`, `Battery.locationId`, `query parameter field`
    detail: str  # how: `array -> object`, `IDLE`, ...
    breaking: bool
    operations: tuple[str, ...] = ()  # the operationIds it affects
    pointers: tuple[str, ...] = ()  # where it is in the old and new documents
    change: str | None = None  # the declared change it belongs to (`<version>: <id>`)
    changelog: str | None = None  # that change's sentence
    value: Any = field(default=None, compare=False)  # the enum value of an enum-value-* entry

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "subject": self.subject,
            "detail": self.detail,
            "breaking": self.breaking,
            "operations": list(self.operations),
            "change": self.change,
            "changelog": self.changelog,
        }


KINDS = {
    "operation-added": "Operations added",
    "operation-removed": "Operations removed",
    "operation-moved": "Operations moved",
    "webhook-added": "Webhook events added",
    "webhook-removed": "Webhook events removed",
    "security-changed": "Authentication changed",
    "parameter-added": "Parameters added",
    "parameter-removed": "Parameters removed",
    "parameter-now-required": "Parameters now required",
    "parameter-now-optional": "Parameters now optional",
    "parameter-changed": "Parameters changed",
    "request-field-added": "Request fields added",
    "request-field-removed": "Request fields removed",
    "request-field-renamed": "Request fields renamed",
    "request-field-now-required": "Request fields now required",
    "request-field-now-optional": "Request fields now optional",
    "request-field-changed": "Request fields changed",
    "response-property-added": "Response properties added",
    "response-property-removed": "Response properties removed",
    "response-property-renamed": "Response properties renamed",
    "response-property-now-required": "Response properties now always present",
    "response-property-now-optional": "Response properties now optional",
    "response-property-changed": "Response properties changed (type or nullability)",
    "enum-value-added": "Enum values added",
    "enum-value-removed": "Enum values removed",
    "response-status-added": "Response statuses added",
    "response-status-removed": "Response statuses removed",
}


@dataclass
class Report:
    old: str
    new: str
    differences: list[Difference] = field(default_factory=list)
    declared: list[str] = field(default_factory=list)  # `<version>: <id>`, in declared order

    @property
    def breaking(self) -> list[Difference]:
        return [d for d in self.differences if d.breaking]


# --- schema flattening ------------------------------------------------------------


@dataclass
class _Field:
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


def _flatten(
    document: dict[str, Any],
    schema: Any,
    pointer: str,
    path: str,
    required: bool,
    out: dict[str, _Field],
    seen: tuple[str, ...] = (),
    required_pointer: str = "",
) -> None:
    """Every field under `schema` as {path: _Field}; paths like `data[].location.id`."""
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
    out[path] = _Field(
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
        _flatten(
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
        _flatten(document, item, item_pointer, f"{path}[]", True, out, seen)


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


def _fields(document: dict[str, Any], holder: Any, pointer: str) -> dict[str, _Field] | None:
    """The fields of the JSON body of a request body or response, or None without one."""
    holder, pointer = _follow(document, holder, pointer)
    content = holder.get("content") or {}
    for media in sorted(content, key=lambda m: (not m.endswith("json"), m)):
        media_type = content[media]
        if isinstance(media_type, dict) and "schema" in media_type:
            out: dict[str, _Field] = {}
            media_pointer = f"{pointer}/content/{escape_pointer(media)}/schema"
            _flatten(document, media_type["schema"], media_pointer, "", True, out)
            return out
    return None


# --- naming -------------------------------------------------------------------------


def _subject(pointer: str, fallback: str, path: str) -> str:
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


def _types(types: frozenset[str]) -> str:
    return " | ".join(sorted(types)) or "any"


# --- the diff -----------------------------------------------------------------------


def _operations(document: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    found = {}
    for path, method, operation in iter_operations(document):
        key = str(operation.get("operationId") or f"{method.upper()} {path}")
        found[key] = (path, method, operation)
    return found


def _pointer(path: str, method: str) -> str:
    return f"/paths/{escape_pointer(path)}/{method}"


def _parameters(
    document: dict[str, Any], path: str, method: str, operation: dict[str, Any]
) -> dict[tuple[str, str], tuple[dict[str, Any], tuple[str, ...]]]:
    found: dict[tuple[str, str], tuple[dict[str, Any], tuple[str, ...]]] = {}
    item = document["paths"][path]
    sources = [
        (item.get("parameters") or [], f"/paths/{escape_pointer(path)}/parameters"),
        (operation.get("parameters") or [], f"{_pointer(path, method)}/parameters"),
    ]
    for values, base in sources:
        for index, raw in enumerate(values):
            site = f"{base}/{index}"
            parameter, resolved = _follow(document, raw, site)
            key = (str(parameter.get("in")), str(parameter.get("name")))
            if key[0] == "header" and key[1].lower() == VERSION_HEADER:
                continue  # names the version itself
            found[key] = (parameter, (site, resolved))
    return found


def _security(document: dict[str, Any], operation: dict[str, Any]) -> Any:
    return operation.get("security", document.get("security"))


def _security_relaxed(old: Any, new: Any) -> bool:
    """Whether `new` only adds ways to authenticate: every requirement `old` accepted is still
    accepted (`{}`, none needed, is one more way), so no client's request stops working."""
    if not isinstance(new, list) or not isinstance(old, list):
        return False
    if not new or {} in new:
        return True  # no token needed (any more)
    return bool(old) and all(requirement in new for requirement in old)


def diff_documents(
    old: dict[str, Any],
    new: dict[str, Any],
    *,
    old_name: str = "",
    new_name: str = "",
    declared: list[DeclaredChange] | None = None,
) -> Report:
    """The structural differences from `old` to `new`, merged per subject; with `declared`,
    each tied to the declared change that made it."""
    new_version = new_name or str(new.get("info", {}).get("version", ""))
    report = Report(old_name or str(old.get("info", {}).get("version", "")), new_version)
    raw: list[Difference] = []
    old_ops, new_ops = _operations(old), _operations(new)
    for op_id in sorted(old_ops.keys() - new_ops.keys()):
        path, method, _ = old_ops[op_id]
        raw.append(
            Difference(
                "operation-removed",
                f"{method.upper()} {path} ({op_id})",
                "",
                True,
                (op_id,),
                (_pointer(path, method),),
            )
        )
    for op_id in sorted(new_ops.keys() - old_ops.keys()):
        path, method, _ = new_ops[op_id]
        raw.append(
            Difference(
                "operation-added",
                f"{method.upper()} {path} ({op_id})",
                "",
                False,
                (op_id,),
                (_pointer(path, method),),
            )
        )
    for op_id in sorted(old_ops.keys() & new_ops.keys()):
        raw += _diff_operation(old, new, op_id, old_ops[op_id], new_ops[op_id], new_version)
    raw += _diff_webhooks(old, new, new_version)
    report.differences = _merge(raw) if declared is None else attribute(raw, declared)
    report.declared = [f"{c.version}: {c.id}" for c in declared or []]
    return report


def _diff_operation(
    old: dict[str, Any],
    new: dict[str, Any],
    op_id: str,
    before: tuple[str, str, dict[str, Any]],
    after: tuple[str, str, dict[str, Any]],
    new_version: str,
) -> Iterator[Difference]:
    old_path, old_method, old_op = before
    new_path, new_method, new_op = after
    here = (_pointer(old_path, old_method), _pointer(new_path, new_method))
    ops = (op_id,)
    if (old_path, old_method) != (new_path, new_method):
        yield Difference(
            "operation-moved",
            f"{op_id}",
            f"{old_method.upper()} {old_path} -> {new_method.upper()} {new_path}",
            True,
            ops,
            here,
        )
    if _security(old, old_op) != _security(new, new_op):
        yield Difference(
            "security-changed",
            f"{op_id}",
            f"{_security(old, old_op)} -> {_security(new, new_op)}",
            not _security_relaxed(_security(old, old_op), _security(new, new_op)),
            ops,
            here,
        )
    # parameters
    old_params = _parameters(old, old_path, old_method, old_op)
    new_params = _parameters(new, new_path, new_method, new_op)
    for key in sorted(old_params.keys() | new_params.keys()):
        subject = f"{key[0]} parameter {key[1]}"
        if key not in new_params:
            yield Difference("parameter-removed", subject, "", True, ops, old_params[key][1])
            continue
        if key not in old_params:
            required = bool(new_params[key][0].get("required"))
            yield Difference(
                "parameter-added",
                subject,
                "required" if required else "optional",
                required,
                ops,
                new_params[key][1],
            )
            continue
        (old_param, old_where), (new_param, new_where) = old_params[key], new_params[key]
        where = old_where + new_where
        if bool(old_param.get("required")) != bool(new_param.get("required")):
            now = bool(new_param.get("required"))
            yield Difference(
                "parameter-now-required" if now else "parameter-now-optional",
                subject,
                "",
                now,
                ops,
                where,
            )
        old_fields: dict[str, _Field] = {}
        new_fields: dict[str, _Field] = {}
        _flatten(old, old_param.get("schema", {}), f"{old_where[-1]}/schema", "", True, old_fields)
        _flatten(new, new_param.get("schema", {}), f"{new_where[-1]}/schema", "", True, new_fields)
        for difference in _diff_fields(old_fields, new_fields, "request", op_id, new_version):
            if difference.kind.startswith("enum-"):
                yield replace(difference, pointers=difference.pointers + where)
            else:
                yield replace(
                    difference,
                    kind="parameter-changed",
                    subject=subject,
                    pointers=difference.pointers + where,
                )
    # request body
    old_body = _fields(old, old_op.get("requestBody", {}), f"{here[0]}/requestBody")
    new_body = _fields(new, new_op.get("requestBody", {}), f"{here[1]}/requestBody")
    if old_body is not None or new_body is not None:
        yield from _diff_fields(old_body or {}, new_body or {}, "request", op_id, new_version)
    # responses
    old_responses = old_op.get("responses") or {}
    new_responses = new_op.get("responses") or {}
    for code in sorted(old_responses.keys() | new_responses.keys()):
        if code not in new_responses:
            yield Difference(
                "response-status-removed",
                f"{op_id} {code}",
                "",
                str(code).startswith("2"),
                ops,
                (f"{here[0]}/responses/{code}",),
            )
            continue
        if code not in old_responses:
            yield Difference(
                "response-status-added",
                f"{op_id} {code}",
                "",
                False,
                ops,
                (f"{here[1]}/responses/{code}",),
            )
            continue
        if not str(code).startswith("2"):
            continue  # error bodies are the shared problem shape
        old_fields = _fields(old, old_responses[code], f"{here[0]}/responses/{code}") or {}
        new_fields = _fields(new, new_responses[code], f"{here[1]}/responses/{code}") or {}
        yield from _diff_fields(old_fields, new_fields, "response", op_id, new_version, code)


def _webhooks(document: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """{event name: (pointer, operationId, operation)} of every webhook of `document`."""
    found = {}
    for name, item in (document.get("webhooks") or {}).items():
        item, pointer = _follow(document, item, f"/webhooks/{escape_pointer(name)}")
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                op_id = str(operation.get("operationId") or f"{method.upper()} {name}")
                found[str(name)] = (f"{pointer}/{method}", op_id, operation)
                break
    return found


def _diff_webhooks(old: dict[str, Any], new: dict[str, Any], new_version: str) -> list[Difference]:
    """Webhook events added or removed, and changes to the payload of events both send."""
    found: list[Difference] = []
    old_hooks, new_hooks = _webhooks(old), _webhooks(new)
    for name in sorted(old_hooks.keys() - new_hooks.keys()):
        pointer, op_id, _ = old_hooks[name]
        found.append(
            Difference("webhook-removed", name, "", True, (op_id,), (pointer.rsplit("/", 1)[0],))
        )
    for name in sorted(new_hooks.keys() - old_hooks.keys()):
        pointer, op_id, _ = new_hooks[name]
        found.append(
            Difference("webhook-added", name, "", False, (op_id,), (pointer.rsplit("/", 1)[0],))
        )
    for name in sorted(old_hooks.keys() & new_hooks.keys()):
        (old_pointer, _, before), (new_pointer, op_id, after) = old_hooks[name], new_hooks[name]
        old_body = _fields(old, before.get("requestBody", {}), f"{old_pointer}/requestBody")
        new_body = _fields(new, after.get("requestBody", {}), f"{new_pointer}/requestBody")
        if old_body is not None or new_body is not None:
            # what Enode sends is what the receiver reads: classed like a response body
            found += _diff_fields(old_body or {}, new_body or {}, "response", op_id, new_version)
    return found


def _diff_fields(
    old: dict[str, _Field],
    new: dict[str, _Field],
    direction: str,
    op_id: str,
    new_version: str,
    code: str = "",
) -> Iterator[Difference]:
    ops = (op_id,)
    fallback = f"{op_id} {code + ' ' if code else ''}{direction}"
    changed_roots: list[str] = []

    def under_changed(path: str) -> bool:
        return any(
            r == "" or path == r or path.startswith((f"{r}.", f"{r}[]")) for r in changed_roots
        )

    prefix = "request-field" if direction == "request" else "response-property"
    renamed = _renames(old, new)
    for path in sorted(old.keys() | new.keys(), key=lambda p: (p.count(".") + p.count("[]"), p)):
        if under_changed(path):
            continue
        before, after = old.get(path), new.get(path)
        if path in renamed:
            assert before is not None
            target = new[renamed[path]]
            yield Difference(
                f"{prefix}-renamed",
                _subject(before.pointer, fallback, path),
                f"-> {renamed[path].rsplit('.', 1)[-1]}",
                True,
                ops,
                (before.pointer, target.pointer, before.required_pointer, target.required_pointer),
            )
            changed_roots += [path, renamed[path]]
            continue
        if after is None:
            assert before is not None
            yield Difference(
                f"{prefix}-removed",
                _subject(before.pointer, fallback, path),
                "",
                True,
                ops,
                (before.pointer,),
            )
            changed_roots.append(path)
            continue
        if before is None:
            required = after.required and direction == "request"
            yield Difference(
                f"{prefix}-added",
                _subject(after.pointer, fallback, path),
                "required" if required else "",
                required,
                ops,
                (after.pointer,),
            )
            changed_roots.append(path)
            continue
        subject = _subject(after.pointer, fallback, path)
        where = (before.pointer, after.pointer)
        if before.required != after.required and path:
            now = after.required
            yield Difference(
                f"{prefix}-now-required" if now else f"{prefix}-now-optional",
                subject,
                "",
                now if direction == "request" else not now,
                ops,
                (*where, before.required_pointer, after.required_pointer),
            )
        if before.types != after.types and before.types and after.types:
            widened = not after.types <= before.types
            yield Difference(
                f"{prefix}-changed",
                subject,
                f"{_types(before.types)} -> {_types(after.types)}",
                widened if direction == "response" else not before.types <= after.types,
                ops,
                where,
            )
            if {"object", "array"} & (before.types ^ after.types):
                changed_roots.append(path)
                continue
        if direction == "request" and before.constraints != after.constraints:
            yield Difference(
                f"{prefix}-changed",
                subject,
                _constraint_change(before.constraints, after.constraints),
                True,
                ops,
                where,
            )
        old_enum, new_enum = before.enum or (), after.enum or ()
        if before.enum is not None and after.enum is not None and old_enum != new_enum:
            enum_subject = _subject(after.enum_pointer, subject, "")
            for value in new_enum:
                if value not in old_enum:
                    yield Difference(
                        "enum-value-added",
                        enum_subject,
                        f"{value} ({direction})",
                        direction == "response" and new_version < ENUM_ADDITIONS_NONBREAKING_FROM,
                        ops,
                        (before.enum_pointer + "/enum", after.enum_pointer + "/enum"),
                        value=value,
                    )
            for value in old_enum:
                if value not in new_enum:
                    yield Difference(
                        "enum-value-removed",
                        _subject(before.enum_pointer, subject, ""),
                        f"{value} ({direction})",
                        direction == "request",
                        ops,
                        (before.enum_pointer + "/enum", after.enum_pointer + "/enum"),
                        value=value,
                    )


def _constraint_change(before: dict[str, Any], after: dict[str, Any]) -> str:
    parts = []
    for key in sorted(before.keys() | after.keys()):
        if key not in before:
            parts.append(f"{key} {after[key]!r} added")
        elif key not in after:
            parts.append(f"{key} {before[key]!r} removed")
        elif before[key] != after[key]:
            parts.append(f"{key} {before[key]!r} -> {after[key]!r}")
    return "validation: " + "; ".join(parts)


def _renames(old: dict[str, _Field], new: dict[str, _Field]) -> dict[str, str]:
    """{old path: new path} for properties that were renamed: under a parent present in both,
    exactly one property went and one came, of the same scalar type, enum and validation."""

    def parent(path: str) -> str:
        return path.rsplit(".", 1)[0] if "." in path else ""

    gone: dict[str, list[str]] = {}
    came: dict[str, list[str]] = {}
    for path in old.keys() - new.keys():
        if path and not path.endswith("[]") and parent(path) in new:
            gone.setdefault(parent(path), []).append(path)
    for path in new.keys() - old.keys():
        if path and not path.endswith("[]") and parent(path) in old:
            came.setdefault(parent(path), []).append(path)
    found = {}
    for holder, removed in gone.items():
        added = came.get(holder, [])
        if len(removed) == 1 and len(added) == 1:
            before, after = old[removed[0]], new[added[0]]
            scalar = not ({"object", "array"} & (before.types | after.types))
            if scalar and (before.types, before.enum, before.constraints) == (
                after.types,
                after.enum,
                after.constraints,
            ):
                found[removed[0]] = added[0]
    return found


def _merge(raw: list[Difference]) -> list[Difference]:
    """One entry per (kind, subject, detail, change), listing every operation it affects."""
    merged: dict[tuple[str, str, str, str], Difference] = {}
    for difference in raw:
        key = (difference.kind, difference.subject, difference.detail, difference.change or "")
        known = merged.get(key)
        if known is None:
            merged[key] = difference
        else:
            merged[key] = replace(
                known,
                breaking=known.breaking or difference.breaking,
                operations=tuple(sorted(set(known.operations) | set(difference.operations))),
                pointers=tuple(dict.fromkeys(known.pointers + difference.pointers)),
            )
    order = list(KINDS)
    return sorted(
        merged.values(),
        key=lambda d: (not d.breaking, order.index(d.kind), d.subject, d.detail, d.change or ""),
    )


# --- tying differences to declared changes -----------------------------------------


@dataclass(frozen=True)
class DeclaredChange:
    version: str  # the version that made the change
    id: str
    changelog: str
    breaking: bool
    touched: tuple[str, ...]  # every JSON pointer its actions changed
    # (array pointer, JSON of the value) of every array element its actions removed or added
    elements: tuple[tuple[str, str], ...] = ()


def _closeness(touched: str, pointer: str) -> tuple[int, int] | None:
    """How well a changed pointer explains a difference's pointer (lower is better): the
    nearest enclosing change first, then the smallest change inside it; None if unrelated."""
    if touched == pointer or pointer.startswith(touched + "/"):
        return (0, -len(touched))
    if touched.startswith(pointer + "/"):
        return (1, len(touched))
    return None


def attribute(differences: list[Difference], declared: list[DeclaredChange]) -> list[Difference]:
    """Each difference tied to the declared change that explains one of its pointers best
    (left undeclared when none does), then merged per subject."""
    result = []
    for difference in differences:
        best: tuple[tuple[int, int], DeclaredChange] | None = None
        candidates = declared
        if difference.kind in ("enum-value-added", "enum-value-removed"):
            # an enum several changes edit: the change that removed or added this value
            value = _element_key(difference.value)
            exact = [
                c
                for c in declared
                if any(v == value and p in difference.pointers for p, v in c.elements)
            ]
            candidates = exact or declared
        for change in candidates:
            for touched in change.touched:
                for pointer in difference.pointers:
                    score = _closeness(touched, pointer)
                    if score is not None and (best is None or score < best[0]):
                        best = (score, change)
        if best is None:
            result.append(difference)
            continue
        change = best[1]
        breaking = difference.breaking
        if difference.kind == "enum-value-added" and difference.detail.endswith("(response)"):
            breaking = change.version < ENUM_ADDITIONS_NONBREAKING_FROM
        result.append(
            replace(
                difference,
                breaking=breaking,
                change=f"{change.version}: {change.id}",
                changelog=change.changelog,
            )
        )
    return _merge(result)


def declared_changes(renditions: list[Rendition], old: str, new: str) -> list[DeclaredChange]:
    """The changes declared by the versions after `old` up to `new`, with what they touched;
    SpecError when an action names a change its document does not declare."""
    found: dict[tuple[str, str], DeclaredChange] = {}
    rank: dict[tuple[str, str], int] = {}
    problems: list[SpecProblem] = []
    for rendition in renditions:
        overlay = rendition.overlay
        if overlay is None:
            continue
        version = str(overlay.data.get("info", {}).get("version", ""))
        if not old < version <= new:
            continue
        declared = overlay.data.get("x-enode-changes") or {}
        rank.update({(version, str(name)): index for index, name in enumerate(declared)})
        for applied in rendition.applied:
            change_id = applied.action.extensions.get("x-enode-change")
            if change_id is None:
                continue
            entry = declared.get(change_id)
            if not isinstance(entry, dict):
                problems.append(
                    applied.action.problem(
                        f"x-enode-change {change_id!r} is not declared under x-enode-changes"
                    )
                )
                continue
            key = (version, str(change_id))
            known = found.get(key) or DeclaredChange(
                version,
                str(change_id),
                " ".join(str(entry.get("changelog", "")).split()),
                bool(entry.get("breaking")),
                (),
            )
            found[key] = replace(
                known,
                touched=known.touched + tuple(applied.touched),
                elements=known.elements + tuple((p, _element_key(v)) for p, v in applied.elements),
            )
        for change_id in declared:
            found.setdefault(
                (version, str(change_id)),
                DeclaredChange(
                    version,
                    str(change_id),
                    " ".join(str(declared[change_id].get("changelog", "")).split()),
                    bool(declared[change_id].get("breaking")),
                    (),
                ),
            )
    if problems:
        raise SpecError(problems)
    return [found[key] for key in sorted(found, key=lambda key: (key[0], rank.get(key, 0)))]


# One `generate` asks for the report of every pair of adjacent versions: each published
# document is read, and the versions rendered from the source, once per process while their
# files are unchanged. Both are only read here, never changed.
def _fingerprint(*folders: Path) -> tuple[tuple[str, int, int], ...]:
    files = sorted(p for folder in folders for p in folder.glob("*.yaml"))
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)


@functools.lru_cache(maxsize=2)
def _renditions(fingerprint: tuple[tuple[str, int, int], ...]) -> list[Rendition]:
    return render_versions()


def _published_document(path: Path) -> dict[str, Any]:
    stat = path.stat()
    return _read_published(str(path), stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=8)
def _read_published(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    return bundle_spec(Path(path)).document


def _element_key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def packaged_report(old: str, new: str) -> tuple[Report, list[DeclaredChange]]:
    """The attributed report between two packaged versions (read from spec/published) and
    the declared changes between them."""
    # read, not validated again: build-specs validated them when it wrote them, and
    # `generate`/`validate`/`check` check them (validating here tripled generation time)
    documents = {v: _published_document(spec_file(v)) for v in (old, new)}
    low, high = sorted((old, new))
    declared = declared_changes(_renditions(_fingerprint(SOURCE_DIR, CHANGES_DIR)), low, high)
    report = diff_documents(
        documents[old], documents[new], old_name=old, new_name=new, declared=declared
    )
    return report, declared


def coverage_problems(report: Report, declared: list[DeclaredChange]) -> list[str]:
    """Why the declarations and the structure disagree (empty when they agree): differences
    no declared change covers, declared changes that cover no difference, and changes whose
    declared breaking flag is not what Enode's rules make of their differences."""
    problems = [
        f"undeclared: {KINDS[d.kind]}: {d.subject} {d.detail} ({', '.join(d.operations)})"
        for d in report.differences
        if d.change is None
    ]
    for change in declared:
        name = f"{change.version}: {change.id}"
        covered = [d for d in report.differences if d.change == name]
        if not covered:
            problems.append(f"{name}: declared, but no structural difference is its doing")
        elif any(d.breaking for d in covered) != change.breaking:
            problems.append(
                f"{name}: declared breaking={change.breaking}, but Enode's rules make its "
                f"differences {'breaking' if not change.breaking else 'not breaking'}: "
                + "; ".join(f"{KINDS[d.kind]} {d.subject}" for d in covered if d.breaking)
            )
    return problems


# --- rendering ------------------------------------------------------------------------


def render_json(report: Report) -> str:
    data = {
        "old": report.old,
        "new": report.new,
        "breaking": len(report.breaking),
        "differences": [d.as_dict() for d in report.differences],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def render_markdown(report: Report, *, title: str | None = None, level: int = 1) -> str:
    """The migration report: breaking differences first, grouped by kind, each with the
    declared changelog sentence."""
    heading = "#" * level
    downgrade = is_downgrade(report.old, report.new)
    default_title = f"Enode-Version {report.old} -> {report.new}" + (
        " (a downgrade)" if downgrade else ""
    )
    lines = [f"{heading} {title or default_title}", ""]
    if not report.differences:
        lines += ["No differences.", ""]
        return "\n".join(lines)
    breaking = len(report.breaking)
    lines += [
        f"{len(report.differences)} differences, {breaking} breaking by Enode's rules.",
        "",
    ]
    sentences = _changelog(report)
    if sentences and downgrade:
        # the declared sentences say what each version did; going back undoes it
        lines += [
            f"{heading}# What is undone",
            "",
            f"Moving back from {report.old} to {report.new} reverses these changes, each "
            "declared by the version that made it; breaking as classed for this direction.",
            "",
        ]
        lines += [f"- {'**Breaking.** ' if b else ''}Undone: {s} ({c})" for c, s, b in sentences]
        lines.append("")
    elif sentences:
        lines += [f"{heading}# What changed", ""]
        lines += [f"- {'**Breaking.** ' if b else ''}{s} ({c})" for c, s, b in sentences]
        lines.append("")
    for is_breaking, label in ((True, "Breaking"), (False, "Not breaking")):
        group = [d for d in report.differences if d.breaking is is_breaking]
        if not group:
            continue
        lines += [f"{heading}# {label}", ""]
        lines += [
            "| change | subject | detail | operations | declared as |",
            "|---|---|---|---|---|",
        ]
        for d in group:
            lines.append(
                f"| {KINDS[d.kind]} | `{d.subject}` | {d.detail} | "
                f"{', '.join(d.operations)} | {d.change or 'undeclared'} |"
            )
        lines.append("")
    return "\n".join(lines)


_DATED = re.compile(r"\d{4}-\d{2}-\d{2}")


def is_downgrade(old: str, new: str) -> bool:
    """Whether `old` -> `new` goes back in time (two dated Enode-Versions, the newer first)."""
    return bool(_DATED.fullmatch(old) and _DATED.fullmatch(new)) and new < old


def _changelog(report: Report) -> list[tuple[str, str, bool]]:
    """(change, sentence, breaking) of every declared change in the report, in order."""
    found: dict[str, tuple[str, bool]] = {}
    for d in report.differences:
        if d.change and d.changelog:
            sentence, was = found.get(d.change, (d.changelog, False))
            found[d.change] = (sentence, was or d.breaking)
    order = {name: index for index, name in enumerate(report.declared)}
    return [
        (c, s, b)
        for c, (s, b) in sorted(found.items(), key=lambda item: (order.get(item[0], 0), item[0]))
    ]
