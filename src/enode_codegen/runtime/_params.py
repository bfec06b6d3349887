"""Parameters on the wire: OpenAPI's `style` and `explode` for path, query, header and cookie.

Sans-IO: values in, text out. Each function follows the OpenAPI 3.1.1 "Style Examples" table
(RFC 6570 expansion with the OpenAPI styles added): a value is a primitive, an array (a list
or tuple) or an object (a mapping or a pydantic model, dumped by alias); None members are
left out. Path and query text is percent-encoded (RFC 3986: everything but the unreserved
characters, except the delimiters a style adds; query parameters with `allowReserved` keep
the reserved ones but `#`); header text is not (OpenAPI Appendix D). A nested array or
object, which OpenAPI leaves undefined, is sent as compact JSON text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from enum import Enum
from functools import partial
from typing import Literal
from urllib.parse import quote

from pydantic_core import to_jsonable_python

from ._strict import is_model

__all__ = [
    "DEFAULT_STYLES",
    "Location",
    "ParamStyle",
    "Style",
    "Styles",
    "cookie_header",
    "expand_path",
    "header_values",
    "query_string",
    "scalar",
]

Location = Literal["path", "query", "header", "cookie"]
Style = Literal[
    "simple", "label", "matrix", "form", "spaceDelimited", "pipeDelimited", "deepObject"
]
ParamStyle = tuple[Style, bool, bool]  # (style, explode, allowReserved)
Styles = Mapping[str, Mapping[str, ParamStyle]]  # location -> wire name -> its style

# What OpenAPI 3.1 says when a parameter declares no style: generated code names only others.
DEFAULT_STYLES: dict[str, ParamStyle] = {
    "path": ("simple", False, False),
    "query": ("form", True, False),
    "header": ("simple", False, False),
    "cookie": ("form", True, False),
}
ALLOWED: dict[str, frozenset[str]] = {
    "path": frozenset({"simple", "label", "matrix"}),
    "query": frozenset({"form", "spaceDelimited", "pipeDelimited", "deepObject"}),
    "header": frozenset({"simple"}),
    "cookie": frozenset({"form"}),
}
RESERVED = ":/?[]@!$&'()*+,;="  # RFC 3986 gen-delims and sub-delims, less `#` (it ends a URL)
_PATH_PARAM = re.compile(r"\{([^{}]+)\}")

Shape = str | list[str] | dict[str, str]  # a primitive, an array, an object
Encode = Callable[[str], str]
_percent: Encode = partial(quote, safe="")


def scalar(value: object) -> str:
    """One primitive as text: enums by value, booleans as `true`/`false`, dates in ISO 8601."""
    if isinstance(value, Enum):
        value = value.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if is_model(value):
        value = value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(to_jsonable_python(value), separators=(",", ":"), ensure_ascii=False)
    return str(value)


def style_of(location: str, name: str, styles: Styles | None) -> ParamStyle:
    """The declared style of a parameter, checked against where it may be used."""
    found = (styles or {}).get(location, {}).get(name, DEFAULT_STYLES[location])
    if found[0] not in ALLOWED[location]:
        raise ValueError(
            f"{location} parameter {name!r}: style {found[0]!r} is not one OpenAPI allows "
            f"there ({', '.join(sorted(ALLOWED[location]))})"
        )
    return found


def expand_path(template: str, values: Mapping[str, object], styles: Styles | None = None) -> str:
    """`/items/{id}` with each `{name}` replaced by its value in its style, percent-encoded."""

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values or values[name] is None:
            raise ValueError(f"missing path parameter {name!r} for {template}")
        style, explode, _ = style_of("path", name, styles)
        text = _expand(style, explode, name, _shape(values[name]), _percent)
        if not text:
            raise ValueError(f"path parameter {name!r} must not be empty")
        return text

    return _PATH_PARAM.sub(substitute, template)


def query_string(params: Mapping[str, object], styles: Styles | None = None) -> list[str]:
    """The `name=value` pieces of a query string (join them with `&`); None is left out."""
    pieces: list[str] = []
    for name, value in params.items():
        if value is None:
            continue
        style, explode, allow_reserved = style_of("query", name, styles)
        encode = partial(quote, safe=RESERVED) if allow_reserved else _percent
        pieces += _form_pieces(style, explode, name, _shape(value), encode)
    return pieces


def header_values(headers: Mapping[str, object], styles: Styles | None = None) -> dict[str, str]:
    """Header parameters in the simple style, not percent-encoded; None is left out."""
    found: dict[str, str] = {}
    for name, value in headers.items():
        if value is not None:
            style, explode, _ = style_of("header", name, styles)
            found[name] = _expand(style, explode, name, _shape(value), str)
    return found


def cookie_header(cookies: Mapping[str, object], styles: Styles | None = None) -> str | None:
    """A `Cookie` header value (`name=value` pairs joined by `; `), or None when none is set.
    Form style as OpenAPI 3.1 defines it for cookies, percent-encoded."""
    pieces: list[str] = []
    for name, value in cookies.items():
        if value is not None:
            style, explode, _ = style_of("cookie", name, styles)
            pieces += _form_pieces(style, explode, name, _shape(value), _percent)
    return "; ".join(pieces) if pieces else None


def _shape(value: object) -> Shape:
    if isinstance(value, Enum):
        value = value.value
    if is_model(value):
        value = value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    if isinstance(value, Mapping):
        return {str(k): scalar(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [scalar(v) for v in value if v is not None]
    return scalar(value)


def _joined(shape: Shape, sep: str, pair: str, encode: Encode) -> str:
    """Members joined by `sep`; an object's keys and values by `pair` (`=` or the separator)."""
    if isinstance(shape, str):
        return encode(shape)
    if isinstance(shape, dict):
        return sep.join(encode(k) + pair + encode(v) for k, v in shape.items())
    return sep.join(encode(m) for m in shape)


def _expand(style: str, explode: bool, name: str, shape: Shape, encode: Encode) -> str:
    """Path and header styles: simple, label, matrix."""
    if style == "label":
        return "." + _joined(shape, "." if explode else ",", "=" if explode else ",", encode)
    if style == "matrix":
        key = encode(name)
        if isinstance(shape, str):
            return f";{key}" if shape == "" else f";{key}={encode(shape)}"
        if explode and isinstance(shape, dict):
            return "".join(f";{encode(k)}={encode(v)}" for k, v in shape.items())
        if explode:
            return "".join(f";{key}={encode(m)}" for m in shape)
        return f";{key}=" + _joined(shape, ",", ",", encode)
    return _joined(shape, ",", "=" if explode else ",", encode)  # simple


def _form_pieces(style: str, explode: bool, name: str, shape: Shape, encode: Encode) -> list[str]:
    """Query and cookie styles: form, spaceDelimited, pipeDelimited, deepObject."""
    key = encode(name)
    if isinstance(shape, str):  # a primitive: every style reads as form
        return [f"{key}={encode(shape)}"]
    if style == "deepObject" and isinstance(shape, dict):
        return [f"{encode(f'{name}[{k}]')}={encode(v)}" for k, v in shape.items()]
    delimiter = {"spaceDelimited": "%20", "pipeDelimited": "%7C"}.get(style)
    if delimiter is not None and not explode:
        return [f"{key}=" + _joined(shape, delimiter, delimiter, encode)]
    if explode and isinstance(shape, dict):
        return [f"{encode(k)}={encode(v)}" for k, v in shape.items()]
    if explode:  # form; the delimited styles exploded and deepObject arrays are undefined: form
        return [f"{key}={encode(m)}" for m in shape]
    return [f"{key}=" + _joined(shape, ",", ",", encode)]
