"""`OpenEnum` (and its integer and number kin): the bases of the generated enums, built to
survive API additions.

An enum value the client does not know parses to a pseudo-member instead of failing;
strict mode (see `_strict.py`) reports it. No pydantic here, so the parts of the runtime
that only need the enum import without loading pydantic's model machinery.
"""

from __future__ import annotations

from enum import Enum, IntEnum, StrEnum
from typing import Any, Self

__all__ = ["OPEN_ENUMS", "OpenEnum", "OpenFloatEnum", "OpenIntEnum"]


def _pseudo_member(cls: type[Any], base: type[Any], value: Any) -> Any:
    member: Any = base.__new__(cls, value)
    member._name_ = str(value)
    member._value_ = value
    return member


class OpenEnum(StrEnum):
    """A string enum that also accepts values it does not know.

    `Color("MAUVE")` on an enum without MAUVE returns a pseudo-member whose `value` is
    "MAUVE" and whose `is_known` is False; it compares and hashes equal to "MAUVE".
    Known members behave as in any `StrEnum`.
    """

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        if not isinstance(value, str):
            return None
        return _pseudo_member(cls, str, value)  # type: ignore[no-any-return]

    @property
    def is_known(self) -> bool:
        """False for a value this version of the client does not know."""
        return type(self)._member_map_.get(self._name_) is self

    def __repr__(self) -> str:
        if self.is_known:
            return super().__repr__()
        return f"<{type(self).__name__} unknown: {self._value_!r}>"


class OpenIntEnum(IntEnum):
    """An integer enum (status codes, levels) that also accepts integers it does not know."""

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        if not isinstance(value, int) or isinstance(value, bool):
            return None
        return _pseudo_member(cls, int, value)  # type: ignore[no-any-return]

    @property
    def is_known(self) -> bool:
        """False for a value this version of the client does not know."""
        return type(self)._member_map_.get(self._name_) is self

    def __repr__(self) -> str:
        if self.is_known:
            return super().__repr__()
        return f"<{type(self).__name__} unknown: {self._value_!r}>"


class OpenFloatEnum(float, Enum):
    """A number enum that also accepts numbers it does not know."""

    @classmethod
    def _missing_(cls, value: object) -> Self | None:
        if not isinstance(value, int | float) or isinstance(value, bool):
            return None
        return _pseudo_member(cls, float, float(value))  # type: ignore[no-any-return]

    @property
    def is_known(self) -> bool:
        """False for a value this version of the client does not know."""
        return type(self)._member_map_.get(self._name_) is self

    def __repr__(self) -> str:
        if self.is_known:
            return Enum.__repr__(self)
        return f"<{type(self).__name__} unknown: {self._value_!r}>"


OPEN_ENUMS = (OpenEnum, OpenIntEnum, OpenFloatEnum)
