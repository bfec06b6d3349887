"""Request bodies that are not JSON, and the marker for text responses.

Sans-IO: a body and its media type in, bytes and a Content-Type out, computed once per call
so a retry sends the same bytes. `multipart/form-data` (RFC 7578, through httpx's encoder):
each property one part, each member of an array one part each; files as bytes, a binary
file object, or a `(filename, content[, content_type])` tuple; objects as JSON parts;
primitives as text parts; a part's Content-Type from the spec's `encoding` when it names
one. `application/x-www-form-urlencoded`: each property in its `encoding` style (form,
exploded, by default), as in a query string. `text/*` and XML: text as UTF-8. Anything
else (`application/octet-stream`, images): the bytes as given.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import PurePath
from typing import IO, Any, TypeAlias, cast

import httpx
from pydantic_core import to_jsonable_python

from ._params import ParamStyle, query_string, scalar
from ._strict import is_model

__all__ = ["FileContent", "FileTypes", "Text", "encode_body", "is_json"]

FileContent: TypeAlias = bytes | IO[bytes]
"""A binary body or file part: bytes, or a file opened in binary mode (read once per call)."""
FileTypes: TypeAlias = (
    FileContent | tuple[str | None, FileContent] | tuple[str | None, FileContent, str | None]
)
"""A file part: its content, or `(filename, content)` / `(filename, content, content_type)`."""


class Text(str):
    """`cast_to=Text`: the response body is text (`text/plain`), returned as `str`."""


def is_json(media_type: str) -> bool:
    """`application/json`, `application/problem+json`, `application/vnd.x+json`, ..."""
    essence = media_type.split(";", 1)[0].strip().lower()
    return essence == "application/json" or essence.endswith("+json")


def encode_body(
    media_type: str,
    body: object,
    *,
    part_types: Mapping[str, str] | None = None,
    styles: Mapping[str, ParamStyle] | None = None,
) -> tuple[bytes, str]:
    """`body` as sent with `media_type`: (content, Content-Type header). `part_types` are the
    spec's `encoding.<property>.contentType`s, `styles` its form `encoding` styles."""
    essence = media_type.split(";", 1)[0].strip().lower()
    if essence.startswith("multipart/"):
        return _multipart(_fields(body, media_type), part_types or {})
    if essence == "application/x-www-form-urlencoded":
        pieces = query_string(_fields(body, media_type), {"query": styles or {}})
        return "&".join(pieces).encode("ascii"), media_type
    if isinstance(body, str):
        return body.encode(), _with_charset(media_type)
    if _is_file(body):
        return _read(body), media_type
    if essence.startswith("text/"):
        return scalar(body).encode(), _with_charset(media_type)
    raise TypeError(
        f"a {media_type} body must be bytes, a binary file or str, not {type(body).__name__}"
    )


def _fields(body: object, media_type: str) -> dict[str, Any]:
    if is_model(body):  # python mode keeps bytes and files as they are
        body = body.model_dump(by_alias=True, exclude_unset=True)
    if not isinstance(body, Mapping):
        raise TypeError(f"a {media_type} body must be a mapping of fields or a model")
    return {str(name): value for name, value in body.items() if value is not None}


def _with_charset(media_type: str) -> str:
    if media_type.lower().startswith("text/") and "charset" not in media_type.lower():
        return f"{media_type}; charset=utf-8"
    return media_type


def _read(content: object) -> bytes:
    """The bytes of bytes-like content or of a file opened in binary mode."""
    if isinstance(content, bytes | bytearray | memoryview):
        return bytes(content)
    data = cast("IO[bytes]", content).read()  # only called on objects that have `read`
    if not isinstance(data, bytes):
        raise TypeError("a file sent as a body or part must be opened in binary mode ('rb')")
    return data


def _is_file(value: object) -> bool:
    return isinstance(value, bytes | bytearray | memoryview) or hasattr(value, "read")


def _is_file_tuple(value: object) -> bool:
    return (
        isinstance(value, tuple)
        and len(value) in (2, 3)
        and (value[0] is None or isinstance(value[0], str))
        and _is_file(value[1])
    )


def _declared_type(part_types: Mapping[str, str], name: str) -> str | None:
    """The first concrete media type of an `encoding` contentType (`image/png, image/*`)."""
    for candidate in part_types.get(name, "").split(","):
        if candidate.strip() and "*" not in candidate:
            return candidate.strip()
    return None


def _part(name: str, value: object, part_types: Mapping[str, str]) -> tuple[str, Any]:
    """One httpx `files` entry: (name, (filename, content, content type))."""
    declared = _declared_type(part_types, name)
    if isinstance(value, tuple) and _is_file_tuple(value):
        given = value[2] if len(value) == 3 else None
        return name, (value[0], _read(value[1]), given or declared or "application/octet-stream")
    if _is_file(value):
        filename = PurePath(str(getattr(value, "name", "upload"))).name
        return name, (filename, _read(value), declared or "application/octet-stream")
    if is_model(value):
        value = value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, Mapping):
        text = json.dumps(to_jsonable_python(value), separators=(",", ":"), ensure_ascii=False)
        return name, (None, text.encode(), declared or "application/json")
    return name, (None, scalar(value).encode(), declared)  # text/plain, RFC 7578's default


def _multipart(fields: Mapping[str, Any], part_types: Mapping[str, str]) -> tuple[bytes, str]:
    parts: list[tuple[str, Any]] = []
    for name, value in fields.items():
        members = (
            value
            if isinstance(value, list) or (isinstance(value, tuple) and not _is_file_tuple(value))
            else [value]
        )
        parts += [_part(name, member, part_types) for member in members if member is not None]
    if not parts:  # httpx sends no body for no files: an empty multipart body by hand
        boundary = os.urandom(16).hex()
        return f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"
    request = httpx.Request("POST", "http://multipart.invalid/", files=parts)
    return request.read(), request.headers["Content-Type"]
