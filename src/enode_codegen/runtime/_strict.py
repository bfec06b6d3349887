"""Finding what a parsed response holds that this client version does not know.

Generated models keep unknown fields (`model_extra`) and unknown enum values
(`OpenEnum` pseudo-members) so that new API additions never break parsing. Every
response is walked for them: the default client reports each as a `Deviation`
(`drift(obj)`, one WARNING per operation and path); with `strict=True` the client
raises StrictModeError listing each one, which is what contract tests want.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, TypeGuard

from ._drift import Deviation
from ._enums import OPEN_ENUMS

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["find_unknowns", "is_model", "unknown_parts"]


def is_model(value: object) -> TypeGuard[BaseModel]:
    """Whether `value` is a pydantic model, without importing pydantic's model machinery:
    until `pydantic.main` is loaded, no model instance can exist."""
    main = sys.modules.get("pydantic.main")
    return main is not None and isinstance(value, main.BaseModel)


def find_unknowns(value: object, path: str = "$") -> list[str]:
    """Every unknown field and enum value inside `value`, as `path: what`."""
    return [str(deviation) for deviation in unknown_parts(value, path)]


_PLAIN = frozenset({str, int, float, bool, type(None)})  # exact types: OpenEnum is a str


def unknown_parts(value: object, path: str = "$") -> list[Deviation]:
    """Every unknown field and enum value inside `value`, as deviations with JSON paths (wire
    names). Field values are read from the instance's storage, not through attribute access,
    so a field marked deprecated does not warn. Every response is walked, so this is kept
    cheap: plain values are skipped by their exact type."""
    found: list[Deviation] = []
    main = sys.modules.get("pydantic.main")
    _walk(value, path, found, main.BaseModel if main is not None else None)
    return found


def _walk(value: object, path: str, found: list[Deviation], base: type | None) -> None:
    if type(value) in _PLAIN:
        return
    if isinstance(value, OPEN_ENUMS):
        if not value.is_known:
            name = type(value).__name__
            problem = f"unknown {name} value {value.value!r}"
            found.append(Deviation(path, f"a known {name} value", value.value, problem))
        return
    if base is not None and isinstance(value, base):
        stored = value.__dict__
        for name, segment in _segments(type(value)):  # type: ignore[arg-type]
            if name in stored:
                item = stored[name]
                if type(item) not in _PLAIN:
                    _walk(item, path + segment, found, base)
        extras: dict[str, object] = getattr(value, "__pydantic_extra__", None) or {}
        for name, extra in extras.items():
            found.append(Deviation(f"{path}.{name}", "a known field", extra, "unknown field"))
        return
    if isinstance(value, list | tuple):
        for i, item in enumerate(value):
            if type(item) not in _PLAIN:
                _walk(item, f"{path}[{i}]", found, base)
    elif isinstance(value, Mapping):
        for k, item in value.items():
            _walk(item, f"{path}[{k!r}]", found, base)


_SEGMENTS: dict[type, tuple[tuple[str, str], ...]] = {}


def _segments(cls: type[BaseModel]) -> tuple[tuple[str, str], ...]:
    """(field name, its JSON path segment) of a model class: `.wireName`, or "" for a root."""
    segments = _SEGMENTS.get(cls)
    if segments is None:
        root = getattr(cls, "__pydantic_root_model__", False)
        segments = tuple(
            (name, "" if root else f".{field.alias or name}")
            for name, field in cls.model_fields.items()
        )
        _SEGMENTS[cls] = segments
    return segments
