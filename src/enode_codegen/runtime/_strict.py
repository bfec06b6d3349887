"""Strict mode: find what a parsed response holds that this client version does not know.

Generated models keep unknown fields (`model_extra`) and unknown enum values
(`OpenEnum` pseudo-members) so that new API additions never break parsing. With
`strict=True` the client walks every parsed response and raises StrictModeError
listing each one, which is what contract tests want.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, TypeGuard

from ._enums import OPEN_ENUMS

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["find_unknowns", "is_model"]


def is_model(value: object) -> TypeGuard[BaseModel]:
    """Whether `value` is a pydantic model, without importing pydantic's model machinery:
    until `pydantic.main` is loaded, no model instance can exist."""
    main = sys.modules.get("pydantic.main")
    return main is not None and isinstance(value, main.BaseModel)


def find_unknowns(value: object, path: str = "$") -> list[str]:
    """Every unknown field and enum value inside `value`, as `path: what`."""
    if isinstance(value, OPEN_ENUMS):
        if value.is_known:
            return []
        return [f"{path}: unknown {type(value).__name__} value {value.value!r}"]
    if is_model(value):
        found = [f"{path}: unknown field {name!r}" for name in value.model_extra or {}]
        for name in type(value).model_fields:
            found += find_unknowns(getattr(value, name), f"{path}.{name}")
        return found
    if isinstance(value, list | tuple):
        return [hit for i, item in enumerate(value) for hit in find_unknowns(item, f"{path}[{i}]")]
    if isinstance(value, Mapping):
        return [hit for k, item in value.items() for hit in find_unknowns(item, f"{path}[{k!r}]")]
    return []
