"""The tolerant reader: a JSON value that does not validate as its type, built anyway.

`read(target, data)` returns `(value, deviations)`. Whatever validates (in pydantic's strict
JSON mode) is typed as usual; a model whose fields do not all validate is built with
`model_construct` from the fields one by one, so its valid fields are typed, nested models
are built where they can be, and every other value is kept as received; a value pydantic's
lax mode can convert (`"12"` for an integer) is converted. A required field that is absent
reads None. One bad item of a list never loses the others. Each difference is a
`Deviation`. This is openai-python's `construct` idea (validation is opt-in: `strict=True`).
"""

from __future__ import annotations

import json
import types
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal, Union, get_args, get_origin
from uuid import UUID

from pydantic import BaseModel, RootModel, ValidationError

from ._adapters import adapter
from ._drift import MISSING, Deviation

__all__ = ["read"]


def read(target: Any, data: Any, path: str = "$") -> tuple[Any, list[Deviation]]:
    """`data` (parsed JSON) as `target`, and the deviations met on the way.

    Inside the value, a part of the wrong JSON kind (an array where an object belongs) is
    kept as received. At the top, the caller still gets the declared kind: a model with
    every field None, or an empty list; what came is the deviation's `received`."""
    found: list[Deviation] = []
    value = _read(target, data, path, found)
    empty = _empty(target)
    if (isinstance(empty, list) and not isinstance(value, list)) or (
        isinstance(empty, BaseModel) and not isinstance(value, BaseModel)
    ):
        value = empty
    return value, found


def _empty(target: Any) -> Any:
    """The declared kind with nothing in it: the (first) model with every field None, or an
    empty list; None when the declared kind is neither (a string, a number, ...)."""
    origin = get_origin(target)
    if origin is Annotated:
        return _empty(get_args(target)[0])
    if origin in (Union, types.UnionType):
        arms = (_empty(arm) for arm in get_args(target))
        return next((arm for arm in arms if arm is not None), None)
    if origin is list:
        return []
    if isinstance(target, type) and issubclass(target, RootModel):
        return _empty(target.model_fields["root"].rebuild_annotation())
    if isinstance(target, type) and issubclass(target, BaseModel):
        return _model(target, {}, "$", [])
    return None


def _valid(target: Any, data: Any, *, strict: bool) -> tuple[bool, Any]:
    try:
        return True, adapter(target).validate_json(json.dumps(data), strict=strict)
    except (ValidationError, TypeError, ValueError):
        return False, None


def _read(target: Any, data: Any, path: str, found: list[Deviation]) -> Any:
    ok, value = _valid(target, data, strict=True)
    if ok:
        return value
    origin = get_origin(target)
    if origin is Annotated:
        return _read(get_args(target)[0], data, path, found)
    if origin in (Union, types.UnionType):
        return _union(target, data, path, found)
    if origin in (list, tuple, set, frozenset) and get_args(target):
        if not isinstance(data, list):
            found.append(Deviation(path, describe(target), data))
            return data
        (item,) = get_args(target)[:1]
        return [_read(item, value, f"{path}[{i}]", found) for i, value in enumerate(data)]
    if origin is dict and get_args(target):
        if not isinstance(data, dict):
            found.append(Deviation(path, describe(target), data))
            return data
        item = get_args(target)[1]
        return {key: _read(item, value, f"{path}[{key!r}]", found) for key, value in data.items()}
    if isinstance(target, type) and issubclass(target, RootModel):
        root = target.model_fields["root"].rebuild_annotation()
        return target.model_construct(_read(root, data, path, found))
    if isinstance(target, type) and issubclass(target, BaseModel):
        return _model(target, data, path, found)
    return _leaf(target, data, path, found)


def _union(target: Any, data: Any, path: str, found: list[Deviation]) -> Any:
    arms = [arm for arm in get_args(target) if arm is not type(None)]
    if data is None or len(arms) == 0:
        found.append(Deviation(path, describe(target), data))
        return data
    best: tuple[Any, list[Deviation]] | None = None
    for arm in arms:  # the arm that fits best: fewest deviations, the first on a tie
        trial: list[Deviation] = []
        value = _read(arm, data, path, trial)
        if best is None or len(trial) < len(best[1]):
            best = (value, trial)
    assert best is not None
    found.extend(best[1])
    return best[0]


def _model(target: type[BaseModel], data: Any, path: str, found: list[Deviation]) -> Any:
    if not isinstance(data, dict):
        found.append(Deviation(path, describe(target), data))
        return data
    values: dict[str, Any] = {}
    fields_set: set[str] = set()
    known: set[str] = set()
    for name, field in target.model_fields.items():
        wire = field.alias or name
        known.update((wire, name))
        key = wire if wire in data else name if name in data else None
        if key is None:
            if field.is_required():
                found.append(Deviation(f"{path}.{wire}", describe(field.annotation), MISSING))
                values[name] = None
            continue
        values[name] = _read(field.rebuild_annotation(), data[key], f"{path}.{wire}", found)
        fields_set.add(name)
    extra = {key: value for key, value in data.items() if key not in known}
    model = target.model_construct(_fields_set=fields_set, **values)
    if extra:  # kept even where the spec forbids them (extra="forbid"): reported as unknown
        model.__pydantic_extra__ = extra
    return model


def _leaf(target: Any, data: Any, path: str, found: list[Deviation]) -> Any:
    ok, value = _valid(target, data, strict=False)  # "12" for an integer, ...: converted
    found.append(Deviation(path, describe(target), data))
    return value if ok and data is not None else data


_NAMES: dict[Any, str] = {
    str: "string",
    int: "integer",
    float: "number",
    bool: "boolean",
    datetime: "date-time",
    date: "date",
    time: "time",
    timedelta: "duration",
    UUID: "uuid",
    Decimal: "decimal number",
    type(None): "null",
}


def describe(target: Any) -> str:
    """What `target` is, in JSON Schema words: `string`, `date-time`, `array of Vehicle`..."""
    origin = get_origin(target)
    if origin is Annotated:
        return describe(get_args(target)[0])
    if origin in (Union, types.UnionType):
        return " or ".join(describe(arm) for arm in get_args(target))
    if origin is Literal:
        return " or ".join(json.dumps(arg) for arg in get_args(target))
    if origin in (list, tuple, set, frozenset):
        args = get_args(target)
        return f"array of {describe(args[0])}" if args else "array"
    if origin is dict:
        return "object"
    if target in _NAMES:
        return _NAMES[target]
    if isinstance(target, type) and issubclass(target, Enum):
        return f"{target.__name__} value"
    if isinstance(target, type) and issubclass(target, BaseModel):
        return f"{target.__name__} object"
    if isinstance(target, type):
        for base, name in _NAMES.items():  # AwareDatetime, constrained types, ...
            if isinstance(base, type) and issubclass(target, base):
                return name
    name = getattr(target, "__name__", str(target))
    return {"AwareDatetime": "date-time", "NaiveDatetime": "date-time", "AnyUrl": "URL"}.get(
        name, name
    )
