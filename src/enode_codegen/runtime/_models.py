"""The runtime's pydantic models, loaded on first use (see `__init__.py`).

`EnodeModel` is the base of every generated model and keeps fields it does not know
(`model_extra`), so a response that gained a field still parses; strict mode (see
`_strict.py`) reports them. The page body and the token response are models too.
Nothing imports this module at package import time: importing pydantic's model
machinery costs tens of milliseconds, paid at the first call instead.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, SecretStr

__all__ = ["EnodeModel", "PageBody", "PaginationCursors", "TokenResponse"]

T = TypeVar("T")


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


class PaginationCursors(EnodeModel):
    """Cursors of the neighbouring pages; None when there is no page that way (both are
    required, as in the spec: a missing one is drift)."""

    after: str | None
    before: str | None


class PageBody(EnodeModel, Generic[T]):
    """The body of a list response, parsed with the item type of the operation."""

    data: list[T]
    pagination: PaginationCursors


class TokenResponse(BaseModel):
    """The OAuth2 token endpoint's answer."""

    model_config = ConfigDict(defer_build=True)

    access_token: SecretStr
    expires_in: float = 3600.0
    token_type: str = "bearer"
    scope: str | None = None
