"""Compare: the structural differences between two documents, each classed by a rule.

Operations are matched by operationId (a moved operation is one entry), webhook events by
name; what an operation takes (security, parameters, request body) and gives (statuses,
response bodies) is compared field by field (`flatten.py`), and so is the payload of a
webhook event, read like a response body (the receiver reads it).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from ..refs import escape_pointer
from ..validate import HTTP_METHODS, iter_operations
from .flatten import Field, _follow, body_fields, flatten, subject_name, type_text
from .renames import renames
from .report import Difference
from .rules import ENUM_ADDITIONS_NONBREAKING_FROM, FIELD_RULES, Direction, Facts, Rule

__all__ = ["compare"]

VERSION_HEADER = "enode-version"

Operation = tuple[str, str, dict[str, Any]]  # path, method, the operation object


def compare(old: dict[str, Any], new: dict[str, Any], new_version: str) -> list[Difference]:
    """Every difference from `old` to `new`, one per operation it affects (not merged)."""
    raw: list[Difference] = []
    old_ops, new_ops = _operations(old), _operations(new)
    for op_id in sorted(old_ops.keys() - new_ops.keys()):
        path, method, _ = old_ops[op_id]
        raw.append(
            Difference.by(
                Rule.OPERATION_REMOVED,
                f"{method.upper()} {path} ({op_id})",
                "",
                (op_id,),
                (_pointer(path, method),),
            )
        )
    for op_id in sorted(new_ops.keys() - old_ops.keys()):
        path, method, _ = new_ops[op_id]
        raw.append(
            Difference.by(
                Rule.OPERATION_ADDED,
                f"{method.upper()} {path} ({op_id})",
                "",
                (op_id,),
                (_pointer(path, method),),
            )
        )
    for op_id in sorted(old_ops.keys() & new_ops.keys()):
        raw += _diff_operation(old, new, op_id, old_ops[op_id], new_ops[op_id], new_version)
    raw += _diff_webhooks(old, new, new_version)
    return raw


def _operations(document: dict[str, Any]) -> dict[str, Operation]:
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


def _diff_operation(
    old: dict[str, Any],
    new: dict[str, Any],
    op_id: str,
    before: Operation,
    after: Operation,
    new_version: str,
) -> Iterator[Difference]:
    old_path, old_method, old_op = before
    new_path, new_method, new_op = after
    here = (_pointer(old_path, old_method), _pointer(new_path, new_method))
    ops = (op_id,)
    if (old_path, old_method) != (new_path, new_method):
        yield Difference.by(
            Rule.OPERATION_MOVED,
            f"{op_id}",
            f"{old_method.upper()} {old_path} -> {new_method.upper()} {new_path}",
            ops,
            here,
        )
    old_security, new_security = _security(old, old_op), _security(new, new_op)
    if old_security != new_security:
        yield Difference.by(
            Rule.SECURITY_CHANGED,
            f"{op_id}",
            f"{old_security} -> {new_security}",
            ops,
            here,
            Facts(relaxed=_security_relaxed(old_security, new_security)),
        )
    yield from _diff_parameters(old, new, op_id, before, after, new_version)
    # request body
    old_body = body_fields(old, old_op.get("requestBody", {}), f"{here[0]}/requestBody")
    new_body = body_fields(new, new_op.get("requestBody", {}), f"{here[1]}/requestBody")
    if old_body is not None or new_body is not None:
        yield from _diff_fields(
            old_body or {}, new_body or {}, Direction.REQUEST, op_id, new_version
        )
    # responses
    old_responses = old_op.get("responses") or {}
    new_responses = new_op.get("responses") or {}
    for code in sorted(old_responses.keys() | new_responses.keys()):
        if code not in new_responses:
            yield Difference.by(
                Rule.RESPONSE_STATUS_REMOVED,
                f"{op_id} {code}",
                "",
                ops,
                (f"{here[0]}/responses/{code}",),
                Facts(success_status=str(code).startswith("2")),
            )
            continue
        if code not in old_responses:
            yield Difference.by(
                Rule.RESPONSE_STATUS_ADDED,
                f"{op_id} {code}",
                "",
                ops,
                (f"{here[1]}/responses/{code}",),
            )
            continue
        if not str(code).startswith("2"):
            continue  # error bodies are the shared problem shape
        old_fields = body_fields(old, old_responses[code], f"{here[0]}/responses/{code}") or {}
        new_fields = body_fields(new, new_responses[code], f"{here[1]}/responses/{code}") or {}
        yield from _diff_fields(
            old_fields, new_fields, Direction.RESPONSE, op_id, new_version, code
        )


def _diff_parameters(
    old: dict[str, Any],
    new: dict[str, Any],
    op_id: str,
    before: Operation,
    after: Operation,
    new_version: str,
) -> Iterator[Difference]:
    ops = (op_id,)
    old_params = _parameters(old, *before)
    new_params = _parameters(new, *after)
    for key in sorted(old_params.keys() | new_params.keys()):
        subject = f"{key[0]} parameter {key[1]}"
        if key not in new_params:
            yield Difference.by(Rule.PARAMETER_REMOVED, subject, "", ops, old_params[key][1])
            continue
        if key not in old_params:
            required = bool(new_params[key][0].get("required"))
            yield Difference.by(
                Rule.PARAMETER_ADDED,
                subject,
                "required" if required else "optional",
                ops,
                new_params[key][1],
                Facts(required=required),
            )
            continue
        (old_param, old_where), (new_param, new_where) = old_params[key], new_params[key]
        where = old_where + new_where
        if bool(old_param.get("required")) != bool(new_param.get("required")):
            now = bool(new_param.get("required"))
            rule = Rule.PARAMETER_NOW_REQUIRED if now else Rule.PARAMETER_NOW_OPTIONAL
            yield Difference.by(rule, subject, "", ops, where)
        old_fields: dict[str, Field] = {}
        new_fields: dict[str, Field] = {}
        flatten(old, old_param.get("schema", {}), f"{old_where[-1]}/schema", "", True, old_fields)
        flatten(new, new_param.get("schema", {}), f"{new_where[-1]}/schema", "", True, new_fields)
        for difference in _diff_fields(
            old_fields, new_fields, Direction.REQUEST, op_id, new_version
        ):
            if difference.rule in (Rule.REQUEST_ENUM_VALUE_ADDED, Rule.REQUEST_ENUM_VALUE_REMOVED):
                yield replace(difference, pointers=difference.pointers + where)
            else:
                rule = Rule.PARAMETER_CHANGED
                yield replace(
                    difference,
                    kind=rule.kind,
                    subject=subject,
                    breaking=rule.breaks(Facts(schema_breaks=difference.breaking)),
                    pointers=difference.pointers + where,
                    rule=rule,
                )


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
            Difference.by(Rule.WEBHOOK_REMOVED, name, "", (op_id,), (pointer.rsplit("/", 1)[0],))
        )
    for name in sorted(new_hooks.keys() - old_hooks.keys()):
        pointer, op_id, _ = new_hooks[name]
        found.append(
            Difference.by(Rule.WEBHOOK_ADDED, name, "", (op_id,), (pointer.rsplit("/", 1)[0],))
        )
    for name in sorted(old_hooks.keys() & new_hooks.keys()):
        (old_pointer, _, before), (new_pointer, op_id, after) = old_hooks[name], new_hooks[name]
        old_body = body_fields(old, before.get("requestBody", {}), f"{old_pointer}/requestBody")
        new_body = body_fields(new, after.get("requestBody", {}), f"{new_pointer}/requestBody")
        if old_body is not None or new_body is not None:
            # what Enode sends is what the receiver reads: classed like a response body
            found += _diff_fields(
                old_body or {}, new_body or {}, Direction.RESPONSE, op_id, new_version
            )
    return found


def _diff_fields(
    old: dict[str, Field],
    new: dict[str, Field],
    direction: Direction,
    op_id: str,
    new_version: str,
    code: str = "",
) -> Iterator[Difference]:
    ops = (op_id,)
    rules = FIELD_RULES[direction]
    fallback = f"{op_id} {code + ' ' if code else ''}{direction.value}"
    changed_roots: list[str] = []

    def under_changed(path: str) -> bool:
        return any(
            r == "" or path == r or path.startswith((f"{r}.", f"{r}[]")) for r in changed_roots
        )

    renamed = renames(old, new)
    for path in sorted(old.keys() | new.keys(), key=lambda p: (p.count(".") + p.count("[]"), p)):
        if under_changed(path):
            continue
        before, after = old.get(path), new.get(path)
        if path in renamed:
            assert before is not None
            target = new[renamed[path]]
            yield Difference.by(
                rules.renamed,
                subject_name(before.pointer, fallback, path),
                f"-> {renamed[path].rsplit('.', 1)[-1]}",
                ops,
                (before.pointer, target.pointer, before.required_pointer, target.required_pointer),
            )
            changed_roots += [path, renamed[path]]
            continue
        if after is None:
            assert before is not None
            yield Difference.by(
                rules.removed,
                subject_name(before.pointer, fallback, path),
                "",
                ops,
                (before.pointer,),
            )
            changed_roots.append(path)
            continue
        if before is None:
            required = after.required and direction is Direction.REQUEST
            yield Difference.by(
                rules.added,
                subject_name(after.pointer, fallback, path),
                "required" if required else "",
                ops,
                (after.pointer,),
                Facts(required=required),
            )
            changed_roots.append(path)
            continue
        subject = subject_name(after.pointer, fallback, path)
        where = (before.pointer, after.pointer)
        if before.required != after.required and path:
            yield Difference.by(
                rules.now_required if after.required else rules.now_optional,
                subject,
                "",
                ops,
                (*where, before.required_pointer, after.required_pointer),
            )
        if before.types != after.types and before.types and after.types:
            yield Difference.by(
                rules.type_changed,
                subject,
                f"{type_text(before.types)} -> {type_text(after.types)}",
                ops,
                where,
                Facts(
                    narrowed=not before.types <= after.types,
                    widened=not after.types <= before.types,
                ),
            )
            if {"object", "array"} & (before.types ^ after.types):
                changed_roots.append(path)
                continue
        if rules.validation_changed is not None and before.constraints != after.constraints:
            yield Difference.by(
                rules.validation_changed,
                subject,
                _constraint_change(before.constraints, after.constraints),
                ops,
                where,
            )
        yield from _diff_enum(before, after, subject, direction, ops, new_version)


def _diff_enum(
    before: Field,
    after: Field,
    subject: str,
    direction: Direction,
    ops: tuple[str, ...],
    new_version: str,
) -> Iterator[Difference]:
    rules = FIELD_RULES[direction]
    old_enum, new_enum = before.enum or (), after.enum or ()
    if before.enum is None or after.enum is None or old_enum == new_enum:
        return
    pointers = (before.enum_pointer + "/enum", after.enum_pointer + "/enum")
    enum_subject = subject_name(after.enum_pointer, subject, "")
    facts = Facts(enum_closed=new_version < ENUM_ADDITIONS_NONBREAKING_FROM)
    for value in new_enum:
        if value not in old_enum:
            yield Difference.by(
                rules.enum_value_added,
                enum_subject,
                f"{value} ({direction.value})",
                ops,
                pointers,
                facts,
                value=value,
            )
    for value in old_enum:
        if value not in new_enum:
            yield Difference.by(
                rules.enum_value_removed,
                subject_name(before.enum_pointer, subject, ""),
                f"{value} ({direction.value})",
                ops,
                pointers,
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
