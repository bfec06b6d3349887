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


def unknown_parts(value: object, path: str = "$") -> list[Deviation]:
    """Every unknown field and enum value inside `value`, as deviations with JSON paths (wire
    names). Field values are read from the instance's storage, not through attribute access,
    so a field marked deprecated does not warn."""
    if isinstance(value, OPEN_ENUMS):
        if value.is_known:
            return []
        problem = f"unknown {type(value).__name__} value {value.value!r}"
        return [Deviation(path, f"a known {type(value).__name__} value", value.value, problem)]
    if is_model(value):
        found: list[Deviation] = []
        stored = value.__dict__
        root = getattr(type(value), "__pydantic_root_model__", False)
        for name, field in type(value).model_fields.items():
            if name in stored:
                where = path if root else f"{path}.{field.alias or name}"
                found += unknown_parts(stored[name], where)
        for name, extra in (value.model_extra or {}).items():
            found.append(Deviation(f"{path}.{name}", "a known field", extra, "unknown field"))
        return found
    if isinstance(value, list | tuple):
        return [hit for i, item in enumerate(value) for hit in unknown_parts(item, f"{path}[{i}]")]
    if isinstance(value, Mapping):
        return [hit for k, item in value.items() for hit in unknown_parts(item, f"{path}[{k!r}]")]
    return []
