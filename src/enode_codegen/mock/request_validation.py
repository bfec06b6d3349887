"""Request validation from the spec: parameters are coerced from text by their schema type
and checked against their compiled schema; JSON bodies are parsed and checked against the
operation's request body schema. Every failure is a 400 (or 415) problem naming the
parameter or field and why."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .problems import ProblemError
from .schemas import Issue
from .specs import VERSION_HEADER, Operation, Param

__all__ = ["ValidatedRequest", "parse_json_body", "validate_body", "validate_params"]

_INTEGER = re.compile(r"^[+-]?\d{1,4000}$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_SKIP_HEADERS = frozenset({VERSION_HEADER.lower(), "authorization", "content-type"})


class MultiMapping(Protocol):
    def getlist(self, key: str) -> list[str]: ...


@dataclass
class ValidatedRequest:
    """Parameters by name (coerced, defaults applied) and the parsed body."""

    path: dict[str, Any]
    query: dict[str, Any]
    headers: dict[str, Any]
    body: Any = None


def _coerce(text: str, kind: str) -> tuple[Any, str | None]:
    if kind == "integer":
        if _INTEGER.match(text):
            return int(text), None
        return text, f"must be an integer, got {text[:60]!r}"
    if kind == "number":
        if _NUMBER.match(text) and math.isfinite(value := float(text)):
            return (int(value) if value.is_integer() and "." not in text else value), None
        return text, f"must be a number, got {text[:60]!r}"
    if kind == "boolean":
        lowered = text.lower()
        if lowered in ("true", "false"):
            return lowered == "true", None
        return text, f"must be true or false, got {text[:60]!r}"
    return text, None


def _check(param: Param, raw: Sequence[str], where: str, issues: list[Issue]) -> Any:
    path = (where, param.name)
    if param.kind == "array":
        values: list[Any] = []
        for i, text in enumerate(raw):
            value, error = _coerce(text, param.item_kind)
            if error:
                issues.append(Issue(error, (*path, i)))
                return None
            values.append(value)
        result: Any = values
    else:
        result, error = _coerce(raw[-1], param.kind)
        if error:
            issues.append(Issue(error, path))
            return None
    if param.validator is not None and not param.validator.is_valid(result):
        issues.extend(param.validator.issues(result, path))
        return None
    return result


def validate_params(
    op: Operation,
    path_params: Mapping[str, str],
    query: MultiMapping,
    headers: MultiMapping,
) -> ValidatedRequest:
    issues: list[Issue] = []
    found: dict[str, dict[str, Any]] = {"path": {}, "query": {}, "header": {}}
    for param in op.params:
        if param.location == "path":
            raw: list[str] = [path_params[param.name]] if param.name in path_params else []
        elif param.location == "query":
            raw = query.getlist(param.name)
        elif param.location == "header":
            if param.name.lower() in _SKIP_HEADERS:
                continue
            raw = headers.getlist(param.name.lower())
        else:
            continue
        if not raw:
            if param.required:
                issues.append(
                    Issue(
                        f"{param.location} parameter {param.name!r} is required",
                        (param.location, param.name),
                    )
                )
            elif param.has_default:
                found[param.location][param.name] = param.default
            continue
        value = _check(param, raw, param.location, issues)
        if value is not None:
            found[param.location][param.name] = value
    if issues:
        raise ProblemError.invalid(issues, title="Invalid request parameters")
    return ValidatedRequest(found["path"], found["query"], found["header"])


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:30]} is out of range")
    return value


def parse_json_body(raw: bytes) -> Any:
    """Parse a JSON body or raise a 400 problem that says where it broke."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProblemError(
            400,
            f"request body is not UTF-8 text: {error.reason} at byte {error.start}",
            title="Malformed JSON body",
        ) from None
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except json.JSONDecodeError as error:
        raise ProblemError(
            400,
            f"request body is not valid JSON: {error.msg} "
            f"(line {error.lineno} column {error.colno})",
            title="Malformed JSON body",
        ) from None
    except (ValueError, RecursionError) as error:
        raise ProblemError(
            400, f"request body is not valid JSON: {error}", title="Malformed JSON body"
        ) from None


def validate_body(op: Operation, content_type: str | None, raw: bytes) -> Any:
    """The parsed, schema-checked body (None for operations without one)."""
    spec = op.body
    if spec is None:
        return None
    if not raw.strip():
        if spec.required:
            raise ProblemError(
                400,
                f"body: a JSON request body is required ({', '.join(spec.media_types)})",
                title="Missing request body",
                issues=[Issue("a request body is required", ("body",))],
            )
        return None
    media = _media_type(content_type)
    accepted = spec.media_types
    if media not in accepted and not (media.endswith("+json") and "application/json" in accepted):
        sent = f"Content-Type {media!r} is not supported" if media else "Content-Type is missing"
        raise ProblemError(
            415,
            f"{sent}: {op.method} {op.path} takes {', '.join(accepted)}",
            headers={"Accept": ", ".join(accepted)},
        )
    body = parse_json_body(raw)
    if not spec.validator.is_valid(body):
        raise ProblemError.invalid(
            spec.validator.issues(body, ("body",)), title="Invalid request body"
        )
    return body
