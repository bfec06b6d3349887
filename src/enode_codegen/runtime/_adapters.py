"""One cached pydantic `TypeAdapter` per target type, shared by the strict parser
(`_parse.py`), the tolerant reader (`_tolerant.py`) and webhook events. pydantic's
`TypeAdapter` is imported at the first parse, not at import."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from pydantic import TypeAdapter

__all__ = ["adapter"]


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
