"""Base classes of the generated models, built to survive API additions.

`EnodeModel` keeps fields it does not know (`model_extra`); `OpenEnum` accepts values
it does not know as pseudo-members. A response that gained a field or an enum value
therefore still parses; strict mode (see `_strict.py`) reports both.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict

__all__ = ["EnodeModel", "OpenEnum"]


class EnodeModel(BaseModel):
    """Base of every generated model: unknown fields are kept, not rejected."""

    model_config = ConfigDict(
        extra="allow",
        validate_by_name=True,
        validate_by_alias=True,
        regex_engine="python-re",
        protected_namespaces=(),
        defer_build=True,  # validators are built on first use, not at import: fast imports
    )


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
        member = str.__new__(cls, value)
        member._name_ = value
        member._value_ = value
        return member

    @property
    def is_known(self) -> bool:
        """False for a value this version of the client does not know."""
        return type(self)._member_map_.get(self._name_) is self

    def __repr__(self) -> str:
        if self.is_known:
            return super().__repr__()
        return f"<{type(self).__name__} unknown: {self._value_!r}>"
