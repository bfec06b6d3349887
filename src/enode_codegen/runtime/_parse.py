"""Turning a response into a value, or into the exception it stands for.

Bodies are validated straight from bytes with a cached pydantic `TypeAdapter` per
target type (`_adapters.py`). Error responses become the `APIStatusError` subclass of their status,
filled from the RFC 7807 problem body when there is one (any other body still gives
the right class).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import httpx
from pydantic_core import ValidationError

from ._adapters import adapter
from ._drift import Deviation, attach, report
from ._encoding import Text
from ._errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseValidationError,
    ServiceUnavailableError,
    StrictModeError,
    UnprocessableEntityError,
)
from ._strict import is_model, unknown_parts

__all__ = ["attach_tree", "parse_body", "status_error"]

STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
    503: ServiceUnavailableError,
}


def parse_body(
    response: httpx.Response, target: object, *, strict: bool, operation: str | None = None
) -> Any:
    """The body of a successful `response` as `target` (None when `target` is None; the raw
    bytes when `target` is `bytes`, for non-JSON media types such as images; the decoded
    text, a `str`, when `target` is `Text`, for `text/plain`). A root model
    target (a discriminated union) gives the value it wraps.

    A JSON body that does not match `target` is read tolerantly (`_tolerant.py`) and each
    difference logged once per `operation` ("GET /vehicles/{vehicleId}") and JSON path, and
    listed by `drift(value)`; with `strict` any difference raises (ResponseValidationError
    for a shape pydantic's strict JSON mode rejects, StrictModeError for unknown fields and
    enum values)."""
    if target is None or target is type(None):
        return None
    if target is bytes:
        return response.content
    if target is Text:
        return response.text
    request = response.request
    operation = operation or f"{request.method} {request.url.path}"
    deviations: list[Deviation] = []
    try:
        value = adapter(target).validate_json(response.content, strict=True)
    except ValidationError as exc:
        data = _json(response.content)
        if strict or data is _NOT_JSON:
            message = (
                f"{request.method} {request.url.path} returned a {response.status_code} body "
                f"that is not a valid {_name(target)}:\n{exc}"
            )
            raise ResponseValidationError(message, response=response) from exc
        from ._tolerant import read  # pydantic's side, loaded at the first drift

        value, deviations = read(target, data)
    if getattr(type(value), "__pydantic_root_model__", False):
        value = value.root  # a discriminated union parsed through its model: the variant
    deviations += unknown_parts(value)
    if not deviations:
        return value
    if strict:
        unknowns = [str(deviation) for deviation in deviations]
        message = (
            f"strict mode: the response to {request.method} {request.url.path} has "
            f"{len(unknowns)} unknown part(s):\n  " + "\n  ".join(unknowns)
        )
        raise StrictModeError(message, unknowns=unknowns, response=response)
    report(operation, deviations)
    if type(value) is list:  # a plain list cannot be weakly referenced: this one can
        value = DriftedList(value)
    attach_tree(value, deviations)
    return value


class DriftedList(list[Any]):
    """A list result that drifted: a plain `list` in every way, but `drift()` can see it."""


_NOT_JSON: Any = object()


def _json(content: bytes) -> Any:
    try:
        return json.loads(content)
    except ValueError:
        return _NOT_JSON


def attach_tree(value: object, deviations: list[Deviation], path: str = "$") -> None:
    """Make `drift(x)` list, for `value` and every model and list item inside it, the
    deviations at or below its path."""
    if is_model(value) or isinstance(value, DriftedList):
        attach(value, [d for d in deviations if _under(d.path, path)])
    if is_model(value):
        root = getattr(type(value), "__pydantic_root_model__", False)
        stored = value.__dict__
        for name, field in type(value).model_fields.items():
            if name in stored:
                where = path if root else f"{path}.{field.alias or name}"
                if any(_under(d.path, where) for d in deviations):
                    attach_tree(stored[name], deviations, where)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            attach_tree(item, deviations, f"{path}[{i}]")


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith((prefix + ".", prefix + "["))


def status_error(
    response: httpx.Response, error_models: Mapping[int, object] | None = None
) -> APIStatusError:
    """The exception for an error `response`; `error_models` maps statuses to body types."""
    status = response.status_code
    cls = STATUS_ERRORS.get(status) or (InternalServerError if status >= 500 else APIStatusError)
    problem = _problem(response)
    parsed = _parse_error_model(response, (error_models or {}).get(status))
    title = problem.get("title") or response.reason_phrase
    detail = problem.get("detail", "")
    request = response.request
    message = f"{status} {title}" + (f": {detail}" if detail else "")
    message += f" ({request.method} {request.url.path})"
    return cls(
        message,
        response=response,
        type=problem.get("type", ""),
        title=title,
        detail=detail,
        issues=problem.get("issues", []),
        parsed=parsed,
    )


def _problem(response: httpx.Response) -> dict[str, Any]:
    """The usable fields of a problem body (or an OAuth error body); {} for anything else."""
    try:
        body = json.loads(response.content)
    except ValueError:
        return {}
    if not isinstance(body, dict):
        return {}
    found: dict[str, Any] = {}
    for key, oauth_key in (("type", ""), ("title", "error"), ("detail", "error_description")):
        value = body.get(key, body.get(oauth_key))
        if isinstance(value, str):
            found[key] = value
    issues = body.get("issues")
    if isinstance(issues, list):
        found["issues"] = [issue for issue in issues if isinstance(issue, dict)]
    return found


def _parse_error_model(response: httpx.Response, target: object) -> object:
    if target is None:
        return None
    try:
        return adapter(target).validate_json(response.content)
    except ValidationError:
        return None


def _name(target: object) -> str:
    return target.__name__ if isinstance(target, type) else repr(target)
