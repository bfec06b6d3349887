"""Turning a response into a value, or into the exception it stands for.

Bodies are validated straight from bytes with a cached pydantic `TypeAdapter` per
target type. Error responses become the `APIStatusError` subclass of their status,
filled from the RFC 7807 problem body when there is one (any other body still gives
the right class).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

import httpx
from pydantic_core import ValidationError

if TYPE_CHECKING:
    from pydantic import TypeAdapter

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
from ._strict import find_unknowns

__all__ = ["adapter", "parse_body", "status_error"]

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


def adapter(target: object) -> TypeAdapter[Any]:
    """The (cached) TypeAdapter validating `target`: a model, `list[X]`, `str`, a union, ..."""
    try:
        return _cached_adapter(target)
    except TypeError:  # unhashable type expression
        return _new_adapter(target)


@functools.lru_cache(maxsize=512)
def _cached_adapter(target: object) -> TypeAdapter[Any]:
    return _new_adapter(target)


def _new_adapter(target: object) -> TypeAdapter[Any]:
    from pydantic import TypeAdapter  # loaded at the first parse, not at import

    return TypeAdapter(cast(Any, target))


def parse_body(response: httpx.Response, target: object, *, strict: bool) -> Any:
    """The body of a successful `response` as `target` (None when `target` is None; the raw
    bytes when `target` is `bytes`, for non-JSON media types such as images). A root model
    target (a discriminated union) gives the value it wraps."""
    if target is None or target is type(None):
        return None
    if target is bytes:
        return response.content
    try:
        value = adapter(target).validate_json(response.content)
    except ValidationError as exc:
        request = response.request
        message = (
            f"{request.method} {request.url.path} returned a {response.status_code} body that is "
            f"not a valid {_name(target)}:\n{exc}"
        )
        raise ResponseValidationError(message, response=response) from exc
    if getattr(type(value), "__pydantic_root_model__", False):
        value = value.root  # a discriminated union parsed through its model: the variant
    if strict:
        unknowns = find_unknowns(value)
        if unknowns:
            request = response.request
            message = (
                f"strict mode: the response to {request.method} {request.url.path} has "
                f"{len(unknowns)} unknown part(s):\n  " + "\n  ".join(unknowns)
            )
            raise StrictModeError(message, unknowns=unknowns, response=response)
    return value


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
